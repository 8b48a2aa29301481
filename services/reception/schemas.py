"""RPC payloads in and out of reception; the gateway's OpenAPI document is built from these.

Shape checks only (types, required fields, unknown fields refused); the rules (rules.py) decide
what is allowed and say why."""
from marshmallow import fields, validate

from services.common.schemas import DecisionOut, Schema

from .constants import BOARD_GROUPS, DESK_STATES, REFUSAL_KINDS, VISIT_KINDS

phone_field = fields.String(validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$"),
                            metadata={"example": "13812341234"})


class SheetQuery(Schema):
    day = fields.Date(metadata={"example": "2026-03-02"})


class ReorderIn(Schema):
    order = fields.List(fields.Integer(strict=True), required=True,
                        validate=validate.Length(min=1), metadata={"example": [12, 11, 13]})
    reason = fields.String(required=True, validate=validate.Length(max=500),
                           metadata={"example": "签到顺序争议，按打卡时间 (ATT-06)"})


class WalkInIn(Schema):
    phone = phone_field
    name = fields.String(validate=validate.Length(max=120), metadata={"example": "王先生"})
    visit_kind = fields.String(load_default="new", validate=validate.OneOf(VISIT_KINDS))
    note = fields.String(validate=validate.Length(max=500))
    named_person_id = fields.Integer(
        strict=True, allow_none=True, metadata={
            "description": "CLI-08/CLI-04: the consultant the customer named when asked \"have "
                           "you called or been contacted?\" (or identified from the SMS)",
            "example": 102})


class FloorPlanIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"example": "FP-A"})
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                              metadata={"example": 1})


class CompleteIn(Schema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=500),
                            metadata={"example": "interested in type A, will return Sunday"})
    floor_plans = fields.List(fields.Nested(FloorPlanIn), load_default=list)
    visit_registered = fields.Boolean(load_default=True)


class PassIn(Schema):
    person_id = fields.Integer(strict=True)
    minutes = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=600),
                             metadata={"example": 30})


class DeskStatusIn(Schema):
    state = fields.String(required=True, validate=validate.OneOf(DESK_STATES))
    detail = fields.String(validate=validate.Length(max=200),
                           metadata={"example": "送合同到银行 bank run"})


class RefusalIn(Schema):
    person_id = fields.Integer(strict=True, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REFUSAL_KINDS))
    note = fields.String(validate=validate.Length(max=500))


class ChangeConsultantIn(Schema):
    customer_id = fields.Integer(strict=True, required=True)
    from_person_id = fields.Integer(strict=True, required=True)
    to_person_id = fields.Integer(strict=True, required=True)
    note = fields.String(validate=validate.Length(max=500))


class CallIn(Schema):
    caller = fields.String(allow_none=True, validate=validate.Length(max=120))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    need = fields.String(allow_none=True, validate=validate.Length(max=500))
    how_heard = fields.String(allow_none=True, validate=validate.Length(max=120))
    media_source = fields.String(allow_none=True, validate=validate.Length(max=120))
    answered_by = fields.Integer(strict=True, required=True)
    ended_at = fields.String(metadata={"example": "2026-03-02T10:05:00+08:00"})


class SmsIn(Schema):
    sent_at = fields.String(metadata={"example": "2026-03-02T10:08:00+08:00"})


class EntryOut(Schema):
    place = fields.Integer(allow_none=True)
    person_id = fields.Integer()
    name = fields.String()
    marks = fields.Integer()
    state = fields.String()
    detail = fields.String(allow_none=True)
    signin_seq = fields.Integer()
    signed_in_at = fields.String(allow_none=True)
    suspended_until = fields.String(allow_none=True)


class PersonOut(Schema):
    """Who (every answer about a consultant starts with these)."""
    person_id = fields.Integer()
    name = fields.String()


class DeskOut(PersonOut):
    """REC-02: one desk position (1 = first reception)."""
    position = fields.Integer()
    state = fields.String()


class SheetOut(Schema):
    project_id = fields.Integer()
    day = fields.String()
    entries = fields.List(fields.Nested(EntryOut))
    desk = fields.List(fields.Nested(DeskOut))
    notice = fields.String(allow_none=True)
    decision = fields.Nested(DecisionOut, allow_none=True, metadata={
        "description": "after a pass or a desk status: the rule's decision about the person "
                       "(SYS-01); absent on a plain read"})


