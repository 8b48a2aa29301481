"""RPC payloads in and out of materials; the gateway's OpenAPI document is built from these.

Shape checks only (types, required fields, unknown fields refused); the rules (rules/) decide
what is allowed and say why. Money is integer cents of CNY."""
from marshmallow import fields, validate

from services.common.schemas import Schema, out

from . import constants

code_field = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$"),
                           metadata={"example": "FP-A"})
qty = fields.Integer(strict=True, required=True, metadata={"example": 10})
def one_of(*choices):
    return fields.String(metadata={"enum": list(choices)})


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


class PlanLineIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    quantity = qty


class NeedsPlanIn(Schema):
    period = fields.String(required=True, metadata={"enum": list(constants.PERIODS)})
    starts = fields.Date(required=True, metadata={"example": "2026-03-02"})
    milestone = fields.String(required=True, validate=validate.Length(max=200),
                              metadata={"example": "开盘 launch"})
    lines = fields.List(fields.Nested(PlanLineIn), required=True)


class MaterialRequestIn(Schema):
    item_id = fields.Integer(strict=True, required=True)
    quantity = qty
    purpose = fields.String(load_default="", validate=validate.Length(max=500))


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
    request_id = fields.Integer(strict=True, load_default=None, metadata={
        "description": "MAT-02: the approved request (planned, or urgent approved by a manager) "
                       "the form draws on; without it the form draws on a current approved "
                       "needs plan listing the item, or is refused"})


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


class DeskKitCheckIn(Schema):
    consultant_id = fields.Integer(strict=True, required=True)
    folder = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), required=True,
                         metadata={"description": "floor-plan code -> sheets in the folder"})


class ShortageReportIn(Schema):
    day = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


# ---------------------------------------------------------------- answers (the Out schemas)

CatalogueItemOut = out(
    "CatalogueItemOut", "id:int code:str name:str specification:str model:str unit:str "
    "unit_price_cents:int category:str reorder_level:int on_hand:int held:int low:bool",
    held=fields.Integer(metadata={"description": "temporary storage (暂存), not available"}),
    low=fields.Boolean(metadata={"description": "at or below the reorder level (MAT-08)"}))
MovementOut = out(
    "MovementOut", "id:int item_id:int code:str? kind:str quantity:int before:int after:int "
    "held_before:int held_after:int rule:str reason:str actor_id:int? ref_type:str? "
    "ref_id:str? at:str")
PlanLineOut = out("PlanLineOut", "id:int item_id:int quantity:int requested:int remaining:int")
NeedsPlanOut = out(
    "NeedsPlanOut", "id:int period:str starts:str ends:str milestone:str approved_by:int?",
    status=one_of("draft", "approved"), lines=fields.List(fields.Nested(PlanLineOut)),
    ends=fields.String(metadata={"description": "exclusive end of the period"}))
MaterialRequestOut = out(
    "MaterialRequestOut", "id:int item_id:int quantity:int purpose:str plan_line_id:int? "
    "requested_by:int? decided_by:int? rule:str reason:str issued:int",
    issued=fields.Integer(metadata={"description": "drawn by live issue forms (MAT-02)"}),
    kind=one_of("planned", "urgent"), status=one_of("approved", "pending", "rejected"))
ReceiptOut = out(
    "ReceiptOut", "id:int item_id:int name:str specification:str model:str quantity:int "
    "unit_price_cents:int amount_cents:int receiver_id:int inspector_id:int deliverer:str "
    "inspection_passed:bool held_remaining:int note:str at:str",
    held_remaining=fields.Integer(metadata={"description": "still in temporary storage"}))
IssueFormOut = out(
    "IssueFormOut", "id:int item_id:int item_name:str specification:str quantity:int "
    "recipient_id:int purpose:str created_by:int? confirmed_by:int? confirmed_at:str? "
    "movement_id:int? balance:int? request_id:int? plan_line_id:int?",
    status=one_of("pending", "issued", "cancelled"),
    balance=fields.Integer(allow_none=True,
                           metadata={"description": "stock left, in the confirmation's answer"}))
UsageLedgerOut = out(
    "UsageLedgerOut", "id:int item_id:int code:str quantity:int location:str "
    "responsible_id:int note:str disposal_reported:bool disposal_reported_at:str? "
    "updated_at:str", state=one_of(*constants.LEDGER_STATES))
StocktakeLineOut = out(
    "StocktakeLineOut", "item_id:int code:str book:int counted:int damaged:int surplus:int "
    "shortage:int new_balance:int reason:str attributed_to:int? loss_cents:int",
    outcome=one_of("match", "adjusted"))
LossOut = out("LossOut", "item_id:int code:str quantity:int amount_cents:int cause:str "
              "attributed_to:int? reason:str")
StocktakeOut = out(
    "StocktakeOut", "id:int full:bool storekeeper_id:int? reason:str month:str",
    counter_ids=fields.List(fields.Integer()), lines=fields.List(fields.Nested(StocktakeLineOut)),
    losses=fields.List(fields.Nested(LossOut)))
StocktakeMonthOut = out(
    "StocktakeMonthOut", "month:str full_required:bool rule:str reason:str",
    status=one_of("done", "due", "missed", "future"),
    stocktakes=fields.List(fields.Integer()))
DeskKitCheckOut = out(
    "DeskKitCheckOut", "consultant_id:int day:str complete:bool minimum:int rule:str reason:str",
    shortages=fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "floor-plan code -> sheets missing"}))
ShortageOut = out(
    "ShortageOut", "id:int day:str item_id:int? code:str person_id:int? reception_id:str? "
    "wanted:int issued:int missing:int rule:str reason:str reported:bool",
    source=one_of("handout", "folder"))
ShortageDayOut = out("ShortageDayOut", "day:str missing:int",
                     shortages=fields.List(fields.Nested(ShortageOut)))
ShortageReportOut = out("ShortageReportOut", "day:str reported:int reason:str",
                        shortages=fields.List(fields.Nested(ShortageOut)))
