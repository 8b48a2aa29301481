"""marshmallow base: unknown fields are rejected, and a failed load becomes a 422 that names
the fields."""
from marshmallow import RAISE, Schema as _Schema, ValidationError, fields

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
        detail = "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                           for k, v in messages.items()) if isinstance(messages, dict) else str(messages)
        raise Unprocessable(f"invalid input: {detail}", rule=rule, field=",".join(fields) or None)


class DecisionOut(Schema):
    """A rule's decision as every service answers it (``services.common.decision``, SYS-01)."""
    rule = fields.String()
    reason = fields.String()
    outcome = fields.String()
    allowed = fields.Boolean()
    data = fields.Dict()


def dump(schema, data, many=False):
    """An answer through its ``Out`` schema: exactly the fields the OpenAPI document shows."""
    if not isinstance(schema, _Schema):
        schema = schema()
    return schema.dump(data, many=many)
