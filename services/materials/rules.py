"""Materials rules (MAT-01..MAT-08), pure: no I/O, no clock, no database.

Every function answers with a ``Decision`` (SYS-01) or a small dataclass holding Decisions.
Refusals carry ``data["field"]`` where one input is to blame, so the service can raise
``Unprocessable(d.reason, rule=d.rule, field=d.data["field"])``.

Units: quantities are plain ints (bool refused); money is integer cents of CNY (``*_cents``),
so amounts are exact and JSON-safe. ``yuan_to_cents`` converts a "12.50" price.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import business_day

# SYS-03: per-project values and their defaults (RULEBOOK MAT-02, MAT-06, MAT-07).
POLICY_DEFAULTS: dict[str, Any] = {
    "desk_kit_min_per_plan": 2,
    "stocktake_min_counters": 2,
    "full_count_months": [6, 12],
    "plan_periods": ["weekly", "monthly", "quarterly"],
}

CATEGORIES = ("brochure", "floor_plan", "price_list", "bag", "gift", "laser_pointer", "other")
PERIODS = ("weekly", "monthly", "quarterly")
LEDGER_STATES = ("in_use", "stored", "damaged", "unusable")

# kind -> (rule, change to available, change to temporary storage)
MOVEMENTS: dict[str, tuple[str, int, int]] = {
    "receive": ("MAT-03", +1, 0),    # passed inspection
    "hold": ("MAT-03", 0, +1),       # failed inspection -> 暂存, not available
    "exchange": ("MAT-03", +1, -1),  # held goods exchanged for good ones
    "return": ("MAT-03", 0, -1),     # held goods sent back to the supplier
    "issue": ("MAT-04", -1, 0),
    "surplus": ("MAT-06", +1, 0),    # 盘盈
    "shortage": ("MAT-06", -1, 0),   # 盘亏
    "damage": ("MAT-06", -1, 0),     # 毁损
}


# ---------------------------------------------------------------- helpers

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def _label(name: str, spec: str | None = None) -> str:
    return f"{name} ({spec})" if spec else str(name)


def yuan_to_cents(value: Decimal | str | int) -> int:
    """Whole cents from a yuan amount; fractions of a cent are refused, not rounded."""
    try:
        amount = Decimal(str(value)) * 100
    except InvalidOperation as exc:
        raise ValueError(f"not a money amount: {value!r}") from exc
    if amount != amount.to_integral_value():
        raise ValueError(f"{value} yuan is not a whole number of cents")
    return int(amount)


def policy_with_defaults(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The defaults with a project's overrides applied and checked (SYS-03)."""
    policy = {k: (list(v) if isinstance(v, list) else v) for k, v in POLICY_DEFAULTS.items()}
    for key, value in (overrides or {}).items():
        if key not in POLICY_DEFAULTS:
            raise ValueError(f"unknown materials policy key {key!r}")
        policy[key] = list(value) if isinstance(value, (list, tuple)) else value
    if not _is_int(policy["desk_kit_min_per_plan"]) or policy["desk_kit_min_per_plan"] < 1:
        raise ValueError("desk_kit_min_per_plan must be an integer >= 1")
    # MAT-06 says "at least two people": a project may ask for more, never fewer
    if not _is_int(policy["stocktake_min_counters"]) or policy["stocktake_min_counters"] < 2:
        raise ValueError("stocktake_min_counters must be an integer >= 2")
    months = policy["full_count_months"]
    if not isinstance(months, list) or not all(_is_int(m) and 1 <= m <= 12 for m in months):
        raise ValueError("full_count_months must be a list of months 1..12")
    periods = policy["plan_periods"]
    if not isinstance(periods, list) or not periods or not set(periods) <= set(PERIODS):
        raise ValueError(f"plan_periods must be a non-empty subset of {', '.join(PERIODS)}")
    return policy


# ---------------------------------------------------------------- SYS-01 stock movement

