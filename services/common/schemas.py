"""marshmallow base: unknown fields are rejected, and a failed load becomes a 422 that names
the fields."""
from marshmallow import RAISE, ValidationError, fields
from marshmallow import Schema as _Schema

from .errors import Unprocessable


class Schema(_Schema):
    class Meta:
        unknown = RAISE
        ordered = True


def load(schema, data, rule=None, **kwargs):
    if not isinstance(schema, _Schema):
        schema = schema()
    if data is None:
        data = {}
    try:
        return schema.load(data, **kwargs)
    except ValidationError as exc:
        messages = exc.normalized_messages()
        fields = sorted(str(k) for k in messages) if isinstance(messages, dict) else []
        detail = ("; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                            for k, v in messages.items())
                  if isinstance(messages, dict) else str(messages))
        raise Unprocessable(f"invalid input: {detail}", rule=rule, field=",".join(fields) or None)


class DecisionOut(Schema):
    """A rule's decision as every service answers it (``services.common.decision``, SYS-01)."""
    rule = fields.String()
    reason = fields.String()
    outcome = fields.String()
    allowed = fields.Boolean()
    data = fields.Dict()


KINDS = {"int": fields.Integer, "str": fields.String, "bool": fields.Boolean}


def out(name, words, **declared):
    """An answer schema from "field:type" words (int, str, bool; a trailing "?" may be null)
    plus ``declared`` fields; dump() answers exactly these fields, with these types."""
    answer = {}
    for word in words.split():
        key, kind = word.split(":")
        answer[key] = declared.pop(key, None) or KINDS[kind.rstrip("?")](
            allow_none=kind.endswith("?"))
    return Schema.from_dict({**answer, **declared}, name=name)


def dump(schema, data, many=False):
    """An answer through its ``Out`` schema: exactly the fields the OpenAPI document shows."""
    if not isinstance(schema, _Schema):
        schema = schema()
    return schema.dump(data, many=many)


# -- answers every service gives the same way (platform routes) ------------------------------

class DecisionRecordOut(Schema):
    """One stored decision (SYS-01) in a "why" chain."""
    rule = fields.String()
    outcome = fields.String()
    reason = fields.String()
    data = fields.Dict(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    at = fields.String()
    subject_type = fields.String()  # the subject this record is about (a linked one, SYS-01)
    subject_id = fields.String()


class WhyOut(Schema):
    subject_type = fields.String()
    subject_id = fields.String()
    decisions = fields.List(fields.Nested(DecisionRecordOut))


class DeadLetterOut(Schema):
    """An event whose handler failed every try (``services.common.inbox``)."""
    handler = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    attempts = fields.Integer()
    last_error = fields.String()
    first_failed_at = fields.DateTime()
    payload = fields.Dict()


class ServiceHealthOut(Schema):
    service = fields.String()
    status = fields.String()
    now = fields.String()


class HealthOut(Schema):
    status = fields.String()
    services = fields.Dict(keys=fields.String(), values=fields.String())


# a project's policy values: key -> value, keys per service (GET /v1/projects/<id>/policy/<s>)
POLICY_OUT = {"type": "object", "additionalProperties": True,
              "description": "policy key -> value (SYS-03); the keys are the service's"}
CLOCK_OUT = {"type": "object", "additionalProperties": {"type": "string"},
             "description": "service -> its clock's now (ISO-8601)"}
