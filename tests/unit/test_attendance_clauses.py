"""Attendance clauses (docs/conformance.md, ATT) proven at their boundaries on in-memory SQLite:
each test names the clause IDs it proves. The rules' own boundaries are in
test_attendance_rules.py; the broker in tests/service; the gateway in tests/e2e."""
import base64
import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from services.attendance import models, rules, usecases
from services.common import policy
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from services.common.timeutil import parse_instant
from services.common.why import chain
from tests.unit.test_attendance_usecases import ADMIN, MON, uow_at
from tests.usecase_kit import at, outbox_events, person

CONSULTANTS = ("c1", "c2", "c3", "c4", "c5")
ROLES = {"mgr": "manager", "sup": "supervisor", "clerk": "clerk",
         **{c: "consultant" for c in CONSULTANTS}}


@pytest.fixture
def office():
    """A project with a manager, a supervisor, a clerk and five consultants; ``act(who, when)``
    is a unit of work as that person at that time (``when``: "HH:MM[:SS]" on Monday, or a full
    "YYYY-MM-DD HH:MM"); ``who`` None is the clock (a timer)."""
    uow = uow_at(None, f"{MON} 08:00", ADMIN)
    pid = usecases.create_project(uow, {"code": "t", "name": "T",
                                        "timezone": "Asia/Shanghai"})["id"]
    ids = {}
    for name, role in ROLES.items():
        ids[name] = usecases.add_staff(uow, pid, {"username": name, "name": name,
                                                  "password": "password1",
                                                  "roles": [role]})["id"]
    other = usecases.create_project(uow, {"code": "o", "name": "O",
                                          "timezone": "Asia/Shanghai"})["id"]
    ids["stranger"] = usecases.add_staff(uow, other, {"username": "x", "name": "x",
                                                      "password": "password1",
                                                      "roles": ["consultant"]})["id"]
    uow.session.commit()

    def act(who, when):
        stamp = f"{MON} {when}" if len(when) <= 8 else when
        if who is None:
            return uow_at(uow.session, stamp, None)
        caller = ADMIN if who == "admin" else person(ids[who], pid, ROLES[who], name=who)
        return uow_at(uow.session, stamp, caller)
    return act, pid, ids, uow.session


def signed_in(act, pid, ids, who, clock_in, sign_in):
    usecases.punch(act(who, clock_in), pid, {"kind": "in", "person_id": None})
    usecases.attest_uniform(act("sup", clock_in), pid, {"person_id": ids[who]})
    return usecases.sign_in(act(who, sign_in), pid, {"person_id": None})


def order_of(act, pid, when="09:00", day=None):
    view = usecases.sign_in_order(act("sup", when), pid, {"day": day})
    return [o["person_id"] for o in view["order"]]


# ------------------------------------------------------------------ ATT-06 disputes

def test_att06_7_a_resolved_dispute_reorders_the_stored_order_and_tells_reception(office):
    """ATT-06.7 (and ATT-06.2): c1 clocked in later but signed in first; the supervisor
    settles the dispute by clock-in times: the stored order changes, c3 keeps their place, and
    ``sign_in_order_changed`` carries the whole new order."""
    act, pid, ids, s = office
    signed_in(act, pid, ids, "c1", "08:10", "08:20")
    signed_in(act, pid, ids, "c3", "08:12", "08:21")
    signed_in(act, pid, ids, "c2", "08:05", "08:22")
    assert order_of(act, pid) == [ids["c1"], ids["c3"], ids["c2"]]      # sign-in order
    d = usecases.resolve_dispute(act("sup", "09:00"), pid,
                                 {"person_ids": [ids["c1"], ids["c2"]], "day": None})
    assert d.data["order"] == [ids["c2"], ids["c1"]]
    assert order_of(act, pid, "09:01") == [ids["c2"], ids["c3"], ids["c1"]]
    [changed] = outbox_events(s, "sign_in_order_changed")
    assert changed["order"] == [ids["c2"], ids["c3"], ids["c1"]]
    assert (changed["day"], changed["decided_by"], changed["rule"]) == (MON, ids["sup"],
                                                                        "ATT-06")
    view = usecases.sign_in_order(act("sup", "09:01"), pid, {"day": None})["order"]
    assert view[0]["dispute_id"] == changed["dispute_id"] and view[1]["dispute_id"] is None
    assert "dispute" in view[0]["reason"]
    # SYS-01: why this order? the resolution, then each disputant's sign-in and clock-in
    records = chain(s, "sign_in_dispute", changed["dispute_id"])
    assert records[0]["outcome"] == "dispute_resolved"
    assert {(r["subject_type"], r["outcome"]) for r in records[1:]} >= {
        ("sign_in_day", "signed_in"), ("punch", "on_time")}


