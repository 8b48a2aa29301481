"""MAT-01: the catalogue (物料目录): what an item must say, and one code per project."""
from collections.abc import Mapping
from typing import Any

from services.common.decision import Decision, allow, refuse

from ..constants import CATEGORIES
from .base import blank, is_int, label

# what a catalogue change may touch: never the balances, which only movements change
ITEM_FIELDS = ("name", "specification", "model", "unit", "unit_price_cents", "category",
               "reorder_level")


def validate_item(name: str, specification: str, model: str, unit: str, unit_price_cents: int,
                  category: str, reorder_level: int) -> Decision:
    """MAT-01: a catalogue item is well-formed. ``model`` may be blank (a bag has none)."""
    errors: dict[str, str] = {}
    for fld, value in (("name", name), ("specification", specification), ("unit", unit)):
        if blank(value):
            errors[fld] = f"{fld} is required"
    if not isinstance(model, str):
        errors["model"] = "model must be text (may be empty)"
    if not is_int(unit_price_cents) or unit_price_cents < 0:
        errors["unit_price_cents"] = \
            f"unit price must be whole cents >= 0, got {unit_price_cents!r}"
    if category not in CATEGORIES:
        errors["category"] = f"category {category!r} is not one of {', '.join(CATEGORIES)}"
    if not is_int(reorder_level) or reorder_level < 0:
        errors["reorder_level"] = \
            f"reorder level must be a whole number >= 0, got {reorder_level!r}"
    if errors:
        first = next(iter(errors))
        return refuse("MAT-01", f"catalogue item {name!r} refused: " + "; ".join(errors.values()),
                      outcome="invalid", field=first, errors=errors)
    return allow("MAT-01", f"catalogue item {label(name.strip(), specification.strip())} "
                 f"at {unit_price_cents} cents per {unit.strip()}, reorder at {reorder_level}",
                 outcome="valid")


def revise_item(current: Mapping[str, Any], changes: Mapping[str, Any] | None = None) -> Decision:
    """MAT-01: a new item, or ``current`` with ``changes``, is checked as a whole item;
    ``data["fields"]`` is the item's text and figures (trimmed), never its balances."""
    merged = {k: (changes or {}).get(k, current[k]) for k in ITEM_FIELDS}
    d = validate_item(**merged)
    if not d.allowed:
        return d
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in merged.items()}
    return allow(d.rule, d.reason, outcome=d.outcome, fields=fields)


def code_free(code: str, taken: bool) -> Decision:
    """MAT-01: an item code names one item in a project."""
    if taken:
        return refuse("MAT-01", f"item code {code!r} is taken in this project",
                      outcome="code_taken", field="code")
    return allow("MAT-01", f"item code {code!r} is free", outcome="code_free")
