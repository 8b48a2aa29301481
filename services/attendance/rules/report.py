"""ATT-12 monthly report and ATT-13 pay effects."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import at, business_day, local

from .base import LEAVE_TYPES, LedgerEntry, policy_with_defaults


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


def quarter_bonus_due(month: int, policy: Mapping[str, Any] | None = None) -> bool:
    """ATT-13: the full-attendance bonus is shown with a quarter's last month, when pay effects
    are on for the project."""
    return bool(policy_with_defaults(policy)["pay_effects_enabled"]) and month % 3 == 0


# ---------------------------------------------------------------- ATT-13 pay effects

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


def report_rows(year: int, month: int, days: Iterable[AttendanceDay],
                entries: Iterable[LedgerEntry] = (),
                policy: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """ATT-12/13: the report as flat rows (``REPORT_COLUMNS``, then the bonus columns in a
    quarter's last month when pay effects are on)."""
    report = monthly_report(year, month, days, entries)
    rows = []
    for r in report:
        row = r.as_dict()
        row.update({f"leave_{t}": r.leave_days.get(t, 0) for t in LEAVE_TYPES})
        if quarter_bonus_due(month, policy):
            bonus = full_attendance_bonus(r.name, year, month // 3,
                                          [x for x in report if x.person_id == r.person_id],
                                          policy)
            row["full_attendance_bonus"] = bonus.data["amount"]
            row["bonus_reason"] = bonus.reason
        rows.append(row)
    return rows
