"""RPC payloads in and out of attendance; the gateway's OpenAPI document is built from these."""
from marshmallow import fields, validate

from services.common.roles import ROLES
from services.common.schemas import DecisionOut, Schema, out  # noqa: F401  (re-exported for routes)

from .constants import BLACKOUT_KINDS, LEAVE_TYPES, OFFENCES

role_field = fields.String(validate=validate.OneOf(ROLES))


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LoginOut(Schema):
    token = fields.String()
    expires_at = fields.String(metadata={"description": "when the token stops working (ISO-8601)"})
    person = fields.Nested("StaffOut")


class ProjectIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    timezone = fields.String(load_default="Asia/Shanghai")


ProjectOut = out("ProjectOut", "id:int code:str name:str timezone:str")


class StaffIn(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,80}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    roles = fields.List(role_field, required=True, validate=validate.Length(min=1))


class RolesIn(Schema):
    roles = fields.List(role_field, required=True, validate=validate.Length(min=1))


class StaffOut(Schema):
    id = fields.Integer()
    project_id = fields.Integer(allow_none=True)
    username = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    active = fields.Boolean()


# ---------------------------------------------------------------- ATT-01…13 payloads


class RosterIn(Schema):
    """ATT-01: one person's days from ``start`` to ``end``: the ``rest`` days, all others work."""
    RULE = "ATT-01"
    person_id = fields.Integer(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    rest = fields.List(fields.Date(), load_default=list)


class BlackoutIn(Schema):
    RULE = "ATT-02"
    day = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(BLACKOUT_KINDS))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class PunchIn(Schema):
    """ATT-03: ``person_id`` defaults to yourself; anyone else is refused and recorded."""
    RULE = "ATT-03"
    kind = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    person_id = fields.Integer(load_default=None)


class ProxyPunchIn(Schema):
    RULE = "ATT-03"
    punch_id = fields.Integer(required=True)
    made_by = fields.Integer(required=True)


class UniformIn(Schema):
    RULE = "ATT-06"
    person_id = fields.Integer(required=True)


class SignInIn(Schema):
    RULE = "ATT-06"
    person_id = fields.Integer(load_default=None)


class DisputeIn(Schema):
    RULE = "ATT-06"
    person_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=2))
    day = fields.Date(load_default=None)


class MissingPunchIn(Schema):
    RULE = "ATT-05"
    person_id = fields.Integer(required=True)
    day = fields.Date(required=True)
    note = fields.String(required=True, validate=validate.Length(max=1000))


class LeaveIn(Schema):
    RULE = "ATT-07"
    leave_type = fields.String(required=True, validate=validate.OneOf(LEAVE_TYPES))
    start_day = fields.Date(required=True)
    end_day = fields.Date(load_default=None)
    handover_note = fields.String(load_default="", validate=validate.Length(max=1000))
    emergency = fields.Boolean(load_default=False)


class SwapIn(Schema):
    RULE = "ATT-08"
    a_id = fields.Integer(required=True)
    b_id = fields.Integer(required=True)
    days = fields.List(fields.Date(), required=True, validate=validate.Length(min=1))
    approved = fields.Boolean(load_default=True)


class SwapRecordOut(Schema):
    """ATT-08: a swap as recorded: approved (rosters exchanged) or unapproved (both absent)."""
    id = fields.Integer()
    a_id = fields.Integer()
    b_id = fields.Integer()
    days = fields.List(fields.String())
    status = fields.String()
    approved_by = fields.Integer(allow_none=True)
    rule = fields.String()
    reason = fields.String()


class LeaveRejectIn(Schema):
    RULE = "ATT-07"
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500),
                           metadata={"example": "开盘周人手不足 short-handed in the launch week"})


class OffenceIn(Schema):
    RULE = "ATT-10"
    person_id = fields.Integer(required=True)
    offence = fields.String(required=True, validate=validate.OneOf(tuple(OFFENCES)))
    day = fields.Date(load_default=None)


