"""Attendance rules (ATT-01..ATT-13): plain data in, Decisions out. No I/O, no clock, no nameko.

Every function takes the current time as ``now`` (aware) where time matters and an optional
``tz`` (the project's zone, default Asia/Shanghai, SYS-04). Roles are plain sets of the
RULEBOOK's role names; ``admin`` is not implied anywhere here (the service decides that).
Fines and the full-attendance bonus are whole yuan (policy values); salaries and deductions are
integer cents, like materials' money.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping, Sequence

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import at, business_day, local

POLICY_DEFAULTS: dict[str, Any] = {
    # ATT-01 schedule
    "work_start": "08:30",
    "work_end": "17:30",
    "rest_weekdays": [0, 1, 2, 3, 4],          # Monday=0 .. Friday=4; Sat/Sun always work
    "max_rest_days_per_week": 1,
    # ATT-04 lateness / early leave
    "grace_minutes": 0,
    "late_fine": 50,
    "early_leave_fine": 50,
    "absent_if_late_over_minutes": 60,
    "absent_if_early_over_minutes": 60,
    # ATT-07 leave
    "leave_notice_days": 1,
    "emergency_cutoff": "07:30",
    "sick_notify_cutoff": "07:30",
    "sick_converts_to_annual": True,
    # ATT-09 absence
    "absences_for_dismissal_review": 3,
    # ATT-10 discipline
    "fine_leaving_post": 200,
    "fine_sleeping_on_duty": 200,
    "fine_premium_rate_calls": 100,
    "fine_items_left_out": 100,
    # ATT-11 lunch
    "lunch_window_start": "11:30",
    "lunch_window_end": "13:00",
    "lunch_minutes": 40,
    "lunch_group": 3,
    # ATT-12 monthly report
    "report_due_day": 30,
    # ATT-13 pay effects
    "pay_effects_enabled": False,
    "full_attendance_bonus": 50,
}
_CLOCK_KEYS = ("work_start", "work_end", "emergency_cutoff", "sick_notify_cutoff",
               "lunch_window_start", "lunch_window_end")

LEAVE_TYPES = ("personal", "annual", "sick", "compensatory")
NOTICE_LEAVE_TYPES = frozenset({"personal", "annual"})   # need notice + handover (ATT-07)
BLACKOUT_KINDS = ("public_holiday", "launch_day", "advertising_day", "mortgage_day")
SLIPS = ("violation", "warning")
ISSUER_ROLES = frozenset({"supervisor", "manager"})      # ATT-03 report, ATT-08/10 issuers
LEDGER_VIEW_ALL_ROLES = frozenset({"supervisor", "manager", "clerk"})

# ATT-10 catalogue: offence -> (words, fine policy key, slip, absent)
OFFENCES: dict[str, tuple[str, str | None, str | None, bool]] = {
    "leaving_post": ("leaving the post without the manager's approval", "fine_leaving_post",
                     "warning", True),
    "sleeping_on_duty": ("sleeping on duty", "fine_sleeping_on_duty", "violation", False),
    "premium_rate_calls": ("premium-rate calls", "fine_premium_rate_calls", None, False),
    "items_left_out": ("tools or customer files left out", "fine_items_left_out",
                       "violation", False),
}


def policy_with_defaults(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The project's policy (SYS-03) over the defaults; unknown keys are a caller bug."""
    values = dict(POLICY_DEFAULTS)
    for key, value in (overrides or {}).items():
        if key not in POLICY_DEFAULTS:
            raise ValueError(f"unknown attendance policy key {key!r}")
        values[key] = value
    for key in _CLOCK_KEYS:
        time.fromisoformat(values[key])  # fail early on a malformed clock time
    if not all(isinstance(d, int) and 0 <= d <= 6 for d in values["rest_weekdays"]):
        raise ValueError("rest_weekdays must be weekday numbers 0 (Mon) .. 6 (Sun)")
    if not 1 <= int(values["report_due_day"]) <= 31:
        raise ValueError("report_due_day must be 1..31")
    return values


# ---------------------------------------------------------------- shared shapes

