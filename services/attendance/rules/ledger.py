"""ATT-09 closing a day (absence) and ATT-10 the discipline ledger."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from services.common.decision import Decision, allow, refuse

from .base import (
    ISSUER_ROLES,
    LEDGER_VIEW_ALL_ROLES,
    OFFENCES,
    Consequences,
    LedgerEntry,
    policy_with_defaults,
    refused,
)


def may_close_day(day: date, today: date, already_closed: bool = False) -> Decision:
    """ATT-09: a business day is settled once, after it has ended."""
    if day >= today:
        return refuse("ATT-09", f"{day} has not ended yet (today is {today})", "not_ended")
    if already_closed:
        return refuse("ATT-09", f"{day} is already closed", "already_closed")
    return allow("ATT-09", f"{day} has ended", "may_close")


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
        return refused("ATT-10", "only a supervisor or manager issues fines and "
                       "slips", "forbidden")
    if issuer_id == person_id:
        return refused("ATT-10", f"{name} may not book an offence against "
                       "themself", "self_issue")
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


def poaching_ledger_entry(event: Mapping[str, Any], name: str, day: date) -> LedgerEntry:
    """CLI-09 -> ATT-10: clients' ``poaching_recorded`` fact (the poacher's fine) as a ledger
    line; ``day`` is the event's day, or today when it names none."""
    return LedgerEntry(int(event["person_id"]), name, day, "CLI-09", "poaching",
                       event.get("reason") or f"{name} received a customer of another consultant",
                       fine=int(event.get("fine") or 0),
                       issued_by=(event.get("actor") or {}).get("person_id"))


CALL_FAULTS = {"missing_entry": "a desk-call register entry with blank fields",
               "late_sms": "the standard SMS sent late",
               "no_sms": "no standard SMS sent",
               "unregistered_call": "an unregistered desk call"}


def call_fault_ledger_entry(event: Mapping[str, Any], name: str = "") -> LedgerEntry:
    """REC-12 -> ATT-10: reception's ``call_fault_recorded`` fact (a desk-call fault with its
    fine) as one ledger line: rule REC-12, a fine, no slip."""
    kind = event["kind"]
    if kind not in CALL_FAULTS:
        raise ValueError(f"kind must be one of {', '.join(CALL_FAULTS)}")
    who = name or f"person {event['person_id']}"
    missing = list(event.get("missing") or [])
    blank = f" ({', '.join(missing)} blank)" if missing else ""
    call = f" on call #{event['call_id']}" if event.get("call_id") is not None else ""
    fine = int(event.get("fine") or 0)
    return LedgerEntry(int(event["person_id"]), who, date.fromisoformat(str(event["day"])),
                       "REC-12", kind, f"{who}: {CALL_FAULTS[kind]}{call}{blank}: fine {fine}",
                       fine=fine, issued_by=(event.get("actor") or {}).get("person_id"))