class TermsIn(Schema):
    """ATT-07/13: what a manager sets for a person; only the keys given change."""
    RULE = "ATT-13"
    monthly_salary = fields.Integer(allow_none=True, validate=validate.Range(min=0),
                                    metadata={"description": "yuan a month (ATT-13 deduction); "
                                              "null: none"})
    annual_leave_days = fields.Integer(validate=validate.Range(min=0, max=366),
                                       metadata={"description": "annual leave days a year "
                                                 "(ATT-07 sick-leave conversion)"})


TermsOut = out("TermsOut", "person_id:int monthly_salary:int? annual_leave_days:int "
               "set_by:int? at:str?")


class CloseDayIn(Schema):
    RULE = "ATT-09"
    day = fields.Date(required=True)


class ReportSubmitIn(Schema):
    RULE = "ATT-12"
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    month = fields.Integer(required=True, validate=validate.Range(min=1, max=12))


class _Ruled(Schema):
    """A stored row about one person, with the rule and reason that decided it (SYS-01)."""
    id = fields.Integer()
    person_id = fields.Integer()
    rule = fields.String()
    reason = fields.String()


class _Daily(_Ruled):
    day = fields.String(metadata={"description": "project-local business day YYYY-MM-DD"})


class PunchOut(_Daily):
    kind = fields.String()
    at = fields.String()
    outcome = fields.String()
    voided = fields.Boolean()


class SignInOut(_Daily):
    name = fields.String()
    at = fields.String()
    valid = fields.Boolean()
    why = fields.String(allow_none=True)
    placed_last = fields.Boolean()


class OrderOut(Schema):
    """ATT-06: the day's order (one entry per valid sign-in) and the invalid attempts."""
    day = fields.String()
    order = fields.List(fields.Dict())
    invalid = fields.List(fields.Nested(SignInOut))


class LeaveOut(_Ruled):
    leave_type = fields.String()
    start_day = fields.String()
    end_day = fields.String()
    status = fields.String()
    emergency = fields.Boolean()
    certificate_at = fields.String(allow_none=True)


class LedgerOut(_Daily):
    name = fields.String()
    offence = fields.String()
    fine = fields.Integer()
    slip = fields.String(allow_none=True)
    absent = fields.Boolean()
    issued_by = fields.Integer(allow_none=True)
    suspended_until_day = fields.String(allow_none=True)


SubmissionOut = out("SubmissionOut", "submitted_by:int? at:str outcome:str reason:str")


class ReportOut(Schema):
    year = fields.Integer()
    month = fields.Integer()
    rows = fields.List(fields.Dict())
    submission = fields.Nested(SubmissionOut, allow_none=True)


RosterDayOut = out("RosterDayOut", "person_id:int day:str kind:str")


BlackoutOut = out("BlackoutOut", "day:str kind:str reason:str")


class MissingPunchNoteOut(_Daily):
    note = fields.String()


class SwapOut(DecisionOut):
    id = fields.Integer()


# ATT-09: how the closed day's rostered people were settled
DayClosedOut = out("DayClosedOut", "day:str closed:bool rest:int leave:int present:int absent:int")


class LunchOrderOut(Schema):
    day = fields.String()
    order = fields.List(fields.Dict())


# ---------------------------------------------------------------- query strings (all optional)

class RosterQueryIn(Schema):
    person_id = fields.Integer(allow_none=True)
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)


class DayQueryIn(Schema):
    day = fields.Date(allow_none=True)


class PersonQueryIn(Schema):
    person_id = fields.Integer(allow_none=True)


class ReportQueryIn(Schema):
    RULE = "ATT-12"
    year = fields.Integer(allow_none=True, validate=validate.Range(min=2000, max=2100))
    month = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=12))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class ExportQueryIn(ReportQueryIn):
    RULE = "ATT-12"
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
    # CSV: utf-8 (with BOM, Excel 2016+) or gbk (GB18030, older Chinese Excel)
    encoding = fields.String(load_default="utf-8", validate=validate.OneOf(("utf-8", "gbk")))
