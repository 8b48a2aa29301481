"""CLI-13 conversion figures: calls → visits → deals per consultant, media source or period,
and deals against target. Ratios are None when undefined."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import business_day

from ..constants import GROUPINGS, PERIODS

CONVERSION_COLUMNS = ("key", "calls", "visits", "deals", "call_to_visit", "visit_to_deal",
                      "target", "target_achievement")

def _get(entry: Any, key: str, default: Any = None) -> Any:
    return entry.get(key, default) if isinstance(entry, Mapping) else getattr(entry, key, default)


def period_label(when: date | datetime, period: str = "month", tz: str | None = None) -> str:
    """CLI-13 period key: 2026-03-02 (day), 2026-W10 (ISO week), 2026-03 (month)."""
    day = business_day(when, tz) if isinstance(when, datetime) else when
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(f"period must be one of {', '.join(PERIODS)}")


def _group_key(entry: Any, by: str, period: str, tz: str | None) -> Any:
    if by == "consultant":
        return _get(entry, "consultant_id")
    if by == "media_source":
        return _get(entry, "media_source") or "unknown"
    when = _get(entry, "at") or _get(entry, "date")
    return period_label(when, period, tz)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def conversion_figures(calls: Iterable[Any], visits: Iterable[Any], deals: Iterable[Any],
                       by: str = "consultant", period: str = "month",
                       targets: Mapping[Any, int] | None = None, tz: str | None = None
                       ) -> Decision:
    """CLI-13: per consultant / media source / period: calls, visits, deals, visits per call,
    deals per visit and deals against target. Entries are mappings or objects with
    consultant_id, media_source and at (datetime) or date. Ratios are None when undefined."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    counts: dict[Any, dict[str, int]] = {}
    for name, entries in (("calls", calls), ("visits", visits), ("deals", deals)):
        for entry in entries:
            row = counts.setdefault(_group_key(entry, by, period, tz),
                                    {"calls": 0, "visits": 0, "deals": 0})
            row[name] += 1
    for key in (targets or {}):
        counts.setdefault(key, {"calls": 0, "visits": 0, "deals": 0})
    rows = []
    for key in sorted(counts, key=lambda k: (k is None, str(k))):
        c = counts[key]
        target = (targets or {}).get(key)
        rows.append({"key": key, **c, "call_to_visit": _ratio(c["visits"], c["calls"]),
                     "visit_to_deal": _ratio(c["deals"], c["visits"]), "target": target,
                     "target_achievement": _ratio(c["deals"], target or 0)})
    total = {k: sum(r[k] for r in rows) for k in ("calls", "visits", "deals")}
    return allow("CLI-13", f"{total['calls']} calls, {total['visits']} visits, {total['deals']} "
                 f"deals grouped by {by}" + (f" ({period})" if by == "period" else ""),
                 "figures", by=by, period=period, rows=rows,
                 totals={**total, "call_to_visit": _ratio(total["visits"], total["calls"]),
                         "visit_to_deal": _ratio(total["deals"], total["visits"])})


_LABEL = re.compile(r"\d{4}-(\d{2}|W\d{2}|\d{2}-\d{2})")


def check_target(person: Mapping[str, Any] | None, project_id: int, period: str,
                 deals: int) -> Decision:
    """CLI-13: a manager sets a consultant's deals target for one period (2026-03 month,
    2026-W10 ISO week, 2026-03-02 day); the person is an active consultant of the project."""
    if (person is None or not person.get("active", True) or person.get("project_id") != project_id
            or "consultant" not in (person.get("roles") or ())):
        return refuse("CLI-13", "targets are set for active consultants of the project",
                      "not_a_consultant", field="person_id")
    if not _LABEL.fullmatch(period or ""):
        return refuse("CLI-13", f"period {period!r} is not a month (2026-03), ISO week "
                      "(2026-W10) or day (2026-03-02)", "invalid_period", field="period")
    if deals < 0:
        return refuse("CLI-13", "a target is 0 deals or more", "invalid_target", field="deals")
    who = person.get("name") or f"#{person.get('id')}"
    return allow("CLI-13", f"target of consultant {who} for "
                 f"{period}: {deals} deals", "target_set", period=period, deals=deals)


def label_granularity(label: str) -> str:
    """CLI-13: the period kind of a label (month, week or day)."""
    return "week" if "W" in label else "day" if label.count("-") == 2 else "month"
