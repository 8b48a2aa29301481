"""marshmallow base: unknown fields are rejected, and a failed load becomes a 422 that names
the fields. Every integer is a whole number a 64-bit column can hold: 2.5 and 2**63 are refused
here with the field's name, never by the database."""
from marshmallow import RAISE, ValidationError, fields, validate
from marshmallow import Schema as _Schema

from .errors import Unprocessable
from .timeutil import parse_instant

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


class WholeNumber(fields.Integer):
    """marshmallow's Integer, but 2.5 is not read as 2 ("12" still is: query strings)."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class _Int64(validate.Validator):
    """The range every integer column holds. Not a ``validate.Range`` (a declared rule of the
    field's own); apispec still documents its ``min`` and ``max`` as minimum and maximum."""
    min, max = INT64_MIN, INT64_MAX
    error = f"Must be a whole number from {INT64_MIN} to {INT64_MAX} (64 bits)."

    def __call__(self, value):
        if not self.min <= value <= self.max:
            raise ValidationError(self.error)
        return value


def _bounded(field):
    """Every integer field, also inside lists and dicts, is a whole number within 64 bits (the
    Range also gives the OpenAPI document its minimum and maximum)."""
    if type(field) is fields.Integer:
        field.__class__ = WholeNumber
    if isinstance(field, fields.Integer) and not any(isinstance(v, _Int64)
                                                     for v in field.validators):
        # a new list: marshmallow's field copies share the declared one
        field.validators = [*field.validators, _Int64()]
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None),
                  getattr(field, "value_field", None), *getattr(field, "tuple_fields", ())):
        if inner is not None:
            _bounded(inner)


class Schema(_Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        _bounded(field_obj)


class Instant(fields.String):
    """An ISO-8601 instant with offset ("2026-03-02T08:30:00+08:00"; a naive one is project-local),
    checked on load and passed on as the text the caller sent."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_instant(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return text


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


class PolicyKeyOut(Schema):
    """SYS-03: one policy key as a form shows it."""
    key = fields.String()
    value = fields.Raw(metadata={"description": "the project's value (the default if unset)"})
    default = fields.Raw(metadata={"description": "the rulebook's default"})
    rule = fields.String(metadata={"description": "the rule this value tunes"})
    doc = fields.String(metadata={"description": "what the value means"})


# a project's policy values: key -> value, keys per service (GET /v1/projects/<id>/policy/<s>)
POLICY_OUT = {"type": "object", "additionalProperties": True,
              "description": "policy key -> value (SYS-03); the keys are the service's"}
CLOCK_OUT = {"type": "object", "additionalProperties": {"type": "string"},
             "description": "service -> its clock's now (ISO-8601)"}