@dataclass(frozen=True)
class LedgerEntry:
    """One line of the discipline ledger (ATT-10): a fine, a slip, an absent day, or several."""
    person_id: int
    name: str
    day: date
    rule: str
    offence: str
    reason: str
    fine: int = 0                      # whole yuan
    slip: str | None = None            # "violation" (违纪单) / "warning" (警告单) / None
    absent: bool = False               # the day counts as absent (旷工)
    issued_by: int | None = None
    suspended_until_day: date | None = None   # REC-09 suspension mirrored into the ledger

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        if self.suspended_until_day is not None:
            data["suspended_until_day"] = self.suspended_until_day.isoformat()
        return data


@dataclass(frozen=True)
class Consequences:
    """A decision plus the ledger entries it writes (none when refused)."""
    decision: Decision
    entries: tuple[LedgerEntry, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision.allowed


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _clock(moment: datetime, tz: str | None = None) -> str:
    return local(moment, tz).strftime("%H:%M:%S")


def _hhmm(moment: datetime, tz: str | None = None) -> str:
    return local(moment, tz).strftime("%H:%M")


def _dur(seconds: float) -> str:
    """3601 -> '60 min 1 s'; sub-second remainders are kept so 0.5 s late does not read '0 s'."""
    whole = int(seconds)
    frac = round(seconds - whole, 3)
    minutes, secs = divmod(whole, 60)
    sec_text = f"{secs + frac:g} s" if frac else f"{secs} s"
    if minutes and (secs or frac):
        return f"{minutes} min {sec_text}"
    return f"{minutes} min" if minutes else sec_text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _blackout_kind(day: date, blackout: Mapping[date, str] | Iterable[date] | None) -> str | None:
    """Blackout days come as {day: kind} or a plain collection of days."""
    if not blackout:
        return None
    if isinstance(blackout, Mapping):
        return blackout.get(day)
    return "blackout day" if day in set(blackout) else None


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(d) for d in range((end - start).days + 1)]


def _week_start(day: date) -> date:
    return day - timedelta(day.weekday())


def entry_from_decision(decision: Decision, person_id: int, name: str, day: date,
                        issued_by: int | None = None) -> LedgerEntry | None:
    """The ledger line a Decision carries (fine / slip / absent in its data), or None."""
    d = decision.data
    fine, slip, absent = int(d.get("fine", 0)), d.get("slip"), bool(d.get("absent", False))
    if not (fine or slip or absent):
        return None
    return LedgerEntry(person_id, name, day, decision.rule, d.get("offence", decision.outcome),
                       decision.reason, fine, slip, absent, issued_by)


# ---------------------------------------------------------------- ATT-01 / ATT-02 roster

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


def validate_roster(name: str, roster: Mapping[date, str],
                    blackout_days: Mapping[date, str] | Iterable[date] | None = None,
                    policy: Mapping[str, Any] | None = None) -> list[Decision]:
    """ATT-01/ATT-02: one Decision per rostered rest day (the roster is valid iff all allowed).

    ``roster`` maps day -> "work" | "rest". Within a week the earlier rest day keeps its place
    and a later one is the one refused.
    """
    bad = {v for v in roster.values() if v not in ("work", "rest")}
    if bad:
        raise ValueError(f"roster values must be 'work' or 'rest', got {sorted(bad)}")
    decisions, accepted = [], []
    for day in sorted(d for d, kind in roster.items() if kind == "rest"):
        decision = check_rest_day(name, day, accepted, blackout_days, policy)
        if decision.allowed:
            accepted.append(day)
        decisions.append(decision)
    return decisions


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


