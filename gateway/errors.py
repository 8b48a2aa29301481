"""Every failure becomes {"error": {"code", "rule", "message"}} with one status:
400/401/403/404/409/422/503 — never a 500 and never a traceback."""
import json
import logging

from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError
from werkzeug.wrappers import Response

from services.common.errors import AnchangError, Unavailable

log = logging.getLogger("gateway")


def error_response(status, code, message, rule=None, field=None, **extra):
    body = {"code": code, "rule": rule, "message": message}
    if field:
        body["field"] = field
    return Response(json.dumps({"error": body, **extra}, ensure_ascii=False), status=status,
                    mimetype="application/json")


def from_exception(exc):
    if isinstance(exc, AnchangError):
        response = error_response(exc.status, exc.code, exc.message, exc.rule, exc.field)
        if exc.status == 429:   # a screen or script waits this long before trying again
            response.headers["Retry-After"] = "1"
        return response
    if isinstance(exc, RemoteError):
        # a service failed in a way it did not describe: its own log has the traceback
        log.error("remote failure: %s", exc)
        return error_response(503, "service_error", "a service failed to answer; try again "
                              "or ask an administrator to check the service logs")
    if isinstance(exc, (OperationalError, ConnectionError, OSError)):
        log.error("broker unreachable: %s", exc)
        return from_exception(Unavailable("the message broker is unreachable"))
    log.exception("unexpected gateway failure")
    return error_response(503, "gateway_error", "the gateway could not complete the request")
