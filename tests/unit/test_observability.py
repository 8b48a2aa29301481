"""The JSON log formatter, the request-id filter and context, the request id an event carries,
and the worker hook that logs a refusal at INFO without a traceback (issue 13)."""
import json
import logging
import sys
from datetime import datetime, timezone
from types import SimpleNamespace

import eventlet
import pytest
from sqlalchemy import MetaData, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from services.common import logs, metrics, outbox
from services.common.errors import Conflict, Unavailable, Unprocessable
from services.common.kit import install_kit
from services.common.service import rpc


def record(message="hello %s", args=("world",), level=logging.INFO, exc_info=None, **extra):
    rec = logging.LogRecord("anchang.test", level, __file__, 1, message, args, exc_info)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def formatted(rec):
    logs.RequestIdFilter().filter(rec)
    text = logs.JsonFormatter().format(rec)
    assert "\n" not in text          # one object a line
    return json.loads(text)


def test_a_line_is_one_json_object_with_time_level_service_request_id_and_message(monkeypatch):
    monkeypatch.setattr(logs, "service_name", "reception")
    with logs.serving("req-1"):
        line = formatted(record("two\nlines %s", ("here",)))
    assert line["level"] == "INFO" and line["service"] == "reception"
    assert line["request_id"] == "req-1" and line["message"] == "two\nlines here"
    assert line["logger"] == "anchang.test" and line["time"].endswith("Z")
    assert datetime.fromisoformat(line["time"].replace("Z", "+00:00")).tzinfo is not None


def test_a_refusal_line_carries_rule_status_and_code_and_no_traceback():
    line = formatted(record("refused", (), rule="ATT-04", status=409, code="conflict",
                            entrypoint="punch", duration_ms=3.5))
    assert (line["rule"], line["status"], line["code"]) == ("ATT-04", 409, "conflict")
    assert line["entrypoint"] == "punch" and line["duration_ms"] == 3.5
    assert "exc_info" not in line


def test_an_unexpected_failure_keeps_its_traceback_in_one_field():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        line = formatted(record("failed", (), level=logging.ERROR, exc_info=sys.exc_info()))
    assert line["level"] == "ERROR" and "Traceback" in line["exc_info"]
    assert "RuntimeError: boom" in line["exc_info"]


def test_without_a_request_the_id_is_null_and_an_explicit_one_wins():
    assert logs.request_id() is None
    assert formatted(record())["request_id"] is None
    with logs.serving("bound"):
        assert formatted(record(request_id="given"))["request_id"] == "given"


def test_each_green_thread_keeps_its_own_request_id():
    def worker(rid):
        token = logs.bind(rid)
        eventlet.sleep(0.01)          # the others run and bind theirs meanwhile
        seen = formatted(record())["request_id"]
        logs.unbind(token)
        return seen
    pool = eventlet.GreenPool()
    assert list(pool.imap(worker, ["a", "b", "c"])) == ["a", "b", "c"]
    assert logs.request_id() is None


def test_serving_binds_for_the_block_only_and_ignores_none():
    with logs.serving("outer"):
        with logs.serving(None):
            assert logs.request_id() == "outer"
        with logs.serving("inner"):
            assert logs.request_id() == "inner"
        assert logs.request_id() == "outer"
    assert logs.request_id() is None


@pytest.mark.parametrize("value, accepted", [
    ("abc-123", True), ("a" * 64, True), ("trace:1/2+3=4_5.6", True),
    ("a" * 65, False), ("", False), ("has space", False), ("semi;colon", False),
    ("中文", False), (None, False),
])
def test_a_client_request_id_is_taken_only_when_sane(value, accepted):
    assert logs.accept(value) == (value if accepted else None)


def test_the_plain_format_shows_the_id_in_brackets():
    with logs.serving("r-9"):
        assert "[r-9]: hello world" in logs.PlainFormatter().format(record())
    assert "[-]: hello world" in logs.PlainFormatter().format(record())


def kit_session():
    metadata = MetaData()
    kit = install_kit(metadata)
    engine = create_engine("sqlite://", poolclass=StaticPool)
    metadata.create_all(engine)
    session = Session(engine)
    session.info.update(kit=kit, service="reception")
    return session


def emitted(session):
    return outbox.emit(session, "walk_in_taken", now=datetime.now(timezone.utc), project_id=1,
                       actor=None, rule="REC-03", reason="the rotation")


def test_an_event_carries_the_request_id_of_the_worker_that_emitted_it():
    session = kit_session()
    with logs.serving("req-7"):
        assert emitted(session)["request_id"] == "req-7"
    assert "request_id" not in emitted(session)      # a timer's event: no request


def test_the_kit_rpc_declares_refusals_expected():
    def take(self):
        pass
    entrypoint, = rpc(take).nameko_entrypoints
    assert entrypoint.expected_exceptions is not None
    assert issubclass(Conflict, entrypoint.expected_exceptions)


@pytest.mark.parametrize("exc, outcome", [
    (None, "ok"), (Conflict("taken"), "refused"),
    (Unavailable("clients did not answer within 4 s"), "timeout"),
    (Unavailable("clients is not running"), "unavailable"),
    (type("RemoteError", (Exception,), {})("x"), "remote_error"), (OSError("refused"),
                                                                  "broker_error"),
])
def test_the_gateway_counts_each_rpc_by_how_it_ended(exc, outcome):
    assert metrics.rpc_outcome(exc) == outcome


def fake_worker(method="add_staff"):
    from nameko.rpc import Rpc
    entrypoint = Rpc.__new__(Rpc)
    entrypoint.method_name = method
    return Worker(entrypoint=entrypoint, data={logs.CONTEXT_KEY: "req-42"}, args=())


class Worker(SimpleNamespace):
    """A stand-in for nameko's WorkerContext (weakly referenced, like the real one)."""
    __hash__ = object.__hash__


def test_a_refused_worker_is_logged_at_info_with_rule_and_status(caplog):
    provider = metrics.Metrics()
    provider.service = "attendance"
    worker = fake_worker()
    provider.get_dependency(worker)
    provider.worker_setup(worker)
    try:
        raise Unprocessable("invalid input: name", rule="ATT-01", field="name")
    except Unprocessable:
        exc_info = sys.exc_info()
    caplog.handler.addFilter(logs.RequestIdFilter())   # as deploy/nameko.yml's handler does
    with caplog.at_level(logging.DEBUG, logger="anchang.worker"):
        provider.worker_result(worker, None, exc_info)
    provider.worker_teardown(worker)
    rec, = caplog.records
    assert rec.levelno == logging.INFO and rec.exc_info is None
    assert (rec.rule, rec.status, rec.code) == ("ATT-01", 422, "unprocessable")
    assert rec.request_id == "req-42" and "refused" in rec.getMessage()
    assert logs.request_id() is None                # unbound when the worker ends
    assert metrics.REFUSALS.labels("attendance", "add_staff", "ATT-01", "422")._value.get() >= 1


def test_a_successful_rpc_is_one_info_line_and_health_stays_quiet(caplog):
    provider = metrics.Metrics()
    provider.service = "attendance"
    with caplog.at_level(logging.DEBUG, logger="anchang.worker"):
        for name in ("add_staff", "health"):
            worker = fake_worker(name)
            provider.get_dependency(worker)
            provider.worker_setup(worker)
            provider.worker_result(worker, {"ok": True}, None)
            provider.worker_teardown(worker)
    levels = {r.entrypoint: r.levelno for r in caplog.records}
    assert levels == {"add_staff": logging.INFO, "health": logging.DEBUG}
