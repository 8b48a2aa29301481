"""MAT-03 receiving (入库) and MAT-04 issuing (出库): two people for a receipt, failed goods
held apart, and stock issued only when its recipient confirms."""
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from services.common.decision import Decision, allow, refuse

from ..constants import HELD_ACTIONS
from .base import blank, is_int, label, missing, who
from .stock import stock_movement

# ---------------------------------------------------------------- MAT-03 receiving

def validate_receipt(name: str, specification: str, model: str, quantity: int,
                     unit_price_cents: int, receiver_id: Hashable, inspector_id: Hashable,
                     amount_cents: int | None = None,
                     names: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-03: a receipt (入库单) is complete; amount = quantity x unit price (computed when
    omitted). Receiver and inspector must be two different people (a two-person check).
    ``names``: person id -> name, for the reasons."""
    for fld, value in (("name", name), ("specification", specification)):
        if blank(value):
            return refuse("MAT-03", f"receipt must record the item's {fld}", outcome="invalid",
                          field=fld)
    if not isinstance(model, str):
        return refuse("MAT-03", "receipt model must be text (may be empty)", outcome="invalid",
                      field="model")
    item = label(name, specification)
    if not is_int(quantity) or quantity <= 0:
        return refuse("MAT-03", f"receipt of {item}: quantity must be above 0, got {quantity!r}",
                      outcome="invalid", field="quantity")
    if not is_int(unit_price_cents) or unit_price_cents < 0:
        return refuse("MAT-03", f"receipt of {item}: unit price must be whole cents >= 0, "
                      f"got {unit_price_cents!r}", outcome="invalid", field="unit_price_cents")
    expected = quantity * unit_price_cents
    if amount_cents is not None and amount_cents != expected:
        return refuse("MAT-03", f"receipt of {item}: amount {amount_cents} cents is not "
                      f"{quantity} x {unit_price_cents} = {expected} cents", outcome="invalid",
                      field="amount_cents")
    for fld, person in (("receiver_id", receiver_id), ("inspector_id", inspector_id)):
        if missing(person):
            return refuse("MAT-03", f"receipt of {item} must name its {fld[:-3]}",
                          outcome="invalid", field=fld)
    if receiver_id == inspector_id:
        return refuse("MAT-03", f"receipt of {item}: receiver and inspector are both "
                      f"{who(names, receiver_id)}; two different people must count and inspect",
                      outcome="invalid", field="inspector_id")
    return allow("MAT-03", f"receipt of {quantity} {item} at {unit_price_cents} cents = "
                 f"{expected} cents, received by {who(names, receiver_id)}, inspected by "
                 f"{who(names, inspector_id)}",
                 outcome="valid", amount_cents=expected)


def receiving_movement(inspection_passed: bool, receipt_id: Hashable) -> tuple[str, str]:
    """MAT-03: passed goods are received into stock; failed goods are held (暂存), recorded
    but not available. Returns the movement kind and its note."""
    if inspection_passed:
        return "receive", f"receipt {receipt_id}"
    return "hold", (f"receipt {receipt_id}, failed inspection: recorded, not available until "
                    "exchanged or returned")


def resolve_held(action: str, qty: int, on_hand: int, held: int, *, item: str = "item") -> Decision:
    """MAT-03: held goods leave temporary storage by ``exchange`` (-> available) or ``return``."""
    if action not in HELD_ACTIONS:
        return refuse("MAT-03", f"held goods are exchanged or returned, not {action!r}",
                      outcome="invalid", field="action")
    return stock_movement(action, qty, on_hand, held=held, item=item)


def held_claim_lost(receipt_id: Hashable, qty: int) -> Decision:
    """MAT-03: another resolution took the receipt's held goods first."""
    return refuse("MAT-03", f"receipt {receipt_id} no longer holds {qty}",
                  outcome="insufficient_held", field="quantity")


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
          catalogue_spec: str | None = None, reorder_level: int | None = None,
          names: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-04: issue only against a complete form confirmed by its recipient; never below zero.
    When the catalogue's name/spec are given, the form must match them. ``names``: person id
    -> name, for the reasons."""
    for fld, value in (("item_name", form.item_name), ("specification", form.specification)):
        if blank(value):
            return refuse("MAT-04", f"issue form must name the {fld.replace('_', ' ')}",
                          outcome="invalid", field=fld)
    item = label(form.item_name, form.specification)
    if catalogue_name is not None and form.item_name.strip() != catalogue_name.strip():
        return refuse("MAT-04", f"issue form names {form.item_name!r} but the item is "
                      f"{catalogue_name!r}", outcome="invalid", field="item_name")
    if catalogue_spec is not None and form.specification.strip() != catalogue_spec.strip():
        return refuse("MAT-04", f"issue form spec {form.specification!r} does not match "
                      f"{catalogue_spec!r}", outcome="invalid", field="specification")
    if missing(form.recipient_id):
        return refuse("MAT-04", f"issue form for {item} must name its recipient", outcome="invalid",
                      field="recipient_id")
    if form.confirmed_by is None:
        return refuse("MAT-04", f"issue of {item} awaits confirmation by recipient "
                      f"{who(names, form.recipient_id)}", outcome="unconfirmed",
                      field="confirmed_by")
    if form.confirmed_by != form.recipient_id:
        return refuse("MAT-04", f"issue of {item} to {who(names, form.recipient_id)} was "
                      f"confirmed by {who(names, form.confirmed_by)}; only the recipient "
                      "themself may confirm",
                      outcome="wrong_confirmer", field="confirmed_by")
    return stock_movement("issue", form.quantity, on_hand, item=item, reorder_level=reorder_level)


def new_issue_form(form: IssueForm, on_hand: int, *, catalogue_name: str,
                   catalogue_spec: str, names: Mapping[Hashable, str] | None = None) -> Decision:
    """MAT-04: a form is made out complete and matching the catalogue; it then awaits its
    recipient's confirmation (stock moves only then)."""
    if not is_int(form.quantity) or form.quantity <= 0:
        return refuse("MAT-04", f"issue form quantity must be a whole number above 0, got "
                      f"{form.quantity!r}", outcome="invalid", field="quantity")
    d = issue(form, on_hand, catalogue_name=catalogue_name, catalogue_spec=catalogue_spec,
              names=names)
    if d.outcome != "unconfirmed":  # a new form has no confirmation: any other answer refuses
        return d
    return allow(d.rule, d.reason, outcome="unconfirmed", status="pending")


def pending_form(status: str, form_id: Hashable) -> Decision:
    """MAT-04: a form is confirmed or cancelled once, while it is pending."""
    if status != "pending":
        return refuse("MAT-04", f"issue form {form_id} is already {status}", outcome="conflict")
    return allow("MAT-04", f"issue form {form_id} is pending", outcome="pending")


def form_confirmed(form_id: Hashable, recipient_id: Hashable, movement_reason: str,
                   names: Mapping[Hashable, str] | None = None) -> Decision:
    return allow("MAT-04", f"issue form {form_id} confirmed by its recipient "
                 f"{who(names, recipient_id)}; "
                 f"{movement_reason}", outcome="issued")


def form_cancelled(form_id: Hashable) -> Decision:
    return allow("MAT-04", f"issue form {form_id} cancelled before confirmation",
                 outcome="cancelled")
