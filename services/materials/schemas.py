"""RPC payloads in and out of materials; the gateway's OpenAPI document is built from these.

Shape checks only (types, required fields, unknown fields refused); the rules (rules/) decide
what is allowed and say why. Money is integer cents of CNY."""
from marshmallow import fields, validate

from services.common.schemas import Schema

from . import constants

code_field = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$"),
                           metadata={"example": "FP-A"})
qty = fields.Integer(strict=True, required=True, metadata={"example": 10})


class CatalogueItemIn(Schema):
    code = code_field
    name = fields.String(required=True, validate=validate.Length(max=200),
                         metadata={"example": "户型单张 A"})
    specification = fields.String(required=True, validate=validate.Length(max=200),
                                  metadata={"example": "A4 two-sided"})
    model = fields.String(load_default="", validate=validate.Length(max=120))
    unit = fields.String(required=True, validate=validate.Length(max=20),
                         metadata={"example": "sheet"})
    unit_price_cents = fields.Integer(strict=True, required=True, metadata={"example": 50})
    category = fields.String(required=True, metadata={"enum": list(constants.CATEGORIES)})
    reorder_level = fields.Integer(strict=True, required=True, metadata={"example": 20})


class CatalogueItemPatch(Schema):
    name = fields.String(validate=validate.Length(max=200))
    specification = fields.String(validate=validate.Length(max=200))
    model = fields.String(validate=validate.Length(max=120))
    unit = fields.String(validate=validate.Length(max=20))
    unit_price_cents = fields.Integer(strict=True)
    category = fields.String(metadata={"enum": list(constants.CATEGORIES)})
    reorder_level = fields.Integer(strict=True)


class CatalogueItemOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    specification = fields.String()
    model = fields.String()
    unit = fields.String()
    unit_price_cents = fields.Integer()
    category = fields.String()
    reorder_level = fields.Integer()
    on_hand = fields.Integer()
    held = fields.Integer()
    low = fields.Boolean()


class PlanLineIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    quantity = qty


class NeedsPlanIn(Schema):
    period = fields.String(required=True, metadata={"enum": list(constants.PERIODS)})
    starts = fields.Date(required=True, metadata={"example": "2026-03-02"})
    milestone = fields.String(required=True, validate=validate.Length(max=200),
                              metadata={"example": "开盘 launch"})
    lines = fields.List(fields.Nested(PlanLineIn), required=True)


class PlanLineOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    quantity = fields.Integer()
    requested = fields.Integer(metadata={"description": "already requested against the plan"})
    remaining = fields.Integer()


class NeedsPlanOut(Schema):
    id = fields.Integer()
    period = fields.String()
    starts = fields.String()
    ends = fields.String(metadata={"description": "exclusive end of the period"})
    milestone = fields.String()
    status = fields.String(metadata={"enum": ["draft", "approved"]})
    approved_by = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(PlanLineOut))


class MaterialRequestIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    quantity = qty
    purpose = fields.String(load_default="", validate=validate.Length(max=500))


class MaterialRequestOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    quantity = fields.Integer()
    purpose = fields.String()
    kind = fields.String(metadata={"enum": ["planned", "urgent"]})
    status = fields.String(metadata={"enum": ["approved", "pending", "rejected"]})
    plan_line_id = fields.Integer(allow_none=True)
    requested_by = fields.Integer(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    rule = fields.String()
    reason = fields.String()


class DecisionIn(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ReceiptIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    quantity = qty
    unit_price_cents = fields.Integer(strict=True, load_default=None,
                                      metadata={"description": "defaults to the catalogue price"})
    amount_cents = fields.Integer(strict=True, load_default=None,
                                  metadata={"description": "checked: quantity x unit price"})
    model = fields.String(load_default=None, validate=validate.Length(max=120))
    receiver_id = fields.Integer(strict=True, load_default=None,
                                 metadata={"description": "defaults to the caller"})
    inspector_id = fields.Integer(strict=True, required=True)
    inspection_passed = fields.Boolean(required=True)
    deliverer = fields.String(load_default="", validate=validate.Length(max=200))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ReceiptOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    name = fields.String()
    specification = fields.String()
    model = fields.String()
    quantity = fields.Integer()
    unit_price_cents = fields.Integer()
    amount_cents = fields.Integer()
    receiver_id = fields.Integer()
    inspector_id = fields.Integer()
    deliverer = fields.String()
    inspection_passed = fields.Boolean()
    held_remaining = fields.Integer(metadata={"description": "still in temporary storage"})
    note = fields.String()
    at = fields.String(metadata={"description": "when it was recorded (ISO-8601)"})


class HeldResolutionIn(Schema):
    action = fields.String(required=True, metadata={"enum": ["exchange", "return"]})
    quantity = fields.Integer(strict=True, load_default=None,
                              metadata={"description": "defaults to everything still held"})


class IssueFormIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    item_name = fields.String(load_default=None, metadata={"description": "defaults to the "
                                                                          "catalogue name"})
    specification = fields.String(load_default=None)
    quantity = qty
    recipient_id = fields.Integer(strict=True, required=True)
    purpose = fields.String(load_default="", validate=validate.Length(max=500))


class IssueFormOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String()
    specification = fields.String()
    quantity = fields.Integer()
    recipient_id = fields.Integer()
    purpose = fields.String()
    status = fields.String(metadata={"enum": ["pending", "issued", "cancelled"]})
    created_by = fields.Integer(allow_none=True)
    confirmed_by = fields.Integer(allow_none=True)
    confirmed_at = fields.String(allow_none=True)
    movement_id = fields.Integer(allow_none=True)
    balance = fields.Integer(allow_none=True,
                             metadata={"description": "stock left, in the confirmation's answer"})


class UsageLedgerIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    quantity = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1))
    location = fields.String(required=True, validate=validate.Length(max=200))
    responsible_id = fields.Integer(strict=True, required=True)
    state = fields.String(required=True, metadata={"enum": list(constants.LEDGER_STATES)})
    note = fields.String(load_default="", validate=validate.Length(max=500))


