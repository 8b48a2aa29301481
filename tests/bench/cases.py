"""Benchmark cases: (name, baseline name or None, setup(stack) -> (fn, teardown)).
Each service adds its own in tests/bench/cases_<service>.py as a ``BENCHES`` list."""
import importlib

import requests
from nameko.standalone.rpc import ClusterRpcProxy


def bare_rpc(stack):
    proxy = ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=10)
    cluster = proxy.start()
    return (lambda: cluster.attendance.health()), proxy.stop


def gateway_ping(stack):
    session = requests.Session()
    url = stack.url + "/v1/ping"

    def ping():
        assert session.get(url, timeout=10).status_code == 200
    return ping, session.close


def gateway_authenticated(stack):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.login('manager')}"
    url = stack.url + f"/v1/staff/{stack.staff_id('li')}"

    def call():
        assert session.get(url, timeout=10).status_code == 200
    return call, session.close


RPC = "nameko RPC round trip (bare)"
PING = "gateway HTTP->RPC ping"
BENCHES = [
    (RPC, None, bare_rpc),
    (PING, RPC, gateway_ping),
    ("gateway authenticated GET /v1/staff/<id>", PING, gateway_authenticated),
]
for _name in ("attendance", "reception", "clients", "materials"):
    try:
        BENCHES += importlib.import_module(f"tests.bench.cases_{_name}").BENCHES
    except ModuleNotFoundError as exc:
        if exc.name != f"tests.bench.cases_{_name}":
            raise
