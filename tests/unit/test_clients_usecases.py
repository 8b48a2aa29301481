"""Clients' use cases on in-memory SQLite, without a broker (tests/usecase_kit.py): the main
command paths, the event handlers, the events they queue and the "why" they record, and that
every refusal cites its rule. Milliseconds each."""
import uuid

import pytest

from services.clients import events, rules, usecases
from services.clients.models import KIT, Base, Contact, Customer, Subscription
from services.common import directory, why
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from tests.usecase_kit import at, make_uow, outbox_events, person

PID = 1
A, B, CLERK = 11, 12, 30
MORNING = at("2026-03-02 10:00:00")
PHONE = "13812345678"
SUPERVISOR = person(3, PID, "supervisor")
MANAGER = person(2, PID, "manager")
DESK = person(4, PID, "receptionist")
ADMIN = person(999, None, "admin")
CA, CB = person(A, PID, "consultant"), person(B, PID, "consultant")


def uow_at(now=MORNING, caller=None, session=None):
    return make_uow(Base, KIT, "clients", now=now, caller=caller, session=session,
                    policy_spec=rules.POLICY, catalogue=events.CATALOGUE)


@pytest.fixture
def office():
    """A session with the directory replica filled (two consultants and a clerk)."""
    uow = uow_at()
    directory.apply_project(uow.session, {"id": PID, "timezone": "Asia/Shanghai"})
    for pid, name, roles in ((A, "李娜", ["consultant"]), (B, "王强", ["consultant"]),
                             (CLERK, "张会计", ["clerk"])):
        directory.apply_person(uow.session, {"id": pid, "project_id": PID, "name": name,
                                             "roles": roles})
    uow.session.commit()
    return uow.session


def act(session, caller=None, now=MORNING):
    return uow_at(now, caller, session)


def visit(customer_id, person_id, occurred_at="2026-03-02T02:00:00+00:00", **extra):
    return {"event_id": str(uuid.uuid4()), "customer_id": customer_id, "person_id": person_id,
            "occurred_at": occurred_at, "kind": "turn", **extra}


def customer_with_owner(session, owner=A, phone=PHONE):
    c = usecases.register_customer(act(session, DESK), PID, phone, "王先生")["customer_id"]
    usecases.reception_completed(act(session), visit(c, owner))
    session.commit()
    return c


# ---------------------------------------------------------------- CLI-01/02/03

def test_cli02_a_visit_makes_the_owner_announced_and_recorded(office):
    # clauses: CLI-02.1, CLI-09.4, CLI-11.3, CLI-14.3
    c = customer_with_owner(office)
    answer = usecases.owner_of(act(office, DESK), PID, "+86 138-1234-5678")
    assert (answer["owner_id"], answer["owner_name"], answer["protection_live"]) == \
        (A, "李娜", True)
    assert answer["phone_masked"] == "138****5678" and answer["rule"] == "CLI-03"
    [changed] = outbox_events(office, "ownership_changed")
    assert changed["customer_id"] == c and changed["owner_id"] == A and \
        changed["previous_owner_id"] is None and changed["rule"] == "CLI-02"
    assert PHONE not in str(outbox_events(office))                   # CLI-14
    assert [d["outcome"] for d in why.chain(office, "customer", c)] == ["new_owner"]


def test_rec07_a_duty_reception_is_a_contact_of_the_owner(office):
    # clauses: CLI-09.2
    c = customer_with_owner(office)
    usecases.reception_completed(act(office), visit(c, B, kind="duty", credit_owner_id=A))
    assert office.get(Customer, c).owner_id == A
    assert [x.person_id for x in office.query(Contact).order_by(Contact.id)] == [A, A]
    assert len(outbox_events(office, "ownership_changed")) == 1      # not announced again


def test_cli02_an_unknown_customer_or_a_visit_without_one_is_ignored(office):
    usecases.reception_completed(act(office), visit(None, A))
    usecases.reception_completed(act(office), visit(404, A))
    assert outbox_events(office) == []


def test_cli02_rec12_a_registered_call_owns_and_keeps_the_media_source(office):
    # clauses: CLI-01.2, CLI-13.2
    c = usecases.register_customer(act(office, DESK), PID, PHONE, None, "call")["customer_id"]
    usecases.call_registered(act(office), {"event_id": "e1", "customer_id": c, "answered_by": B,
                                           "media_source": "wechat",
                                           "occurred_at": "2026-03-02T02:00:00+00:00"})
    customer = usecases.get_customer(act(office, MANAGER), PID, c)
    assert customer["owner_id"] == B and customer["media_source"] == "wechat"


