"""MAT-07: the desk kit. Floor plans handed out in a reception are issued to the consultant;
folders hold enough of every plan; what could not be covered is the day's shortage."""
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from services.common.decision import Decision, allow, refuse

from .base import is_int, who
from .policy import policy_with_defaults
from .receiving import IssueForm, issue


def desk_kit_shortages(folder: Mapping[Hashable, int], floor_plan_ids: Iterable[Hashable],
                       policy: Mapping[str, Any] | None = None,
                       consultant_id: Hashable = None, consultant: str | None = None) -> Decision:
    """MAT-07: the folder must hold ``desk_kit_min_per_plan`` of every floor-plan sheet.
    Short -> refused with ``data["shortages"] = {item_id: missing}`` (the top-up to issue).
    ``consultant`` is the consultant's name for the reasons ("#<id>" when not given)."""
    need = policy_with_defaults(policy)["desk_kit_min_per_plan"]
    shortages = {pid: need - folder.get(pid, 0) for pid in floor_plan_ids
                 if folder.get(pid, 0) < need}
    whose = f"consultant {consultant or who(None, consultant_id)}'s folder" \
        if consultant_id is not None else "folder"
    if shortages:
        detail = ", ".join(f"{pid} has {need - n}/{need}" for pid, n in shortages.items())
        return refuse("MAT-07", f"{whose} is short: {detail}", outcome="short",
                      shortages=shortages, minimum=need)
    return allow("MAT-07", f"{whose} holds at least {need} of every floor plan", outcome="complete",
                 shortages={}, minimum=need)


class IssueLine(NamedTuple):
    """One issue made for a reception's handed-out floor plans."""
    item_id: Hashable
    quantity: int
    decision: Decision


class HandoutShortage(NamedTuple):
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
                        reorder_levels: Mapping[Hashable, int] | None = None,
                        consultant: str | None = None) -> HandoutIssue:
    """MAT-07 + REC-06: floor plans handed out in a reception are issued from stock to the
    consultant (completing the reception is their confirmation). What stock cannot cover is
    issued as far as it goes and the rest recorded as a shortage. ``names`` are the items'
    labels; ``consultant`` is the consultant's name ("#<id>" when not given)."""
    names, specs, reorder_levels = names or {}, specs or {}, reorder_levels or {}
    consultant = consultant or who(None, consultant_id)
    pairs = handed_out.items() if isinstance(handed_out, Mapping) else handed_out
    wanted: dict[Hashable, int] = {}
    invalid: list[HandoutShortage] = []
    for item_id, qty in pairs:
        if not is_int(qty) or qty < 0:
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
                f"as shortage for consultant {consultant}", outcome="shortage",
                field="handed_out", wanted=qty, issued=take, missing=qty - take)))
    issued = sum(line.quantity for line in lines)
    missing = sum(s.missing for s in shortages)
    summary = allow("MAT-07", f"reception hand-out for consultant {consultant}: "
                    f"{issued} sheet(s) issued, {missing} short",
                    outcome="short" if shortages else "issued", issued=issued, missing=missing)
    return HandoutIssue(tuple(lines), tuple(shortages), summary)


def check_folder(folder: Mapping[str, Any], floor_plan_codes: Iterable[str]) -> Decision:
    """MAT-07: a folder check names this project's floor-plan sheets, with counts >= 0."""
    unknown = sorted(set(folder) - set(floor_plan_codes))
    if unknown:
        return refuse("MAT-07", f"not floor-plan sheets of this project: {', '.join(unknown)}",
                      outcome="invalid", field="folder")
    if any(not is_int(n) or n < 0 for n in folder.values()):
        return refuse("MAT-07", "folder counts are whole numbers >= 0", outcome="invalid",
                      field="folder")
    return allow("MAT-07", f"folder of {len(folder)} floor plan(s)", outcome="valid")


def shortage_report(day: str, lines: int, sheets: int, note: str = "") -> Decision:
    """MAT-07: the supervisor reports the day's unreported shortages to the manager."""
    reason = (f"{lines} shortage line(s) of {day} ({sheets} sheet(s)) reported to the manager"
              + (f": {note}" if note else ""))
    return allow("MAT-07", reason, outcome="reported", lines=lines)
