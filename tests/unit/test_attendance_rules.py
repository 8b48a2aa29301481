"""Attendance rules (ATT-01..ATT-13), pure and fast: no broker, no database, no wall clock."""
from datetime import date, timedelta

import pytest

from services.attendance import rules
from services.attendance.rules import (
    AttendanceDay,
    DayFacts,
    Disputant,
    LeaveRequest,
    LedgerEntry,
    LunchCandidate,
    ReportRow,
    SignInAttempt,
    SwapRequest,
    absences_in_month,
    annotate_missing_punch,
    approve_leave,
    approve_swap,
    attest_uniform,
    check_leave_request,
    check_lunch_return,
    check_punch,
    check_report_submission,
    check_rest_day,
    check_sign_in,
    close_day,
    declare_blackout,
    dismissal_review,
    entry_from_decision,
    evaluate_clock_in,
    evaluate_clock_out,
    full_attendance_bonus,
    lunch_order,
    may_go_to_lunch,
    may_view_ledger,
    monthly_report,
    plan_roster,
    policy_with_defaults,
    record_offence,
    refusal_ledger_entry,
    report_deadline,
    report_proxy_punch,
    resolve_sign_in_dispute,
    sick_certificate_outcome,
    sign_in_order,
    unapproved_swap_found,
)
from services.common.timeutil import at

MON = date(2026, 3, 2)            # a Monday
TUE, WED, SAT, SUN = (MON + timedelta(d) for d in (1, 2, 5, 6))
NEXT_MON = MON + timedelta(7)


def t(hhmm, day=MON):
    return at(day, hhmm)


SUP, MGR, CONS, CLERK = {"supervisor"}, {"manager"}, {"consultant"}, {"clerk"}
PAY_ON = {"pay_effects_enabled": True}


# ------------------------------------------------------------------ policy (SYS-03)

def test_policy_defaults_cover_the_rulebook_and_reject_unknown_keys():
    # clauses: ATT-01.2 ATT-04.1 ATT-11.1 ATT-11.4 ATT-13.1
    p = policy_with_defaults(None)
    assert p == rules.POLICY_DEFAULTS
    assert (p["work_start"], p["work_end"], p["grace_minutes"], p["late_fine"]) == \
        ("08:30", "17:30", 0, 50)
    assert p["absent_if_late_over_minutes"] == 60 and p["absences_for_dismissal_review"] == 3
    assert (p["lunch_window_start"], p["lunch_window_end"], p["lunch_minutes"],
            p["lunch_group"]) == ("11:30", "13:00", 40, 3)
    assert p["pay_effects_enabled"] is False and p["full_attendance_bonus"] == 50
    assert policy_with_defaults({"grace_minutes": 5})["grace_minutes"] == 5
    with pytest.raises(ValueError):
        policy_with_defaults({"no_such_key": 1})
    with pytest.raises(ValueError):
        policy_with_defaults({"work_start": "8h30"})
    with pytest.raises(ValueError):
        policy_with_defaults({"rest_weekdays": [7]})


# ------------------------------------------------------------------ ATT-01 roster

def test_att01_rest_day_allowed_monday_to_friday():
    # clauses: ATT-01.4
    d = check_rest_day("Li", WED)
    assert d.allowed and d.rule == "ATT-01" and d.outcome == "rest_day"


@pytest.mark.parametrize("day", [SAT, SUN])
def test_att01_weekend_is_never_a_rest_day(day):
    # clauses: ATT-01.4
    d = check_rest_day("Li", day)
    assert not d.allowed and d.rule == "ATT-01" and d.outcome == "not_a_rest_weekday"


def test_att01_second_rest_day_in_same_week_refused_but_next_week_fine():
    # clauses: ATT-01.3
    d = check_rest_day("Li", WED, other_rest_days=[MON])
    assert not d.allowed and d.outcome == "too_many_rest_days"
    assert check_rest_day("Li", NEXT_MON, other_rest_days=[MON]).allowed


def test_att01_week_runs_monday_to_sunday():
    # clauses: ATT-01.3
    # Friday of one week and Monday of the next are in different weeks.
    assert check_rest_day("Li", NEXT_MON, other_rest_days=[MON + timedelta(4)]).allowed


def test_att01_plan_roster_refuses_the_later_extra_rest_day_and_weekends():
    # clauses: ATT-01.1 ATT-01.3
    # validate_roster became plan_roster: the service's one roster rule (range, rest days, the
    # new state), so the dead validate_roster went with its test
    plan = plan_roster("Li", MON, SUN, [MON, WED])
    assert not plan.decision.allowed
    assert plan.decision.data["day"] == WED.isoformat() and plan.days == {}
    assert plan_roster("Li", MON, SUN, [SAT]).decision.outcome == "not_a_rest_weekday"
    ok = plan_roster("Li", MON, SUN, [MON])
    assert ok.decision.allowed and [d.data["day"] for d in ok.rest_decisions] == ["2026-03-02"]
    assert ok.days[MON] == "rest" and ok.days[TUE] == "work" and len(ok.days) == 7


