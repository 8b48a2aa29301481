"""SYS-01 stock movements and MAT-08 low stock: every change to a balance, pure."""
from services.common.decision import Decision, allow, refuse

from .base import is_int

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
    if not is_int(qty) or qty <= 0:
        return refuse(rule, f"{kind} of {item}: quantity must be a whole number above 0, "
                      f"got {qty!r}",
                      outcome="invalid", field="quantity")
    if not is_int(on_hand) or on_hand < 0 or not is_int(held) or held < 0:
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


def applied_movement(kind: str, qty: int, on_hand: int, held: int, *, item: str,
                     reorder_level: int, rule: str | None = None,
                     note: str | None = None) -> Decision:
    """The movement the database has just applied to balances ``on_hand``/``held`` (before),
    citing ``rule`` when a caller's rule made it (MAT-07 hand-outs) and ``note`` (its cause)."""
    d = stock_movement(kind, qty, on_hand, held=held, item=item, reorder_level=reorder_level)
    return allow(rule or d.rule, d.reason + (f" ({note})" if note else ""), outcome=d.outcome,
                 **d.data)


def movement_refused(kind: str, qty: int, *, item: str, available: int,
                     rule: str | None = None) -> Decision:
    """MAT-04/MAT-03: the database refused the movement (its guard or CHECK constraint): not
    enough left, whatever another instance did meanwhile."""
    mv_rule, sign, held_sign = MOVEMENTS[kind]
    held = held_sign < 0 and sign >= 0
    return refuse(rule or mv_rule, f"{kind} {qty} of {item}: not enough in "
                  f"{'temporary storage' if held else 'stock'} (available {available})",
                  outcome="insufficient_held" if held else "insufficient_stock", field="quantity")


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