def test_att06_7_dispute_refusals_wrong_role_party_unsigned_future_and_other_project(office):
    """ATT-06.7 boundaries: only a supervisor who is not a disputant; every disputant clocked
    in and validly signed in; no future day; a person of another project is not found. A
    refused dispute changes nothing and announces nothing."""
    act, pid, ids, s = office
    signed_in(act, pid, ids, "c1", "08:10", "08:20")
    signed_in(act, pid, ids, "c2", "08:05", "08:22")
    pair = {"person_ids": [ids["c1"], ids["c2"]], "day": None}
    with pytest.raises(Forbidden) as mgr:
        usecases.resolve_dispute(act("mgr", "09:00"), pid, pair)
    assert mgr.value.rule == "ATT-06"
    with pytest.raises(Conflict) as unsigned:                # c3 clocked in, never signed in
        usecases.punch(act("c3", "08:15"), pid, {"kind": "in", "person_id": None})
        usecases.resolve_dispute(act("sup", "09:00"), pid,
                                 {"person_ids": [ids["c1"], ids["c3"]], "day": None})
    assert unsigned.value.rule == "ATT-06" and "sign-in" in str(unsigned.value)
    with pytest.raises(Conflict) as future:
        usecases.resolve_dispute(act("sup", "09:00"), pid,
                                 dict(pair, day=date(2026, 3, 3)))
    assert future.value.field == "day"
    with pytest.raises(NotFound):
        usecases.resolve_dispute(act("sup", "09:00"), pid,
                                 {"person_ids": [ids["c1"], ids["stranger"]], "day": None})
    assert outbox_events(s, "sign_in_order_changed") == []
    assert order_of(act, pid) == [ids["c1"], ids["c2"]]


def test_att06_6_a_placed_last_disputant_stays_after_the_correct_signers(office):
    """ATT-06.6 outranks ATT-06.7: c1 clocked in first but had an invalid sign-in, so the
    dispute keeps them after c2 (who signed in correctly)."""
    act, pid, ids, s = office
    usecases.punch(act("c1", "08:00"), pid, {"kind": "in", "person_id": None})
    usecases.sign_in(act("c1", "08:01"), pid, {"person_id": None})      # no uniform: invalid
    usecases.attest_uniform(act("sup", "08:02"), pid, {"person_id": ids["c1"]})
    usecases.sign_in(act("c1", "08:03"), pid, {"person_id": None})
    signed_in(act, pid, ids, "c2", "08:10", "08:20")
    d = usecases.resolve_dispute(act("sup", "09:00"), pid,
                                 {"person_ids": [ids["c1"], ids["c2"]], "day": None})
    assert d.data["order"] == [ids["c2"], ids["c1"]]
    assert order_of(act, pid) == [ids["c2"], ids["c1"]]


# ------------------------------------------------------------------ ATT-11 lunch

def lunch_day(act, pid, ids, *who):
    for i, c in enumerate(who):
        signed_in(act, pid, ids, c, f"08:0{i}", f"08:1{i}")


def test_att11_3_no_more_than_the_group_at_lunch_and_the_database_holds_it(office):
    """ATT-11.3: three out, the fourth waits (group_full) until one is back; the slot index
    refuses a second holder even when a rule check is bypassed (another instance racing)."""
    act, pid, ids, s = office
    lunch_day(act, pid, ids, *CONSULTANTS[:4])
    for c in CONSULTANTS[:3]:
        usecases.start_lunch(act(c, "11:30"), pid)
    with pytest.raises(Conflict) as full:
        usecases.start_lunch(act("c4", "11:31"), pid)
    assert full.value.rule == "ATT-11" and "groups of 3" in str(full.value)
    slots = sorted(row.slot for row in s.query(models.Lunch))
    assert slots == [1, 2, 3]
    with pytest.raises(IntegrityError):                       # slot 2 is held: refused
        with s.begin_nested():
            s.add(models.Lunch(project_id=pid, person_id=ids["c4"], day=date(2026, 3, 2),
                               started_at=at(f"{MON} 11:31"), overstay_seconds=0, slot=2))
    usecases.end_lunch(act("c2", "12:05"), pid)
    d = usecases.start_lunch(act("c4", "12:06"), pid)
    assert d.data["slot"] == 2                                # the freed slot