def test_att01_plan_roster_range_and_the_weeks_around_it():
    assert plan_roster("Li", TUE, MON, []).decision.outcome == "bad_range"
    assert plan_roster("Li", MON, MON + timedelta(61), []).decision.allowed
    assert plan_roster("Li", MON, MON + timedelta(62), []).decision.outcome == "bad_range"
    assert plan_roster("Li", MON, TUE, [WED]).decision.outcome == "rest_outside_range"
    # a rest day already rostered just outside the range counts for its week
    d = plan_roster("Li", MON, TUE, [TUE], rest_nearby=[WED]).decision
    assert not d.allowed and d.outcome == "too_many_rest_days"
    assert plan_roster("Li", MON, TUE, [TUE], rest_nearby=[TUE]).decision.allowed


def test_att01_rest_weekdays_is_policy():
    # clauses: ATT-01.4
    assert check_rest_day("Li", SAT, policy={"rest_weekdays": [5]}).allowed
    assert not check_rest_day("Li", MON, policy={"rest_weekdays": [5]}).allowed


# ------------------------------------------------------------------ ATT-02 blackout days

def test_att02_no_rest_day_on_a_blackout_day():
    # clauses: ATT-02.3
    d = check_rest_day("Li", TUE, blackout_days={TUE: "launch_day"})
    assert not d.allowed and d.rule == "ATT-02" and "launch day" in d.reason
    d = plan_roster("Li", MON, SUN, [TUE], blackout_days=[TUE]).decision
    assert not d.allowed and d.outcome == "blackout_day"


def test_att02_only_a_manager_declares_and_existing_rest_and_leave_are_flagged():
    # clauses: ATT-02.1
    assert not declare_blackout(TUE, "advertising_day", SUP).allowed
    d = declare_blackout(TUE, "mortgage_day", MGR, resting=["Wang"], on_leave=["Li"])
    assert d.allowed and d.data["rest_cancelled"] == ["Wang"]
    assert d.data["leave_conflicts"] == ["Li"]
    with pytest.raises(ValueError):
        declare_blackout(TUE, "party", MGR)


def test_att02_no_leave_on_a_blackout_day():
    # clauses: ATT-02.4 ATT-07.12
    req = LeaveRequest(1, "Li", "personal", WED, WED, t("10:00"), "handover to Wang")
    d = check_leave_request(req, blackout_days={WED: "public_holiday"})
    assert not d.allowed and d.rule == "ATT-02" and d.outcome == "blackout_day"
    d = approve_leave(9, MGR, req, t("11:00"), blackout_days={WED: "public_holiday"})
    assert not d.allowed and d.rule == "ATT-02"


# ------------------------------------------------------------------ ATT-03 personal punches

def test_att03_punch_for_oneself_is_ok():
    # clauses: ATT-03.1
    d = check_punch(1, 1, "in", t("08:20"))
    assert d.allowed and d.rule == "ATT-03"


def test_att03_punch_for_someone_else_is_a_proxy_attempt_against_the_submitter():
    # clauses: ATT-03.2 ATT-03.3
    d = check_punch(2, 1, "in", t("08:20"), "Wang", "Li")
    assert not d.allowed and d.outcome == "proxy_attempt"
    assert d.data["submitter_id"] == 2 and d.data["subject_id"] == 1
    assert "Wang" in d.reason and "Li" in d.reason


def test_att03_proxy_punch_report_voids_revokes_and_slips_both():
    # clauses: ATT-03.5 ATT-03.6 ATT-03.8
    c = report_proxy_punch(9, SUP, MON, maker_id=2, maker_name="Wang", subject_id=1,
                           subject_name="Li", now=t("10:00"))
    assert c.allowed and c.decision.rule == "ATT-03"
    assert c.decision.data["void_punch"] and c.decision.data["eligibility_revoked"]
    assert c.decision.data["may_not_leave_post"]
    assert c.decision.data["eligibility_until"] == at(TUE, "00:00").isoformat()
    assert sorted((e.person_id, e.slip) for e in c.entries) == [(1, "violation"), (2, "violation")]


def test_att03_proxy_punch_report_needs_supervisor_or_manager():
    # clauses: ATT-03.4
    c = report_proxy_punch(3, CONS, MON, 2, "Wang", 1, "Li", t("10:00"))
    assert not c.allowed and c.entries == ()
    assert report_proxy_punch(2, SUP, MON, 2, "Wang", 1, "Li", t("10:00")).decision.outcome \
        == "party_to_proxy"


