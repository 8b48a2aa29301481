"""Logs an operator can follow: one JSON object a line, each with the request id it served.

The gateway takes the client's ``X-Request-Id`` (when sane) or makes one, and puts it in
nameko's context data (``CONTEXT_KEY``), which travels with every RPC; the outbox copies it
into each event's payload (``request_id``), so an event handler in another service logs it too.
Every worker binds it (``services.common.metrics.Metrics.worker_setup``, and ``inbox.once``
for a retried event) in a context variable: each eventlet green thread has its own, so
concurrent workers never mix ids. ``RequestIdFilter`` stamps it on every record and
``JsonFormatter`` writes the line (deploy/nameko.yml wires both; ``LOG_FORMAT=plain`` keeps a
human line with the id in brackets).

A line: ``{"time", "level", "service", "logger", "request_id", "message"}`` plus, when the
record has them, ``rule``, ``status``, ``code``, ``entrypoint``, ``duration_ms`` and, for an
unexpected failure only, ``exc_info`` (the traceback as one string).
"""
import contextlib
import contextvars
import json
import logging
import re
import uuid
from datetime import datetime, timezone

CONTEXT_KEY = "request_id"      # in nameko's context data and in each event's payload
HEADER = "X-Request-Id"
MAX_LENGTH = 64
SANE = re.compile(r"[A-Za-z0-9._:+=/-]{1,%d}" % MAX_LENGTH)
EXTRAS = ("rule", "status", "code", "entrypoint", "duration_ms", "event_type", "source")

_current = contextvars.ContextVar("anchang_request_id", default=None)
service_name = None             # set once the process knows which service it runs


def new_request_id():
    return uuid.uuid4().hex


def accept(value):
    """The client's request id when it is sane (1-64 characters of letters, digits and
    ``._:+=/-``), else None (the gateway then makes one)."""
    if isinstance(value, str) and SANE.fullmatch(value):
        return value
    return None


def request_id():
    """The request id the current worker serves, or None."""
    return _current.get()


def bind(value):
    """Serve ``value`` (a request id or None) in this green thread; returns a token for
    ``unbind``."""
    return _current.set(str(value)[:MAX_LENGTH] if value else None)


def unbind(token):
    try:
        _current.reset(token)
    except ValueError:      # set in another context (a worker torn down elsewhere): forget it
        _current.set(None)


@contextlib.contextmanager
def serving(value):
    """``with serving(request_id):`` binds it for the block (a retried event's handler)."""
    if not value:
        yield
        return
    token = bind(value)
    try:
        yield
    finally:
        unbind(token)


class RequestIdFilter(logging.Filter):
    """Stamps ``record.request_id`` (the worker's, unless the call gave one in ``extra``) and
    ``record.service`` on every record."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = _current.get()
        if getattr(record, "service", None) is None:
            record.service = service_name
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line (newlines in a message or traceback are escaped)."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
                            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "service": getattr(record, "service", None) or service_name,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or _current.get(),
            "message": record.getMessage(),
        }
        for name in EXTRAS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """``LOG_FORMAT=plain``: a human line with the request id in brackets."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def format(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        record.request_id = record.request_id or "-"
        return super().format(record)
