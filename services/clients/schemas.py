"""RPC payloads in and out of clients; the gateway's OpenAPI document is built from these, and
every answer is dumped through its ``Out`` schema, so they declare exactly what is answered."""
from marshmallow import fields, validate

from services.common.schemas import DecisionOut, DecisionRecordOut, Schema, out

from .constants import (
    EVIDENCE_ITEMS,
    GROUPINGS,
    PERIODS,
    PRE_REGISTRATION_KINDS,
    SOURCES,
    WITHDRAWAL_KINDS,
)

__all__ = ["DecisionOut"]   # re-exported for the gateway's routes


def _text(max_length, **options):
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=max_length), **options)


# ---------------------------------------------------------------- in

class CustomerIn(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = _text(120)
    source = fields.String(load_default="walk_in", validate=validate.OneOf(SOURCES))
    media_source = _text(80)


class CustomerQuery(Schema):
    phone = _text(40)
    owner_id = fields.Integer(load_default=None, allow_none=True)


class ImportRowIn(Schema):
    """One CSV row of the admin CLI's customer import (CLI-01); checked by the rules, so a
    bad value is reported by its line rather than refusing the batch."""
    line = fields.Integer(required=True)
    phone = _text(200)
    name = _text(200)
    source = _text(200)
    media_source = _text(200)


class ImportIn(Schema):
    rows = fields.List(fields.Nested(ImportRowIn), required=True,
                       validate=validate.Length(max=1000))


class PreRegistrationIn(Schema):
    """CLI-04/05/07: a claim registered before the visit (relative/friend, a customer's
    referral, a staff referral to a named consultant)."""
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = _text(120)
    kind = fields.String(required=True, validate=validate.OneOf(PRE_REGISTRATION_KINDS))
    consultant_id = fields.Integer(load_default=None, allow_none=True)
    referrer_customer_id = fields.Integer(load_default=None, allow_none=True)
    phone_only = fields.Boolean(load_default=False)   # CLI-07: referred by phone only


class EvidenceIn(Schema):
    """CLI-07: evidence of a phone-only staff referral."""
    items = fields.List(fields.String(validate=validate.OneOf(EVIDENCE_ITEMS)), required=True,
                        validate=validate.Length(min=1, max=3))


class TargetIn(Schema):
    """CLI-13: a consultant's deals target for one period (2026-03, 2026-W10, 2026-03-02)."""
    person_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=validate.Length(min=7, max=12))
    deals = fields.Integer(required=True, validate=validate.Range(min=0))


class VisitQuery(Schema):
    complete = fields.Boolean(load_default=None, allow_none=True)


class FollowUpIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class ReportIn(Schema):
    name = fields.String(required=True, validate=validate.Length(max=120))
    phone = fields.String(required=True, validate=validate.Length(max=40))


class MatchIn(Schema):
    """CLI-06 at the visit: the registered name and phone, and when the channel was named."""
    name = fields.String(required=True, validate=validate.Length(max=120))
    phone = fields.String(required=True, validate=validate.Length(max=40))
    mentioned = fields.Boolean(load_default=True)
    reception_started_at = fields.DateTime(load_default=None, allow_none=True)
    reception_id = fields.Integer(load_default=None, allow_none=True)   # the stored visit


class PersonIn(Schema):
    person_id = fields.Integer(required=True)


class OverrideIn(Schema):
    owner_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=1000))


class UnitIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class SubscriptionIn(Schema):
    unit_id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    closer_id = fields.Integer(load_default=None, allow_none=True)


class WithdrawIn(Schema):
    kind = fields.String(load_default="withdrawal", validate=validate.OneOf(WITHDRAWAL_KINDS))


class VoidIn(Schema):
    clerk_id = fields.Integer(required=True)


class ConversionQuery(Schema):
    by = fields.String(load_default="consultant", validate=validate.OneOf(GROUPINGS))
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    label = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=12))   # one period, e.g. 2026-03
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class ConversionExportQuery(ConversionQuery):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
    # CSV: utf-8 (with BOM, Excel 2016+) or gbk (GB18030, older Chinese Excel)
    encoding = fields.String(load_default="utf-8", validate=validate.OneOf(("utf-8", "gbk")))


