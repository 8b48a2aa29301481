"""The gateway: one HTTP API (nameko @http) in front of the four services.

Routes are data (gateway/routes); this class authenticates, matches, forwards by RPC with a
deadline, and renders answers and errors. It checks the token itself, but every service checks
it again with the caller's roles: the gateway is not trusted with permissions.
"""
import base64
import json
import logging
import time
import uuid
from datetime import timedelta

import eventlet
from kombu import Connection
from nameko.dependency_providers import Config
from nameko.web.handlers import http
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as RouteNotFound
from werkzeug.wrappers import Response

from services.common import config as settings
from services.common import idempotency, logs
from services.common.errors import BadRequest, Forbidden, NotFound, Unauthorized
from services.common.identity import TokenSecret, display_token, issue_token, verify_token
from services.common.metrics import Metrics
from services.common.rpc import call
from services.common.rpc import proxy as rpc_proxy
from services.common.schemas import dump, load
from services.common.timeutil import utcnow

from . import openapi, web
from .board_stream import BoardHub
from .entrypoint import api_http, read_body
from .errors import error_response, from_exception
from .routes import all_routes, path_values, query_values, url_map
from .routes.platform import SERVICE_NAMES
from .throttle import Throttle

log = logging.getLogger("gateway")
ROUTES = all_routes()
URL_MAP = url_map(ROUTES)
TOKEN_TTL = int(settings.setting("TOKEN_TTL_SECONDS", None, "43200"))
# a TV's display login does not expire each morning: a year, unless revoked first (REC-13)
DISPLAY_TTL = int(settings.setting("DISPLAY_TOKEN_TTL_SECONDS", None, str(366 * 86400)))


def json_response(data, status=200):
    return Response(json.dumps(data, ensure_ascii=False, default=str), status=status,
                    mimetype="application/json")


