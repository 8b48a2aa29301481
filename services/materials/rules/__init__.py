"""Materials rules (MAT-01..MAT-08), pure: no I/O, no clock, no database.

Every function answers with a ``Decision`` (SYS-01) or a small dataclass holding Decisions, and
an allowed decision carries the new state it decided (``data``), so the use case never works
it out again. Refusals carry ``data["field"]`` where one input is to blame.

Units: quantities are plain ints (bool refused); money is integer cents of CNY (``*_cents``),
so amounts are exact and JSON-safe. ``yuan_to_cents`` converts a "12.50" price.

One module per rule family; every name is re-exported here.
"""
from services.common.staffing import project_staff  # the kit's staff check, MAT rule IDs

from ..constants import CATEGORIES, HELD_ACTIONS, LEDGER_STATES, PERIODS
from .access import WHY_PUBLIC, why_visible
from .base import item_label, label, who, yuan_to_cents
from .catalogue import ITEM_FIELDS, code_free, revise_item, validate_item
from .desk import (
    HandoutIssue,
    HandoutShortage,
    IssueLine,
    check_folder,
    desk_kit_shortages,
    handout_issue_lines,
    shortage_report,
)
from .keeping import (
    StocktakeLine,
    attribute_loss,
    check_stocktake,
    ledger_entry,
    month_status,
    stocktake_items,
    stocktake_line,
    stocktake_storekeeper,
)
from .plans import (
    PlanLine,
    RequestFacts,
    approve_plan,
    approve_urgent_request,
    basis_released,
    classify_request,
    decide_request,
    issue_against_plan,
    issue_against_request,
    period_end,
    period_start,
    plan_changed,
    validate_plan,
)
from .policy import POLICY, POLICY_DEFAULTS, policy_with_defaults
from .receiving import (
    IssueForm,
    form_cancelled,
    form_confirmed,
    held_claim_lost,
    issue,
    new_issue_form,
    pending_form,
    receiving_movement,
    resolve_held,
    validate_receipt,
)
from .stock import (
    MOVEMENTS,
    applied_movement,
    crossed_reorder_level,
    low_stock,
    movement_refused,
    stock_movement,
)

__all__ = [
    "CATEGORIES", "HELD_ACTIONS", "LEDGER_STATES", "PERIODS", "item_label", "label", "who",
    "yuan_to_cents",
    "WHY_PUBLIC", "why_visible",
    "ITEM_FIELDS", "code_free", "revise_item", "validate_item",
    "HandoutIssue", "HandoutShortage", "IssueLine", "check_folder", "desk_kit_shortages",
    "handout_issue_lines", "shortage_report",
    "StocktakeLine", "attribute_loss", "check_stocktake", "ledger_entry", "month_status",
    "project_staff", "stocktake_items", "stocktake_line", "stocktake_storekeeper",
    "PlanLine", "RequestFacts", "approve_plan", "approve_urgent_request", "basis_released",
    "classify_request", "decide_request", "issue_against_plan", "issue_against_request",
    "period_end", "period_start", "plan_changed", "validate_plan",
    "POLICY", "POLICY_DEFAULTS", "policy_with_defaults",
    "IssueForm", "form_cancelled", "form_confirmed", "held_claim_lost", "issue",
    "new_issue_form", "pending_form", "receiving_movement", "resolve_held", "validate_receipt",
    "MOVEMENTS", "applied_movement", "crossed_reorder_level", "low_stock", "movement_refused",
    "stock_movement",
]