def test_att11_7_lunch_started_and_ended_reach_reception_with_due_back(office):
    """ATT-11.7, ATT-11.4, ATT-11.5: starting lunch announces ``lunch_started`` with
    due_back_at = start + 40 min; back at 40:00 is on time (0), at 40:01 one overstay minute."""
    act, pid, ids, s = office
    lunch_day(act, pid, ids, "c1", "c2")
    usecases.start_lunch(act("c1", "11:30"), pid)
    usecases.start_lunch(act("c2", "11:30"), pid)
    started = outbox_events(s, "lunch_started")
    assert [(e["person_id"], e["at"][11:16], e["due_back_at"][11:16]) for e in started] == \
        [(ids["c1"], "11:30", "12:10"), (ids["c2"], "11:30", "12:10")]
    usecases.end_lunch(act("c1", "12:10:00"), pid)
    usecases.end_lunch(act("c2", "12:10:01"), pid)
    ended = outbox_events(s, "lunch_ended")
    assert [(e["person_id"], e["overstay_minutes"]) for e in ended] == [(ids["c1"], 0),
                                                                       (ids["c2"], 1)]
    with pytest.raises(Conflict):
        usecases.end_lunch(act("c1", "12:11"), pid)           # not at lunch any more


def test_att11_6_the_clock_records_an_overstay_once_when_due_back_passes(office):
    """ATT-11.6: at due_back_at nothing is recorded; one second later the timer records the
    overstay once (a second run finds nothing); the later return still records its length."""
    act, pid, ids, s = office
    lunch_day(act, pid, ids, "c1")
    usecases.start_lunch(act("c1", "11:30"), pid)
    assert usecases.overdue_lunches(act(None, "12:10:00")) == []
    [lunch_id] = usecases.overdue_lunches(act(None, "12:10:01"))
    d = usecases.record_overstay(act(None, "12:10:01"), lunch_id)
    assert d.outcome == "overstay" and d.rule == "ATT-11"
    assert usecases.record_overstay(act(None, "12:10:02"), lunch_id) is None
    assert usecases.overdue_lunches(act(None, "12:30")) == []
    [over] = outbox_events(s, "lunch_overstayed")
    assert (over["person_id"], parse_instant(over["due_back_at"])) == (ids["c1"],
                                                                       at(f"{MON} 12:10"))
    usecases.end_lunch(act("c1", "12:25"), pid)
    assert outbox_events(s, "lunch_ended")[-1]["overstay_minutes"] == 15


def test_att11_6_back_in_time_is_never_recorded_by_the_clock(office):
    """ATT-11.6: someone back by due_back_at is not an overstay later."""
    act, pid, ids, s = office
    lunch_day(act, pid, ids, "c1")
    usecases.start_lunch(act("c1", "11:30"), pid)
    usecases.end_lunch(act("c1", "12:09"), pid)
    assert usecases.overdue_lunches(act(None, "13:00")) == []


# ------------------------------------------------------------------ ATT-10 facts from reception

def call_fault(pid, person_id, event_id="e-1", **kw):
    return {"event_id": event_id, "event_type": "call_fault_recorded", "project_id": pid,
            "actor": {"person_id": 77}, "rule": "REC-12", "person_id": person_id,
            "day": MON, "call_id": 5, "kind": "missing_entry", "missing": ["need", "source"],
            "fine": 20, **kw}


def test_att10_8_a_call_fault_is_one_fine_line_per_event(office):
    """ATT-10.8: reception's ``call_fault_recorded`` (REC-12) is one ledger line citing REC-12
    with its fine; the same event again books nothing; an unregistered call (no call id) is
    its own line."""
    act, pid, ids, s = office
    usecases.on_call_fault_recorded(act(None, "10:00"), call_fault(pid, ids["c1"]))
    usecases.on_call_fault_recorded(act(None, "10:01"), call_fault(pid, ids["c1"]))
    usecases.on_call_fault_recorded(act(None, "10:02"), call_fault(
        pid, ids["c1"], "e-2", call_id=None, kind="unregistered_call", missing=[], fine=10))
    lines = usecases.ledger(act("c1", "10:05"), pid, {})
    assert [(x["rule"], x["offence"], x["fine"], x["slip"]) for x in lines] == \
        [("REC-12", "missing_entry", 20, None), ("REC-12", "unregistered_call", 10, None)]
    assert "need, source blank" in lines[0]["reason"]
    with pytest.raises(ValueError):
        rules.call_fault_ledger_entry(call_fault(pid, ids["c1"], kind="rude"))


# ------------------------------------------------------------------ ATT-02, ATT-08

def roster_week(act, pid, ids, who, rest="2026-03-04"):
    usecases.set_roster(act("mgr", "2026-03-01 09:00"), pid, {
        "person_id": ids[who], "start": date(2026, 3, 2), "end": date(2026, 3, 8),
        "rest": [date.fromisoformat(rest)] if rest else []})


