"""Reception rotation rules (REC-01..REC-13), pure and fast: no broker, no database."""
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.common.timeutil import at
from services.reception import rules
from services.reception.rules import (
    SheetEntry,
    afternoon_start,
    assign_walk_in,
    board_view,
    change_consultant,
    check_call_registration,
    check_sms,
    complete_reception,
    desk_notice,
    forfeit_turn,
    join_mark_count,
    join_sheet,
    policy_with_defaults,
    reorder_sheet,
    rotation_order,
    suspension,
    voluntary_pass,
)

DAY = date(2026, 3, 2)  # a Monday


def t(hhmm):
    return at(DAY, hhmm)


NOW = t("10:00")


def e(pid, name, seq, marks=0, state="free", **kw):
    return SheetEntry(person_id=pid, name=name, signin_seq=seq, marks=marks, state=state, **kw)


def names(entries):
    return [x.name for x in entries]


def next_consultant(entries, now):
    """Who the next walk-in goes to (REC-03); the service's rule, assign_walk_in."""
    taker = assign_walk_in(entries, now).person_id
    return next(x for x in entries if x.person_id == taker)


def sheet(*states):
    """Li, Wang, Zhang, Zhao, Chen signed in 1..5 with 0 marks; states override in order."""
    people = ["Li", "Wang", "Zhang", "Zhao", "Chen"]
    return [e(i, n, i, state=(states[i - 1] if i <= len(states) else "free"))
            for i, n in enumerate(people, 1)]


# ------------------------------------------------------------------ policy (SYS-03)

def test_policy_defaults_and_overrides():
    p = policy_with_defaults({"pass_min_minutes": 45})
    assert p["pass_min_minutes"] == 45 and p["duty_chooser"] == "last_finished"
    assert policy_with_defaults(None) == rules.POLICY_DEFAULTS
    with pytest.raises(ValueError):
        policy_with_defaults({"no_such_key": 1})
    with pytest.raises(ValueError):
        policy_with_defaults({"duty_chooser": "random"})


# ------------------------------------------------------------------ REC-01

def test_rec01_fewest_marks_first_ties_by_signin_order():
    # clauses: REC-01.5
    entries = [e(1, "Li", 1, 2), e(2, "Wang", 2, 1), e(3, "Zhang", 3, 1), e(4, "Zhao", 4, 0)]
    assert names(rotation_order(entries, NOW)) == ["Zhao", "Wang", "Zhang", "Li"]


def test_rec01_only_consultants_free_to_hold_a_place_are_in_the_rotation():
    entries = [e(1, "Li", 1, state="receiving"), e(2, "Wang", 2, state="suspended"),
               e(3, "Zhang", 3, state="off_duty"),
               e(4, "Zhao", 4, state="passing", pass_until=t("10:30")),
               e(5, "Chen", 5, state="lunch"), e(6, "Sun", 6, state="official_business")]
    assert names(rotation_order(entries, NOW)) == ["Chen", "Sun"]


def test_rec01_suspension_until_today_keeps_a_consultant_out_but_not_yesterdays():
    # clauses: REC-01.3
    entries = [e(1, "Li", 1, suspended_until=DAY),
               e(2, "Wang", 2, suspended_until=DAY - timedelta(1))]
    assert names(rotation_order(entries, NOW)) == ["Wang"]
    assert next_consultant(entries, NOW).name == "Wang"


def test_rec01_join_mark_count_is_highest_on_sheet_zero_when_empty():
    assert join_mark_count([]) == 0
    entries = [e(1, "Li", 1, 2), e(2, "Wang", 2, 4), e(3, "Zhang", 3, 9, state="off_duty")]
    assert join_mark_count(entries) == 4


def test_rec01_late_joiner_and_returner_join_at_the_back_of_the_current_round():
    # clauses: REC-01.7
    entries = [e(1, "Li", 1, 2), e(2, "Wang", 2, 1), e(3, "Zhang", 3, 2)]
    late, d = join_sheet(entries, 4, "Zhao", signin_seq=4)
    assert (late.marks, d.rule, d.data["marks"]) == (2, "REC-01", 2)
    # a returner from leave signed in early (seq 0) but still goes behind the round
    back, _ = join_sheet(entries, 9, "Chen", signin_seq=0)
    order = rotation_order(entries + [late, back], NOW)
    assert names(order) == ["Wang", "Li", "Zhang", "Zhao", "Chen"]
    assert "Zhao" in d.reason and "2 marks" in d.reason