# ---------------------------------------------------------------- ATT-03 personal punches

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
                       now: datetime, tz: str | None = None) -> Consequences:
    """ATT-03: a supervisor/manager reports a punch made by someone else.

    The punch is voided, the punched-for consultant loses reception eligibility for the rest of
    that business day and may not leave the post, and both people get a violation slip.
    """
    if not set(reporter_roles) & ISSUER_ROLES:
        return Consequences(refuse("ATT-03", "only a supervisor or manager reports a proxy "
                                   "punch", "forbidden"))
    if maker_id == subject_id:
        return Consequences(refuse("ATT-03", f"{subject_name} punched for themself: not a proxy "
                                   "punch", "not_a_proxy"))
    if reporter_id in (maker_id, subject_id):
        return Consequences(refuse("ATT-03", "a proxy punch is reported by someone who is not "
                                   "part of it", "party_to_proxy"))
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
    p = policy_with_defaults(policy)
    day = business_day(clock_in_at, tz)
    start = at(day, p["work_start"], tz)
    grace = timedelta(minutes=p["grace_minutes"])
    limit = timedelta(minutes=p["absent_if_late_over_minutes"])
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
    p = policy_with_defaults(policy)
    day = business_day(clock_out_at, tz)
    end = at(day, p["work_end"], tz)
    grace = timedelta(minutes=p["grace_minutes"])
    limit = timedelta(minutes=p["absent_if_early_over_minutes"])
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


# ---------------------------------------------------------------- ATT-05 missing punches

def annotate_missing_punch(author_id: int, author_roles: Iterable[str], subject_id: int,
                           subject_name: str, note: str) -> Decision:
    """ATT-05: only a manager explains a missing punch, and never on their own record."""
    roles = set(author_roles)
    if author_id == subject_id:
        return refuse("ATT-05", f"{subject_name} may not annotate their own attendance record; "
                      "a manager writes the explanation", "self_annotation")
    if "manager" not in roles:
        return refuse("ATT-05", "only a manager may explain a missing punch", "forbidden")
    if not note or not note.strip():
        return refuse("ATT-05", "the explanation of a missing punch may not be blank", "blank")
    return allow("ATT-05", f"missing punch of {subject_name} explained by a manager",
                 "annotated", note=note.strip())


# ---------------------------------------------------------------- ATT-06 sign-in

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
                  tz: str | None = None) -> Decision:
    """ATT-06: is this sign-in valid? Outcome ``signed_in`` (data ``placed_last``), or refused.

    Refusals: ``proxy_attempt`` (someone else signing in, recorded against the submitter),
    ``already_signed_in``, ``eligibility_revoked`` (ATT-03), ``invalid`` (no clock-in earlier
    today / no uniform: recorded, and the person's later valid sign-in is placed last).
    """
    if submitter_id != subject_id:
        return refuse("ATT-06", f"person {submitter_id} tried to sign in for {name}: nobody signs "
                      "in for someone else", "proxy_attempt", submitter_id=submitter_id,
                      subject_id=subject_id)
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