def test_att02_2_a_blackout_day_cancels_the_rest_rostered_on_it(office):
    """ATT-02.2: everybody works on a blackout day: c1's Wednesday rest becomes work (and the
    decision names them); ATT-02.3: it cannot be rostered again."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1")
    d = usecases.declare_blackout(act("mgr", "09:00"), pid, {
        "day": date(2026, 3, 4), "kind": "launch_day", "reason": "开盘"})
    assert d.data["rest_cancelled"] == ["c1"]
    days = usecases.list_roster(act("mgr", "09:00"), pid, {"person_id": ids["c1"]})
    assert {x["day"]: x["kind"] for x in days}["2026-03-04"] == "work"
    with pytest.raises(Conflict) as again:
        roster_week(act, pid, ids, "c1")
    assert again.value.rule == "ATT-02"


def test_att08_4_an_unapproved_swap_makes_both_absent_on_every_day_it_covered(office):
    """ATT-08.4: a two-day swap found without approval: both people absent on both days; a
    day not yet come is refused; ATT-09 then counts those days absent."""
    act, pid, ids, s = office
    for c in ("c1", "c2"):
        roster_week(act, pid, ids, c, rest=None)
    with pytest.raises(Conflict) as future:
        usecases.record_swap(act("sup", "2026-03-03 09:00"), pid, {
            "a_id": ids["c1"], "b_id": ids["c2"], "approved": False,
            "days": [date(2026, 3, 3), date(2026, 3, 4)]})
    assert future.value.rule == "ATT-08"
    usecases.record_swap(act("sup", "2026-03-03 18:00"), pid, {
        "a_id": ids["c1"], "b_id": ids["c2"], "approved": False,
        "days": [date(2026, 3, 2), date(2026, 3, 3)]})
    lines = usecases.ledger(act("mgr", "2026-03-03 18:00"), pid, {})
    assert sorted((x["person_id"], x["day"]) for x in lines if x["rule"] == "ATT-08") == \
        sorted((ids[c], d) for c in ("c1", "c2") for d in ("2026-03-02", "2026-03-03"))
    summary = usecases.settle_day(act(None, "2026-03-04 00:05"), pid, date(2026, 3, 3))
    assert summary["absent"] >= 2


# ------------------------------------------------------------------ ATT-07 leave

def sick(act, pid, who, day, filed, days=1):
    start = date.fromisoformat(day)
    return usecases.request_leave(act(who, filed), pid, {
        "leave_type": "sick", "start_day": start, "end_day": start + timedelta(days=days - 1),
        "handover_note": "", "emergency": False})


def test_att07_8_sick_leave_notified_before_0730_counts_without_approval(office):
    """ATT-07.7/07.8: notified at 07:29:59 on the day it counts at once (leave_started tells
    reception); at 07:30:00 it is refused and kept."""
    act, pid, ids, s = office
    ok = sick(act, pid, "c1", MON, "07:29:59")
    assert ok["status"] == "approved"
    assert [e["person_id"] for e in outbox_events(s, "leave_started")] == [ids["c1"]]
    late = sick(act, pid, "c2", MON, "07:30:00")
    assert late.decision.outcome == "late_sick_notice"


@pytest.mark.parametrize("annual_days,certificate,became", [
    (5, None, "annual"), (0, None, "personal"), (5, "2026-03-04 23:59", "sick"),
    (5, "2026-03-05 00:00", "annual")])
def test_att07_9_to_11_no_certificate_by_the_end_of_the_first_day_back_converts(
        office, annual_days, certificate, became):
    """ATT-07.9/07.10/07.11: sick Monday-Tuesday, Wednesday is the first day back (ATT-01
    roster). A certificate by 23:59 Wednesday keeps it sick; none (or at 00:00 Thursday)
    converts it to annual leave when the manager set annual days that cover it, else
    personal."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1", rest=None)
    usecases.set_terms(act("mgr", "2026-03-01 09:00"), pid, ids["c1"],
                       {"annual_leave_days": annual_days})
    leave = sick(act, pid, "c1", MON, "07:00", days=2)
    if certificate:
        usecases.file_certificate(act("c1", certificate), pid, leave["id"])
    for day in (2, 3, 4):
        usecases.settle_day(act(None, f"2026-03-0{day + 1} 00:05"), pid, date(2026, 3, day))
    [row] = [x for x in usecases.list_leave(act("mgr", "2026-03-05 09:00"), pid)
             if x["id"] == leave["id"]]
    assert row["leave_type"] == became
    [report] = [r for r in usecases.monthly_report(act("clerk", "2026-03-05 09:00"), pid, {
        "year": 2026, "month": 3})["rows"] if r["person_id"] == ids["c1"]]
    assert report[f"leave_{became}"] == 2                         # ATT-12.1 follows it