def test_att03_proxy_punch_found_next_day_still_slips_but_no_revocation():
    c = report_proxy_punch(9, MGR, MON, 2, "Wang", 1, "Li", t("09:00", TUE))
    assert c.allowed and not c.decision.data["eligibility_revoked"] and len(c.entries) == 2


def test_att03_sign_in_while_eligibility_revoked_is_refused():
    # clauses: ATT-03.6
    d = check_sign_in(1, 1, "Li", t("10:05"), clock_in_at=t("08:00"), uniform_attested=True,
                      eligibility_revoked_until=at(TUE, "00:00"))
    assert not d.allowed and d.rule == "ATT-03" and d.outcome == "eligibility_revoked"


# ------------------------------------------------------------------ ATT-04 lateness

def test_att04_exactly_at_start_is_on_time():
    # clauses: ATT-04.1
    d = evaluate_clock_in("Li", t("08:30:00"))
    assert d.allowed and d.rule == "ATT-04" and d.outcome == "on_time" and d.data["fine"] == 0


def test_att04_one_second_late_is_late_with_fine():
    # clauses: ATT-04.1 ATT-04.2
    d = evaluate_clock_in("Li", t("08:30:01"))
    assert d.outcome == "late" and d.data["fine"] == 50
    assert "08:30:01 is 1 s after start 08:30:00 (grace 0 min)" in d.reason


def test_att04_grace_is_policy():
    # clauses: ATT-04.1
    p = {"grace_minutes": 5}
    assert evaluate_clock_in("Li", t("08:35:00"), p).outcome == "on_time"
    assert evaluate_clock_in("Li", t("08:35:01"), p).outcome == "late"


def test_att04_late_by_exactly_60_min_is_late_not_absent():
    # clauses: ATT-04.3
    d = evaluate_clock_in("Li", t("09:30:00"))
    assert d.outcome == "late" and d.data["fine"] == 50


def test_att04_late_by_60_min_and_1_s_is_absent():
    # clauses: ATT-04.3
    d = evaluate_clock_in("Li", t("09:30:01"))
    assert d.outcome == "absent" and d.data["absent"] and d.data["fine"] == 0
    assert "60 min 1 s" in d.reason


def test_att04_early_clock_in_is_on_time():
    assert evaluate_clock_in("Li", t("07:55")).outcome == "on_time"


def test_att04_clock_out_at_end_on_time_one_second_early_is_early_leave():
    # clauses: ATT-04.4
    assert evaluate_clock_out("Li", t("17:30:00")).outcome == "on_time"
    d = evaluate_clock_out("Li", t("17:29:59"))
    assert d.outcome == "early_leave" and d.data["fine"] == 50 and "1 s before end" in d.reason


def test_att04_leaving_more_than_60_min_early_is_absent():
    # clauses: ATT-04.4
    assert evaluate_clock_out("Li", t("16:30:00")).outcome == "early_leave"
    assert evaluate_clock_out("Li", t("16:29:59")).outcome == "absent"


def test_att04_late_decision_becomes_a_ledger_fine():
    # clauses: ATT-04.2
    e = entry_from_decision(evaluate_clock_in("Li", t("08:45")), 1, "Li", MON)
    assert e.fine == 50 and e.rule == "ATT-04" and e.offence == "late" and not e.absent
    assert entry_from_decision(evaluate_clock_in("Li", t("08:00")), 1, "Li", MON) is None


# ------------------------------------------------------------------ ATT-05 missing punches

def test_att05_manager_explains_a_missing_punch():
    # clauses: ATT-05.1
    d = annotate_missing_punch(9, MGR, 1, "Li", "card reader broken")
    assert d.allowed and d.rule == "ATT-05" and d.data["note"] == "card reader broken"


def test_att05_consultant_annotating_own_record_refused():
    # clauses: ATT-05.2
    d = annotate_missing_punch(1, CONS, 1, "Li", "forgot")
    assert not d.allowed and d.outcome == "self_annotation"


def test_att05_supervisor_may_not_explain_and_blank_refused():
    # clauses: ATT-05.1
    assert annotate_missing_punch(8, SUP, 1, "Li", "x").outcome == "forbidden"
    assert annotate_missing_punch(9, MGR, 1, "Li", "  ").outcome == "blank"


# ------------------------------------------------------------------ ATT-06 sign-in

def test_att06_valid_sign_in_after_clock_in_and_uniform():
    # clauses: ATT-06.1
    d = check_sign_in(1, 1, "Li", t("08:25"), clock_in_at=t("08:20"), uniform_attested=True)
    assert d.allowed and d.outcome == "signed_in" and d.data["placed_last"] is False


