"""CLI-12 units and deals (销控/认购): a subscription only on a unit a manager confirmed, never
two live on one unit (一房二卖), the deposit within ``deposit_minutes`` of signing (10:00 on
time, 10:00.001 lapsed), withdrawals and refunds approved by the manager, voided forms kept by
the clerk, and the deal credit as attributed at signing (CLI-03/10).

Reasons name a unit by its code (``Subscription.unit_id`` holds it when the use case has it) and
people by name (``names``: person id -> name; "#<id>" for anyone left out)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from services.common.decision import Decision, allow, refuse

from .base import LEADS, _days_since, _minutes, _roles, _stamp, _who, policy_with_defaults
from .ownership import Ownership, is_live

SUBSCRIPTION_STATES = ("live", "lapsed", "withdrawn", "refunded", "voided")


def unit_code_taken(code: str) -> Decision:
    """CLI-12: a unit's code is unique in its project."""
    return refuse("CLI-12", f"unit {code} exists", "unit_exists", code=code)


def check_closer(registering_id: int | None, closer_id: int, roles: Iterable[str],
                 names: Mapping[int, str] | None = None) -> Decision:
    """SYS-02: a consultant registers the subscriptions they close themself; supervisors and
    managers register them for anyone."""
    if closer_id != registering_id and not (_roles(roles) & LEADS):
        return refuse("SYS-02", "a consultant registers subscriptions they close themself",
                      "not_the_closer", closer_id=closer_id)
    return allow("SYS-02", f"consultant {_who(names, closer_id)} closes the deal", "closer_ok")


def double_sale(unit_code: str) -> Decision:
    """CLI-12: the second of two simultaneous subscriptions on one unit (the database's
    partial unique index caught it)."""
    return refuse("CLI-12", f"unit {unit_code} already has a live subscription (一房二卖)",
                  "unit_taken")


@dataclass(frozen=True)
class Subscription:
    """A subscription (认购) on a unit; status is one of SUBSCRIPTION_STATES."""
    subscription_id: int
    unit_id: int | str
    signed_at: datetime
    deposit_paid_at: datetime | None = None
    status: str = "live"