def sign_in_order(attempts: Iterable[SignInAttempt]) -> list[Decision]:
    """ATT-06: the day's reception order, one Decision per person with a valid sign-in.

    Valid sign-ins go by time; anyone with an invalid attempt before their valid one is placed
    after every correct signer ("视作最后签到"), those among themselves again by time. Equal
    times fall back to clock-in time (the dispute rule), then person id.
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

    decisions = []
    for position, a in enumerate(sorted(first_valid.values(), key=key), 1):
        last = a.person_id in invalid_before
        why = (" after everyone who signed in correctly (earlier invalid sign-in)" if last
               else "")
        decisions.append(allow("ATT-06", f"{a.name} is {_ordinal(position)} in today's order: "
                               f"signed in "
                               f"at {_clock(a.at)}{why}", "placed_last" if last else "placed",
                               person_id=a.person_id, position=position,
                               at=a.at.isoformat(), placed_last=last))
    return decisions


@dataclass(frozen=True)
class Disputant:
    person_id: int
    name: str
    clock_in_at: datetime


def resolve_sign_in_dispute(resolver_id: int, resolver_roles: Iterable[str],
                            disputants: Sequence[Disputant], tz: str | None = None) -> Decision:
    """ATT-06: a supervisor settles a dispute over sign-in order by clock-in times."""
    if "supervisor" not in set(resolver_roles):
        return refuse("ATT-06", "only a supervisor resolves a sign-in order dispute", "forbidden")
    if len(disputants) < 2:
        raise ValueError("a dispute needs at least two consultants")
    if any(d.person_id == resolver_id for d in disputants):
        return refuse("ATT-06", "a supervisor may not resolve a dispute they are part of",
                      "party_to_dispute")
    ordered = sorted(disputants, key=lambda d: (d.clock_in_at, d.person_id))
    text = ", then ".join(f"{d.name} (clock-in {_clock(d.clock_in_at, tz)})" for d in ordered)
    return allow("ATT-06", f"order settled by clock-in times: {text}", "dispute_resolved",
                 order=[d.person_id for d in ordered])


# ---------------------------------------------------------------- ATT-07 leave

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

    Outcomes: ``requested`` / ``emergency`` (allowed); refused ``blackout_day`` (ATT-02),
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
        return refuse("ATT-07", f"{what} filed on {filed_day.isoformat()} after the fact (事后补假): "
                      "invalid, the day is absent", "after_the_fact", absent=True)
    if req.leave_type in NOTICE_LEAVE_TYPES and not req.handover_note.strip():
        return refuse("ATT-07", f"{what} needs a handover note", "no_handover")
    if req.leave_type == "sick":
        cutoff = at(req.start_day, p["sick_notify_cutoff"], tz)
        if req.filed_at >= cutoff:
            return refuse("ATT-07", f"{what} notified at {filed} on the day, not before "
                          f"{_clock(cutoff, tz)}", "late_sick_notice", absent=True)
        return allow("ATT-07", f"{what} notified on {filed_day.isoformat()} {filed}, before "
                     f"{_clock(cutoff, tz)} on the day", "requested")
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
                  policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """ATT-07: a manager (not the applicant) approves a properly filed request in time.

    Approval is allowed up to the end of the first leave day (an emergency is approved that
    morning); compensatory leave must be approved before the day (ATT-08).
    """
    if "manager" not in set(approver_roles):
        return refuse("ATT-07", "only a manager approves leave", "forbidden")
    if approver_id == req.person_id:
        return refuse("ATT-07", f"{req.name} may not approve their own leave", "self_approval")
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
                          a_name: str, b_id: int, b_name: str, day: date) -> Consequences:
    """ATT-08: a swap without approval makes both people absent for the day."""
    if not set(reporter_roles) & ISSUER_ROLES:
        return Consequences(refuse("ATT-08", "only a supervisor or manager records an "
                                   "unapproved swap", "forbidden"))
    reason = f"unapproved swap of {a_name} and {b_name} on {day.isoformat()}: both absent"
    entries = tuple(LedgerEntry(pid, nm, day, "ATT-08", "unapproved_swap", reason, absent=True,
                                issued_by=reporter_id)
                    for pid, nm in ((a_id, a_name), (b_id, b_name)))
    return Consequences(allow("ATT-08", reason, "both_absent", absent=True,
                              person_ids=[a_id, b_id], day=day.isoformat()), entries)


# ---------------------------------------------------------------- ATT-09 absence

def absences_in_month(absent_days: Iterable[date], year: int, month: int) -> int:
    """ATT-09: distinct absent days falling in the month."""
    return len({d for d in absent_days if (d.year, d.month) == (year, month)})


def dismissal_review(name: str, absent_days_in_month: int,
                     policy: Mapping[str, Any] | None = None) -> Decision:
    """ATT-09: N absent days in a month (3, policy) flag the person for dismissal review."""
    p = policy_with_defaults(policy)
    limit = p["absences_for_dismissal_review"]
    if absent_days_in_month >= limit:
        return allow("ATT-09", f"{name} has {absent_days_in_month} absent day(s) this month "
                     f"(review at {limit}): flagged for dismissal review", "dismissal_review",
                     absent_days_in_month=absent_days_in_month, dismissal_review=True)
    return allow("ATT-09", f"{name} has {absent_days_in_month} absent day(s) this month "
                 f"(review at {limit})", "below_limit",
                 absent_days_in_month=absent_days_in_month, dismissal_review=False)


@dataclass(frozen=True)
class DayFacts:
    """What is known about one person's business day when it is closed (ATT-09)."""
    person_id: int
    name: str
    day: date
    rostered_work: bool
    clock_in_at: datetime | None = None      # valid (not voided) punches only
    clock_out_at: datetime | None = None
    leave_type: str | None = None            # approved leave covering the day
    absent_by: str | None = None             # rule that already made the day absent (ATT-04/08/10)


