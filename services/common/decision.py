"""The shape every rule returns (SYS-01): what was decided, by which rule, and why."""
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Decision:
    """A rule's answer.

    rule    -- the rulebook ID that made the decision, e.g. "ATT-04"
    reason  -- a human sentence a manager can read ("clock-in 08:30:01 is after 08:30:00")
    outcome -- a short machine word for the result ("on_time", "late", "refused", ...)
    allowed -- False when the rule refuses the action
    data    -- any figures the caller stores with the decision (fine amounts, marks, ...)
    """

    rule: str
    reason: str
    outcome: str = "ok"
    allowed: bool = True
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "outcome": self.outcome,
                "allowed": self.allowed, "data": dict(self.data)}


def who(names: Mapping[Hashable, str] | None, person_id: Hashable) -> str:
    """A person as a reason names them (staff read reasons on their screens, SYS-01): their
    name, which the use case looks up (``directory.reason_names``) and passes in ``names``;
    "#<id>" when it does not know them, "nobody" for no one."""
    if person_id is None or person_id == "":
        return "nobody"
    return (names or {}).get(person_id) or f"#{person_id}"


def allow(rule: str, reason: str, outcome: str = "ok", **data: Any) -> Decision:
    return Decision(rule=rule, reason=reason, outcome=outcome, allowed=True, data=data)


def refuse(rule: str, reason: str, outcome: str = "refused", **data: Any) -> Decision:
    return Decision(rule=rule, reason=reason, outcome=outcome, allowed=False, data=data)