def deposit_status(sub: Subscription, now: datetime,
                   policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """CLI-12: the deposit is due within ``deposit_minutes`` of signing (inclusive)."""
    p = policy_with_defaults(policy)
    limit = timedelta(minutes=p["deposit_minutes"])
    deadline = sub.signed_at + limit
    if sub.deposit_paid_at is not None:
        took = sub.deposit_paid_at - sub.signed_at
        if took <= limit:
            return allow("CLI-12", f"deposit paid {_minutes(took)} after signing; "
                         f"{p['deposit_minutes']} min allowed", "deposit_paid")
        return refuse("CLI-12", f"deposit paid {_minutes(took)} after signing; "
                      f"{p['deposit_minutes']} min allowed: subscription lapsed, unit released",
                      "lapsed", release_unit=True)
    if now <= deadline:
        return allow("CLI-12", f"deposit due by {_stamp(deadline, tz)} "
                     f"({_minutes(deadline - now)} left)", "awaiting_deposit",
                     deadline=deadline.isoformat())
    return refuse("CLI-12", f"no deposit {_minutes(now - sub.signed_at)} after signing; "
                  f"{p['deposit_minutes']} min allowed: subscription lapsed, unit released",
                  "lapsed", release_unit=True)


def subscription_is_live(sub: Subscription, now: datetime,
                         policy: Mapping[str, Any] | None = None) -> bool:
    return sub.status == "live" and deposit_status(sub, now, policy).allowed


def check_subscription(unit_id: int | str, confirmed_by: int | None,
                       confirmer_roles: Iterable[str], existing: Iterable[Subscription],
                       now: datetime, policy: Mapping[str, Any] | None = None,
                       names: Mapping[int, str] | None = None) -> Decision:
    """CLI-12: a subscription needs the manager's availability confirmation (销控), and a unit
    never has two live subscriptions (一房二卖). ``unit_id`` is how the reasons name the unit
    (its code)."""
    if confirmed_by is None or "manager" not in _roles(confirmer_roles):
        return refuse("CLI-12", f"unit {unit_id} needs a manager's availability confirmation "
                      "(销控) before a subscription", "availability_unconfirmed")
    for sub in existing:
        if sub.unit_id == unit_id and subscription_is_live(sub, now, policy):
            return refuse("CLI-12", f"unit {unit_id} already has live subscription "
                          f"{sub.subscription_id} (一房二卖)", "unit_taken",
                          subscription_id=sub.subscription_id)
    return allow("CLI-12", f"unit {unit_id} confirmed available by manager "
                 f"{_who(names, confirmed_by)}",
                 "subscription_allowed", confirmed_by=confirmed_by)


def check_withdrawal(sub: Subscription, approver_id: int | None, approver_roles: Iterable[str],
                     kind: str = "withdrawal",
                     names: Mapping[int, str] | None = None) -> Decision:
    """CLI-12: a withdrawal or refund needs the manager's approval and is announced to all."""
    if kind not in ("withdrawal", "refund"):
        raise ValueError("kind is withdrawal or refund")
    if approver_id is None or "manager" not in _roles(approver_roles):
        return refuse("CLI-12", f"a {kind} of subscription {sub.subscription_id} needs the "
                      "manager's approval", "approval_required")
    if sub.status != "live":
        return refuse("CLI-12", f"subscription {sub.subscription_id} is {sub.status}, not live",
                      "not_live")
    status = "withdrawn" if kind == "withdrawal" else "refunded"
    return allow("CLI-12", f"{kind} of subscription {sub.subscription_id} approved by manager "
                 f"{_who(names, approver_id)}; unit {sub.unit_id} released and announced to all "
                 "staff", status, release_unit=True, announce_to_all=True, approved_by=approver_id)


def void_form(sub: Subscription, handed_to_id: int | None, handed_to_roles: Iterable[str],
              names: Mapping[int, str] | None = None) -> Decision:
    """CLI-12: a voided subscription form is handed to the clerk and kept."""
    if handed_to_id is None or "clerk" not in _roles(handed_to_roles):
        return refuse("CLI-12", f"voided form of subscription {sub.subscription_id} must be "
                      "handed to the clerk", "clerk_required")
    return allow("CLI-12", f"voided form of subscription {sub.subscription_id} handed to clerk "
                 f"{_who(names, handed_to_id)} and kept", "voided", clerk_id=handed_to_id,
                 keep=True)


def deal_credit(current: Ownership | None, closer_id: int, signed_at: datetime,
                policy: Mapping[str, Any] | None = None, tz: str | None = None,
                names: Mapping[int, str] | None = None) -> Decision:
    """CLI-12/CLI-03: credit goes to the owner(s) as attributed at signing, unless protection
    lapsed or the owner recorded no follow-up for ``no_follow_up_days`` -- then the closer."""
    p = policy_with_defaults(policy)
    whole = [{"person_id": closer_id, "percent": 100.0}]
    closer = _who(names, closer_id)
    if current is None:
        return allow("CLI-12", f"no owner at signing: closer consultant {closer} gets the "
                     "credit", "closer", credit_split=whole)
    owner = _who(names, current.owner_id)
    owners = {d["person_id"] for d in current.credit_split()}
    if closer_id not in owners:
        if not is_live(current, signed_at, p, tz):
            return allow("CLI-03", f"consultant {owner}'s protection had lapsed at "
                         f"signing: closer consultant {closer} gets the credit", "closer",
                         credit_split=whole, previous_owner_id=current.owner_id)
        quiet = _days_since(current.follow_up_at, signed_at, tz)
        if quiet > p["no_follow_up_days"]:
            return allow("CLI-03", f"owner consultant {owner} recorded no follow-up for "
                         f"{quiet} days ({p['no_follow_up_days']} allowed): closer consultant "
                         f"{closer} gets the credit", "closer", credit_split=whole,
                         previous_owner_id=current.owner_id, days_without_follow_up=quiet)
    split = current.credit_split()
    who = ", ".join(f"consultant {_who(names, d['person_id'])} {d['percent']:g}%"
                    for d in split)
    return allow("CLI-12", f"deal credit as attributed at signing: {who}", "owner",
                 credit_split=split)


@dataclass(frozen=True)
class DepositPayment:
    """CLI-12: a deposit payment's decision and the subscription's state after it."""
    decision: Decision
    state: str
    paid_at: datetime | None = None
    recorded: bool = True       # False: refused before anything changed (not live, or paid)


def pay_deposit(sub: Subscription, now: datetime, policy: Mapping[str, Any] | None = None,
                tz: str | None = None) -> DepositPayment:
    """CLI-12: a deposit on a live, unpaid subscription; paid too late the subscription lapses
    (and the payment is refused)."""
    if sub.status != "live" or sub.deposit_paid_at is not None:
        paid = ", deposit already paid" if sub.deposit_paid_at else ""
        return DepositPayment(refuse("CLI-12", f"subscription {sub.subscription_id} is "
                                     f"{sub.status}{paid}", "not_payable"), sub.status,
                              sub.deposit_paid_at, recorded=False)
    d = deposit_status(replace(sub, deposit_paid_at=now), now, policy, tz)
    if not d.allowed:
        return DepositPayment(d, "lapsed")
    return DepositPayment(d, "live", now)