def test_rec01_supervisor_reorder_needs_role_and_reason_and_sets_tie_break():
    entries = sheet()
    assert not reorder_sheet(entries, [3, 1, 2, 4, 5], "Li", ["consultant"], "x").allowed
    assert reorder_sheet(entries, [3, 1, 2, 4, 5], "Boss", ["supervisor"], " ").outcome \
        == "reason_required"
    assert reorder_sheet(entries, [3, 1, 2, 4], "Boss", ["manager"], "x").outcome == "bad_order"
    d = reorder_sheet(entries, [3, 1, 2, 4, 5], "Boss", ["supervisor"], "Zhang has an appointment")
    assert d.allowed and d.rule == "REC-01" and "Zhang has an appointment" in d.reason
    # the decision carries the new sheet places (the service stores them)
    reordered = [replace(x, signin_seq=d.data["signin_seq"][str(x.person_id)]) for x in entries]
    assert names(rotation_order(reordered, NOW))[:3] == ["Zhang", "Li", "Wang"]


# ------------------------------------------------------------------ REC-02

def test_rec02_desk_positions_are_first_three_in_order():
    # clauses: REC-02.1
    # the board shows the desk; desk_positions (the same list) went with no caller of its own
    entries = [e(1, "Li", 1, 2), e(2, "Wang", 2, 0), e(3, "Zhang", 3, 1), e(4, "Zhao", 4, 3)]
    assert [d["name"] for d in board_view(entries, NOW)["desk"]] == ["Wang", "Zhang", "Li"]
    assert [d["name"] for d in board_view(entries, NOW, {"desk_positions": 2})["desk"]] == \
        ["Wang", "Zhang"]


def test_rec02_first_starts_reception_third_calls_fourth():
    # clauses: REC-02.3
    d = desk_notice(sheet(), 1, NOW)
    assert (d.rule, d.data["notifier"], d.data["name"]) == ("REC-02", "Zhang", "Zhao")
    assert "Zhang calls Zhao" in d.reason


def test_rec02_no_fourth_no_notice_and_non_desk_receiver_no_notice():
    assert desk_notice(sheet()[:3], 1, NOW) is None
    assert desk_notice(sheet(), 5, NOW) is None  # Chen holds no desk position


def test_rec02_walk_in_assignment_carries_the_desk_notice():
    a = assign_walk_in(sheet(), NOW)
    assert a.notice is not None and a.notice.data["person_id"] == 4
    assert a.decisions[-1] is a.notice


# ------------------------------------------------------------------ REC-03

def test_rec03_first_position_takes_the_walk_in_with_one_mark():
    # clauses: REC-03.1
    entries = [e(1, "Li", 1, 2), e(2, "Wang", 2, 2), e(3, "Zhang", 3, 3)]
    a = assign_walk_in(entries, NOW)
    d = a.decision
    assert (d.rule, d.data["person_id"], d.data["kind"], d.data["marks_delta"]) == \
        ("REC-03", 1, "turn", 1)
    assert "Li" in d.reason and "2 marks" in d.reason and "signed in 1st" in d.reason
    assert a.skipped == ()


def test_rec03_first_on_official_business_second_takes_first_keeps_position():
    # clauses: REC-03.2
    entries = sheet("official_business")
    a = assign_walk_in(entries, NOW)
    assert a.person_id == 2
    (kept,) = a.skipped
    assert (kept.rule, kept.data["person_id"], kept.data["marks_delta"], kept.outcome) == \
        ("REC-03", 1, 0, "turn_kept")
    back = [replace(x, state="free") for x in entries]
    assert names(rotation_order(back, NOW))[0] == "Li"


def test_rec03_one_group_at_a_time_receiving_takes_second_group_only_when_nobody_free():
    # clauses: REC-03.4
    entries = [e(1, "Li", 1, state="receiving", groups=1), e(2, "Wang", 2, 5)]
    assert assign_walk_in(entries, NOW).person_id == 2
    busy = [entries[0], replace(entries[1], state="lunch")]
    a = assign_walk_in(busy, NOW)
    assert a.person_id == 1 and a.decision.data["second_group"] is True
    assert "second group" in a.decision.reason


def test_rec03_nobody_available_is_refused():
    a = assign_walk_in([e(1, "Li", 1, state="suspended")], NOW)
    assert not a.decision.allowed and a.decision.outcome == "nobody_available"


