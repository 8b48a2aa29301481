"""ATT-11 lunch in rotation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import at, business_day

from .base import _clock, _dur, _hhmm, policy_with_defaults


@dataclass(frozen=True)
class LunchCandidate:
    person_id: int
    name: str
    last_finished_at: datetime | None = None   # end of their latest reception today


def lunch_order(candidates: Iterable[LunchCandidate], day: date,
                policy: Mapping[str, Any] | None = None, tz: str | None = None) -> list[Decision]:
    """ATT-11: lunch groups of 3 (policy) by most recent finished reception; planned starts every
    40 min from 11:30. A group planned to start at or after the window end is not allowed.
    Nobody-received-yet goes last (they are the likeliest next takers)."""
    p = policy_with_defaults(policy)
    window_start = at(day, p["lunch_window_start"], tz)
    window_end = at(day, p["lunch_window_end"], tz)
    ordered = sorted(candidates, key=lambda c: (
        c.last_finished_at is None,
        -c.last_finished_at.timestamp() if c.last_finished_at else 0.0,
        c.person_id))
    decisions = []
    for i, c in enumerate(ordered):
        group = i // p["lunch_group"] + 1
        start = window_start + timedelta(minutes=p["lunch_minutes"] * (group - 1))
        finished = (f"finished a reception at {_hhmm(c.last_finished_at, tz)}"
                    if c.last_finished_at else "no reception finished yet")
        inside = start < window_end
        text = (f"{c.name} ({finished}) lunches in group {group} from {_hhmm(start, tz)}"
                if inside else f"{c.name} ({finished}) falls in group {group} at "
                f"{_hhmm(start, tz)}, outside the lunch window ending {_hhmm(window_end, tz)}")
        maker = allow if inside else refuse
        decisions.append(maker("ATT-11", text, "scheduled" if inside else "outside_window",
                               person_id=c.person_id, position=i + 1, group=group,
                               planned_start=start.isoformat()))
    return decisions


def may_go_to_lunch(person_id: int, name: str, order: Sequence[int], gone: Iterable[int],
                    at_lunch_now: Iterable[int], now: datetime,
                    policy: Mapping[str, Any] | None = None, tz: str | None = None,
                    slots_taken: Iterable[int] = ()) -> Decision:
    """ATT-11: inside the window, while fewer than the group (3, policy) are out, for the
    first of the rotation not yet gone: with N places free, the first N waiting may go (the
    three who most recently finished go first, together). The allowed decision names the
    lunch ``slot`` (1..group, the lowest free: the database keeps one person per slot while
    out) and ``due_back_at``."""
    p = policy_with_defaults(policy)
    day = business_day(now, tz)
    start, end = at(day, p["lunch_window_start"], tz), at(day, p["lunch_window_end"], tz)
    if not start <= now < end:
        return refuse("ATT-11", f"{name} cannot start lunch at {_clock(now, tz)}: lunch starts "
                      f"within {_hhmm(start, tz)}-{_hhmm(end, tz)}", "outside_window")
    if person_id not in order:
        return refuse("ATT-11", f"{name} is not in today's lunch rotation", "not_in_rotation")
    gone, out = set(gone), set(at_lunch_now)
    if person_id in gone or person_id in out:
        return refuse("ATT-11", f"{name} has already taken lunch today", "already_lunched")
    taken = set(slots_taken)
    free = [s for s in range(1, p["lunch_group"] + 1) if s not in taken]
    places = p["lunch_group"] - len(out)
    if places <= 0 or not free:
        return refuse("ATT-11", f"{name} must wait: {len(out)} already at lunch (groups of "
                      f"{p['lunch_group']})", "group_full")
    waiting = [pid for pid in order[:order.index(person_id)] if pid not in gone | out]
    if len(waiting) >= places:
        return refuse("ATT-11", f"{name} must wait: {len(waiting)} consultant(s) ahead in the "
                      f"lunch rotation have not gone yet ({places} place(s) free)",
                      "not_your_turn", ahead=waiting)
    until = now + timedelta(minutes=p["lunch_minutes"])
    return allow("ATT-11", f"{name} goes to lunch at {_clock(now, tz)}, back by "
                 f"{_clock(until, tz)}", "lunch", back_by=until.isoformat(),
                 due_back_at=until.isoformat(), slot=free[0], free_slots=free)


def overstay_minutes(overstay_seconds: float) -> int:
    """ATT-11: an overstay in whole minutes, any part of a minute counting as one."""
    return int(-(-overstay_seconds // 60)) if overstay_seconds > 0 else 0


def check_lunch_return(name: str, started_at: datetime, returned_at: datetime,
                       policy: Mapping[str, Any] | None = None, tz: str | None = None,
                       due_back_at: datetime | None = None) -> Decision:
    """ATT-11: back by ``due_back_at`` (start + 40 min, policy, as stored when lunch began)
    inclusive, else the overstay is recorded."""
    p = policy_with_defaults(policy)
    due = due_back_at or started_at + timedelta(minutes=p["lunch_minutes"])
    allowed_min = round((due - started_at).total_seconds() / 60)
    took = (returned_at - started_at).total_seconds()
    if returned_at <= due:
        return allow("ATT-11", f"{name} back from lunch at {_clock(returned_at, tz)} after "
                     f"{_dur(took)} (allowed {allowed_min} min)", "back_on_time",
                     overstay_seconds=0, overstay_minutes=0)
    over = (returned_at - due).total_seconds()
    return allow("ATT-11", f"{name} back from lunch at {_clock(returned_at, tz)} after "
                 f"{_dur(took)}: overstay of {_dur(over)} (allowed {allowed_min} min)",
                 "overstay", overstay_seconds=over, overstay_minutes=overstay_minutes(over))


def end_lunch(name: str, started_at: datetime | None, already_back: bool, now: datetime,
              policy: Mapping[str, Any] | None = None, tz: str | None = None,
              due_back_at: datetime | None = None) -> Decision:
    """ATT-11: only someone at lunch comes back from it (then ``check_lunch_return``)."""
    if started_at is None or already_back:
        return refuse("ATT-11", f"{name} is not at lunch", "not_at_lunch")
    return check_lunch_return(name, started_at, now, policy, tz, due_back_at)


def lunch_overdue(name: str, due_back_at: datetime, now: datetime,
                  tz: str | None = None) -> Decision:
    """ATT-11: someone still out after ``due_back_at`` has overstayed; recorded once by the
    clock (the return records the final length)."""
    if now <= due_back_at:
        return refuse("ATT-11", f"{name} is due back at {_clock(due_back_at, tz)}", "not_due")
    over = (now - due_back_at).total_seconds()
    return allow("ATT-11", f"{name} was due back from lunch at {_clock(due_back_at, tz)} and "
                 f"is not back at {_clock(now, tz)}: overstay recorded", "overstay",
                 overstay_seconds=over, overstay_minutes=overstay_minutes(over),
                 due_back_at=due_back_at.isoformat())


def with_slot(decision: Decision, slot: int) -> Decision:
    """The lunch decision with the slot the database gave (another instance may have taken
    the first free one a moment earlier)."""
    if decision.data.get("slot") == slot:
        return decision
    return allow(decision.rule, decision.reason, decision.outcome,
                 **{**decision.data, "slot": slot})


def lunch_closed_by_day_close(name: str, day: date) -> Decision:
    """ATT-11 with the day close (issue 13): a lunch nobody ended is ended when its business
    day closes, so its slot is free and nothing of the day stays open; an overstay already
    recorded stands, none is added (nobody saw when they came back)."""
    return allow("ATT-11", f"{name}'s lunch on {day} was never ended: ended by the day close",
                 outcome="closed_by_day_close", day=day.isoformat())
