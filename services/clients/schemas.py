"""RPC payloads in and out of clients; the gateway's OpenAPI document is built from these."""
from marshmallow import fields, validate

from services.common.schemas import DecisionOut, Schema  # noqa: F401  (re-exported for routes)

from .rules import GROUPINGS, PERIODS, SOURCES

name_field = fields.String(validate=validate.Length(min=1, max=120))


class CustomerIn(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    source = fields.String(load_default="walk_in", validate=validate.OneOf(SOURCES))
    media_source = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=80))


class PreRegistrationIn(Schema):
    """CLI-04/05/07: a claim registered before the visit (relative/friend, a customer's
    referral, a staff referral to a named consultant)."""
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    kind = fields.String(required=True, validate=validate.OneOf(
        ("relative", "customer_referral", "staff_referral")))
    consultant_id = fields.Integer(load_default=None, allow_none=True)
    referrer_customer_id = fields.Integer(load_default=None, allow_none=True)


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
    kind = fields.String(load_default="withdrawal", validate=validate.OneOf(("withdrawal",
                                                                             "refund")))


class VoidIn(Schema):
    clerk_id = fields.Integer(required=True)


class ConversionQuery(Schema):
    by = fields.String(load_default="consultant", validate=validate.OneOf(GROUPINGS))
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class OwnerOut(Schema):
    customer_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    owner_name = fields.String(allow_none=True)
    protection_live = fields.Boolean()
    rule = fields.String()
    reason = fields.String()
    phone_masked = fields.String(allow_none=True)


class CustomerOut(Schema):
    id = fields.Integer()
    phone = fields.String()
    phone_masked = fields.Boolean()
    name = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    media_source = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    owner_name = fields.String(allow_none=True)
    protection = fields.Dict()


class ReportOut(Schema):
    id = fields.Integer()
    agent_id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    reported_at = fields.String()
    status = fields.String()
    rule = fields.String()
    reason = fields.String()


class SubscriptionOut(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    customer_id = fields.Integer()
    closer_id = fields.Integer()
    state = fields.String()
    signed_at = fields.String()
    deposit_paid_at = fields.String(allow_none=True)
    credit_split = fields.List(fields.Dict())
    rule = fields.String()
    reason = fields.String()