def stock_movement(kind: str, qty: int, on_hand: int, *, held: int = 0, item: str = "item",
                   reorder_level: int | None = None) -> Decision:
    """Every change to a balance goes through here (SYS-01).

    ``on_hand`` is available stock, ``held`` is temporary storage (暂存). Allowed decisions carry
    ``before/after`` (available), ``held_before/held_after``, ``delta`` and ``low_stock`` (MAT-08).
    """
    if kind not in MOVEMENTS:
        return refuse("SYS-01", f"unknown stock movement {kind!r}; known: {', '.join(MOVEMENTS)}",
                      outcome="invalid", field="kind")
    rule, sign, held_sign = MOVEMENTS[kind]
    if not _is_int(qty) or qty <= 0:
        return refuse(rule, f"{kind} of {item}: quantity must be a whole number above 0, "
                      f"got {qty!r}",
                      outcome="invalid", field="quantity")
    if not _is_int(on_hand) or on_hand < 0 or not _is_int(held) or held < 0:
        return refuse(rule, f"{kind} of {item}: balances must be whole numbers >= 0 "
                      f"(available {on_hand!r}, held {held!r})", outcome="invalid", field="on_hand")
    after, held_after = on_hand + sign * qty, held + held_sign * qty
    if after < 0:
        # MAT-04/MAT-06: stock never goes below zero
        return refuse(rule, f"{kind} {qty} of {item}: only {on_hand} in stock",
                      outcome="insufficient_stock", field="quantity",
                      kind=kind, qty=qty, before=on_hand, shortfall=qty - on_hand)
    if held_after < 0:
        return refuse(rule, f"{kind} {qty} of {item}: only {held} in temporary storage",
                      outcome="insufficient_held", field="quantity",
                      kind=kind, qty=qty, held_before=held, shortfall=qty - held)
    low = reorder_level is not None and crossed_reorder_level(on_hand, after, reorder_level)
    # a hold or return moves only temporary storage; say which balance changed
    where, old, new = ("temporary storage", held, held_after) if sign == 0 else \
        ("stock", on_hand, after)
    return allow(rule, f"{kind} {qty} of {item}: {where} {old} -> {new}",
                 outcome=kind, kind=kind, qty=qty, delta=sign * qty, before=on_hand, after=after,
                 held_before=held, held_after=held_after, low_stock=low)


# ---------------------------------------------------------------- MAT-01 catalogue

def validate_item(name: str, specification: str, model: str, unit: str, unit_price_cents: int,
                  category: str, reorder_level: int) -> Decision:
    """MAT-01: a catalogue item is well-formed. ``model`` may be blank (a bag has none)."""
    errors: dict[str, str] = {}
    for fld, value in (("name", name), ("specification", specification), ("unit", unit)):
        if _blank(value):
            errors[fld] = f"{fld} is required"
    if not isinstance(model, str):
        errors["model"] = "model must be text (may be empty)"
    if not _is_int(unit_price_cents) or unit_price_cents < 0:
        errors["unit_price_cents"] = \
            f"unit price must be whole cents >= 0, got {unit_price_cents!r}"
    if category not in CATEGORIES:
        errors["category"] = f"category {category!r} is not one of {', '.join(CATEGORIES)}"
    if not _is_int(reorder_level) or reorder_level < 0:
        errors["reorder_level"] = \
            f"reorder level must be a whole number >= 0, got {reorder_level!r}"
    if errors:
        first = next(iter(errors))
        return refuse("MAT-01", f"catalogue item {name!r} refused: " + "; ".join(errors.values()),
                      outcome="invalid", field=first, errors=errors)
    return allow("MAT-01", f"catalogue item {_label(name.strip(), specification.strip())} "
                 f"at {unit_price_cents} cents per {unit.strip()}, reorder at {reorder_level}",
                 outcome="valid")


