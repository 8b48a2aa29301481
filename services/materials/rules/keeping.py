"""MAT-05 usage ledger (使用台账) and MAT-06 stocktakes (盘点): where things are and who answers
for them; counts by two people that adjust stock and attribute losses."""
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import business_day

from ..constants import LEDGER_STATES
from .base import blank, is_int, item_label, missing, who
from .policy import policy_with_defaults
from .stock import stock_movement


def ledger_entry(item: str, location: str, responsible_id: Hashable, state: str,
                 previous_state: str | None = None,
                 names: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-05: where it is kept, who answers for it, its state. ``unusable`` is final and is
    reported for disposal (outcome ``report_disposal``). ``names``: person id -> name."""
    if blank(location):
        return refuse("MAT-05", f"ledger entry for {item} must say where it is kept",
                      outcome="invalid", field="location")
    if missing(responsible_id):
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
        return allow("MAT-05", f"{item} at {location.strip()} (responsible "
                     f"{who(names, responsible_id)}) is unusable: reported for disposal",
                     outcome="report_disposal",
                     report_for_disposal=first)
    return allow("MAT-05", f"{item} kept at {location.strip()}, responsible "
                 f"{who(names, responsible_id)}, {state}", outcome=state,
                 report_for_disposal=False)


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
    day = business_day(now, tz)
    return allow("MAT-06", f"{kind} stocktake of {day:%Y-%m} by {len(counters)} counters",
                 outcome=kind, counters=sorted(counters, key=str),
                 month=day.replace(day=1).isoformat())


def month_status(month: date, today: date, counts: Iterable[tuple[Hashable, bool]],
                 policy: Mapping[str, Any] | None = None) -> Decision:
    """MAT-06: each month has a stocktake (a full one in ``full_count_months``). A month is
    ``done`` (counted, fully when required), ``due`` (the current month, not yet done),
    ``missed`` (past and not done) or ``future``."""
    policy = policy_with_defaults(policy)
    counts = list(counts)
    full_required = month.month in policy["full_count_months"]
    ok = [i for i, full in counts if full or not full_required]
    this_month = today.replace(day=1)
    kind = "a full count" if full_required else "a stocktake"
    if ok:
        status, reason = "done", f"{month:%Y-%m} has {kind} (stocktake {ok[0]})"
    elif month > this_month:
        status, reason = "future", f"{month:%Y-%m} has not begun"
    elif month == this_month:
        status, reason = "due", f"{month:%Y-%m} still needs {kind}"
    else:
        status, reason = "missed", f"{month:%Y-%m} ended without {kind}"
    return allow("MAT-06", reason, outcome=status, full_required=full_required,
                 stocktakes=[i for i, _ in counts])


def attribute_loss(loss_qty: int, unit_price_cents: int, storekeeper_id: Hashable, *,
                   cause: str = "keeping", item: str = "item",
                   names: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-06: a loss caused by lax receiving or keeping is the storekeeper's; other causes
    (named in the reason) are reported without attribution. ``names``: person id -> name."""
    amount = loss_qty * unit_price_cents
    if cause in ("receiving", "keeping"):
        if missing(storekeeper_id):
            return refuse("MAT-06", f"loss of {loss_qty} {item} from lax {cause} needs the "
                          "storekeeper it is attributed to", outcome="invalid",
                          field="storekeeper_id")
        return allow("MAT-06", f"loss of {loss_qty} {item} ({amount} cents) from lax {cause} "
                     f"attributed to storekeeper {who(names, storekeeper_id)}",
                     outcome="attributed",
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
                   storekeeper_id: Hashable = None, loss_cause: str = "keeping",
                   names: Mapping[Hashable, str] | None = None) -> StocktakeLine:
    """MAT-06: ``counted_qty`` is every unit found, ``damaged_qty`` those of them destroyed.
    Surplus/shortage/damage each need a reason in ``reasons``; stock becomes counted - damaged.
    ``names``: person id -> name (the storekeeper a loss is attributed to)."""
    reasons = reasons or {}
    counts = (("book_qty", book_qty), ("counted_qty", counted_qty), ("damaged_qty", damaged_qty))
    for fld, value in counts:
        if not is_int(value) or value < 0:
            return StocktakeLine(refuse("MAT-06", f"{item}: {fld} must be a whole number >= 0, "
                                        f"got {value!r}", outcome="invalid", field=fld))
    if damaged_qty > counted_qty:
        return StocktakeLine(refuse("MAT-06", f"{item}: {damaged_qty} damaged but only "
                                    f"{counted_qty} counted", outcome="invalid",
                                    field="damaged_qty"))
    surplus, shortage = max(counted_qty - book_qty, 0), max(book_qty - counted_qty, 0)
    found = {"surplus": surplus, "shortage": shortage, "damage": damaged_qty}
    for kind, qty in found.items():
        if qty and blank(reasons.get(kind)):
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
                                  item=item, names=names) if loss else None)
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


def stocktake_items(counted_ids: Iterable[Hashable], known_ids: Iterable[Hashable],
                    full: bool, items: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-06: each item is counted once in a stocktake; a full count covers every item.
    ``items``: item id -> its label for the reasons (the code)."""
    ids = list(counted_ids)
    if len(set(ids)) != len(ids):
        return refuse("MAT-06", "an item is counted twice in one stocktake", outcome="invalid",
                      field="lines")
    left_out = sorted(set(known_ids) - set(ids)) if full else []
    if left_out:
        missed = ", ".join(item_label(items, i) for i in left_out)
        return refuse("MAT-06", f"a full count covers every item; missing {missed}",
                      outcome="invalid", field="lines")
    return allow("MAT-06", f"{len(ids)} item(s) counted once each", outcome="covered")


def stocktake_storekeeper(named: Hashable | None, caller_id: Hashable,
                          caller_roles: Iterable[str]) -> Hashable | None:
    """MAT-06: losses go to the storekeeper named on the count, else to the storekeeper who
    records it (None when neither: a lax-keeping loss is then refused by ``attribute_loss``)."""
    return named or (caller_id if "storekeeper" in set(caller_roles) else None)