# ------------------------------------------------------------------ REC-04

def test_rec04_not_at_desk_forfeits_the_turn_with_a_mark_and_next_takes():
    # clauses: REC-04.1
    a = assign_walk_in(sheet("away"), NOW)
    assert a.person_id == 2
    (f,) = a.skipped
    assert (f.rule, f.outcome, f.data["marks_delta"], f.data["person_id"]) == \
        ("REC-04", "forfeited", 1, 1)
    assert "Li" in a.decision.reason  # passed over names the forfeiter


def test_rec04_short_absence_announced_keeps_the_turn_by_policy():
    # clauses: REC-04.3
    kept = assign_walk_in(sheet("away_announced"), NOW).skipped[0]
    assert (kept.rule, kept.data["marks_delta"]) == ("REC-04", 0)
    lost = assign_walk_in(sheet("away_announced"), NOW,
                          {"short_absence_keeps_turn": False}).skipped[0]
    assert lost.data["marks_delta"] == 1 and lost.outcome == "forfeited"


def test_rec04_every_skipped_consultant_ahead_is_recorded_in_order():
    a = assign_walk_in(sheet("away", "official_business", "lunch"), NOW)
    assert a.person_id == 4
    assert [(d.data["person_id"], d.data["marks_delta"]) for d in a.skipped] == \
        [(1, 1), (2, 0), (3, 1)]


# ------------------------------------------------------------------ REC-05

def test_rec05_pass_of_29_minutes_is_refused_30_counts_as_two_marks():
    # clauses: REC-05.1
    li = e(1, "Li", 1, 3)
    short = voluntary_pass(li, NOW, 29)
    assert (short.allowed, short.rule, short.outcome) == (False, "REC-05", "too_short")
    ok = voluntary_pass(li, NOW, 30)
    assert ok.allowed and ok.data["marks_delta"] == 2
    assert ok.data["pass_until"] == t("10:30").isoformat() and "now 5" in ok.reason


def test_rec05_pass_minimum_is_policy_and_only_from_the_desk():
    assert not voluntary_pass(e(1, "Li", 1), NOW, 30, {"pass_min_minutes": 45}).allowed
    assert voluntary_pass(e(1, "Li", 1, state="receiving"), NOW, 60).outcome == "not_at_desk"


def test_rec05_passing_consultant_is_out_until_the_pass_ends():
    li = e(1, "Li", 1, 2, state="passing", pass_until=t("10:30"))
    entries = [li, e(2, "Wang", 2, 3)]
    assert next_consultant(entries, t("10:29")).name == "Wang"
    assert next_consultant(entries, t("10:30")).name == "Li"
    assert assign_walk_in(entries, t("10:31")).person_id == 1


# ------------------------------------------------------------------ REC-06

def test_rec06_completion_adds_a_mark_and_lists_floor_plans():
    # clauses: REC-06.2
    li = e(1, "Li", 1, 2, state="receiving", groups=1, receiving_kind="turn")
    d = complete_reception(li, t("11:00"), "turn", [{"code": "A1", "quantity": 2}], "interested")
    assert (d.rule, d.data["marks_delta"], d.data["state_after"]) == ("REC-06", 1, "free")
    assert d.data["floor_plans"] == [{"code": "A1", "quantity": 2}]
    assert "A1 ×2" in d.reason and "now 3" in d.reason and d.data["result"] == "interested"


def test_rec06_duty_completion_no_mark_second_group_stays_receiving_and_bad_input_refused():
    li = e(1, "Li", 1, 2, state="receiving", groups=2)
    d = complete_reception(li, NOW, "duty", credit_owner_id=7)
    assert d.data["marks_delta"] == 0 and d.data["state_after"] == "receiving"
    assert d.data["credit_owner_id"] == 7
    assert not complete_reception(e(1, "Li", 1), NOW).allowed
    assert complete_reception(li, NOW, "turn", [{"code": "A1", "quantity": 0}]).outcome == \
        "bad_floor_plans"


# ------------------------------------------------------------------ REC-07

def test_rec07_owner_present_and_free_receives_own_customer_without_a_mark():
    # clauses: REC-07.2
    a = assign_walk_in(sheet(), NOW, owner_id=3, protection_live=True)
    d = a.decision
    assert (d.rule, d.data["person_id"], d.data["kind"], d.data["marks_delta"]) == \
        ("REC-07", 3, "returning", 0)
    assert d.data["credit_owner_id"] == 3