# ---------------------------------------------------------------- MAT-02 plans

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
                  lines: Mapping[Hashable, int],
                  policy: Mapping[str, Any] | None = None) -> Decision:
    """MAT-02: a needs plan names a sales milestone, an allowed period aligned to its start,
    and a positive quantity per item."""
    policy = policy_with_defaults(policy)
    if period not in policy["plan_periods"]:
        known = ", ".join(policy["plan_periods"])
        return refuse("MAT-02", f"plan period {period!r} is not one of {known}", outcome="invalid",
                      field="period")
    if period_start(period, starts) != starts:
        return refuse("MAT-02", f"a {period} plan must start on {period_start(period, starts)}, "
                      f"not {starts}", outcome="invalid", field="starts")
    if _blank(milestone):
        return refuse("MAT-02", "a needs plan must name its sales milestone", outcome="invalid",
                      field="milestone")
    if not lines:
        return refuse("MAT-02", "a needs plan must list at least one item", outcome="invalid",
                      field="lines")
    for item_id, qty in lines.items():
        if not _is_int(qty) or qty <= 0:
            return refuse("MAT-02", f"plan quantity for item {item_id} must be above 0, "
                          f"got {qty!r}", outcome="invalid", field="lines")
    return allow("MAT-02", f"{period} plan for {milestone.strip()} from {starts} to "
                 f"{period_end(period, starts)}: {len(lines)} item(s)", outcome="valid",
                 ends=period_end(period, starts).isoformat())


def classify_request(item_id: Hashable, quantity: int, now: datetime, plans: Iterable[PlanLine],
                     policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """MAT-02: a request covered by a current plan with enough left is ``planned``; anything
    else is ``urgent`` and waits for a manager (``needs_approval``)."""
    if not _is_int(quantity) or quantity <= 0:
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
                         plan_starts=plan.starts.isoformat())
    left = max((p.remaining for p in current), default=None)
    why = (f"no current plan lists item {item_id} on {day}" if left is None
           else f"current plans have only {left} of item {item_id} left")
    return allow("MAT-02", f"urgent request of {quantity}: {why}; needs a manager's approval",
                 outcome="urgent", needs_approval=True)


def approve_urgent_request(approver_id: Hashable, approver_roles: Iterable[str]) -> Decision:
    """MAT-02: only a manager approves an urgent (unplanned) request."""
    if "manager" not in set(approver_roles):
        return refuse("MAT-02", f"staff {approver_id} is not a manager; urgent requests need a "
                      "manager's approval", outcome="forbidden", field="approver_id")
    return allow("MAT-02", f"urgent request approved by manager {approver_id}", outcome="approved",
                 approved_by=approver_id)


# ---------------------------------------------------------------- MAT-03 receiving

def validate_receipt(name: str, specification: str, model: str, quantity: int,
                     unit_price_cents: int, receiver_id: Hashable, inspector_id: Hashable,
                     amount_cents: int | None = None) -> Decision:
    """MAT-03: a receipt (入库单) is complete; amount = quantity x unit price (computed when
    omitted). Receiver and inspector must be two different people (a two-person check)."""
    for fld, value in (("name", name), ("specification", specification)):
        if _blank(value):
            return refuse("MAT-03", f"receipt must record the item's {fld}", outcome="invalid",
                          field=fld)
    if not isinstance(model, str):
        return refuse("MAT-03", "receipt model must be text (may be empty)", outcome="invalid",
                      field="model")
    item = _label(name, specification)
    if not _is_int(quantity) or quantity <= 0:
        return refuse("MAT-03", f"receipt of {item}: quantity must be above 0, got {quantity!r}",
                      outcome="invalid", field="quantity")
    if not _is_int(unit_price_cents) or unit_price_cents < 0:
        return refuse("MAT-03", f"receipt of {item}: unit price must be whole cents >= 0, "
                      f"got {unit_price_cents!r}", outcome="invalid", field="unit_price_cents")
    expected = quantity * unit_price_cents
    if amount_cents is not None and amount_cents != expected:
        return refuse("MAT-03", f"receipt of {item}: amount {amount_cents} cents is not "
                      f"{quantity} x {unit_price_cents} = {expected} cents", outcome="invalid",
                      field="amount_cents")
    for fld, who in (("receiver_id", receiver_id), ("inspector_id", inspector_id)):
        if who is None or who == "":
            return refuse("MAT-03", f"receipt of {item} must name its {fld[:-3]}",
                          outcome="invalid", field=fld)
    if receiver_id == inspector_id:
        return refuse("MAT-03", f"receipt of {item}: receiver and inspector are both "
                      f"{receiver_id}; two different people must count and inspect",
                      outcome="invalid", field="inspector_id")
    return allow("MAT-03", f"receipt of {quantity} {item} at {unit_price_cents} cents = "
                 f"{expected} cents, received by {receiver_id}, inspected by {inspector_id}",
                 outcome="valid", amount_cents=expected)


