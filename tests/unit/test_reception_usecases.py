"""Reception's use cases on in-memory SQLite, without a broker (REC-01…12, SYS-01/02/03): the
commands and attendance's events, what they store, record and announce, and that a refusal
cites its rule. Clients is a fake ``owners`` port."""
from datetime import datetime

import pytest

from services.common import directory, policy, why
from services.common.errors import Conflict, NotFound, Unprocessable
from services.common.policyspec import PolicyValueError
from services.reception import events, models, rules, usecases
from tests.usecase_kit import at, make_uow, outbox_events, person

PID, DAY = 7, "2026-03-02"
A, B, C = 101, 102, 103
NAMES = {A: "甲 A", B: "乙 B", C: "丙 C"}
DESK = person(4, PID, "receptionist")
MANAGER = person(2, PID, "manager")
ADMIN = person(9, None, "admin")


class Owners:
    """clients as the use case sees it: who owns a phone, a customer id for a new one."""

    def __init__(self, owner_id=None, live=False):
        self.owner_id, self.live, self.registered = owner_id, live, []

    def owner_of(self, project_id, phone):
        return {"customer_id": 55 if self.owner_id else None, "owner_id": self.owner_id,
                "owner_name": NAMES.get(self.owner_id), "protection_live": self.live,
                "rule": "CLI-02", "reason": "lookup", "phone_masked": "138****1234"}

    def register_customer(self, project_id, phone, name, source):
        self.registered.append(source)
        return 77


@pytest.fixture
def office():
    """A project with three consultants on the sheet (B, A, C in that order) at 09:00."""
    uow = make_uow(models.Base, models.KIT, "reception", now=at(f"{DAY} 09:00"), caller=None,
                   policy_spec=rules.POLICY, catalogue=events.CATALOGUE)
    directory.apply_project(uow.session, {"id": PID, "timezone": "Asia/Shanghai"})
    for pid in (A, B, C, 4):
        directory.apply_person(uow.session, {"id": pid, "project_id": PID,
                                             "name": NAMES.get(pid, "desk"),
                                             "roles": ["consultant"]})
    for i, pid in enumerate((B, A, C)):
        sign_in(uow.session, pid, f"08:3{i}")
    return uow.session


def act(session, caller, hhmm="09:05"):
    return make_uow(models.Base, models.KIT, "reception", now=at(f"{DAY} {hhmm}"),
                    caller=caller, session=session, policy_spec=rules.POLICY,
                    catalogue=events.CATALOGUE)


def sign_in(session, person_id, hhmm, **extra):
    with act(session, None, hhmm) as uow:
        usecases.signed_in(uow, {"project_id": PID, "day": DAY, "person_id": person_id,
                                 "name": NAMES[person_id],
                                 "at": f"{DAY}T{hhmm}:00+08:00", **extra})


def order(session):
    with act(session, DESK) as uow:
        return [(e["person_id"], e["state"]) for e in usecases.sheet(uow, PID)["entries"]]


def walk_in(session, owners=None, hhmm="09:05", **payload):
    with act(session, DESK, hhmm) as uow:
        return usecases.register_walk_in(uow, PID, {"visit_kind": "new", **payload},
                                         owners or Owners())


def test_rec01_sign_ins_join_in_order_and_a_duplicate_changes_nothing(office):
    assert order(office) == [(B, "free"), (A, "free"), (C, "free")]
    sign_in(office, A, "08:31")
    assert order(office) == [(B, "free"), (A, "free"), (C, "free")]
    chain = why.chain(office, "sheet", f"{PID}-{DAY}", PID)
    assert [d["rule"] for d in chain] == ["REC-01"] * 3 and "2nd on the sheet" in \
        chain[1]["reason"]


def test_rec03_walk_in_goes_to_the_first_and_is_announced(office):
    answer = walk_in(office, phone="13812341234")
    assert answer["reception"]["person_id"] == B and answer["reception"]["kind"] == "turn"
    assert answer["phone_masked"] == "138****1234" and answer["reception"]["customer_id"] == 77
    (started,) = outbox_events(office, "reception_started")
    assert (started["person_id"], started["rule"], started["customer_id"]) == (B, "REC-03", 77)
    # SYS-01: the assignment, then (because) B's day: B's sign-in
    assert [d["rule"] for d in why.chain(office, "walk_in", answer["walk_in_id"], PID)] == \
        ["REC-03", "REC-01"]
    assert order(office)[:2] == [(A, "free"), (C, "free")]