# ---------------------------------------------------------------- out

class Cited(Schema):
    """What a rule decided about the row, and why (SYS-01)."""
    rule = fields.String()
    reason = fields.String()


class OwnerOut(Cited):
    customer_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    owner_name = fields.String(allow_none=True)
    protection_live = fields.Boolean()
    phone_masked = fields.String(allow_none=True)


RegisteredOut = out("RegisteredOut", "customer_id:int created:bool")


CustomerOut = out("CustomerOut", "id:int phone:str phone_masked:bool name:str? source:str? "
                  "media_source:str? owner_id:int? owner_name:str?", protection=fields.Dict())


class ContactOut(Cited):
    """A registered contact (CLI-02/13)."""
    id = fields.Integer()
    person_id = fields.Integer()
    kind = fields.String()
    at = fields.String()


class HistoryOut(Schema):
    """CLI-11: the customer, every ownership decision and every registered contact."""
    customer = fields.Nested(CustomerOut)
    decisions = fields.List(fields.Nested(DecisionRecordOut))
    contacts = fields.List(fields.Nested(ContactOut))


ImportErrorOut = out("ImportErrorOut", "line:int? field:str? message:str")


class ImportOut(Schema):
    imported = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorOut))


class ClaimOut(DecisionOut):
    """A decision about one customer (pre-registration, visit matched to a report)."""
    customer_id = fields.Integer()
    claim_id = fields.Integer()
    status = fields.String()


EvidenceOut = out("EvidenceOut", "item:str by:int? at:str")


class ClaimRowOut(Cited):
    """CLI-04/05/07: a stored claim, its registration time and (phone-only) its evidence."""
    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String()
    consultant_id = fields.Integer(allow_none=True)
    registered_by = fields.Integer(allow_none=True)
    registered_at = fields.String()
    phone_only = fields.Boolean()
    evidence = fields.List(fields.Nested(EvidenceOut))
    status = fields.String()


class VisitOut(Cited):
    """CLI-13: one visit-register entry (contract 4 facts; complete or the fields it misses)."""
    id = fields.Integer()
    reception_id = fields.Integer()
    customer_id = fields.Integer(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    kind = fields.String(allow_none=True)
    arrived_at = fields.String(allow_none=True)
    named_person_id = fields.Integer(allow_none=True)
    completed_at = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    complete = fields.Boolean()
    missing = fields.List(fields.String())


TargetOut = out("TargetOut", "id:int person_id:int period:str deals:int set_by:int? set_at:str")


class DisputeOut(Schema):
    """CLI-11: the owner on the customer row and what the registration records decide."""
    customer_id = fields.Integer()
    owner_id = fields.Integer(allow_none=True)
    by_records = fields.Nested(DecisionOut)
    steps = fields.List(fields.Nested(DecisionOut))


class ReportOut(Cited):
    id = fields.Integer()
    agent_id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    reported_at = fields.String()
    status = fields.String()
    customer_id = fields.Integer(allow_none=True)


ExpiredOut = out("ExpiredOut", "expired:int report_expiry_days:int")


class UnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    confirmed_by = fields.Integer(allow_none=True)
    available = fields.Boolean()
    live_subscription_id = fields.Integer(allow_none=True)


class SubscriptionOut(Cited):
    id = fields.Integer()
    unit_id = fields.Integer()
    customer_id = fields.Integer()
    closer_id = fields.Integer()
    state = fields.String()
    signed_at = fields.String()
    deposit_paid_at = fields.String(allow_none=True)
    credit_split = fields.List(fields.Dict())


class AccessLogQuery(Schema):
    """CLI-14: ?person_id= and ?customer_id= narrow the phone access log."""
    person_id = fields.Integer(load_default=None, allow_none=True)
    customer_id = fields.Integer(load_default=None, allow_none=True)


class PhoneAccessOut(Schema):
    """CLI-14: one answer that showed a full phone number: who, which customer, when, what."""
    id = fields.Integer()
    person_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    action = fields.String()
    at = fields.String()
