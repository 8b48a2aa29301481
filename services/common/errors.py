"""Errors that carry a rule ID and map to exactly one HTTP status each.

They cross nameko RPC intact: each class is registered with ``deserialize_to_instance`` so the
gateway receives the same class (and so the same status) the service raised.
"""
from nameko.exceptions import deserialize_to_instance


class AnchangError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message, rule=None, field=None):
        # nameko serialises args as strings ("None" for None): send "" and read it back as None
        super().__init__(message, rule or "", field or "")
        self.message = message
        self.rule = rule or None
        self.field = field or None

    def as_body(self):
        body = {"code": self.code, "rule": self.rule, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}

    def __str__(self):
        return f"{self.rule + ' ' if self.rule else ''}{self.message}"


@deserialize_to_instance
class BadRequest(AnchangError):
    status, code = 400, "bad_request"


@deserialize_to_instance
class Unauthorized(AnchangError):
    status, code = 401, "unauthorized"


@deserialize_to_instance
class Forbidden(AnchangError):
    status, code = 403, "forbidden"


@deserialize_to_instance
class NotFound(AnchangError):
    status, code = 404, "not_found"


@deserialize_to_instance
class Conflict(AnchangError):
    status, code = 409, "conflict"


@deserialize_to_instance
class Unprocessable(AnchangError):
    status, code = 422, "unprocessable"


@deserialize_to_instance
class TooManyRequests(AnchangError):
    status, code = 429, "too_many_requests"


@deserialize_to_instance
class Unavailable(AnchangError):
    status, code = 503, "unavailable"


def refused(decision, error=Unprocessable, field=None):
    """Raise ``error`` for a refusing Decision, citing its rule."""
    raise error(decision.reason, rule=decision.rule, field=field)