def test_cli01_a_second_registration_of_a_phone_is_refused_citing_cli01(office):
    # clauses: CLI-01.1
    usecases.create_customer(act(office, CA), PID, {"phone": PHONE, "name": "王先生",
                                                    "source": "walk_in", "media_source": None})
    with pytest.raises(Conflict) as exc:
        usecases.create_customer(act(office, CB), PID, {"phone": "138 1234 5678", "name": None,
                                                        "source": "walk_in",
                                                        "media_source": None})
    assert exc.value.rule == "CLI-01" and "138****5678" in exc.value.message
    with pytest.raises(Unprocessable) as exc:
        usecases.owner_of(act(office, DESK), PID, "12345")
    assert exc.value.rule == "CLI-01"


def test_cli01_import_reports_each_refused_row_by_its_line(office):
    rows = [{"line": 2, "phone": "138 0013 8000", "name": "王", "source": "walk_in"},
            {"line": 3, "phone": "13800138000", "name": "again"},
            {"line": 4, "phone": "13900001111", "source": "pigeon"},
            {"line": 5, "phone": ""}]
    answer = usecases.import_customers(act(office, ADMIN), PID, rows)
    assert answer["imported"] == 1
    assert [(e["line"], e["message"].split(" ")[0]) for e in answer["errors"]] == \
        [(3, "CLI-01"), (4, "CLI-01"), (5, "CLI-01")]
    assert "138****8000 is already a customer" in answer["errors"][0]["message"]


def test_cli03_only_the_owner_records_a_follow_up(office):
    c = customer_with_owner(office)
    with pytest.raises(Forbidden) as exc:
        usecases.record_follow_up(act(office, CB), PID, c)
    assert exc.value.rule == "CLI-03"
    d = usecases.record_follow_up(act(office, CA), PID, c)
    assert d["outcome"] == "contact_recorded"
    with pytest.raises(NotFound):
        usecases.record_follow_up(act(office, CA), 2, c)              # another project's id


# ---------------------------------------------------------------- CLI-14 views

@pytest.mark.parametrize("caller,full", [(CA, True), (CB, False), (DESK, False),
                                         (SUPERVISOR, True), (MANAGER, True), (ADMIN, True)])
def test_cli14_full_phone_only_to_owner_supervisor_manager_and_admin(office, caller, full):
    # clauses: CLI-14.1
    c = customer_with_owner(office)
    view = usecases.get_customer(act(office, caller), PID, c)
    assert view["phone"] == (PHONE if full else "138****5678")
    assert view["phone_masked"] is not full


# ---------------------------------------------------------------- CLI-04/05/07 claims

def test_cli05_a_relative_belongs_to_the_consultant_who_pre_registers_them(office):
    # clauses: CLI-05.1
    d = usecases.pre_register(act(office, CA), PID, {"phone": "13700001111", "name": "表哥",
                                                     "kind": "relative", "consultant_id": None,
                                                     "referrer_customer_id": None})
    assert d["data"]["owner_id"] == A and d["rule"] == "CLI-05"
    with pytest.raises(Forbidden):                                    # only a consultant
        usecases.pre_register(act(office, DESK), PID, {
            "phone": "13700002222", "name": None, "kind": "relative", "consultant_id": None,
            "referrer_customer_id": None})


def test_cli07_a_staff_referral_names_the_consultant(office):
    data = {"phone": "13700003333", "name": None, "kind": "staff_referral",
            "consultant_id": None, "referrer_customer_id": None}
    with pytest.raises(Unprocessable) as exc:
        usecases.pre_register(act(office, DESK), PID, data)
    assert exc.value.rule == "CLI-07" and exc.value.field == "consultant_id"
    d = usecases.pre_register(act(office, DESK), PID, dict(data, consultant_id=B))
    assert d["data"]["owner_id"] == B


def test_cli04_a_referral_by_an_unowned_customer_gives_no_claim(office):
    nobody = usecases.register_customer(act(office, DESK), PID, "13600000000")["customer_id"]
    data = {"phone": "13700004444", "name": None, "kind": "customer_referral",
            "consultant_id": None, "referrer_customer_id": nobody}
    with pytest.raises(Conflict) as exc:
        usecases.pre_register(act(office, CA), PID, data)
    assert exc.value.rule == "CLI-04"
    referrer = customer_with_owner(office, owner=B)
    d = usecases.pre_register(act(office, CA), PID, dict(data, referrer_customer_id=referrer))
    assert d["data"]["owner_id"] == B