def test_att07_9_the_first_day_back_skips_a_rest_day(office):
    """ATT-07.9: sick on Monday, rest on Tuesday: Wednesday is the first day back, so closing
    Tuesday converts nothing."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1", rest="2026-03-03")
    leave = sick(act, pid, "c1", MON, "07:00")
    usecases.settle_day(act(None, "2026-03-03 00:05"), pid, date(2026, 3, 2))
    usecases.settle_day(act(None, "2026-03-04 00:05"), pid, date(2026, 3, 3))
    assert usecases.list_leave(act("mgr", "2026-03-04 09:00"), pid)[0]["leave_type"] == "sick"
    usecases.settle_day(act(None, "2026-03-05 00:05"), pid, date(2026, 3, 4))
    assert usecases.list_leave(act("mgr", "2026-03-05 09:00"), pid)[0]["leave_type"] == \
        "personal"
    assert leave["status"] == "approved"


def test_att07_6_leave_filed_after_the_fact_is_refused_and_the_day_is_absent(office):
    """ATT-07.6: Tuesday morning c1 asks for Monday off: refused (kept), and closing Monday
    makes it absent with the ATT-09 warning slip."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1", rest=None)
    late = usecases.request_leave(act("c1", "2026-03-03 08:00"), pid, {
        "leave_type": "personal", "start_day": date(2026, 3, 2), "end_day": None,
        "handover_note": "x", "emergency": False})
    assert late.decision.outcome == "after_the_fact" and late.decision.data["absent"]
    usecases.settle_day(act(None, "2026-03-03 08:01"), pid, date(2026, 3, 2))
    lines = usecases.ledger(act("mgr", "2026-03-03 09:00"), pid, {"person_id": ids["c1"]})
    assert [(x["rule"], x["slip"], x["absent"]) for x in lines] == [("ATT-09", "warning", True)]


def test_att07_5_emergency_for_today_before_0730_then_approved_that_morning(office):
    """ATT-07.5/07.3: an emergency personal leave for today filed 07:29 is requested and a
    manager approves it that morning (leave_started); at 07:30 it is refused."""
    act, pid, ids, s = office
    body = {"leave_type": "personal", "start_day": date(2026, 3, 2), "end_day": None,
            "handover_note": "客户交接给c2", "emergency": True}
    ok = usecases.request_leave(act("c1", "07:29"), pid, body)
    assert ok["status"] == "requested"
    assert usecases.approve_leave(act("mgr", "08:00"), pid, ok["id"])["status"] == "approved"
    assert outbox_events(s, "leave_started")[-1]["person_id"] == ids["c1"]
    late = usecases.request_leave(act("c2", "07:30"), pid, body)
    assert late.decision.outcome == "late_emergency"


# ------------------------------------------------------------------ ATT-13 pay effects

def test_att13_2_terms_are_set_by_a_manager_only_not_for_themself(office):
    """ATT-13.2: salary is a fact a manager records (who and when); a consultant may not, a
    manager not for themself; a consultant reads their own only."""
    act, pid, ids, s = office
    with pytest.raises(Forbidden):
        usecases.set_terms(act("c1", "09:00"), pid, ids["c1"], {"monthly_salary": 9000})
    with pytest.raises(Forbidden):
        usecases.set_terms(act("mgr", "09:00"), pid, ids["mgr"], {"monthly_salary": 9000})
    with pytest.raises(Conflict):
        usecases.set_terms(act("mgr", "09:00"), pid, ids["c1"], {})
    with pytest.raises(NotFound):
        usecases.set_terms(act("mgr", "09:00"), pid, ids["stranger"], {"monthly_salary": 1})
    view = usecases.set_terms(act("mgr", "09:00"), pid, ids["c1"], {"monthly_salary": 5200})
    assert (view["monthly_salary"], view["set_by"]) == (5200, ids["mgr"])
    assert usecases.get_terms(act("c1", "09:01"), pid, ids["c1"])["monthly_salary"] == 5200
    with pytest.raises(Forbidden):
        usecases.get_terms(act("c2", "09:01"), pid, ids["c1"])


