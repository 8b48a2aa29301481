"""Prometheus metrics and one log line per worker, for every service and the gateway.

``Metrics`` is a nameko DependencyProvider (``metrics = Metrics()`` on ``ServiceKit`` and on the
gateway). Its worker hooks bind the request id (``services.common.logs``), count each worker by
entrypoint and outcome and observe its duration; a refusal (an ``AnchangError``: an expected
answer citing a rule) is logged at INFO with its rule and status and no traceback. Gauges are
read when Prometheus scrapes: the outbox backlog and the age of its oldest unsent event, the
events waiting for a retry and the dead letters, and whether the broker answers.

``/metrics`` is served on ``METRICS_PORT`` (unset: not served; ``METRICS_HOST``, default
127.0.0.1) by ``eventlet.wsgi`` running prometheus_client's WSGI app in a green thread of the
service's own hub: nameko's WebServer has one address per process (the gateway's API already
holds it), and prometheus_client's ``start_http_server`` starts a thread whose socket server
eventlet would have to patch; a green thread is cooperative like every worker and is killed with
the container.
"""
import json
import logging
import time
import weakref
from datetime import timezone

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from prometheus_client import (
    REGISTRY,
    Counter,
    Histogram,
    disable_created_metrics,
    make_wsgi_app,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from . import logs
from .config import amqp_uri, setting
from .errors import AnchangError, Unavailable
from .timeutil import utcnow

log = logging.getLogger("anchang.worker")
disable_created_metrics()     # no *_created series beside every counter: half the lines, no use

WORKERS = Counter("anchang_worker_calls", "Workers run, by entrypoint and outcome "
                  "(ok, refused: a rule or check answered 4xx, error: an unexpected failure)",
                  ["service", "kind", "entrypoint", "outcome"])
WORKER_SECONDS = Histogram("anchang_worker_seconds", "Time a worker took, by entrypoint",
                           ["service", "kind", "entrypoint"])
REFUSALS = Counter("anchang_refusals", "Refusals (expected 4xx answers) by rule and status",
                   ["service", "entrypoint", "rule", "status"])
HTTP_REQUESTS = Counter("anchang_http_requests", "Gateway HTTP requests by route and status",
                        ["route", "method", "status"])
HTTP_SECONDS = Histogram("anchang_http_request_seconds", "Gateway HTTP latency by route",
                         ["route", "method"])
RPC_CALLS = Counter("anchang_gateway_rpc_calls", "The gateway's RPC calls by service and "
                    "outcome (ok, refused, timeout, unavailable, remote_error, broker_error)",
                    ["service", "outcome"])
BROKER_ERRORS = Counter("anchang_broker_connection_errors", "Failed (re)connections of this "
                        "process's consumer to the broker", ["service"])
BROKER_CHECK_SECONDS = 5.0      # a scrape reuses the broker check for this long
QUIET_ROUTES = frozenset({"/v1/health", "/v1/health/live", "/v1/health/ready", "/v1/ping"})


def kind_of(entrypoint):
    if isinstance(entrypoint, Rpc):
        return "rpc"
    if isinstance(entrypoint, EventHandler):
        return "event"
    if isinstance(entrypoint, Timer):
        return "timer"
    return "http" if hasattr(entrypoint, "url") else type(entrypoint).__name__.lower()


def request_id_of(worker_ctx, kind):
    """The request id a worker serves: from the context data (an RPC, or the gateway's own
    worker), else from an event's payload."""
    value = worker_ctx.data.get(logs.CONTEXT_KEY)
    if not value and kind == "event" and worker_ctx.args and isinstance(worker_ctx.args[0], dict):
        value = worker_ctx.args[0].get(logs.CONTEXT_KEY)
    return value


def rpc_outcome(exc):
    """How the gateway's RPC ended, for ``anchang_gateway_rpc_calls``."""
    if exc is None:
        return "ok"
    if isinstance(exc, Unavailable):
        return "timeout" if "did not answer" in exc.message else "unavailable"
    if isinstance(exc, AnchangError):
        return "refused"
    if type(exc).__name__ == "RemoteError":
        return "remote_error"
    return "broker_error"


class Observation:
    """What one worker's hooks share; the gateway names the matched ``route``."""

    def __init__(self, kind, entrypoint):
        self.kind, self.entrypoint = kind, entrypoint
        self.route = None
        self.started = time.perf_counter()
        self.token = None

    def rpc(self, service, exc=None):
        RPC_CALLS.labels(service, rpc_outcome(exc)).inc()


class Metrics(DependencyProvider):
    """``self.metrics``: the worker's ``Observation``."""

    def __init__(self):
        self.observations = weakref.WeakKeyDictionary()
        self._broker = (0.0, None)

    # -- container life cycle ------------------------------------------------------------
    def setup(self):
        self.service = self.container.service_name
        logs.service_name = logs.service_name or self.service
        _count_broker_errors(self.service)
        LIVE.add(self)

    def start(self):
        port = setting("METRICS_PORT", self.container.config)
        if port:
            serve(int(port), setting("METRICS_HOST", self.container.config, "127.0.0.1"))

    def stop(self):
        LIVE.discard(self)

    def kill(self):
        LIVE.discard(self)

    # -- workers -------------------------------------------------------------------------
    def get_dependency(self, worker_ctx):
        entry = worker_ctx.entrypoint
        observation = Observation(kind_of(entry), entry.method_name)
        self.observations[worker_ctx] = observation
        return observation

    def worker_setup(self, worker_ctx):
        observation = self.observations.get(worker_ctx)
        if observation is None:
            return
        if observation.kind == "http" and worker_ctx.args:   # the gateway: where an id starts
            header = worker_ctx.args[0].headers.get(logs.HEADER)
            worker_ctx.data[logs.CONTEXT_KEY] = logs.accept(header) or logs.new_request_id()
        observation.token = logs.bind(request_id_of(worker_ctx, observation.kind))

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        observation = self.observations.get(worker_ctx)
        if observation is None:
            return
        seconds = time.perf_counter() - observation.started
        exc = exc_info[1] if exc_info else None
        outcome = "ok" if exc is None else (
            "refused" if isinstance(exc, AnchangError) else "error")
        labels = (self.service, observation.kind, observation.entrypoint)
        WORKERS.labels(*labels, outcome).inc()
        WORKER_SECONDS.labels(*labels).observe(seconds)
        extra = {"entrypoint": observation.entrypoint, "duration_ms": round(seconds * 1000, 1)}
        if observation.kind == "http":
            self._http(worker_ctx, observation, result, seconds, extra)
        elif outcome == "refused":
            REFUSALS.labels(self.service, observation.entrypoint, exc.rule or "",
                            str(exc.status)).inc()
            log.info("%s %s refused (%s): %s", observation.kind, observation.entrypoint,
                     exc.status, exc, extra=dict(extra, rule=exc.rule, status=exc.status,
                                                 code=exc.code))
        elif outcome == "ok" and observation.kind == "rpc":
            level = logging.DEBUG if observation.entrypoint == "health" else logging.INFO
            log.log(level, "rpc %s ok", observation.entrypoint, extra=extra)
        elif outcome == "ok" and observation.kind == "event":
            entry = worker_ctx.entrypoint
            log.info("event %s.%s handled by %s", entry.source_service, entry.event_type,
                     observation.entrypoint, extra=dict(extra, event_type=entry.event_type,
                                                        source=entry.source_service))
        # an unexpected failure is logged by nameko with its traceback (nameko.containers)

    def worker_teardown(self, worker_ctx):
        observation = self.observations.pop(worker_ctx, None)
        if observation is not None and observation.token is not None:
            logs.unbind(observation.token)

    def _http(self, worker_ctx, observation, response, seconds, extra):
        status = getattr(response, "status_code", 500)
        route = observation.route or (
            "unmatched" if worker_ctx.entrypoint.url.startswith("/v1/")
            else worker_ctx.entrypoint.url)
        method = worker_ctx.args[0].method if worker_ctx.args else ""
        HTTP_REQUESTS.labels(route, method, str(status)).inc()
        HTTP_SECONDS.labels(route, method).observe(seconds)
        extra = dict(extra, status=status)
        if status >= 400:
            extra.update(_error_of(response))
        path = worker_ctx.args[0].path if worker_ctx.args else route
        level = logging.WARNING if status >= 500 else logging.INFO
        if status == 200 and route in QUIET_ROUTES:
            level = logging.DEBUG          # probes and pollers would drown the rest
        log.log(level, "%s %s %s", method, path, status, extra=extra)

    # -- read at scrape time -------------------------------------------------------------
    def database(self):
        for dependency in self.container.dependencies:
            if hasattr(dependency, "engine") and hasattr(dependency, "kit"):
                return dependency
        return None

    def broker_up(self):
        checked, up = self._broker
        if up is None or time.monotonic() - checked > BROKER_CHECK_SECONDS:
            try:
                with Connection(amqp_uri(self.container.config), connect_timeout=1) as conn:
                    conn.ensure_connection(max_retries=1)
                up = 1
            except Exception:
                up = 0
            self._broker = (time.monotonic(), up)
        return up


def _error_of(response):
    try:
        body = json.loads(response.get_data(as_text=True))["error"]
        return {"rule": body.get("rule"), "code": body.get("code")}
    except Exception:
        return {}


LIVE = weakref.WeakSet()


class KitCollector:
    """Gauges read at scrape time from each running service's database and the broker."""

    def collect(self):
        backlog = GaugeMetricFamily("anchang_outbox_backlog",
                                    "Events written but not yet published", labels=["service"])
        oldest = GaugeMetricFamily("anchang_outbox_oldest_unsent_seconds", "Age of the oldest "
                                   "unpublished event (0 when none)", labels=["service"])
        retries = GaugeMetricFamily("anchang_event_retries_pending", "Events whose handler "
                                    "failed, waiting for their next try", labels=["service"])
        dead = GaugeMetricFamily("anchang_dead_letters", "Events whose handler failed every "
                                 "try (python -m services.common.deadletters)",
                                 labels=["service"])
        broker = GaugeMetricFamily("anchang_broker_up", "1 when the broker answered a "
                                   "connection from this process (checked at most every 5 s)",
                                   labels=["service"])
        for provider in list(LIVE):
            broker.add_metric([provider.service], provider.broker_up())
            database = provider.database()
            if database is None:
                continue
            try:
                counts = _counts(database.engine, database.kit)
            except Exception as exc:     # the database is down: the gauges are absent
                log.warning("metrics: cannot read %s's database: %s", provider.service, exc)
                continue
            backlog.add_metric([provider.service], counts["backlog"])
            oldest.add_metric([provider.service], counts["oldest"])
            retries.add_metric([provider.service], counts["retries"])
            dead.add_metric([provider.service], counts["dead"])
        yield from (backlog, oldest, retries, dead, broker)


def _counts(engine, kit):
    outbox, table = kit.outbox, kit.retries
    with engine.connect() as conn:
        backlog, first = conn.execute(select(func.count(), func.min(outbox.c.created_at))
                                      .where(outbox.c.sent_at.is_(None))).one()
        waiting = dict(conn.execute(select(table.c.dead, func.count())
                                    .group_by(table.c.dead)).all())
    if first is not None and first.tzinfo is None:
        first = first.replace(tzinfo=timezone.utc)
    return {"backlog": backlog,
            "oldest": (utcnow() - first).total_seconds() if first is not None else 0.0,
            "retries": waiting.get(False, 0), "dead": waiting.get(True, 0)}


REGISTRY.register(KitCollector())

_server = {}


def serve(port, host="127.0.0.1"):
    """Serve ``/metrics`` (any path answers) on ``host:port`` in a green thread, once per
    process. A port in use is logged, not fatal: metrics are not worth an outage."""
    if _server:
        return _server.get("thread")
    try:
        sock = eventlet.listen((host, port))
    except OSError as exc:
        log.error("metrics: cannot listen on %s:%s (%s): /metrics is not served", host, port, exc)
        _server["thread"] = None
        return None
    _server["thread"] = eventlet.spawn(eventlet.wsgi.server, sock, make_wsgi_app(),
                                       log_output=False)
    log.info("metrics on http://%s:%s/metrics", host, port)
    return _server["thread"]


class _BrokerErrors(logging.Filter):
    """Counts nameko's "Error connecting to broker" warnings (its consumer retries by itself)."""

    def __init__(self, service):
        super().__init__()
        self.service = service

    def filter(self, record):
        if str(record.msg).startswith("Error connecting to broker"):
            BROKER_ERRORS.labels(self.service).inc()
        return True


def _count_broker_errors(service):
    logger = logging.getLogger("nameko.messaging")
    if not any(isinstance(f, _BrokerErrors) for f in logger.filters):
        logger.addFilter(_BrokerErrors(service))
    BROKER_ERRORS.labels(service)    # present (0) from the start