class GatewayService:
    name = "gateway"
    config = Config()
    secret = TokenSecret()
    throttle = Throttle()
    boards = BoardHub()   # REC-13: one watcher per project pushes the board to its screens
    context = idempotency.Context()   # travels with every RPC this worker makes
    metrics = Metrics()   # requests by route and status, RPC outcomes, the request id, /metrics
    # 503 means not done: requests expire at the deadline (services.common.rpc.proxy)
    attendance = rpc_proxy("attendance")
    reception = rpc_proxy("reception")
    clients = rpc_proxy("clients")
    materials = rpc_proxy("materials")

    # -- HTTP entrypoints ------------------------------------------------------------------
    @api_http("GET,POST,PUT,PATCH,DELETE", "/v1/<everything:path>")   # every path: JSON answers
    def api(self, request, path):
        answer = self._api(request)
        # the request id (the client's X-Request-Id or one made by services.common.metrics)
        answer.headers[logs.HEADER] = self.context.get(logs.CONTEXT_KEY) or ""
        return answer

    def _api(self, request):
        try:
            route, values = URL_MAP.bind("localhost").match(request.path, request.method)
        except RouteNotFound:
            return error_response(404, "not_found", f"no route {request.method} {request.path}")
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods))
            answer = error_response(405, "method_not_allowed", f"{request.path} allows {allowed}")
            answer.headers["Allow"] = allowed   # RFC 9110: every 405 names what is allowed
            return answer
        self.metrics.route = route.path
        key, self._address = None, request.remote_addr
        try:
            key = self._request_key(request)
            token = self._token(request) if route.auth else None
            values = path_values(values)   # a malformed id: 400 naming it
            body = self._body(request) if route.sends_body else None
            query = query_values(route, request.args)
            if route.handler:
                result = getattr(self, route.handler)(route, token, values, body, query)
            else:
                args = [token, *values.values()]
                if route.sends_body:
                    args.append(body)
                if route.query:
                    args.append(query)
                result = self._rpc(route.service, route.rpc, *args)
            if isinstance(result, Response):
                answer = result
            elif route.download:
                answer = self._download(result)
            else:
                answer = json_response(result, route.status)
        except Exception as exc:  # every failure is rendered, never raised to nameko
            answer = from_exception(exc)
        if key:
            answer.headers[idempotency.HEADER] = key   # the client may repeat with it
        return answer

    # -- the screens (gateway/web): pages that use only the public API ----------------------
    @http("GET", "/docs")
    def docs(self, request):
        return web.page("docs")

    @http("GET", "/board")
    def board(self, request):
        """REC-13: the TV board (data from GET /v1/projects/<id>/board, pushed by /v1/…/events)."""
        return web.page("board")

    @http("GET", "/")
    def index(self, request):
        return Response(status=302, headers={"Location": "/app/home"})

    @http("GET", "/events/board/<int:project_id>")
    def board_events(self, request, project_id):
        """REC-13: the board pushed as server-sent events (gateway/board_stream.py). The
        caller's bearer token as on every route; reception decides who may see the board."""
        try:
            token = self._token(request)
            first = self._rpc("reception", "board", token, project_id)
        except Exception as exc:
            return from_exception(exc)
        request.environ["eventlet.minimum_write_chunk_size"] = 0   # each event at once
        return Response(self.boards.stream(project_id, token, first),
                        mimetype="text/event-stream", direct_passthrough=True,
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @http("GET", "/app/<string:name>")
    def app_page(self, request, name):
        return web.page(name)

    @http("GET", "/assets/<path:name>")
    def app_asset(self, request, name):
        return web.asset(name)

    @http("GET", "/vendor/<string:name>")
    def app_vendor(self, request, name):
        return web.vendor(name)

    # -- helpers ---------------------------------------------------------------------------
    def _token(self, request):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        verify_token(token, self.secret)  # 401 here; each service verifies again
        return token

    def _request_key(self, request):
        """A mutating request is done once per Idempotency-Key: the client's, or a new one
        (so a redelivery inside the platform is never done twice)."""
        if request.method == "GET":
            return None
        key = request.headers.get(idempotency.HEADER) or uuid.uuid4().hex
        if len(key) > idempotency.MAX_LENGTH or not key.isprintable():
            raise BadRequest(f"{idempotency.HEADER} must be at most {idempotency.MAX_LENGTH} "
                             "printable characters", field=idempotency.HEADER)
        self.context[idempotency.CONTEXT_KEY] = key
        # the moment this gateway answers 503: no service commits the change after it
        self.context[idempotency.DEADLINE_KEY] = time.time() + settings.rpc_timeout()
        return key

    @staticmethod
    def _body(request):
        # whatever the Content-Type says, the body is JSON
        return read_body(request.get_data(as_text=True))

    def _rpc(self, service, method, *args, timeout=None):
        try:
            result = call(getattr(self, service), method, *args,
                          timeout=timeout or settings.rpc_timeout(self.config))
        except Exception as exc:
            self.metrics.rpc(service, exc)
            raise
        self.metrics.rpc(service)
        return result

    @staticmethod
    def _download(result):
        return Response(base64.b64decode(result["content_b64"]), mimetype=result["content_type"],
                        headers={"Content-Disposition":
                                 f'attachment; filename="{result["filename"]}"'})

    # -- routes the gateway answers itself -----------------------------------------------
    def login(self, route, token, values, body, query):
        data = load(route.body, body)
        self.throttle.before(data["username"], self._address)
        with self.throttle.gate.slot():
            try:
                person = self._rpc("attendance", "authenticate", data["username"],
                                   data["password"])
            except Unauthorized:
                self.throttle.failed(data["username"])
                raise
        now = utcnow()
        return dump(route.response, {
            "token": issue_token(person, self.secret, TOKEN_TTL, now),
            "expires_at": (now + timedelta(seconds=TOKEN_TTL)).isoformat(), "person": person})

    def create_display(self, route, token, values, body, query):
        """REC-13: reception stores the display; the gateway signs its long-lived login."""
        display = self._rpc("reception", "create_display", token, values["project_id"], body)
        now = utcnow()
        login = display_token(display, self.secret, DISPLAY_TTL)
        return dump(route.response, {
            "display": display, "token": login,
            "expires_at": (now + timedelta(seconds=DISPLAY_TTL)).isoformat(),
            "board_url": f"/board?project={display['project_id']}#token={login}"})

    def health(self, route, token, values, body, query):
        report = {"broker": self._broker_state()}
        pile = eventlet.GreenPile()
        for name in SERVICE_NAMES:
            pile.spawn(self._service_state, name)
        report.update(zip(SERVICE_NAMES, pile))
        down = [name for name, state in report.items() if state != "up"]
        if down:
            return error_response(503, "unavailable", f"down: {', '.join(down)}",
                                  services=report)
        return json_response({"status": "up", "services": report})

    def live(self, route, token, values, body, query):
        """Liveness: this process answers HTTP; it asks no service and not the broker."""
        return {"status": "up", "services": {}}

    def ready(self, route, token, values, body, query):
        """Readiness: the gateway can forward (the broker answers). One backend down must not
        take every gateway out of the load balancer: its own routes answer 503 naming it."""
        broker = self._broker_state()
        if broker != "up":
            return error_response(503, "unavailable", "down: broker", services={"broker": broker})
        return {"status": "up", "services": {"broker": broker}}

    def _service_state(self, name):
        try:
            self._rpc(name, "health", timeout=float(self.config.get("HEALTH_TIMEOUT", 3)))
            return "up"
        except Exception as exc:
            log.warning("health: %s is down: %s", name, exc)
            return "down"

    def _broker_state(self):
        try:
            with Connection(settings.amqp_uri(self.config), connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1)
            return "up"
        except Exception:
            return "down"

    def ping(self, route, token, values, body, query):
        return self._rpc("attendance", "health")

    def openapi(self, route, token, values, body, query):
        return openapi.document(ROUTES)

    def set_clock(self, route, token, values, body, query):
        if not settings.clock_control(self.config):
            raise NotFound("no route PUT /v1/admin/clock (CLOCK_CONTROL is off)", rule="SYS-04")
        data = load(route.body, body)
        return self._fan_out_clock(token, data["now"])

    def clear_clock(self, route, token, values, body, query):
        if not settings.clock_control(self.config):
            raise NotFound("no route DELETE /v1/admin/clock (CLOCK_CONTROL is off)",
                           rule="SYS-04")
        return self._fan_out_clock(token, None)

    def _fan_out_clock(self, token, now):
        caller = verify_token(token, self.secret)
        if not caller.has("admin"):   # the clock is every project's: the platform admin's
            raise Forbidden("only the platform admin may set the clock", rule="SYS-04")
        return {name: self._rpc(name, "set_clock", token, now)["now"] for name in SERVICE_NAMES}

    def change_policy(self, route, token, values, body, query):
        data = load(route.body, body)
        return self._rpc(route.service, "set_policy", token, values["project_id"],
                         data["changes"], data["reason"])
