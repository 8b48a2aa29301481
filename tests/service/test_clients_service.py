"""Clients on the real broker (CLI-02/03/12/14, REC-07/12): one ClientsService container on a
throw-away vhost, driven by RPC as the gateway and reception drive it, with reception's and
attendance's events dispatched on the broker and clients' own events read from the broker
(no mocks)."""
import json
import uuid

import pytest
from kombu import Connection, Queue, binding
from nameko.events import get_event_exchange
from nameko.standalone.events import event_dispatcher

from services.clients.service import ClientsService
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from tests.helpers import CLOCK_ADMIN, eventually, token

PID = 1
A, B = 11, 12
MANAGER = token(person_id=2, project_id=PID, roles=("manager",), name="manager")
SUPERVISOR = token(person_id=3, project_id=PID, roles=("supervisor",), name="supervisor")
DESK = token(person_id=4, project_id=PID, roles=("receptionist",), name="desk")
CA = token(person_id=A, project_id=PID, roles=("consultant",), name="a")
CB = token(person_id=B, project_id=PID, roles=("consultant",), name="b")
MORNING = "2026-03-02T10:00:00+08:00"
PHONE = "13812345678"


@pytest.fixture
def clients(start_service, rpc_proxy):
    start_service(ClientsService)
    proxy = rpc_proxy("clients")
    proxy.set_clock(CLOCK_ADMIN, MORNING)
    return proxy


def event(source, event_type, **fields):
    return {"event_id": str(uuid.uuid4()), "event_type": event_type, "source": source,
            "occurred_at": "2026-03-02T02:00:00+00:00", "project_id": PID,
            "actor": None, "rule": "REC-06", "reason": "test", **fields}


def consultants(rabbit_config, clients, *people):
    """attendance announces consultants of the project; clients' directory replica has them
    once a poaching record naming them reaches the customer check (CLI-01, not SYS-02)."""
    dispatch = event_dispatcher(dict(rabbit_config))
    for person_id in people:
        dispatch("attendance", "staff_added", event(
            "attendance", "staff_added", person={"id": person_id, "project_id": PID,
                                                 "name": f"#{person_id}",
                                                 "roles": ["consultant"]}))

    def known(person_id):
        try:
            clients.record_poaching(SUPERVISOR, PID, 987654, {"person_id": person_id})
        except NotFound as exc:
            return exc.rule == "CLI-01"
    eventually(lambda: all(known(p) for p in people), message="staff not in the directory")


def completed(customer_id, person_id, kind="turn", credit_owner_id=None):
    return event("reception", "reception_completed", reception_id=uuid.uuid4().int % 10**6,
                 person_id=person_id, customer_id=customer_id, kind=kind,
                 credit_owner_id=credit_owner_id or person_id, outcome="visited",
                 floor_plans=[], day="2026-03-02")


def test_cli02_a_visit_delivered_twice_makes_one_owner_and_one_contact(clients, rabbit_config):
    # clauses: CLI-02.1
    dispatch = event_dispatcher(dict(rabbit_config))
    dispatch("attendance", "staff_added", event(
        "attendance", "staff_added", person={"id": A, "project_id": PID, "name": "李娜 Li Na",
                                             "roles": ["consultant"]}))
    customer = clients.register_customer(DESK, PID, "138 1234 5678", "王先生", "walk_in")
    assert customer["created"] is True
    # REC-07's lookup before the visit: nobody owns the phone yet
    assert clients.owner_of(DESK, PID, PHONE)["owner_id"] is None
    visit = completed(customer["customer_id"], A)
    dispatch("reception", "reception_completed", visit)
    dispatch("reception", "reception_completed", visit)          # redelivered
    answer = eventually(lambda: (lambda o: o if o["owner_id"] == A else None)(
        clients.owner_of(DESK, PID, "+86 138-1234-5678")), message="the visit made no owner")
    assert answer["protection_live"] is True and answer["owner_name"] == "李娜 Li Na"
    assert answer["rule"] == "CLI-03" and answer["phone_masked"] == "138****5678"
    # a marker event about another customer, so the duplicate has surely been consumed
    marker = clients.register_customer(DESK, PID, "13900000001", None, "walk_in")
    dispatch("reception", "reception_completed", completed(marker["customer_id"], B))
    eventually(lambda: clients.owner_of(DESK, PID, "13900000001")["owner_id"] == B)
    history = clients.customer_history(SUPERVISOR, PID, customer["customer_id"])
    owners = [d for d in history["decisions"] if d["outcome"] == "new_owner"]
    assert len(owners) == 1 and owners[0]["rule"] == "CLI-02"
    # the same phone written another way is the same customer (CLI-01)
    again = clients.register_customer(DESK, PID, "+86 138 1234 5678", None, "walk_in")
    assert again == {"customer_id": customer["customer_id"], "created": False}


