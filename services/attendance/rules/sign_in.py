"""ATT-06 uniform, sign-in and the day's reception order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import business_day

from .base import _clock, _hhmm, _ordinal


def attest_uniform(attester_id: int, attester_roles: Iterable[str], subject_id: int,
                   subject_name: str, now: datetime, tz: str | None = None) -> Decision:
    """ATT-06: a supervisor attests that a consultant is in uniform (not their own)."""
    if "supervisor" not in set(attester_roles):
        return refuse("ATT-06", "only a supervisor attests uniform", "forbidden")
    if attester_id == subject_id:
        return refuse("ATT-06", f"{subject_name} cannot attest their own uniform", "self_attest")
    return allow("ATT-06", f"{subject_name} in uniform at {_clock(now, tz)}", "uniform_attested",
                 at=now.isoformat())


def check_sign_in(submitter_id: int, subject_id: int, name: str, now: datetime,
                  clock_in_at: datetime | None = None, uniform_attested: bool = False,
                  invalid_earlier_today: bool = False, already_signed_in: bool = False,
                  eligibility_revoked_until: datetime | None = None,
                  tz: str | None = None, consultant: bool = True) -> Decision:
    """ATT-06: is this sign-in valid? Outcome ``signed_in`` (data ``placed_last``), or refused.

    Refusals: ``proxy_attempt`` (someone else signing in, recorded against the submitter),
    ``already_signed_in``, ``eligibility_revoked`` (ATT-03), ``invalid`` (no clock-in earlier
    today / no uniform: recorded, and the person's later valid sign-in is placed last).
    """
    if submitter_id != subject_id:
        return refuse("ATT-06", f"person {submitter_id} tried to sign in for {name}: nobody signs "
                      "in for someone else", "proxy_attempt", submitter_id=submitter_id,
                      subject_id=subject_id)
    if not consultant:
        return refuse("ATT-06", f"{name} is not a consultant: the sign-in order is the "
                      "consultants' reception order", "not_a_consultant")
    if already_signed_in:
        return refuse("ATT-06", f"{name} has already signed in today", "already_signed_in")
    if eligibility_revoked_until is not None and now < eligibility_revoked_until:
        return refuse("ATT-03", f"{name} lost reception eligibility until "
                      f"{_hhmm(eligibility_revoked_until, tz)} (proxy punch)",
                      "eligibility_revoked")
    today = business_day(now, tz)
    if clock_in_at is None or business_day(clock_in_at, tz) != today or clock_in_at > now:
        return refuse("ATT-06", f"{name} signed in at {_clock(now, tz)} without clocking in first "
                      "today: sign-in invalid, a later sign-in is placed last", "invalid",
                      why="no_clock_in", at=now.isoformat())
    if not uniform_attested:
        return refuse("ATT-06", f"{name} signed in at {_clock(now, tz)} without uniform attested "
                      "by a supervisor: sign-in invalid, a later sign-in is placed last",
                      "invalid", why="no_uniform", at=now.isoformat())
    placed = (" (placed after everyone who signed in correctly: earlier invalid sign-in)"
              if invalid_earlier_today else "")
    return allow("ATT-06", f"{name} signed in at {_clock(now, tz)} after clocking in at "
                 f"{_clock(clock_in_at, tz)}{placed}", "signed_in", at=now.isoformat(),
                 clock_in_at=clock_in_at.isoformat(), placed_last=invalid_earlier_today)


@dataclass(frozen=True)
class SignInAttempt:
    """One sign-in attempt of the day, valid or not (ATT-06)."""
    person_id: int
    name: str
    at: datetime
    valid: bool
    clock_in_at: datetime | None = None


@dataclass(frozen=True)
class Resolution:
    """ATT-06: a stored dispute resolution: the disputants in their settled order."""
    dispute_id: int
    order: tuple[int, ...]


def apply_resolutions(order: Sequence[int], resolutions: Iterable[Resolution] = ()
                      ) -> tuple[list[int], dict[int, int]]:
    """ATT-06: the day's order after each resolution (oldest first) puts its disputants, in
    their settled order, on the places they held; everyone else keeps their place. Returns
    (the order, person id -> the dispute that placed them)."""
    current, settled_by = list(order), {}
    for r in resolutions:
        held = sorted(current.index(pid) for pid in r.order if pid in current)
        movers = [pid for pid in r.order if pid in current]
        for place, pid in zip(held, movers):
            current[place] = pid
            settled_by[pid] = r.dispute_id
    return current, settled_by


def sign_in_order(attempts: Iterable[SignInAttempt],
                  resolutions: Iterable[Resolution] = ()) -> list[Decision]:
    """ATT-06: the day's reception order, one Decision per person with a valid sign-in.

    Valid sign-ins go by time; anyone with an invalid attempt before their valid one is placed
    after every correct signer ("视作最后签到"), those among themselves again by time. Equal
    times fall back to clock-in time (the dispute rule), then person id. A supervisor's
    resolved dispute then reorders its disputants by clock-in time (``apply_resolutions``).
    """
    attempts = sorted(attempts, key=lambda a: a.at)
    first_valid: dict[int, SignInAttempt] = {}
    invalid_before: set[int] = set()
    for a in attempts:
        if a.person_id in first_valid:
            continue  # anything after the first valid sign-in changes nothing
        if a.valid:
            first_valid[a.person_id] = a
        else:
            invalid_before.add(a.person_id)

    def key(a: SignInAttempt):
        clock_in = a.clock_in_at or a.at
        return (a.person_id in invalid_before, a.at, clock_in, a.person_id)

    base = [a.person_id for a in sorted(first_valid.values(), key=key)]
    ids, settled_by = apply_resolutions(base, resolutions)
    decisions = []
    for position, pid in enumerate(ids, 1):
        a = first_valid[pid]
        last = pid in invalid_before
        why = (" after everyone who signed in correctly (earlier invalid sign-in)" if last
               else "")
        if pid in settled_by:
            why += f"; place settled by clock-in time (dispute #{settled_by[pid]})"
        decisions.append(allow("ATT-06", f"{a.name} is {_ordinal(position)} in today's order: "
                               f"signed in "
                               f"at {_clock(a.at)}{why}", "placed_last" if last else "placed",
                               person_id=pid, position=position,
                               at=a.at.isoformat(), placed_last=last,
                               dispute_id=settled_by.get(pid)))
    return decisions


@dataclass(frozen=True)
class Disputant:
    person_id: int
    name: str
    clock_in_at: datetime | None       # None: no clock-in that day
    signed_in: bool = True             # a valid sign-in that day (in the order at all)
    placed_last: bool = False          # after an invalid sign-in ("视作最后签到")


def resolve_sign_in_dispute(resolver_id: int, resolver_roles: Iterable[str],
                            disputants: Sequence[Disputant], tz: str | None = None) -> Decision:
    """ATT-06: a supervisor settles a dispute over sign-in order by clock-in times (every
    disputant must have clocked in and signed in validly that day). Someone placed last for an
    invalid sign-in stays after those who signed in correctly: that placement is the rule's
    own, not a matter of dispute."""
    if "supervisor" not in set(resolver_roles):
        return refuse("ATT-06", "only a supervisor resolves a sign-in order dispute", "forbidden")
    if len({d.person_id for d in disputants}) < 2:
        return refuse("ATT-06", "a dispute needs at least two different consultants",
                      "too_few")
    if any(d.person_id == resolver_id for d in disputants):
        return refuse("ATT-06", "a supervisor may not resolve a dispute they are part of",
                      "party_to_dispute")
    missing = [d.name for d in disputants if d.clock_in_at is None]
    if missing:
        return refuse("ATT-06", f"{missing[0]} has no clock-in that day", "no_clock_in")
    unsigned = [d.name for d in disputants if not d.signed_in]
    if unsigned:
        return refuse("ATT-06", f"{unsigned[0]} has no valid sign-in that day: not in the "
                      "order", "not_signed_in")
    ordered = sorted(disputants, key=lambda d: (d.placed_last, d.clock_in_at, d.person_id))
    text = ", then ".join(f"{d.name} (clock-in {_clock(d.clock_in_at, tz)}"
                          f"{', placed last' if d.placed_last else ''})" for d in ordered)
    return allow("ATT-06", f"order settled by clock-in times: {text}", "dispute_resolved",
                 order=[d.person_id for d in ordered])


def may_settle_dispute_on(day: date, today: date) -> Decision:
    """ATT-06: a dispute is about an order that exists: today's or an earlier day's (a later
    day has no sign-ins yet)."""
    if day > today:
        return refuse("ATT-06", f"{day.isoformat()} has not come yet (today is "
                      f"{today.isoformat()}): no sign-in order to dispute", "future_day")
    return allow("ATT-06", f"the order of {day.isoformat()} may be settled", "may_settle")
