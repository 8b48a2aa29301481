"""MAT-02: needs plans (weekly, monthly, quarterly) and the requests filed against them."""
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import business_day

from .base import blank, is_int, item_label, who
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
                  policy: Mapping[str, Any] | None = None,
                  items: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-02: a needs plan names a sales milestone, an allowed period aligned to its start,
    and a positive quantity per item, each item once. ``data["lines"]``: item -> quantity.
    ``items``: item id -> its label (name, spec, code) for the reasons."""
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
        what = item_label(items, item_id)
        if item_id in quantities:
            return refuse("MAT-02", f"{what} is listed twice", outcome="invalid", field="lines")
        if not is_int(qty) or qty <= 0:
            return refuse("MAT-02", f"plan quantity for {what} must be above 0, got {qty!r}",
                          outcome="invalid", field="lines")
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
                     policy: Mapping[str, Any] | None = None, tz: str | None = None,
                     item: str | None = None) -> Decision:
    """MAT-02: a request covered by a current plan with enough left is ``planned`` (approved at
    once); anything else is ``urgent`` and waits for a manager (``needs_approval``, pending).
    ``item`` is the item's label (name, spec, code) for the reasons; ``data["why"]`` says why
    an urgent one is outside the plans."""
    if not is_int(quantity) or quantity <= 0:
        return refuse("MAT-02", f"request quantity must be above 0, got {quantity!r}",
                      outcome="invalid", field="quantity")
    policy = policy_with_defaults(policy)
    day, label = business_day(now, tz), item or item_label(None, item_id)
    current = [p for p in plans if p.item_id == item_id and p.period in policy["plan_periods"]
               and p.covers(day)]
    for plan in current:
        if plan.remaining >= quantity:
            return allow("MAT-02", f"request of {quantity} of {label} is within the "
                         f"{plan.period} plan for {plan.milestone} ({plan.remaining} left)",
                         outcome="planned", needs_approval=False, plan_period=plan.period,
                         plan_starts=plan.starts.isoformat(), status="approved")
    left = max((p.remaining for p in current), default=None)
    why = (f"no current plan lists {label} on {day}" if left is None
           else f"current plans have only {left} of {label} left")
    return allow("MAT-02", f"urgent request of {quantity}: {why}; needs a manager's approval",
                 outcome="urgent", needs_approval=True, status="pending", why=why)


def plan_changed() -> Decision:
    """MAT-02: the plan line was claimed by other requests while this one was filed (the
    database refused to overdraw it three times running)."""
    return refuse("MAT-02", "the plan changed while this request was filed; file it again",
                  outcome="conflict")


def approve_urgent_request(approver_id: Hashable, approver_roles: Iterable[str],
                           names: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-02: only a manager approves an urgent (unplanned) request. ``names``: person id ->
    name, for the reasons."""
    approver = who(names, approver_id)
    if "manager" not in set(approver_roles):
        return refuse("MAT-02", f"{approver} is not a manager; urgent requests need a "
                      "manager's approval", outcome="forbidden", field="approver_id")
    return allow("MAT-02", f"urgent request approved by manager {approver}", outcome="approved",
                 approved_by=approver_id)


def decide_request(status: str, request_id: Hashable, approve: bool, approver_id: Hashable,
                   approver_roles: Iterable[str], note: str = "", *,
                   names: Mapping[Hashable, str] | None = None, item: str | None = None,
                   quantity: int | None = None) -> Decision:
    """MAT-02: a manager approves or rejects a pending urgent request, once. ``outcome`` is
    ``forbidden`` (not a manager) or ``conflict`` (already decided) when refused;
    ``data["status"]`` is the request's new status when allowed. ``names`` (person id ->
    name), ``item`` (the item's label) and ``quantity`` are for the reasons."""
    d = approve_urgent_request(approver_id, approver_roles, names)
    if not d.allowed:
        return d
    if status != "pending":
        what = f" ({quantity} of {item})" if item else ""
        return refuse("MAT-02", f"request {request_id}{what} is already {status}",
                      outcome="conflict")
    if approve:     # the manager's note is kept on approval as on rejection
        return allow(d.rule, d.reason + (f": {note}" if note else ""), outcome=d.outcome,
                     status="approved", **d.data)
    return allow("MAT-02", f"urgent request rejected by manager {who(names, approver_id)}"
                 + (f": {note}" if note else ""), outcome="rejected", status="rejected")


# ---------------------------------------------------------------- MAT-02 -> MAT-04: issue basis

@dataclass(frozen=True)
class RequestFacts:
    """What an issue form may draw on: an approved request and what forms have drawn on it."""
    id: Hashable
    item_id: Hashable
    kind: str          # planned / urgent
    status: str        # approved / pending / rejected
    quantity: int
    issued: int = 0

    @property
    def remaining(self) -> int:
        return max(self.quantity - self.issued, 0)


def issue_against_request(request: RequestFacts, item_id: Hashable, quantity: int,
                          items: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-02: an issue form drawn on a request needs the request approved (a planned one is
    approved within its plan, an urgent one by a manager), for the same item, with enough of
    its quantity not yet drawn by other live forms. ``items``: item id -> label (reasons)."""
    what = f"{request.kind} request {request.id}"
    if request.item_id != item_id:
        return refuse("MAT-02", f"{what} is for {item_label(items, request.item_id)}, not "
                      f"{item_label(items, item_id)}", outcome="invalid", field="request_id")
    if request.status != "approved":
        need = " (an urgent request needs a manager's approval)" if request.kind == "urgent" \
            else ""
        return refuse("MAT-02", f"{what} is {request.status}, not approved{need}: nothing may "
                      "be issued against it", outcome="not_approved", field="request_id")
    if not is_int(quantity) or quantity > request.remaining:
        return refuse("MAT-02", f"{what} has {request.remaining} of {request.quantity} left to "
                      f"issue, not {quantity}", outcome="over_basis", field="quantity",
                      remaining=request.remaining)
    return allow("MAT-02", f"issued against approved {what} ({request.remaining} of "
                 f"{request.quantity} left before this form)", outcome="against_request",
                 basis="request", request_id=request.id)


def issue_against_plan(classified: Decision, item_id: Hashable, quantity: int,
                       item: str | None = None) -> Decision:
    """MAT-02: without a request, a form draws directly on a current approved needs plan that
    lists the item with ``quantity`` left (``classified`` is ``classify_request``'s answer for
    the same item, quantity and day). Anything else is refused: an issue outside a plan needs
    an urgent request a manager approved. ``item`` is the item's label for the reasons."""
    if classified.outcome == "planned":
        return allow("MAT-02", classified.reason.replace("request of", "issue form of", 1),
                     outcome="against_plan", basis="plan",
                     plan_period=classified.data["plan_period"],
                     plan_starts=classified.data["plan_starts"])
    why = classified.data.get("why") or classified.reason.split(": ", 1)[-1].split(";")[0]
    return refuse("MAT-02", f"issue of {quantity} of {item or item_label(None, item_id)} has no "
                  f"basis: {why}; name "
                  "an approved request (an urgent one needs a manager's approval)",
                  outcome="no_basis", field="request_id")


def basis_released(form_id: Hashable, basis: str, basis_id: Hashable, quantity: int) -> Decision:
    """MAT-02: a cancelled form gives its quantity back to the request or plan line it drew on."""
    return allow("MAT-02", f"issue form {form_id} cancelled: {quantity} returned to {basis} "
                 f"{basis_id}", outcome="released", basis=basis, quantity=quantity)
