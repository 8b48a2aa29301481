"""MAT-02: needs plans (weekly, monthly, quarterly) and the requests filed against them."""
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import business_day

from .base import blank, is_int
from .policy import policy_with_defaults


def period_start(period: str, day: date) -> date:
    """First day of the weekly (Monday) / monthly / quarterly period holding ``day``."""
    if period == "weekly":
        return day - timedelta(days=day.weekday())
    if period == "monthly":
        return day.replace(day=1)
    if period == "quarterly":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown plan period {period!r}")


def period_end(period: str, starts: date) -> date:
    """Exclusive end of the period starting on ``starts``."""
    if period == "weekly":
        return starts + timedelta(days=7)
    months = {"monthly": 1, "quarterly": 3}[period]
    index = starts.year * 12 + starts.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class PlanLine:
    """One item in a needs plan, with what has already been requested against it."""
    period: str
    starts: date
    milestone: str
    item_id: Hashable
    quantity: int
    requested: int = 0

    @property
    def remaining(self) -> int:
        return max(self.quantity - self.requested, 0)

    def covers(self, day: date) -> bool:
        return self.starts <= day < period_end(self.period, self.starts)


def validate_plan(period: str, starts: date, milestone: str,
                  lines: Mapping[Hashable, int] | Iterable[tuple[Hashable, int]],
                  policy: Mapping[str, Any] | None = None) -> Decision:
    """MAT-02: a needs plan names a sales milestone, an allowed period aligned to its start,
    and a positive quantity per item, each item once. ``data["lines"]``: item -> quantity."""
    policy = policy_with_defaults(policy)
    if period not in policy["plan_periods"]:
        known = ", ".join(policy["plan_periods"])
        return refuse("MAT-02", f"plan period {period!r} is not one of {known}", outcome="invalid",
                      field="period")
    if period_start(period, starts) != starts:
        return refuse("MAT-02", f"a {period} plan must start on {period_start(period, starts)}, "
                      f"not {starts}", outcome="invalid", field="starts")
    if blank(milestone):
        return refuse("MAT-02", "a needs plan must name its sales milestone", outcome="invalid",
                      field="milestone")
    pairs = list(lines.items() if isinstance(lines, Mapping) else lines)
    if not pairs:
        return refuse("MAT-02", "a needs plan must list at least one item", outcome="invalid",
                      field="lines")
    quantities: dict[Hashable, int] = {}
    for item_id, qty in pairs:
        if item_id in quantities:
            return refuse("MAT-02", f"item {item_id} is listed twice", outcome="invalid",
                          field="lines")
        if not is_int(qty) or qty <= 0:
            return refuse("MAT-02", f"plan quantity for item {item_id} must be above 0, "
                          f"got {qty!r}", outcome="invalid", field="lines")
        quantities[item_id] = qty
    return allow("MAT-02", f"{period} plan for {milestone.strip()} from {starts} to "
                 f"{period_end(period, starts)}: {len(pairs)} item(s)", outcome="valid",
                 ends=period_end(period, starts).isoformat(), lines=quantities)


def approve_plan(status: str, plan_id: Hashable, period: str, milestone: str,
                 approver: str) -> Decision:
    """MAT-02: a draft plan is approved once (the role check is SYS-02's, at the door)."""
    if status != "draft":
        return refuse("MAT-02", f"plan {plan_id} is already {status}", outcome="conflict")
    return allow("MAT-02", f"{period} plan for {milestone} approved by {approver}",
                 outcome="approved", status="approved")


def classify_request(item_id: Hashable, quantity: int, now: datetime, plans: Iterable[PlanLine],
                     policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """MAT-02: a request covered by a current plan with enough left is ``planned`` (approved at
    once); anything else is ``urgent`` and waits for a manager (``needs_approval``, pending)."""
    if not is_int(quantity) or quantity <= 0:
        return refuse("MAT-02", f"request quantity must be above 0, got {quantity!r}",
                      outcome="invalid", field="quantity")
    policy = policy_with_defaults(policy)
    day = business_day(now, tz)
    current = [p for p in plans if p.item_id == item_id and p.period in policy["plan_periods"]
               and p.covers(day)]
    for plan in current:
        if plan.remaining >= quantity:
            return allow("MAT-02", f"request of {quantity} of item {item_id} is within the "
                         f"{plan.period} plan for {plan.milestone} ({plan.remaining} left)",
                         outcome="planned", needs_approval=False, plan_period=plan.period,
                         plan_starts=plan.starts.isoformat(), status="approved")
    left = max((p.remaining for p in current), default=None)
    why = (f"no current plan lists item {item_id} on {day}" if left is None
           else f"current plans have only {left} of item {item_id} left")
    return allow("MAT-02", f"urgent request of {quantity}: {why}; needs a manager's approval",
                 outcome="urgent", needs_approval=True, status="pending")


def plan_changed() -> Decision:
    """MAT-02: the plan line was claimed by other requests while this one was filed (the
    database refused to overdraw it three times running)."""
    return refuse("MAT-02", "the plan changed while this request was filed; file it again",
                  outcome="conflict")


def approve_urgent_request(approver_id: Hashable, approver_roles: Iterable[str]) -> Decision:
    """MAT-02: only a manager approves an urgent (unplanned) request."""
    if "manager" not in set(approver_roles):
        return refuse("MAT-02", f"staff {approver_id} is not a manager; urgent requests need a "
                      "manager's approval", outcome="forbidden", field="approver_id")
    return allow("MAT-02", f"urgent request approved by manager {approver_id}", outcome="approved",
                 approved_by=approver_id)


def decide_request(status: str, request_id: Hashable, approve: bool, approver_id: Hashable,
                   approver_roles: Iterable[str], note: str = "") -> Decision:
    """MAT-02: a manager approves or rejects a pending urgent request, once. ``outcome`` is
    ``forbidden`` (not a manager) or ``conflict`` (already decided) when refused;
    ``data["status"]`` is the request's new status when allowed."""
    d = approve_urgent_request(approver_id, approver_roles)
    if not d.allowed:
        return d
    if status != "pending":
        return refuse("MAT-02", f"request {request_id} is already {status}", outcome="conflict")
    if approve:
        return allow(d.rule, d.reason, outcome=d.outcome, status="approved", **d.data)
    return allow("MAT-02", f"urgent request rejected by manager {approver_id}"
                 + (f": {note}" if note else ""), outcome="rejected", status="rejected")