@dataclass(frozen=True)
class DayClose:
    decision: Decision
    status: str                              # rest / leave / present / absent
    entries: tuple[LedgerEntry, ...] = ()
    review: Decision | None = None           # ATT-09 count and dismissal flag when absent

    @property
    def absent(self) -> bool:
        return self.status == "absent"


def close_day(facts: DayFacts, absent_days_this_month: Iterable[date] = (),
              policy: Mapping[str, Any] | None = None) -> DayClose:
    """ATT-09: settle a business day. No valid punch and no approved leave on a rostered work day
    is absent plus a warning slip; a day already absent by another rule is counted (no new slip).
    ``absent_days_this_month`` are the person's other absent days (any month; filtered here).
    """
    f, d = facts, facts.day.isoformat()
    if not f.rostered_work:
        return DayClose(allow("ATT-09", f"{f.name}: {d} is a rest day", "rest"), "rest")
    if f.leave_type:
        return DayClose(allow("ATT-09", f"{f.name}: {d} on approved {f.leave_type} leave",
                              "leave", leave_type=f.leave_type), "leave")
    entries: tuple[LedgerEntry, ...] = ()
    if f.absent_by:
        decision = allow("ATT-09", f"{f.name}: {d} is absent ({f.absent_by})", "absent",
                         absent=True, by=f.absent_by)
    elif f.clock_in_at is None and f.clock_out_at is None:
        reason = (f"{f.name}: rostered work day {d} with no valid punch and no approved leave: "
                  "absent, warning slip")
        decision = allow("ATT-09", reason, "absent", absent=True, slip="warning",
                         offence="absent")
        entries = (LedgerEntry(f.person_id, f.name, f.day, "ATT-09", "absent", reason,
                               slip="warning", absent=True),)
    else:
        missing = [k for k, v in (("clock_in", f.clock_in_at), ("clock_out", f.clock_out_at))
                   if v is None]
        note = f" (missing {' and '.join(missing)} punch, ATT-05)" if missing else ""
        return DayClose(allow("ATT-09", f"{f.name}: present on {d}{note}", "present",
                              missing_punches=missing), "present")
    others = {x for x in absent_days_this_month if x != f.day}
    count = absences_in_month(others | {f.day}, f.day.year, f.day.month)
    return DayClose(decision, "absent", entries, dismissal_review(f.name, count, policy))


# ---------------------------------------------------------------- ATT-10 discipline ledger

def record_offence(offence: str, person_id: int, name: str, day: date, issuer_id: int,
                   issuer_roles: Iterable[str],
                   policy: Mapping[str, Any] | None = None) -> Consequences:
    """ATT-10: book a catalogued offence (fine, slip, absent) issued by a supervisor/manager."""
    if offence not in OFFENCES:
        raise ValueError(f"offence must be one of {', '.join(OFFENCES)}")
    if not set(issuer_roles) & ISSUER_ROLES:
        return Consequences(refuse("ATT-10", "only a supervisor or manager issues fines and "
                                   "slips", "forbidden"))
    if issuer_id == person_id:
        return Consequences(refuse("ATT-10", f"{name} may not book an offence against "
                                   "themself", "self_issue"))
    p = policy_with_defaults(policy)
    words, fine_key, slip, absent = OFFENCES[offence]
    fine = p[fine_key] if fine_key else 0
    parts = (["absent"] if absent else []) + ([f"fine {fine}"] if fine else []) + \
        ([f"{slip} slip"] if slip else [])
    reason = f"{name} on {day.isoformat()}: {words} = {' + '.join(parts)}"
    entry = LedgerEntry(person_id, name, day, "ATT-10", offence, reason, fine, slip, absent,
                        issuer_id)
    return Consequences(allow("ATT-10", reason, offence, fine=fine, slip=slip, absent=absent,
                              offence=offence), (entry,))