class ReceptionOut(Schema):
    id = fields.Integer()
    walk_in_id = fields.Integer()
    arrived_at = fields.String(allow_none=True)
    named_person_id = fields.Integer(allow_none=True)
    person_id = fields.Integer()
    name = fields.String(allow_none=True)
    kind = fields.String()
    second_group = fields.Boolean()
    customer_id = fields.Integer(allow_none=True)
    credit_owner_id = fields.Integer(allow_none=True)
    status = fields.String()
    rule = fields.String()
    reason = fields.String()
    notice = fields.String(allow_none=True)
    day = fields.String()
    started_at = fields.String()
    completed_at = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    floor_plans = fields.List(fields.Nested(FloorPlanIn), allow_none=True)


class OwnerOut(Schema):
    """REC-07/CLI-02: clients' answer about the phone's owner."""
    customer_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    owner_name = fields.String(allow_none=True)
    protection_live = fields.Boolean(allow_none=True)
    rule = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    phone_masked = fields.String(allow_none=True)


class WalkInOut(Schema):
    walk_in_id = fields.Integer()
    phone_masked = fields.String(allow_none=True)
    reception = fields.Nested(ReceptionOut)
    decisions = fields.List(fields.Nested(DecisionOut))
    owner = fields.Nested(OwnerOut, allow_none=True)


class Cited(Schema):
    """The rule a decision cites and why (SYS-01)."""
    rule = fields.String()
    reason = fields.String()


class RefusalOut(PersonOut, Cited):
    """REC-09: the suspension a refusal caused."""
    kind = fields.String()
    days = fields.Integer()
    suspended_until_day = fields.String()


class SmsOut(Cited):
    """REC-12: the SMS after a call: pending, missing, on time or late."""
    status = fields.String()
    sent_at = fields.String(allow_none=True)
    deadline = fields.String(metadata={"description": "the call's end plus the policy's SMS "
                                                      "minutes (REC-12), ISO-8601"})


class UnregisteredCallIn(Schema):
    """REC-12: a desk call found never registered (the phone log against the register)."""
    answered_by = fields.Integer(strict=True, required=True)
    at = fields.String(required=True, metadata={"example": "2026-03-02T10:05:00+08:00"})
    note = fields.String(required=True, validate=validate.Length(min=1, max=500),
                         metadata={"example": "话单 10:05 来电未登记 in the phone log, not the "
                                              "register"})


class CallFaultOut(Cited):
    """REC-12 → ATT-10: a fined call fault, stored once (attendance books it)."""
    id = fields.Integer()
    person_id = fields.Integer()
    day = fields.String()
    call_id = fields.Integer(allow_none=True)
    kind = fields.String()
    missing = fields.List(fields.String())
    fine = fields.Integer()
    occurred_at = fields.String()
    recorded_by = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)


class CallOut(CallIn):
    """REC-12: a registered call as stored (the phone masked only, CLI-14) and its SMS."""
    class Meta(Schema.Meta):
        exclude = ("phone",)

    id = fields.Integer()
    day = fields.String()
    phone_masked = fields.String(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    missing = fields.List(fields.String())
    fine = fields.Integer()
    faults = fields.List(fields.Nested(CallFaultOut))
    sms = fields.Nested(SmsOut)


class BoardPerson(PersonOut):
    detail = fields.String(allow_none=True)
    since = fields.String(allow_none=True, metadata={"description": "when this state began "
                                                     "(ISO-8601): the board's timers"})
    until = fields.String(allow_none=True, metadata={"description": "a pass's end (ISO-8601)"})


class BoardDeskOut(DeskOut):
    marks = fields.Integer()


class RotationOut(PersonOut):
    """REC-01: one place in the rotation (none while receiving, passing, suspended)."""
    marks = fields.Integer()
    state = fields.String()
    place = fields.Integer(allow_none=True)


# REC-13: the board's groups of people, each with what the page shows beside the name
BoardOut = Schema.from_dict({
    "project_id": fields.Integer(), "day": fields.String(), "at": fields.String(),
    "desk": fields.List(fields.Nested(BoardDeskOut)),
    "rotation": fields.List(fields.Nested(RotationOut)),
    **{group: fields.List(fields.Nested(BoardPerson)) for group in BOARD_GROUPS},
    "notice": fields.String(allow_none=True),
}, name="BoardOut")


class DisplayIn(Schema):
    """REC-13: a TV showing the board (its name, e.g. 前台大屏 lobby screen)."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class DisplayOut(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    name = fields.String()
    created_by = fields.Integer(allow_none=True)
    created_at = fields.String()
    revoked_at = fields.String(allow_none=True)


class DisplayLoginOut(Schema):
    """The display and its login: open ``board_url`` once on the TV (the token is in the
    fragment, which is never sent to a server or written in its logs)."""
    display = fields.Nested(DisplayOut)
    token = fields.String()
    expires_at = fields.String()
    board_url = fields.String()