def test_rec07_owner_busy_duty_reception_by_last_finished_credit_stays():
    # clauses: REC-07.3
    entries = sheet("free", "free", "receiving")
    entries[0] = replace(entries[0], last_finished_at=t("09:10"))
    entries[1] = replace(entries[1], last_finished_at=t("09:40"))
    a = assign_walk_in(entries, NOW, owner_id=3, protection_live=True)
    d = a.decision
    assert (d.rule, d.outcome, d.data["person_id"], d.data["marks_delta"]) == \
        ("REC-07", "duty_reception", 2, 0)
    assert d.data["credit_owner_id"] == 3 and "09:40" in d.reason and "Zhang" in d.reason


def test_rec07_owner_absent_from_sheet_duty_head_of_rotation_chooser():
    # clauses: REC-07.3
    entries = [e(1, "Li", 1, 2), e(2, "Wang", 2, 1), e(3, "Zhang", 3, 1)]
    a = assign_walk_in(entries, NOW, {"duty_chooser": "head_of_rotation"},
                       owner_id=99, protection_live=True)
    assert a.person_id == 2 and a.decision.data["marks_delta"] == 0


def test_rec07_last_two_signed_in_who_have_not_yet_received_chooser():
    # clauses: REC-07.3
    entries = [e(1, "Li", 1), e(2, "Wang", 2), e(3, "Zhang", 3, received_today=1),
               e(4, "Zhao", 4, state="receiving", received_today=0),
               e(5, "Chen", 5, received_today=2)]
    # unreceived: Li, Wang, Zhao → last two by sign-in: Zhao (busy), Wang
    a = assign_walk_in(entries, NOW, {"duty_chooser": "last_two_signed_in"},
                       owner_id=99, protection_live=True)
    assert a.person_id == 2 and "last two signed in" in a.decision.reason


def test_rec07_last_finished_falls_back_to_back_of_rotation_when_nobody_finished():
    entries = [e(1, "Li", 1, 0), e(2, "Wang", 2, 1), e(3, "Zhang", 3, 0)]
    assert assign_walk_in(entries, NOW, owner_id=9, protection_live=True).person_id == 2


def test_rec07_lapsed_protection_is_an_ordinary_turn():
    a = assign_walk_in(sheet(), NOW, owner_id=3, protection_live=False)
    assert a.person_id == 1 and a.decision.data["marks_delta"] == 1
    assert "lapsed" in a.decision.reason


def test_rec07_consultant_missing_own_turn_for_duty_reception_gets_it_back():
    # clauses: REC-07.5
    # Li heads the rotation but is doing a duty reception when the walk-in comes
    entries = [e(1, "Li", 1, 1, state="receiving", receiving_kind="duty", groups=1),
               e(2, "Wang", 2, 1), e(3, "Zhang", 3, 2)]
    a = assign_walk_in(entries, NOW)
    assert a.person_id == 2
    (made_up,) = a.skipped
    assert (made_up.rule, made_up.data["make_up"], made_up.data["marks_delta"]) == \
        ("REC-07", True, 0)
    # Li's duty adds no mark, Wang's turn adds one: Li is first again
    after = [replace(entries[0], state="free"), replace(entries[1], marks=2), entries[2]]
    assert next_consultant(after, NOW).name == "Li"


# ------------------------------------------------------------------ REC-08

def test_rec08_industry_peers_go_to_the_last_consultant_who_may_not_refuse():
    # clauses: REC-08.3
    entries = [e(1, "Li", 1, 1), e(2, "Wang", 2, 3), e(3, "Zhang", 3, 3)]
    d = assign_walk_in(entries, NOW, visit_kind="industry_peer").decision
    assert (d.rule, d.data["person_id"], d.data["marks_delta"], d.data["may_refuse"]) == \
        ("REC-08", 3, 0, False)


def test_rec08_supplementary_deposit_and_already_bought_are_not_turns():
    # clauses: REC-08.2
    dep = assign_walk_in(sheet("free", "free", "lunch"), NOW, owner_id=3,
                         protection_live=True, visit_kind="supplementary_deposit").decision
    assert (dep.rule, dep.data["kind"], dep.data["marks_delta"], dep.data["credit_owner_id"]) \
        == ("REC-08", "duty", 0, 3)
    bought = assign_walk_in(sheet(), NOW, owner_id=4, protection_live=True,
                            visit_kind="already_bought").decision
    assert (bought.rule, bought.data["person_id"], bought.data["marks_delta"]) == ("REC-08", 4, 0)
    today = assign_walk_in(sheet(), NOW, owner_id=5, visit_kind="returning_today").decision
    assert today.data["marks_delta"] == 0 and today.rule == "REC-08"