def test_att13_2_absence_deduction_in_the_monthly_report_only_when_on(office):
    """ATT-13.1/13.2: off by default (no pay columns); on: salary ÷ the month's rostered work
    days × absent days, to the fen."""
    act, pid, ids, s = office
    usecases.set_roster(act("mgr", "2026-03-01 09:00"), pid, {
        "person_id": ids["c1"], "start": date(2026, 3, 1), "end": date(2026, 3, 31),
        "rest": [date(2026, 3, d) for d in (2, 9, 16, 23, 30)]})       # 26 work days
    usecases.set_terms(act("mgr", "2026-03-01 09:00"), pid, ids["c1"], {"monthly_salary": 5200})
    usecases.settle_day(act(None, "2026-03-04 00:05"), pid, date(2026, 3, 3))   # no punch
    query = {"year": 2026, "month": 3}
    [row] = [r for r in usecases.monthly_report(act("clerk", "2026-03-04 09:00"), pid,
                                                query)["rows"] if r["person_id"] == ids["c1"]]
    assert row["absent_days"] == 1 and "absence_deduction" not in row
    policy.change(s, pid, rules.POLICY, {"pay_effects_enabled": True}, ids["mgr"])
    [row] = [r for r in usecases.monthly_report(act("clerk", "2026-03-04 09:00"), pid,
                                                query)["rows"] if r["person_id"] == ids["c1"]]
    assert (row["monthly_salary"], row["month_work_days"], row["absence_deduction"]) == \
        (5200, 26, 200.0)
    assert "5200 ÷ 26" in row["deduction_reason"]
    exported = usecases.monthly_report(act("clerk", "2026-03-04 09:00"), pid,
                                       dict(query, format="csv"))          # ATT-12.3 too
    text = base64.b64decode(exported["content_b64"]).decode("utf-8-sig")
    by_person = {r["人员编号 Person ID"]: r for r in csv.DictReader(io.StringIO(text))}
    assert by_person[str(ids["c1"])]["缺勤扣款 Absence deduction"] == "200.00"   # yuan


def test_att13_2_deduction_rounds_to_the_fen_and_needs_a_salary():
    """ATT-13.2 arithmetic: 5000 ÷ 26 × 1 = 192.31 (half up); no salary, no deduction."""
    on = {"pay_effects_enabled": True}
    assert rules.absence_deduction("Li", 5000, 26, 1, on).data["amount"] == 192.31
    assert rules.absence_deduction("Li", None, 26, 1, on).outcome == "no_salary"
    assert rules.absence_deduction("Li", 5000, 26, 0, on).data["amount"] == 0.0
    assert rules.absence_deduction("Li", 5000, 26, 1).outcome == "disabled"


def test_att13_2_salary_schema_refuses_negative():
    """ATT-13.2: a salary is a whole, non-negative number of yuan (422 naming the field)."""
    from services.attendance import schemas
    from services.common.schemas import load
    with pytest.raises(Unprocessable) as bad:
        load(schemas.TermsIn, {"monthly_salary": -1}, rule="ATT-13")
    assert bad.value.field == "monthly_salary"


def test_att06_8_a_sign_in_for_someone_else_is_booked_against_the_submitter(office):
    """ATT-06.8: c2 signs in for c1: 403, a ledger line against c2, no sign-in for c1."""
    act, pid, ids, s = office
    usecases.punch(act("c1", "08:10"), pid, {"kind": "in", "person_id": None})
    kept = usecases.sign_in(act("c2", "08:11"), pid, {"person_id": ids["c1"]})
    with pytest.raises(Forbidden) as proxy:
        kept.raise_()
    assert proxy.value.rule == "ATT-06"
    [line] = usecases.ledger(act("mgr", "08:12"), pid, {})
    assert (line["person_id"], line["offence"]) == (ids["c2"], "proxy_attempt")
    assert order_of(act, pid) == []


def test_att08_3_an_approved_swap_exchanges_the_rosters(office):
    """ATT-08.3 (and 08.1/08.2): a manager approves on Tuesday a swap for Thursday, c2's rest
    day: c1 rests Thursday and c2 works it; approval on Thursday itself is refused."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1", rest=None)
    roster_week(act, pid, ids, "c2", rest="2026-03-05")
    thu = date(2026, 3, 5)
    with pytest.raises(Conflict) as late:
        usecases.record_swap(act("mgr", "2026-03-05 07:00"), pid, {
            "a_id": ids["c1"], "b_id": ids["c2"], "approved": True, "days": [thu]})
    assert late.value.rule == "ATT-08"
    usecases.record_swap(act("mgr", "2026-03-03 10:00"), pid, {
        "a_id": ids["c1"], "b_id": ids["c2"], "approved": True, "days": [thu]})
    kinds = {(x["person_id"], x["day"]): x["kind"] for x in usecases.list_roster(
        act("mgr", "2026-03-03 10:00"), pid, {"start": thu, "end": thu})}
    assert (kinds[(ids["c1"], "2026-03-05")], kinds[(ids["c2"], "2026-03-05")]) == \
        ("rest", "work")


def test_att09_3_the_third_closed_absence_flags_the_review(office):
    """ATT-09.3: three no-show days closed by the clock: the third ``absence_recorded`` carries
    the dismissal-review flag, the second does not."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1", rest=None)
    for day in (2, 3, 4):
        usecases.settle_day(act(None, f"2026-03-0{day + 1} 00:05"), pid, date(2026, 3, day))
    flags = [(e["absent_days_in_month"], e["dismissal_review"])
             for e in outbox_events(s, "absence_recorded") if e["person_id"] == ids["c1"]]
    assert flags == [(1, False), (2, False), (3, True)]


