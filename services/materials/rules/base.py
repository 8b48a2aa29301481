"""Small checks every rule family shares (pure)."""
from collections.abc import Hashable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from services.common.decision import who  # noqa: F401  (the rule families name people so)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def missing(value: Any) -> bool:
    return value is None or value == ""


def label(name: str, spec: str | None = None) -> str:
    return f"{name} ({spec})" if spec else str(name)


def item_label(items: Mapping[Hashable, str] | None, item_id: Hashable) -> str:
    """An item as a reason names it: its label (name, spec and code) as the use case passes
    it in ``items``; "item #<id>" when it does not."""
    return (items or {}).get(item_id) or f"item #{item_id}"


def yuan_to_cents(value: Decimal | str | int) -> int:
    """Whole cents from a yuan amount; fractions of a cent are refused, not rounded."""
    try:
        amount = Decimal(str(value)) * 100
    except InvalidOperation as exc:
        raise ValueError(f"not a money amount: {value!r}") from exc
    if amount != amount.to_integral_value():
        raise ValueError(f"{value} yuan is not a whole number of cents")
    return int(amount)