def test_rec01_no_sign_in_no_walk_in():
    # clauses: REC-01.1
    uow = make_uow(models.Base, models.KIT, "reception", now=at(f"{DAY} 09:00"), caller=DESK,
                   policy_spec=rules.POLICY, catalogue=events.CATALOGUE)
    with pytest.raises(Conflict) as exc:
        usecases.register_walk_in(uow, PID, {"visit_kind": "new"}, Owners())
    assert exc.value.rule == "REC-01"


def test_rec07_owner_present_receives_their_customer_without_a_mark(office):
    answer = walk_in(office, Owners(owner_id=C, live=True), phone="13812341234")
    assert answer["reception"]["person_id"] == C and answer["reception"]["kind"] == "returning"
    assert answer["owner"]["owner_id"] == C and answer["decisions"][-1]["rule"] == "REC-07"


def test_rec06_completion_adds_the_mark_once(office):
    # clauses: REC-06.2
    rec = walk_in(office)["reception"]
    with act(office, MANAGER, "09:30") as uow:
        done = usecases.complete_reception(uow, PID, rec["id"], {
            "outcome": "likes type A", "floor_plans": [{"code": "FP-A", "quantity": 1}],
            "visit_registered": True})
    assert done["status"] == "completed"
    (completed,) = outbox_events(office, "reception_completed")
    assert completed["floor_plans"] == [{"code": "FP-A", "quantity": 1}]
    assert order(office)[-1] == (B, "free")
    with pytest.raises(Conflict) as exc, act(office, MANAGER, "09:31") as uow:
        usecases.complete_reception(uow, PID, rec["id"], {"outcome": "again", "floor_plans": [],
                                                           "visit_registered": True})
    assert (exc.value.rule, exc.value.field) == ("REC-06", "reception_id")


def test_rec05_short_pass_is_422_and_a_pass_counts_two(office):
    with pytest.raises(Unprocessable) as exc, act(office, person(A, PID, "consultant")) as uow:
        usecases.voluntary_pass(uow, PID, {"minutes": 10})
    assert (exc.value.rule, exc.value.field) == ("REC-05", "minutes")
    with act(office, person(A, PID, "consultant")) as uow:
        sheet = usecases.voluntary_pass(uow, PID, {"minutes": 30})
    assert next(e for e in sheet["entries"] if e["person_id"] == A)["marks"] == 2
    # the answer carries the decision itself (the screen shows its rule and reason)
    assert (sheet["decision"]["rule"], sheet["decision"]["outcome"]) == ("REC-05", "passed")
    assert sheet["decision"]["data"]["marks_delta"] == 2
    with act(office, person(B, PID, "consultant")) as uow:
        away = usecases.set_desk_status(uow, PID, B, {"state": "official_business",
                                                      "detail": "银行 bank"})
    assert away["decision"]["outcome"] == "status_official_business"


def lunch(session, person_id, kind="lunch_started", hhmm="11:30", **fact):
    """attendance's ATT-11 events as reception's handlers get them."""
    with act(session, None, hhmm) as uow:
        payload = {"project_id": PID, "day": DAY, "person_id": person_id,
                   "at": f"{DAY}T{hhmm}:00+08:00", **fact}
        if kind == "lunch_started":
            payload.setdefault("due_back_at", f"{DAY}T12:10:00+08:00")
        getattr(usecases, kind)(uow, payload)


def test_rec03_receiving_consultant_cannot_go_away_and_rec01_stranger_is_404(office):
    walk_in(office)
    with pytest.raises(Conflict) as exc, act(office, DESK) as uow:
        usecases.set_desk_status(uow, PID, B, {"state": "away"})
    assert (exc.value.rule, exc.value.field) == ("REC-03", "state")
    with pytest.raises(NotFound) as exc, act(office, DESK) as uow:
        usecases.set_desk_status(uow, PID, 999, {"state": "away"})
    assert exc.value.rule == "REC-01"


