"""ATT-03 personal punches, ATT-04 lateness and early leave, ATT-05 missing punches."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import at, business_day, local

from .base import (
    ISSUER_ROLES,
    Consequences,
    LedgerEntry,
    _clock,
    _dur,
    policy_with_defaults,
    refused,
    shift_edge,
)


def check_punch(submitter_id: int, subject_id: int, kind: str, now: datetime,
                submitter_name: str = "", subject_name: str = "",
                tz: str | None = None) -> Decision:
    """ATT-03: a punch (in/out) is only ever made by the person for themself."""
    if kind not in ("in", "out"):
        raise ValueError("punch kind must be 'in' or 'out'")
    if submitter_id != subject_id:
        who = submitter_name or f"person {submitter_id}"
        whom = subject_name or f"person {subject_id}"
        return refuse("ATT-03", f"{who} tried to punch {kind} for {whom} at {_clock(now, tz)}: "
                      f"nobody punches for someone else", "proxy_attempt",
                      submitter_id=submitter_id, subject_id=subject_id, kind=kind)
    return allow("ATT-03", f"punch {kind} at {_clock(now, tz)} made in person", "ok",
                 kind=kind, at=now.isoformat())


def report_proxy_punch(reporter_id: int, reporter_roles: Iterable[str], punch_day: date,
                       maker_id: int, maker_name: str, subject_id: int, subject_name: str,
                       now: datetime, tz: str | None = None,
                       already_void: bool = False) -> Consequences:
    """ATT-03: a supervisor/manager reports a punch made by someone else.

    The punch is voided, the punched-for consultant loses reception eligibility for the rest of
    that business day and may not leave the post, and both people get a violation slip.
    """
    if already_void:
        return refused("ATT-03", f"the punch of {subject_name} on "
                       f"{punch_day.isoformat()} is already void", "already_void")
    if not set(reporter_roles) & ISSUER_ROLES:
        return refused("ATT-03", "only a supervisor or manager reports a proxy "
                       "punch", "forbidden")
    if maker_id == subject_id:
        return refused("ATT-03", f"{subject_name} punched for themself: not a proxy "
                       "punch", "not_a_proxy")
    if reporter_id in (maker_id, subject_id):
        return refused("ATT-03", "a proxy punch is reported by someone who is not "
                       "part of it", "party_to_proxy")
    # "当天接待资格(8小时)": the 8 h is the working day, so the loss runs to the day's end.
    until = at(punch_day, "00:00", tz) + timedelta(days=1)
    revoked = now < until
    reason = (f"punch for {subject_name} on {punch_day.isoformat()} was made by {maker_name}: "
              f"punch void; violation slips for both")
    if revoked:
        reason += (f"; {subject_name} may not receive or leave the post for the rest of the day "
                   f"(until {local(until, tz).strftime('%Y-%m-%d %H:%M')})")
    decision = allow("ATT-03", reason, "proxy_punch", void_punch=True,
                     eligibility_revoked=revoked, eligibility_until=until.isoformat(),
                     may_not_leave_post=revoked, subject_id=subject_id, maker_id=maker_id)
    entries = tuple(LedgerEntry(pid, nm, punch_day, "ATT-03", "proxy_punch",
                                f"{role} of a proxy punch for {subject_name} by {maker_name}",
                                slip="violation", issued_by=reporter_id)
                    for pid, nm, role in ((maker_id, maker_name, "maker"),
                                          (subject_id, subject_name, "beneficiary")))
    return Consequences(decision, entries)


# ---------------------------------------------------------------- ATT-04 lateness / early leave

def evaluate_clock_in(name: str, clock_in_at: datetime, policy: Mapping[str, Any] | None = None,
                      tz: str | None = None) -> Decision:
    """ATT-04: on time up to start + grace; late after it (fine); absent when late > the limit.

    Lateness is measured from the start time itself (the grace only decides whether it counts).
    """
    p, start, grace, limit = shift_edge(clock_in_at, "work_start",
                                        "absent_if_late_over_minutes", policy, tz)
    late_by = (clock_in_at - start).total_seconds()
    head = (f"clock-in {_clock(clock_in_at, tz)} is {_dur(max(late_by, 0))} after start "
            f"{_clock(start, tz)} (grace {p['grace_minutes']} min)")
    if clock_in_at <= start + grace:
        if late_by <= 0:
            head = f"clock-in {_clock(clock_in_at, tz)} is at or before start {_clock(start, tz)}"
        return allow("ATT-04", f"{name}: {head}: on time", "on_time", late_seconds=0, fine=0)
    if clock_in_at - start > limit:
        return allow("ATT-04", f"{name}: {head}: more than {p['absent_if_late_over_minutes']} min "
                     f"late counts as an absent day", "absent", late_seconds=late_by,
                     absent=True, fine=0, offence="late_over_limit")
    return allow("ATT-04", f"{name}: {head}: late, fine {p['late_fine']}", "late",
                 late_seconds=late_by, fine=p["late_fine"], offence="late")


def evaluate_clock_out(name: str, clock_out_at: datetime, policy: Mapping[str, Any] | None = None,
                       tz: str | None = None) -> Decision:
    """ATT-04: leaving before the end (less grace) is an early leave, counted like lateness."""
    p, end, grace, limit = shift_edge(clock_out_at, "work_end", "absent_if_early_over_minutes",
                                      policy, tz)
    early_by = (end - clock_out_at).total_seconds()
    if clock_out_at >= end - grace:
        return allow("ATT-04", f"{name}: clock-out {_clock(clock_out_at, tz)} is not before end "
                     f"{_clock(end, tz)} (grace {p['grace_minutes']} min): on time", "on_time",
                     early_seconds=0, fine=0)
    head = (f"clock-out {_clock(clock_out_at, tz)} is {_dur(early_by)} before end "
            f"{_clock(end, tz)} (grace {p['grace_minutes']} min)")
    if end - clock_out_at > limit:
        return allow("ATT-04", f"{name}: {head}: more than {p['absent_if_early_over_minutes']} min "
                     f"early counts as an absent day", "absent", early_seconds=early_by,
                     absent=True, fine=0, offence="early_leave_over_limit")
    return allow("ATT-04", f"{name}: {head}: early leave, fine {p['early_leave_fine']}",
                 "early_leave", early_seconds=early_by, fine=p["early_leave_fine"],
                 offence="early_leave")


def check_leaving_post(name: str, now: datetime, eligibility_revoked_until: datetime | None,
                       policy: Mapping[str, Any] | None = None,
                       tz: str | None = None) -> Decision:
    """ATT-03: whoever lost reception eligibility for a proxy punch may not leave the post
    (clock out) before the end of the shift."""
    p = policy_with_defaults(policy)
    end = at(business_day(now, tz), p["work_end"], tz)
    if eligibility_revoked_until is not None and now < end:
        return refuse("ATT-03", f"{name} lost reception eligibility today (ATT-03 proxy punch) "
                      "and may not leave the post before the end of the shift", "may_not_leave")
    return allow("ATT-03", f"{name} may clock out at {_clock(now, tz)}", "may_leave")


# ---------------------------------------------------------------- ATT-05 missing punches

def annotate_missing_punch(author_id: int, author_roles: Iterable[str], subject_id: int,
                           subject_name: str, note: str, missing: Iterable[str] | None = None,
                           day: date | None = None, today: date | None = None) -> Decision:
    """ATT-05: only a manager explains a missing punch, and never on their own record; there
    must be one missing (``missing``: the kinds with no valid punch that day) on a day that
    has come."""
    roles = set(author_roles)
    if author_id == subject_id:
        return refuse("ATT-05", f"{subject_name} may not annotate their own attendance record; "
                      "a manager writes the explanation", "self_annotation")
    if "manager" not in roles:
        return refuse("ATT-05", "only a manager may explain a missing punch", "forbidden")
    if not note or not note.strip():
        return refuse("ATT-05", "the explanation of a missing punch may not be blank", "blank")
    if day is not None and today is not None and day > today:
        return refuse("ATT-05", f"{day.isoformat()} has not come yet: no punch is missing",
                      "future_day")
    kinds = None if missing is None else sorted(missing)
    if kinds is not None and not kinds:
        return refuse("ATT-05", f"{subject_name} punched in and out that day: no punch is "
                      "missing", "nothing_missing")
    what = f" ({' and '.join(f'clock-{k}' for k in kinds)})" if kinds else ""
    return allow("ATT-05", f"missing punch{what} of {subject_name} explained by a manager",
                 "annotated", note=note.strip(), missing=kinds)


