"""CLI-06 channel reports (渠道报备): a report at least ``report_lead_minutes`` before the visit,
matching name and phone, unexpired; the earliest valid report wins, anything else is a natural
visit (自然到访); a report on a customer a consultant owns is refused (撞单). Minute limits are
exact: 30:00 before the visit is on time, 29:59 an interception."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.common.decision import Decision, allow, refuse

from .base import (
    ALL_REPORTS_ROLES,
    _blank,
    _days_since,
    _minutes,
    _roles,
    _stamp,
    _who,
    policy_with_defaults,
)
from .identity import check_phone, mask_phone, normalise_phone
from .ownership import Ownership, is_live


@dataclass(frozen=True)
class ChannelReport:
    """A channel agent's report (报备) of a customer; ``phone`` is normalised (CLI-01)."""
    report_id: int
    agent_id: int
    channel_id: int | str | None
    name: str
    phone: str
    reported_at: datetime


def check_report(name: str | None, phone: str | None, now: datetime,
                 current: Ownership | None = None, policy: Mapping[str, Any] | None = None,
                 tz: str | None = None) -> Decision:
    """CLI-06: a report needs a name and a valid phone; on a customer a consultant owns
    (live protection) it is refused as 撞单. Another channel's earlier report does not block
    it: the earlier valid report wins at the visit."""
    if _blank(name):
        return refuse("CLI-06", "a channel report needs the customer's name", "incomplete",
                      field="name")
    phone_check = check_phone(phone)
    if not phone_check.allowed:
        return refuse("CLI-06", f"a channel report needs a valid phone: {phone_check.reason}",
                      "incomplete", field="phone")
    if current is not None and is_live(current, now, policy, tz):
        # the reporter is a channel agent, outside the office: told that a consultant owns
        # the customer, not which one (the record keeps the owner's id)
        return refuse("CLI-06", f"customer {mask_phone(phone_check.data['phone'])} already belongs "
                      "to a consultant of this office (protection live): report refused (撞单)",
                      "conflict", owner_id=current.owner_id)
    masked = mask_phone(phone_check.data["phone"])
    return allow("CLI-06", f"report on {masked} accepted at {_stamp(now, tz)}", "reported",
                 phone_masked=masked)


def report_expired(report: ChannelReport, now: datetime, policy: Mapping[str, Any] | None = None,
                   tz: str | None = None) -> Decision:
    """CLI-06: valid through day ``report_expiry_days`` after the report, expired after."""
    p = policy_with_defaults(policy)
    days, limit = _days_since(report.reported_at, now, tz), p["report_expiry_days"]
    if days > limit:
        return allow("CLI-06", f"report {report.report_id} is {days} days old; reports expire "
                     f"after {limit} days", "expired", expired=True, days=days)
    return allow("CLI-06", f"report {report.report_id} is {days} days old; valid for {limit} days",
                 "valid", expired=False, days=days)


def _same_name(a: str, b: str) -> bool:
    squash = lambda s: "".join(unicodedata.normalize("NFKC", s).split()).casefold()  # noqa: E731
    return squash(a) == squash(b)


def _report_problem(report: ChannelReport, name: str, phone: str, visit_at: datetime,
                    p: Mapping[str, Any], tz: str | None) -> str | None:
    """Why this report cannot claim the visit, or None when it can."""
    if report_expired(report, visit_at, p, tz).data["expired"]:
        return f"report {report.report_id} expired (over {p['report_expiry_days']} days old)"
    lead = visit_at - report.reported_at
    if lead < timedelta(minutes=p["report_lead_minutes"]):
        return (f"report {report.report_id} filed {_minutes(lead)} before the visit; "
                f"{p['report_lead_minutes']} min required (interception)")
    try:
        same_phone = normalise_phone(report.phone) == phone
    except ValueError:
        same_phone = False
    if not same_phone or not _same_name(report.name, name):
        return f"report {report.report_id} name/phone do not match the visit registration"
    return None


def channel_attribution(reports: Iterable[ChannelReport], visit_name: str, visit_phone: str,
                        visit_at: datetime, mentioned_at: datetime | None,
                        reception_started_at: datetime | None = None,
                        policy: Mapping[str, Any] | None = None, tz: str | None = None,
                        names: Mapping[int, str] | None = None) -> Decision:
    """CLI-06: channel visit or natural visit (自然到访).

    The customer must mention the channel no later than the start of the standard reception;
    then the earliest report that is unexpired, filed >= lead minutes before the visit and
    matching name and phone wins. Anything else is a natural visit.
    """
    p = policy_with_defaults(policy)
    if mentioned_at is None:
        return allow("CLI-06", "the customer did not mention a channel: natural visit",
                     "natural_visit", agent_id=None)
    if reception_started_at is not None and mentioned_at > reception_started_at:
        return allow("CLI-06", f"channel mentioned at {_stamp(mentioned_at, tz)}, after the "
                     f"standard reception started at {_stamp(reception_started_at, tz)}: "
                     "natural visit", "natural_visit", agent_id=None)
    phone = normalise_phone(visit_phone)
    problems = []
    for report in sorted(reports, key=lambda r: (r.reported_at, r.report_id)):
        problem = _report_problem(report, visit_name, phone, visit_at, p, tz)
        if problem is None:
            lead = visit_at - report.reported_at
            return allow("CLI-06", f"report {report.report_id} by agent "
                         f"{_who(names, report.agent_id)} filed "
                         f"{_minutes(lead)} before the visit ({p['report_lead_minutes']} min "
                         "required) and matches name and phone: channel visit", "channel",
                         agent_id=report.agent_id, channel_id=report.channel_id,
                         report_id=report.report_id, lead_minutes=lead.total_seconds() / 60,
                         passed_over=problems)
        problems.append(problem)
    reason = problems[0] if problems else "no channel report for this customer"
    return allow("CLI-06", f"{reason}: natural visit", "natural_visit", agent_id=None,
                 passed_over=problems)


def may_see_report(report: ChannelReport, viewer_id: int, roles: Iterable[str]) -> Decision:
    """CLI-06/CLI-14: an agent sees only their own reports; supervisors and managers all."""
    if _roles(roles) & ALL_REPORTS_ROLES:
        return allow("CLI-06", "supervisors and managers see every channel report", "visible")
    if report.agent_id == viewer_id:
        return allow("CLI-06", "a channel agent sees their own reports", "visible")
    return refuse("CLI-06", f"report {report.report_id} belongs to another agent",
                  "not_visible")


def sees_all_reports(roles: Iterable[str]) -> bool:
    """CLI-06: supervisors and managers see every report; an agent only their own."""
    return bool(_roles(roles) & ALL_REPORTS_ROLES)


def settle_reports(report_ids: Iterable[int], attribution: Decision) -> dict[int, str]:
    """CLI-06 after the visit: the winning report becomes ``channel``, every other report on
    the customer ``passed_over`` (none stays open to claim a later visit)."""
    winner = attribution.data.get("report_id")
    return {rid: "channel" if rid == winner else "passed_over" for rid in report_ids}


def visit_source(attribution: Decision, current: str | None = None) -> str:
    """CLI-01/06: the customer's source after the visit is matched: a channel visit makes it
    ``channel``; a natural visit keeps the source the customer had (a new one: walk-in)."""
    return "channel" if attribution.outcome == "channel" else current or "walk_in"