def test_att11_lunch_on_desk_status_is_422_and_lunch_comes_from_attendance(office):
    # clauses: REC-10.1
    """REC-10.1 / contract 2: lunch starts and ends only through attendance's events."""
    with pytest.raises(Unprocessable) as exc, act(office, DESK) as uow:
        usecases.set_desk_status(uow, PID, A, {"state": "lunch", "detail": "noodles"})
    assert (exc.value.rule, exc.value.field) == ("ATT-11", "state")
    assert "/lunch/start" in str(exc.value)
    lunch(office, A)
    assert (A, "lunch") in order(office)
    with pytest.raises(Unprocessable) as exc, act(office, DESK) as uow:   # no "back" either
        usecases.set_desk_status(uow, PID, A, {"state": "back"})
    assert (exc.value.rule, exc.value.field) == ("ATT-11", "state")
    lunch(office, A, "lunch_ended", "12:20", overstay_minutes=10)
    assert (A, "free") in order(office)
    chain = why.chain(office, "consultant_day", f"{PID}-{DAY}-{A}", PID)
    assert [d["outcome"] for d in chain][-2:] == ["lunch_started", "lunch_ended"]
    assert "10 min over" in chain[-1]["reason"]


def test_rec10_lunch_started_while_receiving_takes_effect_on_completion(office):
    # clauses: REC-10.3
    rec = walk_in(office)["reception"]           # B receives
    lunch(office, B)
    assert (B, "receiving") in order(office)
    with act(office, MANAGER, "11:40") as uow:
        usecases.complete_reception(uow, PID, rec["id"], {"outcome": "x", "floor_plans": [],
                                                           "visit_registered": True})
    assert (B, "lunch") in order(office)
    lunch(office, B, "lunch_ended", "12:10", overstay_minutes=0)
    assert (B, "free") in order(office)


def test_att06_sign_in_order_changed_resorts_the_tie_break(office):
    # clauses: REC-01.6
    """REC-01.4 / contract 1: a resolved dispute puts the people in ``order`` into the places
    they held, in the resolved order; others keep theirs; a redelivery changes nothing."""
    payload = {"project_id": PID, "day": DAY, "order": [C, B], "dispute_id": 4,
               "decided_by": 3}
    with act(office, None) as uow:
        usecases.sign_in_order_changed(uow, payload)
    assert [p for p, _ in order(office)] == [C, A, B]
    with act(office, None) as uow:
        usecases.sign_in_order_changed(uow, payload)
    last = why.chain(office, "sheet", f"{PID}-{DAY}", PID)[-1]
    assert (last["rule"], last["outcome"], last["actor_id"]) == \
        ("REC-01", "sign_in_order_changed", 3)
    assert "ATT-06" in last["reason"] and last["data"]["dispute_id"] == 4
    assert walk_in(office)["reception"]["person_id"] == C


def test_rec09_an_admin_records_a_refusal_as_a_manager_would(office):
    # clauses: REC-09.2
    with act(office, ADMIN) as uow:
        answer = usecases.record_refusal(uow, PID, {"person_id": A, "kind": "refusal"})
    assert (answer["days"], answer["rule"]) == (3, "REC-09")
    (recorded,) = outbox_events(office, "refusal_recorded")
    assert recorded["suspended_until_day"] == "2026-03-04"
    assert (A, "suspended") in order(office)


def test_rec10_clock_out_and_leave_take_off_and_back_from_leave_rejoins(office):
    def event(kind, person_id, **fact):
        with act(office, None, "10:00") as uow:
            handler = {"leave_ended": usecases.leave_ended}.get(kind)
            payload = {"project_id": PID, "day": DAY, "person_id": person_id, **fact}
            handler(uow, payload) if handler else usecases.take_off_sheet(uow, payload, kind)
    event("clocked_out", C)
    event("leave", A, leave_type="sick")
    assert order(office) == [(B, "free"), (A, "off_duty"), (C, "off_duty")]
    event("leave_ended", A)
    assert order(office)[:2] == [(B, "free"), (A, "free")]
    rules_seen = [d["rule"] for d in why.chain(office, "sheet", f"{PID}-{DAY}", PID)]
    assert rules_seen[-3:] == ["REC-10", "REC-01", "REC-01"]