def receive(inspection_passed: bool, qty: int, on_hand: int, held: int = 0, *, item: str = "item",
            reorder_level: int | None = None) -> Decision:
    """MAT-03: passed goods become available; failed goods go to temporary storage (暂存)."""
    d = stock_movement("receive" if inspection_passed else "hold", qty, on_hand, held=held,
                       item=item, reorder_level=reorder_level)
    if d.allowed and not inspection_passed:
        return allow(d.rule, d.reason + " (failed inspection: recorded, not available until "
                     "exchanged or returned)", outcome=d.outcome, **d.data)
    return d


def resolve_held(action: str, qty: int, on_hand: int, held: int, *, item: str = "item") -> Decision:
    """MAT-03: held goods leave temporary storage by ``exchange`` (-> available) or ``return``."""
    if action not in ("exchange", "return"):
        return refuse("MAT-03", f"held goods are exchanged or returned, not {action!r}",
                      outcome="invalid", field="action")
    return stock_movement(action, qty, on_hand, held=held, item=item)


# ---------------------------------------------------------------- MAT-04 issuing

@dataclass(frozen=True)
class IssueForm:
    """出库单: names the item, its spec and the quantity; the recipient signs it themself."""
    item_name: str
    specification: str
    quantity: int
    recipient_id: Hashable
    confirmed_by: Hashable | None = None


def issue(form: IssueForm, on_hand: int, *, catalogue_name: str | None = None,
          catalogue_spec: str | None = None, reorder_level: int | None = None) -> Decision:
    """MAT-04: issue only against a complete form confirmed by its recipient; never below zero.
    When the catalogue's name/spec are given, the form must match them."""
    for fld, value in (("item_name", form.item_name), ("specification", form.specification)):
        if _blank(value):
            return refuse("MAT-04", f"issue form must name the {fld.replace('_', ' ')}",
                          outcome="invalid", field=fld)
    item = _label(form.item_name, form.specification)
    if catalogue_name is not None and form.item_name.strip() != catalogue_name.strip():
        return refuse("MAT-04", f"issue form names {form.item_name!r} but the item is "
                      f"{catalogue_name!r}", outcome="invalid", field="item_name")
    if catalogue_spec is not None and form.specification.strip() != catalogue_spec.strip():
        return refuse("MAT-04", f"issue form spec {form.specification!r} does not match "
                      f"{catalogue_spec!r}", outcome="invalid", field="specification")
    if form.recipient_id is None or form.recipient_id == "":
        return refuse("MAT-04", f"issue form for {item} must name its recipient", outcome="invalid",
                      field="recipient_id")
    if form.confirmed_by is None:
        return refuse("MAT-04", f"issue of {item} awaits confirmation by recipient "
                      f"{form.recipient_id}", outcome="unconfirmed", field="confirmed_by")
    if form.confirmed_by != form.recipient_id:
        return refuse("MAT-04", f"issue of {item} to {form.recipient_id} was confirmed by "
                      f"{form.confirmed_by}; only the recipient themself may confirm",
                      outcome="wrong_confirmer", field="confirmed_by")
    return stock_movement("issue", form.quantity, on_hand, item=item, reorder_level=reorder_level)


# ---------------------------------------------------------------- MAT-05 usage ledger