def test_att09_3_an_absence_booked_after_the_day_closed_counts_for_the_review(office):
    """ATT-09.3 (with ATT-08.4, ATT-10.2): two no-show days closed, then a supervisor books
    "leaving the post" for a third, already closed day: the day record turns absent and
    ``absence_recorded`` raises the dismissal-review flag at three."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1", rest=None)
    usecases.punch(act("c1", "2026-03-04 08:20"), pid, {"kind": "in", "person_id": None})
    for day in (2, 3, 4):
        usecases.settle_day(act(None, f"2026-03-0{day + 1} 00:05"), pid, date(2026, 3, day))
    assert [e["dismissal_review"] for e in outbox_events(s, "absence_recorded")] == \
        [False, False]
    usecases.record_offence(act("sup", "2026-03-05 09:00"), pid, {
        "person_id": ids["c1"], "offence": "leaving_post", "day": date(2026, 3, 4)})
    last = outbox_events(s, "absence_recorded")[-1]
    assert (last["day"], last["absent_days_in_month"], last["dismissal_review"]) == \
        ("2026-03-04", 3, True)
    why = chain(s, "day", f"{ids['c1']}-2026-03-04")        # SYS-01: the line that made it
    assert [r["rule"] for r in why][-1] == "ATT-10" and why[-1]["subject_type"] == "ledger"
    report = usecases.monthly_report(act("clerk", "2026-03-05 09:00"), pid,
                                     {"year": 2026, "month": 3})
    [row] = [r for r in report["rows"] if r["person_id"] == ids["c1"]]
    assert (row["absent_days"], row["days_present"]) == (3, 0)


def test_att13_4_lateness_earlier_in_the_quarter_loses_the_bonus_shown_in_its_last_month(
        office):
    """ATT-13.3/13.4: the bonus is shown in March for January-March: c1 was late once in
    January, so loses it in March; c2, on time all quarter, earns 50 × 3."""
    act, pid, ids, s = office
    policy.change(s, pid, rules.POLICY, {"pay_effects_enabled": True}, ids["mgr"])
    for m in (1, 2, 3):                        # one rostered, closed day a month
        day = date(2026, m, 5)
        for c in ("c1", "c2"):
            usecases.set_roster(act("mgr", "2025-12-31 09:00"), pid, {
                "person_id": ids[c], "start": day, "end": day, "rest": []})
            late = c == "c1" and m == 1
            usecases.punch(act(c, f"{day} {'08:31' if late else '08:29'}"), pid,
                           {"kind": "in", "person_id": None})
            usecases.punch(act(c, f"{day} 17:30"), pid, {"kind": "out", "person_id": None})
        usecases.settle_day(act(None, f"{day + timedelta(days=1)} 00:05"), pid, day)
    rows = {r["person_id"]: r for r in usecases.monthly_report(
        act("clerk", "2026-03-31 09:00"), pid, {"year": 2026, "month": 3})["rows"]}
    assert rows[ids["c1"]]["full_attendance_bonus"] == 0
    assert "2026-01" in rows[ids["c1"]]["bonus_reason"]
    assert rows[ids["c2"]]["full_attendance_bonus"] == 150


def test_att05_1_a_manager_explains_only_a_punch_that_is_missing(office):
    """ATT-05.1/05.2: a manager explains c1's missing clock-out; a day with both punches has
    nothing to explain, a future day neither; the supervisor and c1 themself are refused."""
    act, pid, ids, s = office
    usecases.punch(act("c1", "08:20"), pid, {"kind": "in", "person_id": None})
    usecases.punch(act("c2", "08:20"), pid, {"kind": "in", "person_id": None})
    usecases.punch(act("c2", "17:30"), pid, {"kind": "out", "person_id": None})
    body = {"person_id": ids["c1"], "day": date(2026, 3, 2), "note": "打卡机故障"}
    note = usecases.annotate_missing_punch(act("mgr", "2026-03-03 09:00"), pid, body)
    assert note["rule"] == "ATT-05" and "clock-out" in note["reason"]
    with pytest.raises(Conflict) as nothing:
        usecases.annotate_missing_punch(act("mgr", "2026-03-03 09:00"), pid,
                                        dict(body, person_id=ids["c2"]))
    assert (nothing.value.rule, nothing.value.field) == ("ATT-05", "day")
    with pytest.raises(Conflict):
        usecases.annotate_missing_punch(act("mgr", "2026-03-03 09:00"), pid,
                                        dict(body, day=date(2026, 3, 4)))
    with pytest.raises(Forbidden):
        usecases.annotate_missing_punch(act("sup", "2026-03-03 09:00"), pid, body)
    with pytest.raises(Forbidden) as own:
        usecases.annotate_missing_punch(act("c1", "2026-03-03 09:00"), pid, body)
    assert own.value.rule == "ATT-05"


def test_att11_2_the_first_three_go_together_and_nobody_gone_home_blocks_the_rotation(office):
    """ATT-11.2/11.3: with three places free the first three of the rotation may go in any
    order, the fourth waits for a place; someone who clocked out is no longer in the rotation
    (they cannot hold up those behind them)."""
    act, pid, ids, s = office
    lunch_day(act, pid, ids, *CONSULTANTS)
    order = [o["person_id"] for o in usecases.lunch_order(act("c1", "11:30"), pid)["order"]]
    first, fourth, fifth = order[:3], order[3], order[4]
    name = {v: k for k, v in ids.items()}
    usecases.punch(act(name[first[0]], "11:00"), pid, {"kind": "out", "person_id": None})
    order = [o["person_id"] for o in usecases.lunch_order(act("c1", "11:30"), pid)["order"]]
    assert first[0] not in order and order[2] == fourth
    usecases.start_lunch(act(name[fourth], "11:30"), pid)          # third of four: may go
    usecases.start_lunch(act(name[first[1]], "11:31"), pid)
    with pytest.raises(Conflict) as wait:                           # one place, one ahead
        usecases.start_lunch(act(name[fifth], "11:32"), pid)
    assert "must wait" in str(wait.value)
    usecases.start_lunch(act(name[first[2]], "11:32"), pid)
    with pytest.raises(Conflict) as full:
        usecases.start_lunch(act(name[fifth], "11:33"), pid)
    assert "groups of 3" in str(full.value)



def test_att07_9_back_early_the_return_day_is_the_first_day_back(office):
    """ATT-07.9 (REC-01 return): sick Monday-Wednesday, back on Tuesday: the leave ends
    Monday, Tuesday is the first day back (certificate due by its end), ``leave_ended`` tells
    reception; back on the first day withdraws the leave."""
    act, pid, ids, s = office
    roster_week(act, pid, ids, "c1", rest=None)
    leave = sick(act, pid, "c1", MON, "07:00", days=3)
    back = usecases.return_from_leave(act("c1", "2026-03-03 08:00"), pid, leave["id"])
    assert back["end_day"] == "2026-03-02" and back["status"] == "approved"
    assert outbox_events(s, "leave_ended")[-1]["day"] == "2026-03-03"
    for day in (2, 3):
        usecases.settle_day(act(None, f"2026-03-0{day + 1} 00:05"), pid, date(2026, 3, day))
    assert usecases.list_leave(act("mgr", "2026-03-04 09:00"), pid)[0]["leave_type"] == \
        "personal"                                  # no certificate by the end of Tuesday
    other = sick(act, pid, "c2", "2026-03-04", "2026-03-04 07:00")
    gone = usecases.return_from_leave(act("c2", "2026-03-04 09:00"), pid, other["id"])
    assert gone["status"] == "withdrawn"
    with pytest.raises(Conflict):
        usecases.return_from_leave(act("c2", "2026-03-04 09:01"), pid, other["id"])


def test_att06_1_only_a_consultant_signs_in(office):
    """ATT-06.1: "a consultant signs in": the supervisor, clocked in, may not join the
    reception order (403 ATT-06)."""
    act, pid, ids, s = office
    usecases.punch(act("sup", "08:10"), pid, {"kind": "in", "person_id": None})
    with pytest.raises(Forbidden) as sup:
        usecases.sign_in(act("sup", "08:11"), pid, {"person_id": None})
    assert sup.value.rule == "ATT-06"
    assert order_of(act, pid) == []
