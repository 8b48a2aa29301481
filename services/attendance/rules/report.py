"""ATT-12 monthly report and ATT-13 pay effects."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
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


# ATT-13: the columns pay effects add when they are on (the bonus in a quarter's last month)
PAY_COLUMNS = ("monthly_salary", "month_work_days", "absence_deduction", "deduction_reason",
               "full_attendance_bonus", "bonus_reason")


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


def absence_deduction(name: str, monthly_salary: int | None, month_work_days: int,
                      absent_days: int, policy: Mapping[str, Any] | None = None) -> Decision:
    """ATT-13: monthly salary ÷ the month's work days × absent days, in yuan rounded half up to
    the fen (0.01). ``month_work_days``: the person's rostered work days in the month. No
    salary set, or pay effects off: no deduction (the outcome says which)."""
    p = policy_with_defaults(policy)
    if not p["pay_effects_enabled"]:
        return allow("ATT-13", "pay effects are off for this project", "disabled", amount=0.0)
    if monthly_salary is None:
        return allow("ATT-13", f"{name} has no monthly salary set: no absence deduction",
                     "no_salary", amount=0.0)
    if not absent_days:
        return allow("ATT-13", f"{name} has no absent day: no deduction", "none", amount=0.0)
    if month_work_days <= 0:
        return allow("ATT-13", f"{name} has no rostered work day this month: no deduction",
                     "no_work_days", amount=0.0)
    cents = Decimal(monthly_salary) * 100 * absent_days / month_work_days
    amount = float(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100)
    return allow("ATT-13", f"{name}: salary {monthly_salary} ÷ {month_work_days} work day(s) × "
                 f"{absent_days} absent day(s) = {amount:.2f} deducted", "deducted",
                 amount=amount, salary=monthly_salary, work_days=month_work_days,
                 absent_days=absent_days)


def report_rows(year: int, month: int, days: Iterable[AttendanceDay],
                entries: Iterable[LedgerEntry] = (),
                policy: Mapping[str, Any] | None = None,
                salaries: Mapping[int, int | None] | None = None,
                month_work_days: Mapping[int, int] | None = None,
                quarter_rows: Iterable[ReportRow] = ()) -> list[dict[str, Any]]:
    """ATT-12/13: the report as flat rows (``REPORT_COLUMNS``; when pay effects are on, the
    salary and absence deduction every month and the bonus in a quarter's last month).
    ``salaries``: person id -> monthly salary set by a manager; ``month_work_days``: person id
    -> rostered work days in the month (the deduction's divisor); ``quarter_rows``: the
    quarter's earlier months (``monthly_report``), so the bonus sees the whole quarter."""
    report = monthly_report(year, month, days, entries)
    pay = bool(policy_with_defaults(policy)["pay_effects_enabled"])
    rows = []
    for r in report:
        row = r.as_dict()
        row.update({f"leave_{t}": r.leave_days.get(t, 0) for t in LEAVE_TYPES})
        if pay:
            salary = (salaries or {}).get(r.person_id)
            divisor = (month_work_days or {}).get(r.person_id, r.work_days)
            cut = absence_deduction(r.name, salary, divisor, r.absent_days, policy)
            row.update(monthly_salary=salary, month_work_days=divisor,
                       absence_deduction=cut.data["amount"], deduction_reason=cut.reason)
        if quarter_bonus_due(month, policy):
            bonus = full_attendance_bonus(r.name, year, month // 3,
                                          [x for x in (*quarter_rows, *report)
                                           if x.person_id == r.person_id], policy)
            row["full_attendance_bonus"] = bonus.data["amount"]
            row["bonus_reason"] = bonus.reason
        rows.append(row)
    return rows


def set_staff_terms(setter_id: int, setter_roles: Iterable[str], person_id: int, name: str,
                    values: Mapping[str, Any]) -> Decision:
    """ATT-07/13: a manager (not for themself) sets a person's monthly salary and annual leave
    days; only the given keys change."""
    if "manager" not in set(setter_roles):
        return refuse("ATT-13", "only a manager sets salaries and annual leave days",
                      "forbidden")
    if setter_id == person_id:
        return refuse("ATT-13", f"{name} may not set their own salary or leave days",
                      "self_terms")
    kept = {k: values[k] for k in ("monthly_salary", "annual_leave_days") if k in values}
    if not kept:
        return refuse("ATT-13", "nothing to set: give monthly_salary or annual_leave_days",
                      "nothing_to_set")
    text = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in kept.items())
    return allow("ATT-13", f"{name}: {text} set by a manager", "terms_set", values=kept)