def ledger_entry(item: str, location: str, responsible_id: Hashable, state: str,
                 previous_state: str | None = None) -> Decision:
    """MAT-05: where it is kept, who answers for it, its state. ``unusable`` is final and is
    reported for disposal (outcome ``report_disposal``)."""
    if _blank(location):
        return refuse("MAT-05", f"ledger entry for {item} must say where it is kept",
                      outcome="invalid", field="location")
    if responsible_id is None or responsible_id == "":
        return refuse("MAT-05", f"ledger entry for {item} must name who is responsible",
                      outcome="invalid", field="responsible_id")
    if state not in LEDGER_STATES:
        return refuse("MAT-05", f"state {state!r} is not one of {', '.join(LEDGER_STATES)}",
                      outcome="invalid", field="state")
    if previous_state == "unusable" and state != "unusable":
        return refuse("MAT-05", f"{item} was reported unusable; it cannot return to {state}",
                      outcome="invalid", field="state")
    if state == "unusable":
        first = previous_state != "unusable"
        return allow("MAT-05", f"{item} at {location.strip()} (responsible {responsible_id}) is "
                     "unusable: reported for disposal", outcome="report_disposal",
                     report_for_disposal=first)
    return allow("MAT-05", f"{item} kept at {location.strip()}, responsible {responsible_id}, "
                 f"{state}", outcome=state, report_for_disposal=False)


# ---------------------------------------------------------------- MAT-06 stocktake