def test_rec07_a_duty_reception_keeps_the_credit_with_the_owner(clients, rabbit_config):
    dispatch = event_dispatcher(dict(rabbit_config))
    customer = clients.register_customer(DESK, PID, PHONE, None, "walk_in")["customer_id"]
    dispatch("reception", "reception_completed", completed(customer, A))
    eventually(lambda: clients.owner_of(DESK, PID, PHONE)["owner_id"] == A)
    # A busy: B receives on duty for A (REC-07); A stays the owner
    dispatch("reception", "reception_completed",
             completed(customer, B, kind="duty", credit_owner_id=A))
    marker = clients.register_customer(DESK, PID, "13900000002", None, "walk_in")
    dispatch("reception", "reception_completed", completed(marker["customer_id"], B))
    eventually(lambda: clients.owner_of(DESK, PID, "13900000002")["owner_id"] == B)
    assert clients.owner_of(DESK, PID, PHONE)["owner_id"] == A


def test_cli02_rec12_a_registered_call_makes_the_answering_consultant_the_owner(
        clients, rabbit_config):
    dispatch = event_dispatcher(dict(rabbit_config))
    customer = clients.register_customer(DESK, PID, "139 0000 5602", "赵女士", "call")
    dispatch("reception", "call_registered", event(
        "reception", "call_registered", call_id=1, customer_id=customer["customer_id"],
        answered_by=B, media_source="wechat", day="2026-03-02", missing=[], fine=0))
    owner = eventually(lambda: (lambda o: o if o["owner_id"] == B else None)(
        clients.owner_of(DESK, PID, "13900005602")), message="the call made no owner")
    assert owner["protection_live"] is True
    assert clients.get_customer(MANAGER, PID, customer["customer_id"])["media_source"] == "wechat"


def test_cli14_full_phone_only_to_owner_supervisor_manager_and_never_in_events(
        clients, rabbit_config):
    consultants(rabbit_config, clients, A, B)
    exchange = get_event_exchange("clients", {})
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        queue = Queue("clients-listener", durable=False, auto_delete=True,
                      bindings=[binding(exchange, routing_key="#")])(conn)
        queue.declare()
        out = clients.pre_register(CA, PID, {"phone": "137 0000 1111", "name": "表哥",
                                             "kind": "relative"})
        customer_id = out["customer_id"]
        assert out["data"]["owner_id"] == A
        for who, full in ((CA, True), (CB, False), (DESK, False), (SUPERVISOR, True),
                          (MANAGER, True)):
            assert clients.get_customer(who, PID, customer_id)["phone"] == \
                ("13700001111" if full else "137****1111")
        clients.change_consultant(SUPERVISOR, PID, customer_id, {"person_id": B})

        def events():
            got = []
            while (message := queue.get(no_ack=True)) is not None:
                got.append(message.payload)
            return got
        seen = []
        eventually(lambda: seen.extend(events()) or
                   {e["event_type"] for e in seen} >= {"ownership_changed"},
                   message="no ownership_changed on the broker")
        assert all(e["customer_id"] == customer_id for e in seen)
        assert "13700001111" not in json.dumps(seen)
    # the owner changed to B, so now B sees the phone and A does not
    assert clients.get_customer(CB, PID, customer_id)["phone"] == "13700001111"
    assert clients.get_customer(CA, PID, customer_id)["phone"] == "137****1111"


