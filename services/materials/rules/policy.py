"""SYS-03: the materials policy values, their defaults and the checks a value must pass when a
manager writes it (RULEBOOK MAT-02, MAT-06, MAT-07)."""
from services.common.policyspec import Key, PolicySpec, at_least

from ..constants import PERIODS
from .base import is_int


def _months(values):
    if all(is_int(m) and 1 <= m <= 12 for m in values):
        return None
    return f"must list months 1..12, got {values!r}"


def _periods(values):
    if values and set(values) <= set(PERIODS):
        return None
    return f"must be a non-empty subset of {', '.join(PERIODS)}, got {values!r}"


POLICY = PolicySpec("materials", {
    "desk_kit_min_per_plan": Key(
        2, rule="MAT-07", check=at_least(1),
        doc="sheets of every floor plan a desk consultant's folder must hold"),
    # MAT-06 says "at least two people": a project may ask for more, never fewer
    "stocktake_min_counters": Key(
        2, rule="MAT-06", check=at_least(2),
        doc="different people who must count a stocktake (never fewer than two)"),
    "full_count_months": Key(
        [6, 12], rule="MAT-06", check=_months,
        doc="months (1-12) whose stocktake must be a full count"),
    "plan_periods": Key(
        list(PERIODS), rule="MAT-02", check=_periods,
        doc="the periods a needs plan may cover (weekly, monthly, quarterly)"),
})

POLICY_DEFAULTS = POLICY.defaults
policy_with_defaults = POLICY.with_defaults