def check_stocktake(counter_ids: Iterable[Hashable], full: bool, now: datetime,
                    policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """MAT-06: at least ``stocktake_min_counters`` distinct people count; in a
    ``full_count_months`` month (June, December) the count must be full."""
    policy = policy_with_defaults(policy)
    counters = {c for c in counter_ids if c is not None and c != ""}
    need = policy["stocktake_min_counters"]
    if len(counters) < need:
        return refuse("MAT-06", f"stocktake needs at least {need} different counters, "
                      f"got {len(counters)}", outcome="too_few_counters", field="counter_ids")
    month = business_day(now, tz).month
    if month in policy["full_count_months"] and not full:
        return refuse("MAT-06", f"month {month} requires a full count (full-count months "
                      f"{policy['full_count_months']})", outcome="full_count_required",
                      field="full")
    kind = "full" if full else "monthly"
    return allow("MAT-06", f"{kind} stocktake by {len(counters)} counters", outcome=kind,
                 counters=sorted(counters, key=str))


def attribute_loss(loss_qty: int, unit_price_cents: int, storekeeper_id: Hashable, *,
                   cause: str = "keeping", item: str = "item") -> Decision:
    """MAT-06: a loss caused by lax receiving or keeping is the storekeeper's; other causes
    (named in the reason) are reported without attribution."""
    amount = loss_qty * unit_price_cents
    if cause in ("receiving", "keeping"):
        if storekeeper_id is None or storekeeper_id == "":
            return refuse("MAT-06", f"loss of {loss_qty} {item} from lax {cause} needs the "
                          "storekeeper it is attributed to", outcome="invalid",
                          field="storekeeper_id")
        return allow("MAT-06", f"loss of {loss_qty} {item} ({amount} cents) from lax {cause} "
                     f"attributed to storekeeper {storekeeper_id}", outcome="attributed",
                     attributed_to=storekeeper_id, qty=loss_qty, amount_cents=amount, cause=cause)
    return allow("MAT-06", f"loss of {loss_qty} {item} ({amount} cents), cause {cause}: "
                 "not attributed to the storekeeper", outcome="unattributed",
                 attributed_to=None, qty=loss_qty, amount_cents=amount, cause=cause)


@dataclass(frozen=True)
class StocktakeLine:
    """One item's count: the verdict, the adjusting movements and the loss attribution."""
    decision: Decision
    surplus: int = 0
    shortage: int = 0
    damaged: int = 0
    new_balance: int | None = None
    movements: tuple[Decision, ...] = ()
    attribution: Decision | None = None


def stocktake_line(item: str, book_qty: int, counted_qty: int, *, damaged_qty: int = 0,
                   reasons: Mapping[str, str] | None = None, unit_price_cents: int = 0,
                   storekeeper_id: Hashable = None, loss_cause: str = "keeping") -> StocktakeLine:
    """MAT-06: ``counted_qty`` is every unit found, ``damaged_qty`` those of them destroyed.
    Surplus/shortage/damage each need a reason in ``reasons``; stock becomes counted - damaged."""
    reasons = reasons or {}
    counts = (("book_qty", book_qty), ("counted_qty", counted_qty), ("damaged_qty", damaged_qty))
    for fld, value in counts:
        if not _is_int(value) or value < 0:
            return StocktakeLine(refuse("MAT-06", f"{item}: {fld} must be a whole number >= 0, "
                                        f"got {value!r}", outcome="invalid", field=fld))
    if damaged_qty > counted_qty:
        return StocktakeLine(refuse("MAT-06", f"{item}: {damaged_qty} damaged but only "
                                    f"{counted_qty} counted", outcome="invalid",
                                    field="damaged_qty"))
    surplus, shortage = max(counted_qty - book_qty, 0), max(book_qty - counted_qty, 0)
    found = {"surplus": surplus, "shortage": shortage, "damage": damaged_qty}
    for kind, qty in found.items():
        if qty and _blank(reasons.get(kind)):
            return StocktakeLine(refuse("MAT-06", f"{item}: {kind} of {qty} (book {book_qty}, "
                                        f"counted {counted_qty}) needs a reason",
                                        outcome="reason_required", field="reasons",
                                        missing=kind, qty=qty))
    balance, movements = book_qty, []
    for kind, qty in found.items():
        if qty:
            d = stock_movement(kind, qty, balance, item=item)
            d = allow(d.rule, f"{d.reason}: {reasons[kind].strip()}", outcome=d.outcome,
                      **d.data, reason_given=reasons[kind].strip())
            movements.append(d)
            balance = d.data["after"]
    loss = shortage + damaged_qty
    attribution = (attribute_loss(loss, unit_price_cents, storekeeper_id, cause=loss_cause,
                                  item=item) if loss else None)
    if attribution is not None and not attribution.allowed:
        return StocktakeLine(attribution)
    outcome = "match" if not movements else "adjusted"
    summary = ", ".join(f"{k} {q}" for k, q in found.items() if q) or "no difference"
    return StocktakeLine(
        allow("MAT-06", f"{item}: book {book_qty}, counted {counted_qty}: {summary}; "
              f"stock {balance}",
              outcome=outcome, book=book_qty, counted=counted_qty, new_balance=balance, **found),
        surplus=surplus, shortage=shortage, damaged=damaged_qty, new_balance=balance,
        movements=tuple(movements), attribution=attribution)


# ---------------------------------------------------------------- MAT-07 desk kit

def desk_kit_shortages(folder: Mapping[Hashable, int], floor_plan_ids: Iterable[Hashable],
                       policy: Mapping[str, Any] | None = None,
                       consultant_id: Hashable = None) -> Decision:
    """MAT-07: the folder must hold ``desk_kit_min_per_plan`` of every floor-plan sheet.
    Short -> refused with ``data["shortages"] = {item_id: missing}`` (the top-up to issue)."""
    need = policy_with_defaults(policy)["desk_kit_min_per_plan"]
    shortages = {pid: need - folder.get(pid, 0) for pid in floor_plan_ids
                 if folder.get(pid, 0) < need}
    who = f"consultant {consultant_id}'s folder" if consultant_id is not None else "folder"
    if shortages:
        detail = ", ".join(f"{pid} has {need - n}/{need}" for pid, n in shortages.items())
        return refuse("MAT-07", f"{who} is short: {detail}", outcome="short",
                      shortages=shortages, minimum=need)
    return allow("MAT-07", f"{who} holds at least {need} of every floor plan", outcome="complete",
                 shortages={}, minimum=need)


@dataclass(frozen=True)
class IssueLine:
    """One issue made for a reception's handed-out floor plans."""
    item_id: Hashable
    quantity: int
    decision: Decision


@dataclass(frozen=True)
class HandoutShortage:
    """What stock could not cover: recorded, reported to the manager, never a negative balance."""
    item_id: Hashable
    wanted: int
    issued: int
    missing: int
    decision: Decision


@dataclass(frozen=True)
class HandoutIssue:
    lines: tuple[IssueLine, ...] = ()
    shortages: tuple[HandoutShortage, ...] = ()
    decision: Decision | None = None


def handout_issue_lines(handed_out: Iterable[tuple[Hashable, int]] | Mapping[Hashable, int],
                        on_hand: Mapping[Hashable, int], consultant_id: Hashable,
                        names: Mapping[Hashable, str] | None = None,
                        specs: Mapping[Hashable, str] | None = None,
                        reorder_levels: Mapping[Hashable, int] | None = None) -> HandoutIssue:
    """MAT-07 + REC-06: floor plans handed out in a reception are issued from stock to the
    consultant (completing the reception is their confirmation). What stock cannot cover is
    issued as far as it goes and the rest recorded as a shortage."""
    names, specs, reorder_levels = names or {}, specs or {}, reorder_levels or {}
    pairs = handed_out.items() if isinstance(handed_out, Mapping) else handed_out
    wanted: dict[Hashable, int] = {}
    invalid: list[HandoutShortage] = []
    for item_id, qty in pairs:
        if not _is_int(qty) or qty < 0:
            invalid.append(HandoutShortage(item_id, 0, 0, 0, refuse(
                "MAT-07", f"handed-out quantity for {names.get(item_id, item_id)} must be a whole "
                f"number >= 0, got {qty!r}", outcome="invalid", field="handed_out")))
            continue
        if qty:  # the same plan listed twice is one issue of the sum
            wanted[item_id] = wanted.get(item_id, 0) + qty
    lines: list[IssueLine] = []
    shortages = list(invalid)
    for item_id, qty in wanted.items():
        label = names.get(item_id, str(item_id))
        if item_id not in on_hand:
            shortages.append(HandoutShortage(item_id, qty, 0, qty, refuse(
                "MAT-07", f"{label} is not a stocked item; {qty} handed out recorded as shortage",
                outcome="unknown_item", field="handed_out", missing=qty)))
            continue
        stock = on_hand[item_id]
        take = min(qty, max(stock, 0))
        if take:
            form = IssueForm(label, specs.get(item_id, "floor plan"), take,
                             recipient_id=consultant_id, confirmed_by=consultant_id)
            lines.append(IssueLine(item_id, take, issue(form, stock,
                                                        reorder_level=reorder_levels.get(item_id))))
        if take < qty:
            shortages.append(HandoutShortage(item_id, qty, take, qty - take, refuse(
                "MAT-07", f"issue {qty} of {label}: only {stock} in stock; {qty - take} recorded "
                f"as shortage for consultant {consultant_id}", outcome="shortage",
                field="handed_out", wanted=qty, issued=take, missing=qty - take)))
    issued = sum(line.quantity for line in lines)
    missing = sum(s.missing for s in shortages)
    summary = allow("MAT-07", f"reception hand-out for consultant {consultant_id}: "
                    f"{issued} sheet(s) issued, {missing} short",
                    outcome="short" if shortages else "issued", issued=issued, missing=missing)
    return HandoutIssue(tuple(lines), tuple(shortages), summary)


# ---------------------------------------------------------------- MAT-08 low stock

def crossed_reorder_level(before: int, after: int, level: int) -> bool:
    """MAT-08: True only on the movement that takes stock from above the level to at/below it,
    so the event fires once per crossing; restocking above the level re-arms it."""
    return before > level >= after


def low_stock(item: str, before: int, after: int, level: int) -> Decision:
    """MAT-08: ``low_stock`` (raise the event for supervisors) or ``ok`` (nothing to raise)."""
    if crossed_reorder_level(before, after, level):
        return allow("MAT-08", f"{item} fell from {before} to {after}, at or below reorder level "
                     f"{level}: notify supervisors", outcome="low_stock", before=before,
                     after=after, level=level)
    return allow("MAT-08", f"{item} {before} -> {after} does not cross reorder level {level}",
                 outcome="ok", before=before, after=after, level=level)