# ---------------------------------------------------------------- CLI-06 channel reports

def test_cli06_reports_refused_on_owned_customers_and_the_earlier_report_wins(office):
    # clauses: CLI-06.5, CLI-06.7, CLI-06.9
    customer_with_owner(office)
    agent, agent2 = person(40, PID, "channel_agent"), person(41, PID, "channel_agent")
    with pytest.raises(Conflict) as exc:
        usecases.create_report(act(office, agent), PID, {"name": "王", "phone": PHONE})
    assert exc.value.rule == "CLI-06"
    first = usecases.create_report(act(office, agent), PID, {"name": "孙先生",
                                                            "phone": "13600002222"})
    usecases.create_report(act(office, agent2), PID, {"name": "孙先生", "phone": "13600002222"})
    assert [r["id"] for r in usecases.list_reports(act(office, agent), PID)] == [first["id"]]
    assert len(usecases.list_reports(act(office, ADMIN), PID)) == 2
    with pytest.raises(Forbidden) as exc:
        usecases.get_report(act(office, agent2), PID, first["id"])
    assert exc.value.rule == "CLI-06"
    d = usecases.match_visit(act(office, DESK, at("2026-03-02 10:40")), PID, {
        "name": "孙先生", "phone": "13600002222", "mentioned": True,
        "reception_started_at": None})
    assert d["outcome"] == "channel" and d["data"]["report_id"] == first["id"]
    statuses = [r["status"] for r in usecases.list_reports(act(office, MANAGER), PID)]
    assert statuses == ["channel", "passed_over"]
    [decided] = outbox_events(office, "channel_report_decided")
    assert decided["customer_id"] == d["customer_id"] and decided["agent_id"] == 40


def test_cli06_reports_expire_after_the_policy_days(office):
    # clauses: CLI-06.8
    agent = person(40, PID, "channel_agent")
    usecases.create_report(act(office, agent), PID, {"name": "孙", "phone": "13600002222"})
    assert usecases.expire_reports(act(office, ADMIN, at("2026-04-01 10:00")), PID)[
        "expired"] == 0                                               # day 30: valid
    assert usecases.expire_reports(act(office, ADMIN, at("2026-04-02 10:00")), PID) == {
        "expired": 1, "report_expiry_days": 30}


# ---------------------------------------------------------------- CLI-09/10/11

def test_cli09_poaching_is_recorded_and_announced_else_refused(office):
    # clauses: CLI-09.1, CLI-09.2
    c = customer_with_owner(office)
    with pytest.raises(Conflict) as exc:
        usecases.record_poaching(act(office, SUPERVISOR), PID, c, {"person_id": A})
    assert exc.value.rule == "CLI-09" and "not poaching" in exc.value.message
    d = usecases.record_poaching(act(office, SUPERVISOR), PID, c, {"person_id": B})
    assert d["outcome"] == "poaching" and d["data"]["fine"] == 100
    [event] = outbox_events(office, "poaching_recorded")
    assert (event["person_id"], event["owner_id"], event["fine"], event["day"]) == \
        (B, A, 100, "2026-03-02")


def test_cli10_change_of_consultant_splits_the_credit(office):
    # clauses: CLI-10.1
    c = customer_with_owner(office)
    d = usecases.change_consultant(act(office, DESK), PID, c, {"person_id": B})
    assert d["data"]["credit_split"] == [{"person_id": A, "percent": 50.0},
                                         {"person_id": B, "percent": 50.0}]
    with pytest.raises(Conflict) as exc:
        usecases.change_consultant(act(office, DESK), PID, c, {"person_id": B})
    assert exc.value.rule == "CLI-10"
    usecases.consultant_changed(act(office), {"customer_id": c, "to_person_id": A,
                                              "project_id": PID})
    assert office.get(Customer, c).owner_id == A
    assert len(outbox_events(office, "ownership_changed")) == 3