def refusal_ledger_entry(event: Mapping[str, Any], name: str = "") -> LedgerEntry:
    """REC-09 -> ATT-10: reception's ``refusal_recorded`` fact as a ledger line.

    The suspension itself is reception's; the ledger carries it with a violation slip
    (disobeying the rotation arrangement, 001 "违反者开具违纪单一张"), no fine.
    """
    kind = event["kind"]
    if kind not in ("refusal", "picking", "excuse"):
        raise ValueError("kind must be refusal, picking or excuse")
    day = date.fromisoformat(str(event["day"]))
    until = date.fromisoformat(str(event["suspended_until_day"]))
    who = name or f"person {event['person_id']}"
    words = {"refusal": "refused to receive on their turn", "picking": "picked customers",
             "excuse": "refused a customer with an excuse"}[kind]
    return LedgerEntry(int(event["person_id"]), who, day, "REC-09", kind,
                       f"{who} {words}: suspended from receiving through {until.isoformat()}, "
                       "violation slip", slip="violation", issued_by=event.get("recorded_by"),
                       suspended_until_day=until)


def may_view_ledger(viewer_id: int, viewer_roles: Iterable[str], subject_id: int) -> Decision:
    """ATT-10: supervisors, managers and the clerk see everyone's entries; others their own."""
    if set(viewer_roles) & LEDGER_VIEW_ALL_ROLES or viewer_id == subject_id:
        return allow("ATT-10", "ledger visible", "visible")
    return refuse("ATT-10", "a consultant sees only their own ledger entries", "forbidden")


def visible_entries(viewer_id: int, viewer_roles: Iterable[str],
                    entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """ATT-10: the ledger lines this viewer may see."""
    roles = set(viewer_roles)
    return [e for e in entries if may_view_ledger(viewer_id, roles, e.person_id).allowed]


# ---------------------------------------------------------------- ATT-11 lunch

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
                    policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """ATT-11: inside the window, when everyone ahead has gone and fewer than 3 are out."""
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
    waiting = [pid for pid in order[:order.index(person_id)] if pid not in gone | out]
    if waiting:
        return refuse("ATT-11", f"{name} must wait: {len(waiting)} consultant(s) ahead in the "
                      "lunch rotation have not gone yet", "not_your_turn", ahead=waiting)
    if len(out) >= p["lunch_group"]:
        return refuse("ATT-11", f"{name} must wait: {len(out)} already at lunch (groups of "
                      f"{p['lunch_group']})", "group_full")
    until = now + timedelta(minutes=p["lunch_minutes"])
    return allow("ATT-11", f"{name} goes to lunch at {_clock(now, tz)}, back by "
                 f"{_clock(until, tz)}", "lunch", back_by=until.isoformat())


def check_lunch_return(name: str, started_at: datetime, returned_at: datetime,
                       policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """ATT-11: back within 40 min (policy) inclusive, else the overstay is recorded."""
    p = policy_with_defaults(policy)
    allowed = timedelta(minutes=p["lunch_minutes"])
    took = (returned_at - started_at).total_seconds()
    if returned_at - started_at <= allowed:
        return allow("ATT-11", f"{name} back from lunch at {_clock(returned_at, tz)} after "
                     f"{_dur(took)} (allowed {p['lunch_minutes']} min)", "back_on_time",
                     overstay_seconds=0)
    over = took - allowed.total_seconds()
    return allow("ATT-11", f"{name} back from lunch at {_clock(returned_at, tz)} after "
                 f"{_dur(took)}: overstay of {_dur(over)} (allowed {p['lunch_minutes']} min)",
                 "overstay", overstay_seconds=over)


def overdue_lunches(at_lunch: Iterable[tuple[int, str, datetime]], now: datetime,
                    policy: Mapping[str, Any] | None = None,
                    tz: str | None = None) -> list[Decision]:
    """ATT-11: those still at lunch past their 40 min, as overstay Decisions."""
    p = policy_with_defaults(policy)
    allowed = timedelta(minutes=p["lunch_minutes"])
    out = []
    for person_id, name, started in at_lunch:
        if now - started > allowed:
            over = (now - started - allowed).total_seconds()
            out.append(allow("ATT-11", f"{name} at lunch since {_clock(started, tz)}: "
                             f"{_dur(over)} over {p['lunch_minutes']} min", "overstay",
                             person_id=person_id, overstay_seconds=over))
    return out


# ---------------------------------------------------------------- ATT-12 monthly report

@dataclass(frozen=True)
class AttendanceDay:
    """One closed business day of one person, as stored (input to the report)."""
    person_id: int
    name: str
    day: date
    status: str                 # rest / leave / present / absent (DayClose.status)
    late: bool = False
    early_leave: bool = False
    leave_type: str | None = None


@dataclass(frozen=True)
class ReportRow:
    year: int
    month: int
    person_id: int
    name: str
    work_days: int = 0          # rostered work days (present + leave + absent)
    days_present: int = 0
    late: int = 0
    early_leave: int = 0
    absent_days: int = 0
    leave_days: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEAVE_TYPES, 0))
    fines: int = 0              # whole yuan, from the ledger
    violation_slips: int = 0
    warning_slips: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


