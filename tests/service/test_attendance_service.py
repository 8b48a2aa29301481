"""Attendance on the real broker (ATT-03/06/07/09/10/11, SYS-01): one AttendanceService
container on a throw-away vhost, driven by RPC like the gateway, its events read from the
broker and reception's events dispatched onto it (no mocks)."""
import uuid

import pytest
from kombu import Connection, Queue, binding
from nameko.events import get_event_exchange
from nameko.standalone.events import event_dispatcher

from services.attendance.service import AttendanceService
from services.common.errors import Conflict, Forbidden
from tests.helpers import eventually, token

ADMIN = token(person_id=999, project_id=None, roles=("admin",), name="admin")
DAY = "2026-03-02"


def at(hhmm, day=DAY):
    return f"{day}T{hhmm}:00+08:00"


@pytest.fixture
def office(start_service, rpc_proxy, rabbit_config):
    """A project with a manager, a supervisor and two consultants; tokens by name."""
    start_service(AttendanceService, DAY_CLOSE_INTERVAL="0.2")
    att = rpc_proxy("attendance")
    att.set_clock(ADMIN, at("08:00"))
    pid = att.create_project(ADMIN, {"code": "svc" + uuid.uuid4().hex[:6], "name": "T"})["id"]
    people = {}
    for name, roles in (("manager", ["manager"]), ("supervisor", ["supervisor"]),
                        ("c1", ["consultant"]), ("c2", ["consultant"])):
        p = att.add_staff(ADMIN, pid, {"username": f"{name}-{pid}", "name": name,
                                       "password": "password1", "roles": roles})
        people[name] = (p["id"], token(person_id=p["id"], project_id=pid, roles=roles,
                                       name=name))
    return att, pid, people, rabbit_config


def listen(conn, rabbit_config, *events):
    exchange = get_event_exchange("attendance", {})
    queue = Queue("att-listener-" + uuid.uuid4().hex[:6], durable=False, auto_delete=True,
                  bindings=[binding(exchange, routing_key=e) for e in events])(conn)
    queue.declare()
    return queue


def drain(queue, seen, until):
    while (message := queue.get(no_ack=True)) is not None:
        seen.append(message.payload)
    return until(seen)


def test_att06_signed_in_and_sign_in_invalid_are_published_for_reception(office):
    # clauses: ATT-06.2 ATT-06.3
    att, pid, people, rabbit_config = office
    (c1, t1), (_c2, t2), (_, sup) = people["c1"], people["c2"], people["supervisor"]
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        queue = listen(conn, rabbit_config, "signed_in", "sign_in_invalid", "clocked_in",
                       "clocked_out")
        att.set_clock(ADMIN, at("08:20"))
        att.punch(t1, pid, {"kind": "in"})
        with pytest.raises(Conflict) as invalid:          # no uniform yet: recorded, refused
            att.sign_in(t1, pid, {})
        assert invalid.value.rule == "ATT-06"
        att.attest_uniform(sup, pid, {"person_id": c1})
        att.set_clock(ADMIN, at("08:21"))
        placed = att.sign_in(t1, pid, {})
        assert placed["valid"] and placed["placed_last"]
        att.set_clock(ADMIN, at("17:31"))
        att.punch(t1, pid, {"kind": "out"})
        seen = []
        eventually(lambda: drain(queue, seen, lambda s: any(
            p["event_type"] == "clocked_out" for p in s)), message="events not published")
    kinds = [p["event_type"] for p in seen]
    assert kinds == ["clocked_in", "sign_in_invalid", "signed_in", "clocked_out"]
    signed = seen[2]
    assert (signed["person_id"], signed["day"], signed["placed_last"], signed["rule"]) == \
        (c1, DAY, True, "ATT-06")
    assert signed["clock_in_at"].startswith("2026-03-02T00:20")     # UTC of 08:20 +08:00
    assert seen[1]["why"] == "no_uniform"
    assert all(p["event_id"] and p["occurred_at"] and p["project_id"] == pid for p in seen)
    with pytest.raises(Forbidden) as proxy:
        att.punch(t2, pid, {"kind": "in", "person_id": c1})
    assert proxy.value.rule == "ATT-03"


def test_att10_refusal_recorded_delivered_twice_is_one_ledger_line(office):
    # clauses: ATT-10.8
    att, pid, people, rabbit_config = office
    (c1, t1), (_, mgr) = people["c1"], people["manager"]
    dispatch = event_dispatcher(dict(rabbit_config))
    event = {"event_id": str(uuid.uuid4()), "event_type": "refusal_recorded",
             "source": "reception", "occurred_at": at("10:00"), "project_id": pid,
             "actor": None, "rule": "REC-09", "reason": "refused a customer",
             "person_id": c1, "day": DAY, "suspended_until_day": DAY, "recorded_by": None,
             "kind": "excuse", "days": 1}
    dispatch("reception", "refusal_recorded", event)
    dispatch("reception", "refusal_recorded", event)                  # redelivered
    poach = {"event_id": str(uuid.uuid4()), "event_type": "poaching_recorded",
             "source": "clients", "occurred_at": at("10:05"), "project_id": pid,
             "actor": None, "rule": "CLI-09", "reason": "poached", "customer_id": 7,
             "person_id": c1, "owner_id": 99, "fine": 100, "day": DAY}
    dispatch("clients", "poaching_recorded", poach)
    dispatch("clients", "poaching_recorded", poach)

    def lines():
        rows = att.ledger(mgr, pid, {"person_id": c1})
        return rows if {r["rule"] for r in rows} == {"REC-09", "CLI-09"} else None
    rows = eventually(lines, message="reception's refusal did not reach the ledger")
    assert sorted((r["rule"], r["slip"], r["fine"]) for r in rows) == \
        [("CLI-09", None, 100), ("REC-09", "violation", 0)]
    assert len(att.ledger(t1, pid, {})) == 2                          # their own only