def test_att06_sign_in_without_clock_in_is_invalid():
    # clauses: ATT-06.4
    d = check_sign_in(1, 1, "Li", t("08:25"), uniform_attested=True)
    assert not d.allowed and d.outcome == "invalid" and d.data["why"] == "no_clock_in"
    # yesterday's clock-in does not count
    d = check_sign_in(1, 1, "Li", t("08:25", TUE), clock_in_at=t("08:20"), uniform_attested=True)
    assert d.data["why"] == "no_clock_in"


def test_att06_sign_in_without_uniform_is_invalid():
    # clauses: ATT-06.5
    d = check_sign_in(1, 1, "Li", t("08:25"), clock_in_at=t("08:20"))
    assert not d.allowed and d.data["why"] == "no_uniform"


def test_att06_nobody_signs_in_for_someone_else():
    # clauses: ATT-06.8
    d = check_sign_in(2, 1, "Li", t("08:25"), clock_in_at=t("08:20"), uniform_attested=True)
    assert not d.allowed and d.outcome == "proxy_attempt" and d.data["submitter_id"] == 2


def test_att06_later_valid_sign_in_after_invalid_is_placed_last():
    # clauses: ATT-06.6
    d = check_sign_in(1, 1, "Li", t("08:25"), clock_in_at=t("08:20"), uniform_attested=True,
                      invalid_earlier_today=True)
    assert d.allowed and d.data["placed_last"] is True


def test_att06_only_a_supervisor_attests_uniform_never_their_own():
    # clauses: ATT-06.5
    assert attest_uniform(8, SUP, 1, "Li", t("08:22")).allowed
    assert attest_uniform(9, MGR, 1, "Li", t("08:22")).outcome == "forbidden"
    assert attest_uniform(8, SUP | CONS, 8, "Zhou", t("08:22")).outcome == "self_attest"


def test_att06_sign_in_order_by_time_invalid_signers_go_after_all_correct_ones():
    # clauses: ATT-06.2 ATT-06.6
    attempts = [
        SignInAttempt(1, "Li", t("08:10"), valid=False),        # invalid first ...
        SignInAttempt(1, "Li", t("08:12"), valid=True),         # ... so placed last
        SignInAttempt(2, "Wang", t("08:15"), valid=True),
        SignInAttempt(3, "Zhang", t("08:20"), valid=True),
        SignInAttempt(4, "Zhao", t("08:05"), valid=False),
        SignInAttempt(4, "Zhao", t("08:11"), valid=True),
        SignInAttempt(5, "Chen", t("08:13"), valid=True),
        SignInAttempt(5, "Chen", t("08:40"), valid=False),      # after valid: no effect
        SignInAttempt(6, "Sun", t("08:01"), valid=False),       # never valid: not placed
    ]
    order = sign_in_order(attempts)
    assert [d.data["person_id"] for d in order] == [5, 2, 3, 4, 1]
    assert [d.data["position"] for d in order] == [1, 2, 3, 4, 5]
    assert [d.outcome for d in order] == ["placed"] * 3 + ["placed_last"] * 2
    assert all(d.rule == "ATT-06" for d in order)


def test_att06_equal_sign_in_times_fall_back_to_clock_in():
    # clauses: ATT-06.2
    order = sign_in_order([SignInAttempt(1, "Li", t("08:25"), True, t("08:20")),
                           SignInAttempt(2, "Wang", t("08:25"), True, t("08:10"))])
    assert [d.data["person_id"] for d in order] == [2, 1]


def test_att06_supervisor_resolves_dispute_by_clock_in_times():
    # clauses: ATT-06.7
    ds = [Disputant(1, "Li", t("08:20")), Disputant(2, "Wang", t("08:19:59"))]
    d = resolve_sign_in_dispute(8, SUP, ds)
    assert d.allowed and d.data["order"] == [2, 1] and "08:19:59" in d.reason
    assert resolve_sign_in_dispute(9, MGR, ds).outcome == "forbidden"
    assert resolve_sign_in_dispute(1, SUP, ds).outcome == "party_to_dispute"


# ------------------------------------------------------------------ ATT-07 leave

def leave(kind="personal", start=TUE, end=None, filed=None, note="handover to Wang", **kw):
    return LeaveRequest(1, "Li", kind, start, end or start, filed or t("15:00"), note, **kw)


def test_att07_personal_leave_one_day_ahead_is_requested():
    # clauses: ATT-07.2
    d = check_leave_request(leave(filed=t("23:59")))
    assert d.allowed and d.outcome == "requested" and d.data["days_ahead"] == 1


def test_att07_same_day_without_emergency_refused():
    # clauses: ATT-07.5
    d = check_leave_request(leave(start=MON, filed=t("07:00")))
    assert not d.allowed and d.outcome == "short_notice"


