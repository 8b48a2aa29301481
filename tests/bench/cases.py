"""Benchmark cases: (name, baseline name or None, setup(stack) -> (fn, teardown))."""
from nameko.standalone.rpc import ClusterRpcProxy

import requests


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


BENCHES = [
    ("nameko RPC round trip (bare)", None, bare_rpc),
    ("gateway HTTP->RPC ping", "nameko RPC round trip (bare)", gateway_ping),
    ("gateway authenticated GET /v1/staff/<id>", "gateway HTTP->RPC ping", gateway_authenticated),
]