REPORT_COLUMNS = (["year", "month", "person_id", "name", "work_days", "days_present", "late",
                   "early_leave", "absent_days"] + [f"leave_{t}" for t in LEAVE_TYPES]
                  + ["fines", "violation_slips", "warning_slips"])


def monthly_report(year: int, month: int, days: Iterable[AttendanceDay],
                   entries: Iterable[LedgerEntry] = ()) -> list[ReportRow]:
    """ATT-12: per-person monthly figures from closed days and ledger lines, ordered by name.

    Absent days counted once per day, whether from the day's status or a ledger line.
    """
    def in_month(d: date) -> bool:
        return (d.year, d.month) == (year, month)

    people: dict[int, dict[str, Any]] = {}
    absent: dict[int, set[date]] = {}

    def row(pid: int, name: str) -> dict[str, Any]:
        return people.setdefault(pid, {"person_id": pid, "name": name, "work_days": 0,
                                       "days_present": 0, "late": 0, "early_leave": 0,
                                       "leave_days": dict.fromkeys(LEAVE_TYPES, 0), "fines": 0,
                                       "violation_slips": 0, "warning_slips": 0})

    for d in days:
        if not in_month(d.day):
            continue
        r = row(d.person_id, d.name)
        if d.status == "rest":
            continue
        r["work_days"] += 1
        r["late"] += d.late
        r["early_leave"] += d.early_leave
        if d.status == "present":
            r["days_present"] += 1
        elif d.status == "leave":
            r["leave_days"][d.leave_type or "personal"] += 1
        elif d.status == "absent":
            absent.setdefault(d.person_id, set()).add(d.day)
    for e in entries:
        if not in_month(e.day):
            continue
        r = row(e.person_id, e.name)
        r["fines"] += e.fine
        r["violation_slips"] += e.slip == "violation"
        r["warning_slips"] += e.slip == "warning"
        if e.absent:
            absent.setdefault(e.person_id, set()).add(e.day)
    rows = [ReportRow(year, month, absent_days=len(absent.get(pid, ())), **r)
            for pid, r in people.items()]
    return sorted(rows, key=lambda r: (r.name, r.person_id))


def report_csv_rows(rows: Iterable[ReportRow]) -> list[list[str]]:
    """ATT-12: header + one line per person, ready for ``csv.writer`` (no I/O here)."""
    out = [list(REPORT_COLUMNS)]
    for r in rows:
        out.append([str(x) for x in (r.year, r.month, r.person_id, r.name, r.work_days,
                                     r.days_present, r.late, r.early_leave, r.absent_days,
                                     *(r.leave_days.get(t, 0) for t in LEAVE_TYPES),
                                     r.fines, r.violation_slips, r.warning_slips)])
    return out