def test_rec08_unknown_visit_kind_is_a_caller_bug():
    with pytest.raises(ValueError):
        assign_walk_in(sheet(), NOW, visit_kind="vip")


# ------------------------------------------------------------------ REC-09

def test_rec09_supervisor_records_refusal_one_day_manager_three():
    # clauses: REC-09.1, REC-09.2
    sup = suspension("Li", "refusal", ["supervisor"], NOW)
    assert (sup.rule, sup.data["days"], sup.data["suspended_until_day"]) == \
        ("REC-09", 1, DAY.isoformat())
    man = suspension("Li", "picking", ["manager"], NOW)
    assert man.data["suspended_until_day"] == (DAY + timedelta(2)).isoformat()
    assert "3 days" in man.reason


def test_rec09_excuse_is_one_day_and_consultants_cannot_record():
    # clauses: REC-09.3
    assert suspension("Li", "excuse", ["manager"], NOW).data["days"] == 1
    assert not suspension("Li", "refusal", ["consultant"], NOW).allowed


def test_rec09_suspended_consultant_is_skipped_by_the_rotation():
    d = suspension("Li", "refusal", ["supervisor"], NOW)
    until = date.fromisoformat(d.data["suspended_until_day"])
    entries = [e(1, "Li", 1, suspended_until=until), e(2, "Wang", 2, 4)]
    assert assign_walk_in(entries, NOW).person_id == 2
    assert assign_walk_in(entries, at(DAY + timedelta(1), "09:00")).person_id == 1


# ------------------------------------------------------------------ REC-10

def test_rec10_consultant_at_lunch_is_skipped_with_a_mark_no_make_up():
    # clauses: REC-10.2
    a = assign_walk_in(sheet("lunch"), t("11:45"))
    assert a.person_id == 2
    (f,) = a.skipped
    assert (f.rule, f.outcome, f.data["marks_delta"]) == ("REC-10", "forfeited", 1)
    assert forfeit_turn(e(1, "Li", 1, state="lunch"), NOW).data["marks_delta"] == 1


def test_rec10_clocked_out_consultant_may_not_be_on_the_sheet():
    # clauses: REC-10.5
    d = rules.take_off_sheet(e(1, "Li", 1), "clocked_out")
    assert (d.rule, d.outcome, d.data["leaves_now"]) == ("REC-10", "off_sheet", True)
    entries = sheet("off_duty")
    assert "Li" not in names(rotation_order(entries, NOW))
    assert all(m["name"] != "Li" for m in board_view(entries, NOW)["marks"])


def test_rec10_afternoon_resumes_morning_order_after_noon():
    # clauses: REC-10.4
    entries = [e(1, "Li", 1, 3), e(2, "Wang", 2, 1)]
    assert afternoon_start(entries, t("11:59")).outcome == "morning"
    d = afternoon_start(entries, t("12:00"))
    assert d.outcome == "resumed" and d.data["marks"] == {"1": 3, "2": 1}
    fresh = afternoon_start(entries, t("12:00"), {"afternoon_resumes_morning_order": False})
    assert fresh.outcome == "fresh_round" and fresh.data["marks"] == {"1": 3, "2": 3}


# ------------------------------------------------------------------ REC-11

def test_rec11_customer_asks_for_another_consultant_credit_split_50_50():
    # clauses: REC-11.1
    d = change_consultant(42, 1, "Li", 2, "Wang")
    assert d.rule == "REC-11" and d.data["to_person_id"] == 2
    assert [s["percent"] for s in d.data["credit_split"]] == [50, 50]
    assert not change_consultant(42, 1, "Li", 1, "Li").allowed


# ------------------------------------------------------------------ REC-12

def test_rec12_complete_call_registration_and_missing_entries_fined():
    # clauses: REC-12.1
    full = {"caller": "Mr Zhou", "phone": "13800001234", "need": "3 rooms",
            "how_heard": "billboard", "answered_by": 1}
    assert check_call_registration(full).allowed
    d = check_call_registration({**full, "need": " ", "how_heard": None})
    assert (d.allowed, d.rule, d.data["missing"], d.data["fine"]) == \
        (False, "REC-12", ["need", "how_heard"], 20)
    assert "13800001234" not in d.reason


