"""ATT-07 leave and ATT-08 shift and rest swaps."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import at, business_day, local

from .base import (
    ISSUER_ROLES,
    LEAVE_TYPES,
    NOTICE_LEAVE_TYPES,
    Consequences,
    LedgerEntry,
    _blackout_kind,
    _clock,
    _days,
    policy_with_defaults,
    refused,
)

MAX_LEAVE_DAYS = 366   # one request covers at most a year (docs/decisions/attendance.md)


def check_leave_span(start_day: date, end_day: date | None) -> Decision:
    """ATT-07: a request covers ``start_day`` (to ``end_day``, default the same day), at most
    MAX_LEAVE_DAYS days: a longer absence is asked for again (and a span of centuries is a typo)."""
    end = end_day or start_day
    if end < start_day:
        return refuse("ATT-07", "end_day is before start_day", "bad_span")
    if (end - start_day).days >= MAX_LEAVE_DAYS:
        return refuse("ATT-07", f"one leave request covers at most {MAX_LEAVE_DAYS} days "
                      f"({start_day}..{end} is {(end - start_day).days + 1})", "bad_span")
    return allow("ATT-07", f"leave {start_day}..{end}", "span", end_day=end.isoformat())


@dataclass(frozen=True)
class LeaveRequest:
    person_id: int
    name: str
    leave_type: str
    start_day: date
    end_day: date
    filed_at: datetime
    handover_note: str = ""
    emergency: bool = False

    def __post_init__(self):
        if self.leave_type not in LEAVE_TYPES:
            raise ValueError(f"leave_type must be one of {', '.join(LEAVE_TYPES)}")
        if self.end_day < self.start_day:
            raise ValueError("leave ends before it starts")

    @property
    def days(self) -> list[date]:
        return _days(self.start_day, self.end_day)


def _span(req: LeaveRequest) -> str:
    if req.start_day == req.end_day:
        return req.start_day.isoformat()
    return f"{req.start_day.isoformat()}..{req.end_day.isoformat()}"


def check_leave_request(req: LeaveRequest,
                        blackout_days: Mapping[date, str] | Iterable[date] | None = None,
                        policy: Mapping[str, Any] | None = None,
                        tz: str | None = None) -> Decision:
    """ATT-07: is this request filed in time and complete? (Approval is ``approve_leave``.)

    Outcomes: ``requested`` / ``emergency`` / ``notified`` (sick leave in time: no approval
    needed, the rule asks only for the notice) (allowed); refused ``blackout_day`` (ATT-02),
    ``after_the_fact`` (the day stays absent), ``short_notice``, ``no_handover``,
    ``late_sick_notice``, ``late_emergency``.
    """
    p = policy_with_defaults(policy)
    what = f"{req.leave_type} leave for {req.name} on {_span(req)}"
    blocked = [(d, _blackout_kind(d, blackout_days)) for d in req.days]
    blocked = [(d, k) for d, k in blocked if k]
    if blocked:
        d, k = blocked[0]
        return refuse("ATT-02", f"{what} refused: {d.isoformat()} is a {k.replace('_', ' ')}, no "
                      "leave on blackout days", "blackout_day", day=d.isoformat())
    filed_day = business_day(req.filed_at, tz)
    filed = _clock(req.filed_at, tz)
    if req.start_day < filed_day:
        return refuse("ATT-07", f"{what} filed on {filed_day.isoformat()} after the fact "
                      "(事后补假): invalid, the day is absent", "after_the_fact", absent=True)
    if req.leave_type in NOTICE_LEAVE_TYPES and not req.handover_note.strip():
        return refuse("ATT-07", f"{what} needs a handover note", "no_handover")
    if req.leave_type == "sick":
        cutoff = at(req.start_day, p["sick_notify_cutoff"], tz)
        if req.filed_at >= cutoff:
            return refuse("ATT-07", f"{what} notified at {filed} on the day, not before "
                          f"{_clock(cutoff, tz)}", "late_sick_notice", absent=True)
        return allow("ATT-07", f"{what} notified on {filed_day.isoformat()} {filed}, before "
                     f"{_clock(cutoff, tz)} on the day: counts as leave (a medical certificate "
                     "is due by the end of the first day back)", "notified")
    if req.leave_type == "compensatory":
        # 调休 is a rest swap: approval has to come before the day (ATT-08), so filing too.
        if filed_day >= req.start_day:
            return refuse("ATT-08", f"{what} filed on the day itself: rest swaps need a manager's "
                          "approval before the day", "short_notice")
        return allow("ATT-07", f"{what} requested on {filed_day.isoformat()}", "requested")
    ahead = (req.start_day - filed_day).days
    if ahead >= p["leave_notice_days"]:
        return allow("ATT-07", f"{what} requested {ahead} day(s) ahead (notice "
                     f"{p['leave_notice_days']})", "requested", days_ahead=ahead)
    if ahead == 0 and req.emergency:
        cutoff = at(req.start_day, p["emergency_cutoff"], tz)
        if req.filed_at < cutoff:
            return allow("ATT-07", f"{what}: emergency filed at {filed}, before "
                         f"{_clock(cutoff, tz)}", "emergency", days_ahead=0)
        return refuse("ATT-07", f"{what}: emergency filed at {filed}, not before "
                      f"{_clock(cutoff, tz)}", "late_emergency")
    return refuse("ATT-07", f"{what} filed {ahead} day(s) ahead; needs "
                  f"{p['leave_notice_days']} day(s) notice or an emergency before "
                  f"{p['emergency_cutoff']} on the day", "short_notice", days_ahead=ahead)


def approve_leave(approver_id: int, approver_roles: Iterable[str], req: LeaveRequest,
                  now: datetime, blackout_days: Mapping[date, str] | Iterable[date] | None = None,
                  policy: Mapping[str, Any] | None = None, tz: str | None = None,
                  status: str = "requested") -> Decision:
    """ATT-07: a manager (not the applicant) approves a properly filed request in time.

    Approval is allowed up to the end of the first leave day (an emergency is approved that
    morning); compensatory leave must be approved before the day (ATT-08). Only a request
    still ``requested`` is approved (outcome ``not_requested``).
    """
    refused = _may_decide(approver_id, approver_roles, req, status)
    if refused:
        return refused
    filed = check_leave_request(req, blackout_days, policy, tz)
    if not filed.allowed:
        return filed
    today = business_day(now, tz)
    what = f"{req.leave_type} leave for {req.name} on {_span(req)}"
    if req.leave_type == "compensatory" and today >= req.start_day:
        return refuse("ATT-08", f"{what}: approval on {today.isoformat()} is not before the day",
                      "too_late")
    if today > req.start_day:
        return refuse("ATT-07", f"{what}: approval on {today.isoformat()} comes after the leave "
                      "began", "too_late")
    return allow("ATT-07", f"{what} approved by a manager", "approved",
                 leave_type=req.leave_type, days=[d.isoformat() for d in req.days])


def _may_decide(approver_id: int, approver_roles: Iterable[str], req: LeaveRequest,
                status: str) -> Decision | None:
    """ATT-07: a manager, not the applicant, decides a request still ``requested`` (the
    refusal), or None."""
    if status != "requested":
        return refuse("ATT-07", f"the {req.leave_type} leave of {req.name} is {status}",
                      "not_requested")
    if "manager" not in set(approver_roles):
        return refuse("ATT-07", "only a manager approves leave", "forbidden")
    if approver_id == req.person_id:
        return refuse("ATT-07", f"{req.name} may not approve their own leave", "self_approval")
    return None


def reject_leave(approver_id: int, approver_roles: Iterable[str], req: LeaveRequest,
                 reason: str, status: str = "requested") -> Decision:
    """ATT-07: the manager who approves leave may also turn a request down, with a reason the
    applicant reads; only a request still ``requested`` (not the applicant's own)."""
    refused = _may_decide(approver_id, approver_roles, req, status)
    if refused:
        return refused
    return allow("ATT-07", f"{req.leave_type} leave for {req.name} on {_span(req)} not approved "
                 f"by a manager: {reason}", "rejected", leave_type=req.leave_type)


def sick_certificate_outcome(name: str, sick_days: int, first_day_back: date, now: datetime,
                             certificate_filed_at: datetime | None = None,
                             annual_days_left: int = 0, policy: Mapping[str, Any] | None = None,
                             tz: str | None = None) -> Decision:
    """ATT-07: a certificate by the end of the first day back keeps the leave sick; otherwise it
    converts to annual leave (when enough annual days are left, policy) or personal leave."""
    p = policy_with_defaults(policy)
    deadline = at(first_day_back, "00:00", tz) + timedelta(days=1)
    if certificate_filed_at is not None and certificate_filed_at < deadline:
        return allow("ATT-07", f"{name}'s medical certificate filed "
                     f"{local(certificate_filed_at, tz).strftime('%Y-%m-%d %H:%M')}, by the end "
                     f"of the first day back {first_day_back.isoformat()}", "certified",
                     leave_type="sick")
    if certificate_filed_at is None and now < deadline:
        return allow("ATT-07", f"{name}'s medical certificate is due by the end of "
                     f"{first_day_back.isoformat()}", "pending", leave_type="sick")
    to_annual = p["sick_converts_to_annual"] and annual_days_left >= sick_days
    new_type = "annual" if to_annual else "personal"
    return allow("ATT-07", f"{name} filed no medical certificate by the end of "
                 f"{first_day_back.isoformat()}: {sick_days} sick day(s) become {new_type} "
                 f"leave ({annual_days_left} annual day(s) left)", "converted",
                 leave_type=new_type, days=sick_days)


def return_from_leave(name: str, leave_type: str, status: str, start_day: date,
                      end_day: date, today: date) -> Decision:
    """ATT-07 -> REC-01: approved leave running today ends yesterday: today is the first day
    back (worked, not leave; a sick certificate is due by its end). Back on the first leave
    day, the leave is withdrawn (outcome ``withdrawn``)."""
    if status != "approved" or not start_day <= today <= end_day:
        return refuse("ATT-07", f"the {leave_type} leave of {name} is not running today",
                      "not_running")
    if today == start_day:
        return allow("ATT-07", f"{name} back on the first day of their {leave_type} leave "
                     f"({today}): the leave is withdrawn", "withdrawn", end_day=None)
    last = today - timedelta(days=1)
    return allow("ATT-07", f"{name} back from {leave_type} leave on {today} (leave ends "
                 f"{last})", "returned", end_day=last.isoformat())


def file_certificate(name: str, leave_type: str, certificate_at: datetime | None,
                     now: datetime) -> Decision:
    """ATT-07: a medical certificate belongs to sick leave (kept when the leave was converted
    after it was filed)."""
    if leave_type != "sick" and certificate_at is None:
        return refuse("ATT-07", f"the leave of {name} is {leave_type} leave, not sick leave",
                      "not_sick_leave")
    return allow("ATT-07", f"{name}'s medical certificate filed", "certificate_filed",
                 at=now.isoformat())


# ---------------------------------------------------------------- ATT-08 swaps

@dataclass(frozen=True)
class SwapRequest:
    """Two people exchange shifts or rest days on ``days`` (换班/换休/调休)."""
    a_id: int
    a_name: str
    b_id: int
    b_name: str
    days: tuple[date, ...]


def approve_swap(approver_id: int, approver_roles: Iterable[str], swap: SwapRequest,
                 now: datetime, blackout_days: Mapping[date, str] | Iterable[date] | None = None,
                 tz: str | None = None) -> Decision:
    """ATT-08: a manager approves a swap before the (first) day; never onto a blackout day.

    The caller re-checks the resulting rosters with ``validate_roster`` (ATT-01).
    """
    if "manager" not in set(approver_roles):
        return refuse("ATT-08", "only a manager approves shift and rest swaps", "forbidden")
    if swap.a_id == swap.b_id:
        return refuse("ATT-08", "a swap takes two different people", "same_person")
    if approver_id in (swap.a_id, swap.b_id):
        return refuse("ATT-08", "a manager may not approve a swap they are part of",
                      "self_approval")
    for d in sorted(swap.days):
        kind = _blackout_kind(d, blackout_days)
        if kind:
            return refuse("ATT-02", f"swap on {d.isoformat()} refused: it is a "
                          f"{kind.replace('_', ' ')}", "blackout_day", day=d.isoformat())
    today, first = business_day(now, tz), min(swap.days)
    if today >= first:
        return refuse("ATT-08", f"swap of {swap.a_name} and {swap.b_name} for "
                      f"{first.isoformat()} must be approved before the day (today is "
                      f"{today.isoformat()})", "too_late")
    return allow("ATT-08", f"swap of {swap.a_name} and {swap.b_name} on "
                 f"{', '.join(d.isoformat() for d in sorted(swap.days))} approved by a manager",
                 "approved", days=[d.isoformat() for d in sorted(swap.days)])


def unapproved_swap_found(reporter_id: int, reporter_roles: Iterable[str], a_id: int,
                          a_name: str, b_id: int, b_name: str,
                          days: date | Iterable[date], today: date | None = None
                          ) -> Consequences:
    """ATT-08: a swap without approval makes both people absent for each day it covered
    (a day that has not come yet cannot be "found": refused ``future_day``)."""
    if not set(reporter_roles) & ISSUER_ROLES:
        return refused("ATT-08", "only a supervisor or manager records an "
                       "unapproved swap", "forbidden")
    if a_id == b_id:
        return refused("ATT-08", "a swap takes two different people", "same_person")
    days = sorted({days} if isinstance(days, date) else set(days))
    if today is not None and days[-1] > today:
        return refused("ATT-08", f"{days[-1].isoformat()} has not come yet: a swap without "
                       "approval is found on or after its day", "future_day")
    span = ", ".join(d.isoformat() for d in days)
    reason = f"unapproved swap of {a_name} and {b_name} on {span}: both absent"
    entries = tuple(LedgerEntry(pid, nm, day, "ATT-08", "unapproved_swap", reason, absent=True,
                                issued_by=reporter_id)
                    for day in days for pid, nm in ((a_id, a_name), (b_id, b_name)))
    return Consequences(allow("ATT-08", reason, "both_absent", absent=True,
                              person_ids=[a_id, b_id], day=days[0].isoformat(),
                              days=[d.isoformat() for d in days]), entries)


def first_day_back(end_day: date, work_days_after: Iterable[date] = ()) -> date:
    """ATT-07: the first rostered work day after leave ending ``end_day`` (the next calendar
    day when nothing is rostered)."""
    later = sorted(d for d in work_days_after if d > end_day)
    return later[0] if later else end_day + timedelta(days=1)


def annual_days_left(entitlement: int, taken: int) -> int:
    """ATT-07: annual leave days a person still has this year (never below 0)."""
    return max(int(entitlement) - int(taken), 0)