def test_att07_emergency_before_0730_ok_at_0730_refused():
    # clauses: ATT-07.5
    assert check_leave_request(leave(start=MON, filed=t("07:29:59"), emergency=True)).outcome \
        == "emergency"
    d = check_leave_request(leave(start=MON, filed=t("07:30:00"), emergency=True))
    assert not d.allowed and d.outcome == "late_emergency"


def test_att07_notice_days_is_policy():
    # clauses: ATT-07.2
    d = check_leave_request(leave(start=WED, filed=t("09:00")), policy={"leave_notice_days": 3})
    assert not d.allowed and d.outcome == "short_notice"


def test_att07_personal_and_annual_need_a_handover_note_sick_does_not():
    # clauses: ATT-07.4
    assert check_leave_request(leave(note=" ")).outcome == "no_handover"
    assert check_leave_request(leave("annual", note="")).outcome == "no_handover"
    assert check_leave_request(leave("sick", start=MON, filed=t("07:00"), note="")).allowed


def test_att07_leave_after_the_fact_is_invalid_and_absent():
    # clauses: ATT-07.6
    d = check_leave_request(leave(start=MON, filed=t("09:00", TUE)))
    assert not d.allowed and d.outcome == "after_the_fact" and d.data["absent"]


def test_att07_sick_notified_before_0730_ok_from_0730_refused():
    # clauses: ATT-07.7
    assert check_leave_request(leave("sick", start=MON, filed=t("07:29:59"))).allowed
    d = check_leave_request(leave("sick", start=MON, filed=t("07:30")))
    assert not d.allowed and d.outcome == "late_sick_notice"


def test_att07_only_a_manager_approves_and_not_their_own():
    # clauses: ATT-07.3
    req = leave()
    assert approve_leave(8, SUP, req, t("16:00")).outcome == "forbidden"
    own = LeaveRequest(9, "Ma", "personal", TUE, TUE, t("15:00"), "handover")
    assert approve_leave(9, MGR, own, t("16:00")).outcome == "self_approval"
    d = approve_leave(9, MGR, req, t("16:00"))
    assert d.allowed and d.outcome == "approved" and d.data["days"] == [TUE.isoformat()]


def test_att07_approval_after_the_leave_began_refused():
    # clauses: ATT-07.3
    d = approve_leave(9, MGR, leave(), t("09:00", WED))
    assert not d.allowed and d.outcome == "too_late"
    assert approve_leave(9, MGR, leave(), t("09:00", TUE)).allowed  # same day: ok


def test_att07_approving_a_badly_filed_request_refused_with_its_reason():
    # clauses: ATT-07.3
    d = approve_leave(9, MGR, leave(start=MON, filed=t("08:00")), t("08:05"))
    assert not d.allowed and d.outcome == "short_notice"


def test_att07_sick_certificate_by_end_of_first_day_back():
    # clauses: ATT-07.9
    back = WED
    d = sick_certificate_outcome("Li", 2, back, t("10:00", back), t("23:59:59", back))
    assert d.outcome == "certified" and d.data["leave_type"] == "sick"
    assert sick_certificate_outcome("Li", 2, back, t("20:00", back)).outcome == "pending"


def test_att07_no_certificate_converts_to_annual_if_days_left_else_personal():
    # clauses: ATT-07.10 ATT-07.11
    back = WED
    now = t("00:00", back + timedelta(1))
    d = sick_certificate_outcome("Li", 2, back, now, annual_days_left=2)
    assert d.outcome == "converted" and d.data["leave_type"] == "annual"
    d = sick_certificate_outcome("Li", 2, back, now, annual_days_left=1)
    assert d.data["leave_type"] == "personal"
    d = sick_certificate_outcome("Li", 2, back, now, annual_days_left=5,
                                 policy={"sick_converts_to_annual": False})
    assert d.data["leave_type"] == "personal"
    late_cert = sick_certificate_outcome("Li", 1, back, now, certificate_filed_at=now)
    assert late_cert.outcome == "converted"


def test_att07_unknown_leave_type_rejected():
    # clauses: ATT-07.1
    with pytest.raises(ValueError):
        leave("maternity")


# ------------------------------------------------------------------ ATT-08 swaps

SWAP = SwapRequest(1, "Li", 2, "Wang", (WED,))


def test_att08_swap_approved_by_manager_before_the_day():
    # clauses: ATT-08.1 ATT-08.2
    d = approve_swap(9, MGR, SWAP, t("18:00", TUE))
    assert d.allowed and d.rule == "ATT-08" and d.outcome == "approved"


def test_att08_swap_approval_on_the_day_is_too_late():
    # clauses: ATT-08.2
    d = approve_swap(9, MGR, SWAP, t("00:00", WED))
    assert not d.allowed and d.outcome == "too_late"