def test_cli11_dispute_by_records_and_override_with_a_written_reason(office):
    # clauses: CLI-11.1, CLI-11.2, CLI-11.4
    c = customer_with_owner(office)
    assert usecases.dispute(act(office, SUPERVISOR), PID, c)["by_records"]["data"][
        "owner_id"] == A
    with pytest.raises(Forbidden) as exc:
        usecases.override_owner(act(office, CB), PID, c, {"owner_id": B, "reason": "mine"})
    assert exc.value.rule == "CLI-11"
    with pytest.raises(Unprocessable) as exc:
        usecases.override_owner(act(office, SUPERVISOR), PID, c, {"owner_id": B, "reason": " "})
    assert exc.value.rule == "CLI-11"
    d = usecases.override_owner(act(office, ADMIN), PID, c, {"owner_id": B,
                                                             "reason": "登记有误"})
    assert d["outcome"] == "override" and office.get(Customer, c).owner_id == B
    history = usecases.customer_history(act(office, SUPERVISOR), PID, c)
    assert [x["outcome"] for x in history["decisions"]] == ["new_owner", "override"]


# ---------------------------------------------------------------- CLI-12 units and deals

def confirmed_unit(session, code="3-1801"):
    unit = usecases.create_unit(act(session, MANAGER), PID, {"code": code})
    return usecases.confirm_unit(act(session, MANAGER), PID, unit["id"])


def test_cli12_a_subscription_needs_a_confirmed_unit_and_never_two_live(office):
    # clauses: CLI-12.1, CLI-12.2, CLI-12.7
    c = customer_with_owner(office)
    unit = usecases.create_unit(act(office, MANAGER), PID, {"code": "3-1801"})
    office.commit()                    # as the entrypoint does: the refusal below rolls back
    with pytest.raises(Conflict) as exc:
        usecases.create_unit(act(office, MANAGER), PID, {"code": "3-1801"})
    assert exc.value.rule == "CLI-12"
    office.rollback()
    order = {"unit_id": unit["id"], "customer_id": c, "closer_id": None}
    with pytest.raises(Conflict) as exc:
        usecases.subscribe(act(office, CA), PID, order)
    assert exc.value.rule == "CLI-12" and "销控" in exc.value.message
    usecases.confirm_unit(act(office, MANAGER), PID, unit["id"])
    sub = usecases.subscribe(act(office, CA), PID, order)
    assert sub["state"] == "live" and sub["credit_split"] == [{"person_id": A, "percent": 100.0}]
    office.commit()
    with pytest.raises(Conflict) as exc:
        usecases.subscribe(act(office, CB), PID, dict(order, closer_id=None))
    assert exc.value.rule == "CLI-12" and "一房二卖" in exc.value.message
    office.rollback()
    with pytest.raises(Forbidden) as exc:                             # SYS-02
        usecases.subscribe(act(office, CB), PID, dict(order, closer_id=A))
    assert exc.value.rule == "SYS-02"


def test_cli12_deposit_in_time_late_payment_lapses_and_the_timer_lapses(office):
    # clauses: CLI-12.3
    c = customer_with_owner(office)
    unit = confirmed_unit(office)
    order = {"unit_id": unit["id"], "customer_id": c, "closer_id": None}
    sub = usecases.subscribe(act(office, CA), PID, order)
    view, lapsed = usecases.pay_deposit(act(office, CA, at("2026-03-02 10:10:00")), PID,
                                        sub["id"])
    assert lapsed is None and view["deposit_paid_at"]
    with pytest.raises(Conflict):                                     # paid already
        usecases.pay_deposit(act(office, CA), PID, sub["id"])
    late = usecases.subscribe(act(office, CA), PID, dict(
        order, unit_id=confirmed_unit(office, "3-1802")["id"]))
    view, lapsed = usecases.pay_deposit(act(office, CA, at("2026-03-02 10:10:01")), PID,
                                        late["id"])
    assert view["state"] == "lapsed" and lapsed.rule == "CLI-12" and not lapsed.allowed
    third = usecases.subscribe(act(office, CA), PID, dict(
        order, unit_id=confirmed_unit(office, "3-1803")["id"]))
    usecases.lapse_unpaid(act(office, None, at("2026-03-02 10:09:59")))
    assert office.get(Subscription, third["id"]).state == "live"
    usecases.lapse_unpaid(act(office, None, at("2026-03-02 10:10:01")))
    assert office.get(Subscription, third["id"]).state == "lapsed"
    states = [e["state"] for e in outbox_events(office, "subscription_changed")]
    assert states == ["live", "live", "lapsed", "live", "lapsed"]