def report_deadline(year: int, month: int, policy: Mapping[str, Any] | None = None,
                    tz: str | None = None) -> datetime:
    """ATT-12: the instant the month's report is late: 00:00 of the due day (30th), or of the
    next month's 1st when the month is shorter (February)."""
    p = policy_with_defaults(policy)
    next_first = date(year + month // 12, month % 12 + 1, 1)
    days_in_month = (next_first - date(year, month, 1)).days
    due = int(p["report_due_day"])
    day = date(year, month, due) if due <= days_in_month else next_first
    return at(day, "00:00", tz)


def check_report_submission(submitter_roles: Iterable[str], year: int, month: int,
                            now: datetime, policy: Mapping[str, Any] | None = None,
                            tz: str | None = None) -> Decision:
    """ATT-12: the clerk submits the month's report before the 30th; late is accepted and marked."""
    if "clerk" not in set(submitter_roles):
        return refuse("ATT-12", "only the clerk submits the monthly attendance report",
                      "forbidden")
    if business_day(now, tz) < date(year, month, 1):
        return refuse("ATT-12", f"the report for {year}-{month:02d} cannot be submitted before "
                      "the month starts", "too_early")
    deadline = report_deadline(year, month, policy, tz)
    when = local(now, tz).strftime("%Y-%m-%d %H:%M")
    due = f"due before {deadline.date().isoformat()} 00:00"
    if now < deadline:
        return allow("ATT-12", f"report for {year}-{month:02d} submitted {when}, {due}",
                     "on_time", due_at=deadline.isoformat())
    return allow("ATT-12", f"report for {year}-{month:02d} submitted {when}: late, {due}",
                 "late", due_at=deadline.isoformat())


# ---------------------------------------------------------------- ATT-13 pay effects

def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def absence_deduction(name: str, monthly_salary_cents: int, month_work_days: int,
                      absent_days: int, policy: Mapping[str, Any] | None = None) -> Decision:
    """ATT-13: salary ÷ the month's work days × absent days, to the cent (half up)."""
    p = policy_with_defaults(policy)
    if not p["pay_effects_enabled"]:
        return allow("ATT-13", "pay effects are off for this project", "disabled",
                     amount_cents=0)
    if month_work_days <= 0:
        raise ValueError("month_work_days must be positive")
    amount = _cents(Decimal(monthly_salary_cents) / month_work_days * absent_days)
    return allow("ATT-13", f"{name}: {monthly_salary_cents / 100:.2f} ÷ {month_work_days} work "
                 f"days × {absent_days} absent day(s) = {amount / 100:.2f} deducted",
                 "deduction", amount_cents=amount, absent_days=absent_days)


def full_attendance_bonus(name: str, year: int, quarter: int, rows: Iterable[ReportRow],
                          policy: Mapping[str, Any] | None = None) -> Decision:
    """ATT-13: 50 (policy) per month, paid per quarter; any leave, lateness, early leave or
    absence in the quarter loses all of it. ``rows`` are the person's monthly report rows."""
    p = policy_with_defaults(policy)
    if not 1 <= quarter <= 4:
        raise ValueError("quarter must be 1..4")
    if not p["pay_effects_enabled"]:
        return allow("ATT-13", "pay effects are off for this project", "disabled", amount=0)
    months = range(3 * quarter - 2, 3 * quarter + 1)
    rows = [r for r in rows if r.year == year and r.month in months]
    label = f"{year} Q{quarter}"
    faults = []
    for r in sorted(rows, key=lambda r: r.month):
        leave = sum(r.leave_days.values())
        for count, words in ((leave, "leave day(s)"), (r.late, "late"),
                             (r.early_leave, "early leave"), (r.absent_days, "absent day(s)")):
            if count:
                faults.append(f"{count} {words} in {year}-{r.month:02d}")
    if faults:
        return allow("ATT-13", f"{name} loses the full-attendance bonus for {label}: "
                     f"{'; '.join(faults)}", "lost", amount=0)
    amount = p["full_attendance_bonus"] * len(rows)
    return allow("ATT-13", f"{name} earns the full-attendance bonus for {label}: "
                 f"{p['full_attendance_bonus']} × {len(rows)} month(s) = {amount}", "paid",
                 amount=amount, months=len(rows))