def test_cli12_an_unpaid_subscription_lapses_by_the_clock_and_releases_the_unit(clients):
    customer = clients.register_customer(DESK, PID, PHONE, "钱先生", "walk_in")["customer_id"]
    other = clients.register_customer(DESK, PID, "13500004444", "李女士", "walk_in")
    unit = clients.create_unit(MANAGER, PID, {"code": "3-1801"})
    with pytest.raises(Forbidden):
        clients.confirm_unit(CA, PID, unit["id"])
    clients.confirm_unit(MANAGER, PID, unit["id"])
    sub = clients.subscribe(CA, PID, {"unit_id": unit["id"], "customer_id": customer})
    assert sub["state"] == "live"
    with pytest.raises(Conflict) as exc:
        clients.subscribe(CB, PID, {"unit_id": unit["id"], "customer_id": other["customer_id"]})
    assert exc.value.rule == "CLI-12"
    clients.set_clock(CLOCK_ADMIN, "2026-03-02T10:09:59+08:00")   # inside the deposit window
    assert not clients.list_units(CB, PID)[0]["available"]
    clients.set_clock(CLOCK_ADMIN, "2026-03-02T10:10:01+08:00")   # past it: the timer lapses it
    eventually(lambda: clients.list_units(CB, PID)[0]["available"],
               message="the deposit timer did not lapse the subscription")
    assert [s["state"] for s in clients.list_subscriptions(MANAGER, PID)] == ["lapsed"]
    with pytest.raises(Conflict) as exc:
        clients.pay_deposit(CA, PID, sub["id"])
    assert exc.value.rule == "CLI-12"
    second = clients.subscribe(CB, PID, {"unit_id": unit["id"],
                                         "customer_id": other["customer_id"]})
    assert second["state"] == "live"


def test_sys03_a_bad_policy_value_is_refused_when_written_and_names_its_key(clients):
    with pytest.raises(Unprocessable) as exc:
        clients.set_policy(MANAGER, PID, {"deposit_minutes": 0})
    assert (exc.value.field, exc.value.rule) == ("deposit_minutes", "CLI-12")
    assert clients.get_policy(MANAGER, PID)["deposit_minutes"] == 10     # nothing stored
    assert clients.set_policy(MANAGER, PID, {"deposit_minutes": 15})["deposit_minutes"] == 15
    assert clients.get_policy(SUPERVISOR, PID)["deposit_minutes"] == 15


def test_sys02_an_admin_gets_the_leads_answers(clients, rabbit_config):
    """services.common.roles: an admin acts as a manager and supervisor (full phones, every
    channel report, overrides) and never as a consultant."""
    admin = token(person_id=999, project_id=None, roles=("admin",), name="admin")
    consultants(rabbit_config, clients, A)
    customer = clients.register_customer(DESK, PID, PHONE, None, "walk_in")["customer_id"]
    assert clients.get_customer(admin, PID, customer)["phone"] == PHONE
    assert clients.override_owner(admin, PID, customer, {"owner_id": A, "reason": "登记有误"})[
        "outcome"] == "override"
    assert clients.list_reports(admin, PID) == []
    with pytest.raises(Forbidden) as exc:
        clients.record_follow_up(admin, PID, customer, {})
    assert exc.value.rule == "CLI-03"


def test_cli08_the_visit_keeps_its_arrival_and_named_consultant(clients, rabbit_config):
    """CLI-08.1/CLI-08.4 on the broker (contract 4): reception_started carries arrived_at and
    named_person_id; the named consultant with no registration gets nothing, the receiver
    owns from the arrival, the register holds the entry (CLI-13.1) and the CLI-08 decision."""
    dispatch = event_dispatcher(dict(rabbit_config))
    customer = clients.register_customer(DESK, PID, "13700007777", "钱先生", "walk_in")
    cid, rid = customer["customer_id"], uuid.uuid4().int % 10**6
    start = event("reception", "reception_started", reception_id=rid, person_id=B,
                  customer_id=cid, kind="turn", credit_owner_id=B, marks_delta=0,
                  day="2026-03-02", walk_in_id=1, second_group=False,
                  arrived_at="2026-03-02T01:58:00+00:00", named_person_id=A)
    dispatch("reception", "reception_started", start)
    dispatch("reception", "reception_completed", dict(
        start, event_id=str(uuid.uuid4()), event_type="reception_completed",
        outcome="visited", floor_plans=[], visit_registered=True))
    eventually(lambda: clients.owner_of(DESK, PID, "13700007777")["owner_id"] == B,
               message="the visit made no owner")
    [entry] = [v for v in clients.visit_register(MANAGER, PID) if v["reception_id"] == rid]
    assert entry["named_person_id"] == A and entry["arrived_at"].startswith("2026-03-02T01:58")
    assert entry["missing"] == ["media_source"] and entry["rule"] == "CLI-13"
    history = clients.customer_history(SUPERVISOR, PID, cid)
    assert [x["at"][:16] for x in history["contacts"]] == ["2026-03-02T01:58"]