@pytest.mark.parametrize("after,on_time", [
    (timedelta(minutes=4, seconds=59), True),
    (timedelta(minutes=5), True),                       # boundary included ("within 5 min")
    (timedelta(minutes=5, microseconds=1000), False),
    (timedelta(minutes=5, seconds=1), False),
])
def test_rec12_sms_deadline_boundary(after, on_time):
    # clauses: REC-12.3
    ended = t("10:00")
    d = check_sms(ended, ended + after, t("11:00"))
    assert d.rule == "REC-12" and d.allowed is on_time
    assert d.outcome == ("on_time" if on_time else "late")


def test_rec12_sms_not_yet_sent_is_pending_then_missing():
    # clauses: REC-12.3
    ended = t("10:00")
    assert check_sms(ended, None, t("10:05")).outcome == "pending"
    assert check_sms(ended, None, t("10:06")).outcome == "missing"


# ------------------------------------------------------------------ REC-13

def test_rec13_board_shows_desk_receiving_lunch_business_suspended_and_marks():
    # clauses: REC-13.1
    entries = [e(1, "Li", 1, 1), e(2, "Wang", 2, 0, state="receiving"),
               e(3, "Zhang", 3, 0, state="lunch"), e(4, "Zhao", 4, 2, state="official_business"),
               e(5, "Chen", 5, 0, suspended_until=DAY), e(6, "Sun", 6, 3)]
    b = board_view(entries, NOW)
    assert [(d["position"], d["name"]) for d in b["desk"]] == [(1, "Zhang"), (2, "Li"), (3, "Zhao")]
    assert [p["name"] for p in b["receiving"]] == ["Wang"]
    assert [p["name"] for p in b["lunch"]] == ["Zhang"]
    assert [p["name"] for p in b["official_business"]] == ["Zhao"]
    assert [p["name"] for p in b["suspended"]] == ["Chen"]
    assert [(m["name"], m["marks"], m["place"]) for m in b["marks"]][:4] == \
        [("Zhang", 0, 1), ("Li", 1, 2), ("Zhao", 2, 3), ("Sun", 3, 4)]
    assert {m["name"] for m in b["marks"]} == {"Li", "Wang", "Zhang", "Zhao", "Chen", "Sun"}


# ------------------------------------------------------------------ fast pick

def _big(n):
    # marks cycle so ties are frequent; some consultants are busy or away
    states = ["free", "free", "free", "receiving", "lunch", "away"]
    return [e(i, f"C{i}", i, (i * 7) % 5, state=states[i % len(states)]) for i in range(1, n + 1)]


@pytest.mark.parametrize("n", [10, 200])
def test_rec01_the_walk_in_goes_to_the_first_free_in_the_full_order(n):
    entries = _big(n)
    want = [x for x in rotation_order(entries, NOW) if x.state == "free"][0]
    assert assign_walk_in(entries, NOW).person_id == want.person_id


# ------------------------------------------------------------------ round 12 clauses

def test_rec02_4_the_notice_skips_people_at_lunch_or_away():
    # clauses: REC-02.4
    """REC-02.4 (choice): only a free consultant passes the word, only a free one is called."""
    s = sheet()
    s[2] = replace(s[2], state="lunch")          # the third (Zhang) is at lunch
    d = desk_notice(s, 1, NOW)
    assert (d.data["notifier"], d.data["name"]) == ("Wang", "Zhao")
    s[3] = replace(s[3], state="away")           # the fourth (Zhao) is away: Chen is called
    assert desk_notice(s, 1, NOW).data["name"] == "Chen"
    s = [replace(x, state="away") if x.person_id in (2, 3) else x for x in sheet()]
    d = desk_notice(s, 1, NOW)                   # nobody free left at the desk: the system
    assert d.data["notifier_id"] is None and d.reason.startswith("The system")


def test_rec03_5_nobody_ever_holds_a_third_group():
    # clauses: REC-03.5
    """REC-03.5: one unrelated second group at most; then the walk-in is refused."""
    two = [e(1, "Li", 1, state="receiving", groups=2), e(2, "Wang", 2, state="receiving",
                                                          groups=1)]
    a = assign_walk_in(two, NOW)
    assert a.person_id == 2 and a.decision.data["second_group"]
    full = [replace(x, groups=2) for x in two]
    a = assign_walk_in(full, NOW)
    assert not a.decision.allowed and a.decision.rule == "REC-03"