def test_att08_swap_needs_a_manager_not_a_party_and_no_blackout():
    # clauses: ATT-08.1 ATT-02.4
    assert approve_swap(8, SUP, SWAP, t("10:00")).outcome == "forbidden"
    assert approve_swap(1, MGR, SWAP, t("10:00")).outcome == "self_approval"
    d = approve_swap(9, MGR, SWAP, t("10:00"), blackout_days=[WED])
    assert not d.allowed and d.rule == "ATT-02"


def test_att08_unapproved_swap_makes_both_absent():
    # clauses: ATT-08.4
    c = unapproved_swap_found(8, SUP, 1, "Li", 2, "Wang", WED)
    assert c.allowed and {e.person_id for e in c.entries} == {1, 2}
    assert all(e.absent and e.rule == "ATT-08" for e in c.entries)
    assert not unapproved_swap_found(3, CONS, 1, "Li", 2, "Wang", WED).allowed


def test_att08_compensatory_leave_must_be_filed_and_approved_before_the_day():
    # clauses: ATT-08.2 ATT-07.1
    comp = LeaveRequest(1, "Li", "compensatory", MON, MON, t("07:00"))
    assert check_leave_request(comp).rule == "ATT-08"
    comp = LeaveRequest(1, "Li", "compensatory", TUE, TUE, t("07:00"))
    assert check_leave_request(comp).allowed
    d = approve_leave(9, MGR, comp, t("08:00", TUE))
    assert not d.allowed and d.rule == "ATT-08"


# ------------------------------------------------------------------ ATT-09 absence

def facts(**kw):
    base = dict(person_id=1, name="Li", day=MON, rostered_work=True)
    base.update(kw)
    return DayFacts(**base)


def test_att09_no_punch_no_leave_is_absent_with_warning_slip():
    # clauses: ATT-09.1 ATT-09.2
    c = close_day(facts())
    assert c.absent and c.decision.rule == "ATT-09"
    assert [(e.slip, e.absent) for e in c.entries] == [("warning", True)]
    assert c.review.data["absent_days_in_month"] == 1 and not c.review.data["dismissal_review"]


def test_att09_rest_day_leave_day_and_present_day_are_not_absent():
    # clauses: ATT-09.1
    assert close_day(facts(rostered_work=False)).status == "rest"
    assert close_day(facts(leave_type="sick")).status == "leave"
    c = close_day(facts(clock_in_at=t("08:20")))
    assert c.status == "present" and c.decision.data["missing_punches"] == ["clock_out"]


def test_att09_absent_by_another_rule_counts_without_a_second_slip():
    # clauses: ATT-09.1
    c = close_day(facts(clock_in_at=t("09:45"), absent_by="ATT-04"))
    assert c.absent and c.entries == () and c.review.data["absent_days_in_month"] == 1


def test_att09_third_absent_day_in_month_flags_dismissal_review():
    # clauses: ATT-09.3
    c = close_day(facts(day=WED), absent_days_this_month=[MON, TUE])
    assert c.review.outcome == "dismissal_review" and c.review.data["dismissal_review"]


def test_att09_two_absent_days_do_not_flag_and_last_month_does_not_count():
    # clauses: ATT-09.3
    c = close_day(facts(day=MON), absent_days_this_month=[date(2026, 2, 27), date(2026, 2, 28),
                                                          MON])
    assert c.review.data["absent_days_in_month"] == 1
    c = close_day(facts(day=TUE), absent_days_this_month=[MON])
    assert c.review.data["absent_days_in_month"] == 2 and not c.review.data["dismissal_review"]


def test_att09_dismissal_review_threshold_is_policy():
    # clauses: ATT-09.3
    assert not dismissal_review("Li", 2).data["dismissal_review"]
    assert dismissal_review("Li", 3).data["dismissal_review"]
    assert dismissal_review("Li", 2, {"absences_for_dismissal_review": 2}).data["dismissal_review"]
    assert absences_in_month([MON, MON, TUE, date(2026, 4, 1)], 2026, 3) == 2


# ------------------------------------------------------------------ ATT-10 discipline

@pytest.mark.parametrize("offence,fine,slip,absent", [
    ("leaving_post", 200, "warning", True),
    ("sleeping_on_duty", 200, "violation", False),
    ("premium_rate_calls", 100, None, False),
    ("items_left_out", 100, "violation", False),
])
def test_att10_offence_catalogue(offence, fine, slip, absent):
    # clauses: ATT-10.1 ATT-10.2 ATT-10.3 ATT-10.4 ATT-10.5
    c = record_offence(offence, 1, "Li", MON, 8, SUP)
    assert c.allowed and c.decision.rule == "ATT-10"
    (e,) = c.entries
    assert (e.fine, e.slip, e.absent, e.issued_by) == (fine, slip, absent, 8)