def test_rec12_blank_call_fields_are_fined_and_the_sms_is_recorded_once(office):
    with act(office, DESK) as uow:
        call = usecases.register_call(uow, PID, {"caller": "Zhou", "phone": "13800001234",
                                                 "need": " ", "answered_by": A,
                                                 "ended_at": f"{DAY}T09:00:00+08:00"},
                                      Owners())
    assert (call["missing"], call["fine"]) == (["need", "how_heard"], 20)
    assert datetime.fromisoformat(call["ended_at"]) == at(f"{DAY} 09:00")   # CallOut carries it
    # the screen's countdown is the server's deadline: the end plus the policy's 5 minutes
    assert datetime.fromisoformat(call["sms"]["deadline"]) == at(f"{DAY} 09:05")
    assert call["sms"]["status"] == "pending"
    assert outbox_events(office, "call_registered")[0]["fine"] == 20
    with pytest.raises(Unprocessable) as exc, act(office, DESK) as uow:
        usecases.record_sms(uow, PID, call["id"], {"sent_at": f"{DAY}T09:30:00+08:00"})
    assert (exc.value.rule, exc.value.field) == ("REC-12", "sent_at")
    with act(office, DESK) as uow:
        sms = usecases.record_sms(uow, PID, call["id"], {"sent_at": f"{DAY}T09:04:00+08:00"})
    assert sms["sms"]["status"] == "on_time"
    assert datetime.fromisoformat(sms["sms"]["deadline"]) == at(f"{DAY} 09:05")
    with pytest.raises(Conflict) as exc, act(office, DESK) as uow:
        usecases.record_sms(uow, PID, call["id"], {})
    assert exc.value.rule == "REC-12"


def test_rec11_change_of_consultant_and_the_same_one_refused(office):
    walk_in(office, phone="13812341234")             # customer 77 comes to the desk
    with act(office, DESK) as uow:
        decision = usecases.change_consultant(uow, PID, {"customer_id": 77, "from_person_id": A,
                                                         "to_person_id": B})
    assert decision["rule"] == "REC-11"
    assert outbox_events(office, "consultant_changed")[0]["credit_split"][1]["percent"] == 50
    with pytest.raises(Unprocessable) as exc, act(office, DESK) as uow:
        usecases.change_consultant(uow, PID, {"customer_id": 77, "from_person_id": A,
                                              "to_person_id": A})
    assert (exc.value.rule, exc.value.field) == ("REC-11", "to_person_id")


def test_directory_rename_follows_onto_the_sheet(office):
    with act(office, None) as uow:
        usecases.directory_changed(uow, {"id": A, "name": "甲 Renamed"})
    with act(office, DESK) as uow:
        names = {e["person_id"]: e["name"] for e in usecases.sheet(uow, PID)["entries"]}
    assert names[A] == "甲 Renamed"


def test_sys03_policy_is_checked_when_written_naming_the_key_and_its_rule(office):
    with pytest.raises(PolicyValueError) as exc:
        rules.POLICY.with_defaults({"duty_chooser": "bogus"})
    assert (exc.value.key, exc.value.rule) == ("duty_chooser", "REC-07")
    with pytest.raises(Unprocessable) as exc:
        policy.change(office, PID, rules.POLICY, {"duty_chooser": "bogus"}, 2)
    assert (exc.value.field, exc.value.rule) == ("duty_chooser", "REC-07")
    with pytest.raises(Unprocessable) as exc:
        policy.change(office, PID, rules.POLICY, {"noon": "noonish"}, 2)
    assert (exc.value.field, exc.value.rule) == ("noon", "REC-10")
    policy.change(office, PID, rules.POLICY, {"duty_chooser": "head_of_rotation"}, 2)
    assert policy.read(office, PID, rules.POLICY)["duty_chooser"] == "head_of_rotation"


def test_an_open_reception_from_yesterday_does_not_block_today(office):
    """Issue 13: B's reception left open on Monday neither keeps B busy nor blocks the desk on
    Tuesday (the sheet, its states and the one-open-reception slots are per day)."""
    monday = walk_in(office, phone="13812341234")
    assert monday["reception"]["person_id"] == B                  # never completed
    tuesday = "2026-03-03"

    def uow_at(caller, hhmm):
        return make_uow(models.Base, models.KIT, "reception", now=at(f"{tuesday} {hhmm}"),
                        caller=caller, session=office, policy_spec=rules.POLICY,
                        catalogue=events.CATALOGUE)
    for i, pid in enumerate((B, A, C)):
        with uow_at(None, f"08:3{i}") as uow:
            usecases.signed_in(uow, {"project_id": PID, "day": tuesday, "person_id": pid,
                                     "name": NAMES[pid], "at": f"{tuesday}T08:3{i}:00+08:00"})
    for hhmm in ("09:05", "09:06"):
        with uow_at(DESK, hhmm) as uow:
            answer = usecases.register_walk_in(uow, PID, {"visit_kind": "new"}, Owners())
        assert answer["reception"]["second_group"] is False
    with uow_at(DESK, "09:07") as uow:
        entries = usecases.sheet(uow, PID)["entries"]
    assert {e["person_id"]: e["state"] for e in entries} == \
        {B: "receiving", A: "receiving", C: "free"}