def test_rec08_1_a_returning_customer_of_the_day_is_not_a_turn():
    # clauses: REC-08.1
    """REC-08.1: visit_kind returning_today: the owner receives, no mark."""
    a = assign_walk_in(sheet(), NOW, owner_id=3, protection_live=True,
                       visit_kind="returning_today")
    assert (a.person_id, a.decision.rule, a.decision.data["marks_delta"]) == (3, "REC-08", 0)


def test_sys01_the_assignment_stores_the_sheet_it_was_decided_on():
    # clauses: REC-01.5
    """SYS-01 / REC-01.5: marks, states and sign-in order in the decision's data."""
    s = sheet()
    s[0] = replace(s[0], marks=2, state="passing", pass_until=t("10:30"))
    a = assign_walk_in(s, NOW)
    assert a.person_id == 2
    snap = a.decision.data["sheet"]
    assert snap["marks"]["1"] == 2 and snap["states"]["1"] == "passing"
    assert snap["sign_in_order"][:2] == [1, 2]


def test_rec10_1_lunch_is_refused_on_the_desk_status():
    # clauses: REC-10.1
    """REC-10.1 / contract 2: lunch starts through attendance, not the desk status."""
    d = rules.desk_status(e(1, "Li", 1), NOW, NOW.date(), "lunch")
    assert (d.allowed, d.rule) == (False, "ATT-11") and "/lunch/start" in d.reason


def test_rec12_call_faults_fine_by_policy_and_nothing_at_zero():
    # clauses: REC-12.4, REC-12.5
    """REC-12.4/REC-12.5/REC-12.6: the fined faults (contract 3), fines from the policy."""
    d = rules.call_fault("missing_entry", 1, "Li", None, ["need", "phone"])
    assert (d.data["fine"], d.data["kind"]) == (20, "missing_entry")
    assert rules.call_fault("no_sms", 1, "Li").data["fine"] == 10
    assert rules.call_fault("unregistered_call", 1, "Li", {"unregistered_call_fine": 30}
                            ).data["fine"] == 30
    assert rules.call_fault("late_sms", 1, "Li", {"sms_fault_fine": 0}) is None
    end = t("10:00")
    assert not rules.sms_overdue(end, None, end + timedelta(minutes=5))
    assert rules.sms_overdue(end, None, end + timedelta(minutes=5, seconds=1))


@pytest.mark.parametrize("person, ok", [
    ({"project_id": 1, "roles": ["consultant"], "active": True}, True),
    ({"project_id": 2, "roles": ["consultant"], "active": True}, False),     # other project
    ({"project_id": 1, "roles": ["clerk"], "active": True}, False),          # not a consultant
    ({"project_id": 1, "roles": ["consultant"], "active": False}, False),    # deactivated
    (None, False),                                                           # nobody
])
def test_cli08_the_named_consultant_is_an_active_consultant_of_the_project(person, ok):
    """CLI-08.1 (reception side): the consultant a customer names on arrival is a real,
    active consultant of the project, else 422 naming named_person_id."""
    d = rules.named_consultant(person, 7, 1)
    assert (d.allowed, d.rule) == (ok, "CLI-08")


def test_the_day_close_ends_each_open_desk_state_with_its_rule():
    """Issue 13: at the day close a pass (REC-05), lunch (REC-10), official business or an
    absence (REC-04) and a reception (REC-06) end; free, off duty and suspended stay."""
    from datetime import date

    from services.reception import rules as r
    day = date(2026, 3, 2)
    for state, rule in (("passing", "REC-05"), ("lunch", "REC-10"), ("away", "REC-04"),
                        ("official_business", "REC-04"), ("receiving", "REC-06")):
        d = r.desk_state_closed(r.SheetEntry(person_id=1, name="A", signin_seq=1, state=state),
                                day)
        assert (d.rule, d.outcome, d.data["state"]) == (rule, "closed_by_day_close", state)
    for state in ("free", "off_duty", "suspended"):
        assert r.desk_state_closed(r.SheetEntry(1, "A", 1, state=state), day) is None
    d = r.reception_closed_by_day_close(7, day)
    assert (d.rule, d.data["reception_id"]) == ("REC-06", 7) and "no mark" in d.reason