def test_att10_fines_are_policy():
    # clauses: ATT-10.5
    c = record_offence("items_left_out", 1, "Li", MON, 9, MGR, {"fine_items_left_out": 30})
    assert c.entries[0].fine == 30 and "fine 30" in c.decision.reason


def test_att10_only_supervisor_or_manager_issues_and_not_to_themself():
    # clauses: ATT-10.6
    assert record_offence("sleeping_on_duty", 1, "Li", MON, 3, CONS).decision.outcome == "forbidden"
    assert record_offence("sleeping_on_duty", 8, "Zhou", MON, 8, SUP).decision.outcome == \
        "self_issue"
    with pytest.raises(ValueError):
        record_offence("jaywalking", 1, "Li", MON, 8, SUP)


def test_att10_consultant_sees_only_own_entries():
    # clauses: ATT-10.7
    # visible_entries (unused by the service, which filters by query) went
    assert may_view_ledger(8, SUP, 2).allowed and may_view_ledger(7, CLERK, 2).allowed
    assert not may_view_ledger(1, CONS, 2).allowed and may_view_ledger(1, CONS, 1).allowed


def test_att10_rec09_refusal_becomes_a_ledger_entry():
    # clauses: ATT-10.8
    e = refusal_ledger_entry({"person_id": 1, "day": "2026-03-02",
                              "suspended_until_day": "2026-03-04", "recorded_by": 9,
                              "kind": "picking"}, "Li")
    assert (e.rule, e.offence, e.slip, e.fine) == ("REC-09", "picking", "violation", 0)
    assert e.suspended_until_day == date(2026, 3, 4) and e.issued_by == 9
    assert e.as_dict()["suspended_until_day"] == "2026-03-04"


# ------------------------------------------------------------------ ATT-11 lunch

def test_att11_three_most_recent_finishers_lunch_first():
    # clauses: ATT-11.2
    cands = [LunchCandidate(1, "Li", t("10:00")), LunchCandidate(2, "Wang", t("11:20")),
             LunchCandidate(3, "Zhang", None), LunchCandidate(4, "Zhao", t("11:05")),
             LunchCandidate(5, "Chen", t("10:40"))]
    order = lunch_order(cands, MON)
    assert [d.data["person_id"] for d in order] == [2, 4, 5, 1, 3]
    assert [d.data["group"] for d in order] == [1, 1, 1, 2, 2]
    assert order[0].data["planned_start"] == t("11:30").isoformat()
    assert order[3].data["planned_start"] == t("12:10").isoformat()
    assert all(d.rule == "ATT-11" for d in order)


def test_att11_group_starting_after_window_is_outside():
    # clauses: ATT-11.1
    cands = [LunchCandidate(i, f"P{i}", t("10:00") + timedelta(minutes=i)) for i in range(10)]
    order = lunch_order(cands, MON)
    assert [d.data["group"] for d in order][-1] == 4
    assert order[-1].outcome == "outside_window" and not order[-1].allowed
    assert order[8].allowed  # group 3 starts 12:50, inside the window


def test_att11_may_go_to_lunch_window_and_rotation():
    # clauses: ATT-11.1 ATT-11.2 ATT-11.3
    order = [2, 4, 5, 1]
    assert may_go_to_lunch(2, "Wang", order, [], [], t("11:29:59")).outcome == "outside_window"
    assert may_go_to_lunch(2, "Wang", order, [], [], t("13:00")).outcome == "outside_window"
    assert may_go_to_lunch(2, "Wang", order, [], [], t("11:30")).allowed
    assert may_go_to_lunch(1, "Li", order, [], [2], t("11:35")).outcome == "not_your_turn"
    assert may_go_to_lunch(1, "Li", order, [], [2, 4, 5], t("11:35")).outcome == "group_full"
    assert may_go_to_lunch(1, "Li", order, [2], [4, 5], t("12:10")).allowed
    assert may_go_to_lunch(2, "Wang", order, [2], [], t("12:30")).outcome == "already_lunched"


def test_att11_forty_minutes_on_time_one_second_more_overstay():
    # clauses: ATT-11.4 ATT-11.5
    assert check_lunch_return("Li", t("11:30"), t("12:10:00")).outcome == "back_on_time"
    d = check_lunch_return("Li", t("11:30"), t("12:10:01"))
    assert d.outcome == "overstay" and d.data["overstay_seconds"] == 1


# ------------------------------------------------------------------ ATT-12 monthly report

def month_days():
    def day(n, status, **kw):
        return AttendanceDay(1, "Li", date(2026, 3, n), status, **kw)
    return [day(1, "present"), day(2, "present", late=True), day(3, "absent"),
            day(4, "leave", leave_type="sick"), day(5, "rest"), day(6, "present", early_leave=True),
            day(7, "leave", leave_type="personal"),
            AttendanceDay(1, "Li", date(2026, 2, 28), "absent"),       # other month
            AttendanceDay(2, "Wang", date(2026, 3, 1), "present")]


