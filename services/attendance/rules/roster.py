"""ATT-01 roster and ATT-02 blackout days."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from services.common.decision import Decision, allow, refuse

from .base import BLACKOUT_KINDS, WEEKDAYS, _blackout_kind, _days, _week_start, policy_with_defaults

MAX_ROSTER_DAYS = 62


def check_rest_day(name: str, day: date, other_rest_days: Iterable[date] = (),
                   blackout_days: Mapping[date, str] | Iterable[date] | None = None,
                   policy: Mapping[str, Any] | None = None) -> Decision:
    """ATT-01/ATT-02: may ``day`` be a rest day, given the person's other rest days?"""
    p = policy_with_defaults(policy)
    weekday = WEEKDAYS[day.weekday()]
    if day.weekday() not in p["rest_weekdays"]:
        allowed = ", ".join(WEEKDAYS[d] for d in sorted(p["rest_weekdays"]))
        return refuse("ATT-01", f"{name} cannot rest on {weekday} {day.isoformat()}: rest days "
                      f"may only fall on {allowed}", "not_a_rest_weekday", day=day.isoformat())
    kind = _blackout_kind(day, blackout_days)
    if kind:
        return refuse("ATT-02", f"{day.isoformat()} is a {kind.replace('_', ' ')}: everybody "
                      f"works, no rest day for {name}", "blackout_day", day=day.isoformat())
    week = _week_start(day)
    same_week = sorted({d for d in other_rest_days if d != day and _week_start(d) == week})
    if len(same_week) >= p["max_rest_days_per_week"]:
        return refuse("ATT-01", f"{name} already rests on "
                      f"{', '.join(d.isoformat() for d in same_week)} in the week of "
                      f"{week.isoformat()}: at most {p['max_rest_days_per_week']} rest day(s) "
                      f"per week", "too_many_rest_days", day=day.isoformat())
    return allow("ATT-01", f"{name} may rest on {weekday} {day.isoformat()}", "rest_day",
                 day=day.isoformat())




@dataclass(frozen=True)
class RosterPlan:
    """ATT-01: the days to store (day -> "work" | "rest") and one decision per rest day; or
    the refusal (``decision``) when the roster breaks a rule."""
    decision: Decision
    days: dict[date, str] = field(default_factory=dict)
    rest_decisions: tuple[Decision, ...] = ()


def plan_roster(name: str, start: date, end: date, rest: Iterable[date],
                rest_nearby: Iterable[date] = (),
                blackout_days: Mapping[date, str] | Iterable[date] | None = None,
                policy: Mapping[str, Any] | None = None) -> RosterPlan:
    """ATT-01/ATT-02: every day from ``start`` to ``end`` works except the ``rest`` days, each
    checked against the others (earlier first) and ``rest_nearby`` (rest days already rostered
    just outside the range, which count for their week). Outcomes when refused: ``bad_range``,
    ``rest_outside_range`` or the rest day's own refusal."""
    if end < start or (end - start).days >= MAX_ROSTER_DAYS:
        return RosterPlan(refuse("ATT-01", f"end must be on or after start, at most "
                                 f"{MAX_ROSTER_DAYS} days", "bad_range"))
    rest = sorted(set(rest))
    stray = [d for d in rest if not start <= d <= end]
    if stray:
        return RosterPlan(refuse("ATT-01", f"rest day {stray[0]} is outside {start}..{end}",
                                 "rest_outside_range"))
    days = _days(start, end)
    outside = sorted(set(rest_nearby) - set(days))
    accepted, decisions = [], []
    for day in rest:
        d = check_rest_day(name, day, accepted + outside, blackout_days, policy)
        if not d.allowed:
            return RosterPlan(d)
        accepted.append(day)
        decisions.append(d)
    return RosterPlan(allow("ATT-01", f"{name} rostered {start}..{end} with "
                            f"{len(accepted)} rest day(s)", "rostered"),
                      {d: "rest" if d in accepted else "work" for d in days}, tuple(decisions))


def declare_blackout(day: date, kind: str, declarer_roles: Iterable[str],
                     resting: Iterable[str] = (), on_leave: Iterable[str] = ()) -> Decision:
    """ATT-02: a manager declares a blackout day; rest and leave already on it must be moved."""
    if kind not in BLACKOUT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(BLACKOUT_KINDS)}")
    if "manager" not in set(declarer_roles):
        return refuse("ATT-02", "only a manager declares blackout days", "forbidden")
    resting, on_leave = sorted(resting), sorted(on_leave)
    tail = ""
    if resting or on_leave:
        tail = "; to re-roster: " + ", ".join(resting + on_leave)
    return allow("ATT-02", f"{day.isoformat()} declared a {kind.replace('_', ' ')}: everybody "
                 f"works{tail}", "blackout_declared", day=day.isoformat(), kind=kind,
                 rest_cancelled=resting, leave_conflicts=on_leave)