def test_att09_the_clock_closes_the_day_absent_with_a_warning_slip(office):
    # clauses: ATT-09.1 ATT-09.2
    att, pid, people, rabbit_config = office
    (c1, t1), (c2, _t2), (_, mgr) = people["c1"], people["c2"], people["manager"]
    for pid_ in (c1, c2):
        att.set_roster(mgr, pid, {"person_id": pid_, "start": DAY, "end": "2026-03-08",
                                  "rest": ["2026-03-03"]})
    att.set_clock(ADMIN, at("08:29"))
    att.punch(t1, pid, {"kind": "in"})
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        queue = listen(conn, rabbit_config, "absence_recorded")
        att.set_clock(ADMIN, at("00:05", "2026-03-03"))              # Monday has ended
        seen = []
        eventually(lambda: drain(queue, seen, bool), timeout=10,
                   message="the day-close timer did not record the absence")
    assert [(p["person_id"], p["day"], p["absent_days_in_month"], p["dismissal_review"])
            for p in seen] == [(c2, DAY, 1, False)]
    ledger = att.ledger(mgr, pid, {})
    assert [(e["person_id"], e["rule"], e["slip"]) for e in ledger] == [(c2, "ATT-09",
                                                                         "warning")]
    with pytest.raises(Conflict):                                     # closed once
        att.close_day(mgr, pid, {"day": DAY})
    why = att.why(mgr, "day", f"{c2}-{DAY}")
    assert [d["rule"] for d in why["decisions"]] == ["ATT-09", "ATT-09"]


def test_sys03_a_bad_policy_value_is_a_422_naming_the_key_and_never_replaced(office):
    att, pid, people, _ = office
    (_, mgr) = people["manager"]
    from services.common.errors import Unprocessable
    with pytest.raises(Unprocessable) as bad:      # was stored, then every key fell back
        att.set_policy(mgr, pid, {"work_start": "8.30"})
    assert (bad.value.field, bad.value.rule) == ("work_start", "ATT-04")
    assert att.get_policy(mgr, pid)["work_start"] == "08:30"
    assert att.set_policy(mgr, pid, {"grace_minutes": 5})["grace_minutes"] == 5
    assert att.get_policy(mgr, pid)["grace_minutes"] == 5


def test_att10_8_call_fault_recorded_delivered_twice_is_one_fine(office):
    """ATT-10.8: reception's ``call_fault_recorded`` (REC-12), redelivered, books one fine."""
    att, pid, people, rabbit_config = office
    (c1, t1), (_, mgr) = people["c1"], people["manager"]
    dispatch = event_dispatcher(dict(rabbit_config))
    event = {"event_id": str(uuid.uuid4()), "event_type": "call_fault_recorded",
             "source": "reception", "occurred_at": at("10:00"), "project_id": pid,
             "actor": None, "rule": "REC-12", "reason": "late SMS", "person_id": c1,
             "day": DAY, "call_id": 3, "kind": "late_sms", "missing": [], "fine": 10}
    dispatch("reception", "call_fault_recorded", event)
    dispatch("reception", "call_fault_recorded", event)
    rows = eventually(lambda: att.ledger(mgr, pid, {"person_id": c1}) or None,
                      message="the call fault did not reach the ledger")
    eventually(lambda: att.ledger(t1, pid, {}) == rows, message="unstable ledger")
    assert [(r["rule"], r["offence"], r["fine"]) for r in rows] == [("REC-12", "late_sms", 10)]


def test_att11_6_the_timer_records_a_lunch_overstay_once(office):
    """ATT-11.6: lunch from 11:30 is due back 12:10; at 12:10:30 with no return the timer
    records the overstay and announces it once; ATT-11.7: lunch_started went first."""
    att, pid, people, rabbit_config = office
    (c1, t1), (_, sup) = people["c1"], people["supervisor"]
    att.set_clock(ADMIN, at("08:20"))
    att.punch(t1, pid, {"kind": "in"})
    att.attest_uniform(sup, pid, {"person_id": c1})
    att.sign_in(t1, pid, {})
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        queue = listen(conn, rabbit_config, "lunch_started", "lunch_overstayed", "lunch_ended")
        att.set_clock(ADMIN, at("11:30"))
        att.start_lunch(t1, pid)
        att.set_clock(ADMIN, f"{DAY}T12:10:30+08:00")
        seen = []
        eventually(lambda: drain(queue, seen, lambda s: any(
            p["event_type"] == "lunch_overstayed" for p in s)), timeout=10,
            message="the timer did not record the overstay")
        att.set_clock(ADMIN, at("12:20"))
        back = att.end_lunch(t1, pid)
        eventually(lambda: drain(queue, seen, lambda s: any(
            p["event_type"] == "lunch_ended" for p in s)), message="lunch_ended not published")
    kinds = [p["event_type"] for p in seen]
    assert kinds == ["lunch_started", "lunch_overstayed", "lunch_ended"]
    assert seen[0]["due_back_at"].startswith("2026-03-02T04:10") or \
        seen[0]["due_back_at"].startswith("2026-03-02T12:10")
    assert seen[2]["overstay_minutes"] == 10 and back["outcome"] == "overstay"
