"""Small checks every rule family shares (pure)."""
from decimal import Decimal, InvalidOperation
from typing import Any


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def missing(value: Any) -> bool:
    return value is None or value == ""


def label(name: str, spec: str | None = None) -> str:
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