class UsageLedgerPatch(Schema):
    location = fields.String(validate=validate.Length(max=200))
    responsible_id = fields.Integer(strict=True)
    state = fields.String(metadata={"enum": list(constants.LEDGER_STATES)})
    note = fields.String(validate=validate.Length(max=500))


class UsageLedgerOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    code = fields.String()
    quantity = fields.Integer()
    location = fields.String()
    responsible_id = fields.Integer()
    state = fields.String()
    note = fields.String()
    disposal_reported = fields.Boolean()
    disposal_reported_at = fields.String(allow_none=True)
    updated_at = fields.String()


class StocktakeCountIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    counted = fields.Integer(strict=True, required=True)
    damaged = fields.Integer(strict=True, load_default=0)
    reasons = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ["surplus", "shortage", "damage"])), values=fields.String(), load_default=dict)
    loss_cause = fields.String(load_default="keeping",
                               validate=validate.OneOf(["keeping", "receiving", "other"]))


class StocktakeIn(Schema):
    counter_ids = fields.List(fields.Integer(strict=True), required=True)
    full = fields.Boolean(load_default=False)
    storekeeper_id = fields.Integer(strict=True, load_default=None,
                                    metadata={"description": "losses are attributed to them; "
                                                             "defaults to the caller when a "
                                                             "storekeeper"})
    lines = fields.List(fields.Nested(StocktakeCountIn), required=True,
                        validate=validate.Length(min=1))


class StocktakeLineOut(Schema):
    item_id = fields.Integer()
    code = fields.String()
    book = fields.Integer()
    counted = fields.Integer()
    damaged = fields.Integer()
    surplus = fields.Integer()
    shortage = fields.Integer()
    new_balance = fields.Integer()
    outcome = fields.String(metadata={"enum": ["match", "adjusted"]})
    reason = fields.String()
    attributed_to = fields.Integer(allow_none=True)
    loss_cents = fields.Integer()


class LossOut(Schema):
    item_id = fields.Integer()
    code = fields.String()
    quantity = fields.Integer()
    amount_cents = fields.Integer()
    cause = fields.String()
    attributed_to = fields.Integer(allow_none=True)
    reason = fields.String()


class StocktakeOut(Schema):
    id = fields.Integer()
    full = fields.Boolean()
    counter_ids = fields.List(fields.Integer())
    storekeeper_id = fields.Integer(allow_none=True)
    reason = fields.String()
    lines = fields.List(fields.Nested(StocktakeLineOut))
    losses = fields.List(fields.Nested(LossOut))


class DeskKitCheckIn(Schema):
    consultant_id = fields.Integer(strict=True, required=True)
    folder = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), required=True,
                         metadata={"description": "floor-plan code -> sheets in the folder"})


class ShortageReportIn(Schema):
    day = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class DeskKitCheckOut(Schema):
    consultant_id = fields.Integer()
    day = fields.String()
    complete = fields.Boolean()
    minimum = fields.Integer(metadata={"description": "sheets of every floor plan required"})
    shortages = fields.Dict(keys=fields.String(), values=fields.Integer(),
                            metadata={"description": "floor-plan code -> sheets missing"})
    rule = fields.String()
    reason = fields.String()


class ShortageOut(Schema):
    id = fields.Integer()
    day = fields.String()
    source = fields.String(metadata={"enum": ["handout", "folder"]})
    item_id = fields.Integer(allow_none=True)
    code = fields.String()
    person_id = fields.Integer(allow_none=True)
    reception_id = fields.String(allow_none=True)
    wanted = fields.Integer()
    issued = fields.Integer()
    missing = fields.Integer()
    rule = fields.String()
    reason = fields.String()
    reported = fields.Boolean()


class ShortageDayOut(Schema):
    day = fields.String()
    missing = fields.Integer()
    shortages = fields.List(fields.Nested(ShortageOut))


class ShortageReportOut(Schema):
    day = fields.String()
    reported = fields.Integer()
    reason = fields.String()
    shortages = fields.List(fields.Nested(ShortageOut))


class MovementOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    code = fields.String(allow_none=True)
    kind = fields.String()
    quantity = fields.Integer()
    before = fields.Integer()
    after = fields.Integer()
    held_before = fields.Integer()
    held_after = fields.Integer()
    rule = fields.String()
    reason = fields.String()
    actor_id = fields.Integer(allow_none=True)
    ref_type = fields.String(allow_none=True)
    ref_id = fields.String(allow_none=True)
    at = fields.String()
