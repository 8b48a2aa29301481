"""What every attendance rule shares: the policy (SYS-03), the catalogues, the ledger line and
the small formatting helpers. Pure: plain data and the time in, Decisions out."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping

from services.common.decision import Decision, allow, refuse
from services.common.policyspec import Key, PolicySpec, at_least, between, clock_time
from services.common.timeutil import at, business_day, local

from ..constants import BLACKOUT_KINDS, LEAVE_TYPES, OFFENCES  # noqa: F401 (re-exported)


def _weekdays(values):
    if all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in values):
        return None
    return "must be weekday numbers 0 (Monday) .. 6 (Sunday)"


def _in_order(values):
    """Across keys: a window must open before it closes."""
    for start, end in (("work_start", "work_end"), ("lunch_window_start", "lunch_window_end")):
        if time.fromisoformat(values[start]) >= time.fromisoformat(values[end]):
            return end, f"must be after {start} ({values[start]}), got {values[end]}"
    return None


POLICY = PolicySpec("attendance", {
    "work_start": Key("08:30", "ATT-04", "start of the working day; later is late",
                      clock_time),
    "work_end": Key("17:30", "ATT-04", "end of the working day; earlier is an early leave",
                    clock_time),
    "rest_weekdays": Key([0, 1, 2, 3, 4], "ATT-01", "weekdays a rest day may fall on "
                         "(0 = Monday); Saturday and Sunday are work days", _weekdays),
    "max_rest_days_per_week": Key(1, "ATT-01", "rest days per Monday-Sunday week",
                                  at_least(0)),
    "grace_minutes": Key(0, "ATT-04", "minutes after the start still on time (seeds: 0, 5, 15)",
                         at_least(0)),
    "late_fine": Key(50, "ATT-04", "fine for a late clock-in (yuan)", at_least(0)),
    "early_leave_fine": Key(50, "ATT-04", "fine for an early leave (yuan)", at_least(0)),
    "absent_if_late_over_minutes": Key(60, "ATT-04", "later than this counts as an absent day",
                                       at_least(0)),
    "absent_if_early_over_minutes": Key(60, "ATT-04", "leaving earlier than this counts as an "
                                        "absent day", at_least(0)),
    "leave_notice_days": Key(1, "ATT-07", "days ahead personal and annual leave are requested",
                             at_least(0)),
    "emergency_cutoff": Key("07:30", "ATT-07", "an emergency leave for today is filed before "
                            "this", clock_time),
    "sick_notify_cutoff": Key("07:30", "ATT-07", "sick leave is notified before this on the day",
                              clock_time),
    "sick_converts_to_annual": Key(True, "ATT-07", "sick leave without a certificate becomes "
                                   "annual leave when annual days are left (else personal)"),
    "absences_for_dismissal_review": Key(3, "ATT-09", "absent days in a month that flag a "
                                         "dismissal review", at_least(1)),
    "fine_leaving_post": Key(200, "ATT-10", "fine for leaving the post (yuan)", at_least(0)),
    "fine_sleeping_on_duty": Key(200, "ATT-10", "fine for sleeping on duty (yuan)",
                                 at_least(0)),
    "fine_premium_rate_calls": Key(100, "ATT-10", "fine for premium-rate calls (yuan)",
                                   at_least(0)),
    "fine_items_left_out": Key(100, "ATT-10", "fine for tools or customer files left out "
                               "(yuan)", at_least(0)),
    "lunch_window_start": Key("11:30", "ATT-11", "first lunch starts", clock_time),
    "lunch_window_end": Key("13:00", "ATT-11", "no lunch starts from this time", clock_time),
    "lunch_minutes": Key(40, "ATT-11", "length of a lunch break", at_least(1)),
    "lunch_group": Key(3, "ATT-11", "consultants at lunch at once", at_least(1)),
    "report_due_day": Key(30, "ATT-12", "the monthly report is due before this day of the month",
                          between(1, 31)),
    "pay_effects_enabled": Key(False, "ATT-13", "apply the optional pay effects"),
    "full_attendance_bonus": Key(50, "ATT-13", "full-attendance bonus per month (yuan)",
                                 at_least(0)),
}, across=_in_order)

POLICY_DEFAULTS = POLICY.defaults
policy_with_defaults = POLICY.with_defaults

NOTICE_LEAVE_TYPES = frozenset({"personal", "annual"})   # need notice + handover (ATT-07)
SLIPS = ("violation", "warning")
ISSUER_ROLES = frozenset({"supervisor", "manager"})      # ATT-03 report, ATT-08/10 issuers
LEDGER_VIEW_ALL_ROLES = frozenset({"supervisor", "manager", "clerk"})

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


def refused(rule: str, reason: str, outcome: str = "refused") -> Consequences:
    """A refusal with no ledger lines."""
    return Consequences(refuse(rule, reason, outcome))


def shift_edge(moment: datetime, key: str, limit_key: str, policy: Mapping[str, Any] | None,
               tz: str | None):
    """ATT-04: (policy, the day's start or end time ``key``, grace, absent limit ``limit_key``)."""
    p = policy_with_defaults(policy)
    edge = at(business_day(moment, tz), p[key], tz)
    return p, edge, timedelta(minutes=p["grace_minutes"]), timedelta(minutes=p[limit_key])


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



def entry_decision(entry: LedgerEntry) -> Decision:
    """SYS-01: the record a ledger line is stored with (its rule, reason and figures)."""
    return allow(entry.rule, entry.reason, entry.offence, fine=entry.fine, slip=entry.slip,
                 absent=entry.absent)


def attempt_entry(refusal: Decision, submitter_id: int | None, submitter_name: str,
                  day: date) -> LedgerEntry:
    """ATT-03/06: an attempt to punch or sign in for someone else, booked against the
    submitter (the refusal's rule and reason)."""
    return LedgerEntry(submitter_id, submitter_name, day, refusal.rule, "proxy_attempt",
                       refusal.reason)