def test_cli12_withdrawal_by_the_manager_and_void_to_an_active_clerk(office):
    # clauses: CLI-12.4, CLI-12.5, CLI-12.6
    c = customer_with_owner(office)
    sub = usecases.subscribe(act(office, CA), PID, {"unit_id": confirmed_unit(office)["id"],
                                                    "customer_id": c, "closer_id": None})
    with pytest.raises(Forbidden) as exc:
        usecases.withdraw(act(office, CA), PID, sub["id"], {"kind": "withdrawal"})
    assert exc.value.rule == "CLI-12"
    done = usecases.withdraw(act(office, ADMIN), PID, sub["id"], {"kind": "refund"})
    assert done["state"] == "refunded"
    assert outbox_events(office, "subscription_changed")[-1]["announce_to_all"] is True
    with pytest.raises(Unprocessable) as exc:
        usecases.void(act(office, MANAGER), PID, sub["id"], {"clerk_id": A})
    assert exc.value.rule == "CLI-12"
    directory.apply_person(office, {"id": CLERK, "project_id": PID, "name": "张会计",
                                    "roles": ["clerk"], "active": False})
    with pytest.raises(Unprocessable):                                # left the office
        usecases.void(act(office, MANAGER), PID, sub["id"], {"clerk_id": CLERK})
    directory.apply_person(office, {"id": CLERK, "project_id": PID, "name": "张会计",
                                    "roles": ["clerk"], "active": True})
    assert usecases.void(act(office, MANAGER), PID, sub["id"], {"clerk_id": CLERK})[
        "state"] == "voided"


def test_sys01_reasons_name_people_by_name_and_units_by_code(office):
    """SYS-01: staff read reasons on their screens: people by the names the directory replica
    knows (never "manager 2" or "consultant 11"), units by their code; "#<id>" for anyone the
    replica does not know by a name in this project."""
    directory.apply_person(office, {"id": 2, "project_id": PID, "name": "王经理",
                                    "roles": ["manager"]})
    c = customer_with_owner(office)
    [first] = why.chain(office, "customer", c)
    assert first["reason"].endswith("consultant 李娜 owns the customer"), first["reason"]
    assert usecases.owner_of(act(office, DESK), PID, PHONE)["reason"].startswith(
        "consultant 李娜's protection is live")
    poached = usecases.record_poaching(act(office, SUPERVISOR), PID, c, {"person_id": B})
    assert poached["reason"].startswith("customer belongs to consultant 李娜: consultant 王强 "
                                        "poached")
    unit = confirmed_unit(office, "5-0802")
    sub = usecases.subscribe(act(office, CA), PID, {"unit_id": unit["id"], "customer_id": c,
                                                    "closer_id": None})
    assert "unit 5-0802 confirmed available by manager 王经理" in \
        office.get(Subscription, sub["id"]).reason
    done = usecases.withdraw(act(office, MANAGER), PID, sub["id"], {"kind": "withdrawal"})
    reason = office.get(Subscription, done["id"]).reason
    assert reason == (f"withdrawal of subscription {sub['id']} approved by manager 王经理; "
                      "unit 5-0802 released and announced to all staff"), reason
    assert "manager 2" not in reason and f"unit {unit['id']} " not in reason
    voided = usecases.void(act(office, MANAGER), PID, sub["id"], {"clerk_id": CLERK})
    assert office.get(Subscription, voided["id"]).reason.endswith(
        "handed to clerk 张会计 and kept")
    d = usecases.override_owner(act(office, SUPERVISOR), PID, c,
                                {"owner_id": B, "reason": "登记有误"})   # 3 is not in the replica
    assert d["reason"] == "ownership set to consultant 王强 (was 李娜) by #3: 登记有误"


# ---------------------------------------------------------------- CLI-13 and SYS-03

def test_cli13_conversion_counts_calls_visits_and_deals(office):
    # clauses: CLI-13.3
    c = customer_with_owner(office)
    usecases.subscribe(act(office, CA), PID, {"unit_id": confirmed_unit(office)["id"],
                                              "customer_id": c, "closer_id": None})
    q = {"by": "consultant", "period": "month", "format": "json"}
    d = usecases.conversion(act(office, MANAGER), PID, q)
    assert d["data"]["totals"]["visits"] == 1 and d["data"]["totals"]["deals"] == 1
    file = usecases.conversion(act(office, MANAGER), PID, dict(q, format="csv"))
    assert file["filename"].endswith(".csv")


def test_sys03_the_project_policy_drives_the_rules(office):
    # clauses: CLI-09.3
    from services.common import policy
    policy.change(office, PID, rules.POLICY, {"poaching_fine": 200}, 2)
    c = customer_with_owner(office)
    d = usecases.record_poaching(act(office, SUPERVISOR), PID, c, {"person_id": B})
    assert d["data"]["fine"] == 200
