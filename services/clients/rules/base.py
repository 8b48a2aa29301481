"""What every client-attribution rule family shares: the policy (SYS-03), the role sets and the
small helpers that write times and durations into reasons."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from services.common.decision import who as _who  # noqa: F401  (reasons name people so)
from services.common.policyspec import Key, PolicySpec, at_least, between
from services.common.timeutil import business_day, local

# SYS-03: per-project values and their defaults (RULEBOOK CLI-03, CLI-06, CLI-09, CLI-10, CLI-12)
POLICY = PolicySpec("clients", {
    "protection_days": Key(90, rule="CLI-03", check=at_least(1),
                           doc="days of ownership protection after the last registered contact"),
    "no_follow_up_days": Key(30, rule="CLI-03", check=at_least(1),
                             doc="days without the owner's follow-up after which a closer "
                                 "takes the deal credit (004 §14)"),
    "report_lead_minutes": Key(30, rule="CLI-06", check=at_least(1),
                               doc="minutes a channel report must precede the visit; later "
                                   "is an interception (natural visit)"),
    "report_expiry_days": Key(30, rule="CLI-06", check=at_least(1),
                              doc="days a channel report stays valid"),
    "change_split_percent": Key(50, rule="CLI-10", check=between(0, 100),
                                doc="the new consultant's share of the deal credit after a "
                                    "change of consultant; the old owners keep the rest"),
    "deposit_minutes": Key(10, rule="CLI-12", check=at_least(1),
                           doc="minutes after signing within which the deposit must be paid"),
    "poaching_fine": Key(100, rule="CLI-09", check=at_least(0),
                         doc="the fine for poaching another consultant's customer (004 §11)"),
    "phone_lookups_per_hour": Key(30, rule="CLI-14", check=at_least(1),
                                  doc="lookups by phone (ownership, customer search) one person "
                                      "may make in any hour; more answer 429"),
})
POLICY_DEFAULTS = POLICY.defaults
policy_with_defaults = POLICY.with_defaults

LEADS = frozenset({"supervisor", "manager"})
SIGN_OFF_ROLES = LEADS        # CLI-03 re-registration sign-off
OVERRIDE_ROLES = LEADS        # CLI-11
FULL_PHONE_ROLES = LEADS      # CLI-14
# CLI-14: the roles that register contacts look customers up by phone (admin acts as manager)
PHONE_LOOKUP_ROLES = frozenset({"receptionist", "consultant", "supervisor", "manager"})
ALL_REPORTS_ROLES = LEADS     # CLI-06 / CLI-14


def _stamp(moment: datetime, tz: str | None = None) -> str:
    return local(moment, tz).strftime("%Y-%m-%d %H:%M")


def _days_since(since: datetime, now: datetime, tz: str | None = None) -> int:
    """Local calendar days from ``since`` to ``now`` (SYS-04): same day 0, next day 1."""
    return (business_day(now, tz) - business_day(since, tz)).days


def _minutes(delta: timedelta) -> str:
    """29 min, 29 min 59 s -- a human figure that never rounds a boundary away."""
    seconds = int(delta.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    m, s = divmod(seconds, 60)
    return f"{sign}{m} min" + (f" {s} s" if s else "")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _roles(roles: Iterable[str] | None) -> frozenset[str]:
    return frozenset(roles or ())