def test_att12_monthly_report_aggregates_per_person():
    # clauses: ATT-12.1
    entries = [LedgerEntry(1, "Li", date(2026, 3, 2), "ATT-04", "late", "r", fine=50),
               LedgerEntry(1, "Li", date(2026, 3, 3), "ATT-09", "absent", "r", slip="warning",
                           absent=True),
               LedgerEntry(1, "Li", date(2026, 3, 8), "ATT-10", "leaving_post", "r", fine=200,
                           slip="warning", absent=True),
               LedgerEntry(1, "Li", date(2026, 3, 9), "ATT-10", "x", "r", fine=100,
                           slip="violation"),
               LedgerEntry(1, "Li", date(2026, 4, 1), "ATT-10", "x", "r", fine=999)]
    rows = monthly_report(2026, 3, month_days(), entries)
    assert [r.name for r in rows] == ["Li", "Wang"]
    li = rows[0]
    assert (li.work_days, li.days_present, li.late, li.early_leave) == (6, 3, 1, 1)
    assert li.absent_days == 2       # 3 Mar (day + ledger, once) and 8 Mar (ledger)
    assert li.leave_days == {"personal": 1, "annual": 0, "sick": 1, "compensatory": 0}
    assert (li.fines, li.violation_slips, li.warning_slips) == (350, 1, 2)


def test_att12_report_rows_are_flat_with_leave_columns_and_the_quarter_bonus():
    # clauses: ATT-12.1 ATT-13.3
    # report_csv_rows (unused: the export writes REPORT_COLUMNS) became report_rows
    rows = rules.report_rows(2026, 3, month_days())
    assert set(rules.REPORT_COLUMNS) <= set(rows[0]) and len(rows) == 2
    assert (rows[0]["name"], rows[0]["work_days"], rows[0]["leave_sick"]) == ("Li", 6, 1)
    assert "full_attendance_bonus" not in rows[0]
    paid = rules.report_rows(2026, 3, month_days(), policy=PAY_ON)
    assert paid[0]["full_attendance_bonus"] == 0 and "loses" in paid[0]["bonus_reason"]
    assert "full_attendance_bonus" not in rules.report_rows(2026, 2, month_days(),
                                                            policy=PAY_ON)[0]


def test_att12_report_due_before_the_30th():
    # clauses: ATT-12.2
    assert report_deadline(2026, 3) == at(date(2026, 3, 30), "00:00")
    ok = check_report_submission(CLERK, 2026, 3, t("23:59:59", date(2026, 3, 29)))
    assert ok.allowed and ok.outcome == "on_time" and ok.rule == "ATT-12"
    late = check_report_submission(CLERK, 2026, 3, t("00:00", date(2026, 3, 30)))
    assert late.outcome == "late"


def test_att12_february_due_by_end_of_month_and_only_the_clerk_submits():
    # clauses: ATT-12.2
    assert report_deadline(2026, 2) == at(date(2026, 3, 1), "00:00")
    assert check_report_submission(MGR, 2026, 3, t("10:00")).outcome == "forbidden"
    assert check_report_submission(CLERK, 2026, 4, t("10:00")).outcome == "too_early"


# ------------------------------------------------------------------ ATT-13 pay effects

def test_att13_off_by_default():
    # clauses: ATT-13.1
    # absence_deduction went: no salary is stored anywhere, so nothing could call it
    assert full_attendance_bonus("Li", 2026, 1, []).outcome == "disabled"


def quarter_rows(**changes):
    rows = [ReportRow(2026, m, 1, "Li", work_days=26, days_present=26) for m in (1, 2, 3)]
    if changes:
        rows[1] = ReportRow(2026, 2, 1, "Li", **changes)
    return rows


def test_att13_full_attendance_bonus_paid_per_quarter():
    # clauses: ATT-13.3
    d = full_attendance_bonus("Li", 2026, 1, quarter_rows(), PAY_ON)
    assert d.outcome == "paid" and d.data["amount"] == 150


@pytest.mark.parametrize("change", [{"late": 1}, {"early_leave": 1}, {"absent_days": 1},
                                    {"leave_days": {"annual": 1}}])
def test_att13_any_leave_or_lateness_loses_the_quarter(change):
    # clauses: ATT-13.4
    d = full_attendance_bonus("Li", 2026, 1, quarter_rows(**change), PAY_ON)
    assert d.outcome == "lost" and d.data["amount"] == 0 and "2026-02" in d.reason


def test_att13_other_quarters_do_not_count():
    # clauses: ATT-13.3
    rows = quarter_rows() + [ReportRow(2026, 4, 1, "Li", late=3)]
    assert full_attendance_bonus("Li", 2026, 1, rows, PAY_ON).outcome == "paid"
