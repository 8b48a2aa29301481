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


def rotation_sheet(stack):
    """A read from reception (not the service that hashes passwords)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.login('manager')}"
    url = stack.url + "/v1/projects/1/rotation-sheet"

    def call():
        assert session.get(url, timeout=10).status_code == 200
    return call, session.close


FLOOD_ANSWERS = {}   # status -> count, from the last flood (printed by make bench)


def under_login_flood(setup, clients=40, polite=False):
    """Issue 14: ``setup``'s request while ``clients`` wrong logins run without pause, each for
    a new unknown name (none is cut short by the per-user limit, and the test stack lifts the
    per-address limit). The gateway lets LOGIN_CONCURRENCY logins hash at once and refuses the
    rest at once (429), so other requests do not queue behind the hashing. ``polite`` clients
    wait the 429's Retry-After as a screen does; the others try again at once (an attacker)."""
    def start(stack):
        import uuid
        from collections import Counter

        import eventlet
        running, answers = [True], Counter()

        def flood():
            with requests.Session() as s:
                while running[0]:
                    r = s.post(stack.url + "/v1/auth/login", timeout=30,
                               json={"username": uuid.uuid4().hex[:12], "password": "wrong-pw"})
                    answers[r.status_code] += 1
                    if polite and r.status_code == 429:
                        eventlet.sleep(float(r.headers.get("Retry-After", 1)))
        fn, close = setup(stack)   # log in before the flood starts
        threads = [eventlet.spawn(flood) for _ in range(clients)]

        def stop():
            running[0] = False
            for t in threads:
                t.wait()
            close()
            FLOOD_ANSWERS.clear()
            FLOOD_ANSWERS.update(answers)
            print(f"    the flood's answers: {dict(sorted(answers.items()))}", flush=True)
        return fn, stop
    return start


RPC = "nameko RPC round trip (bare)"
PING = "gateway HTTP->RPC ping"
BENCHES = [
    (RPC, None, bare_rpc),
    (PING, RPC, gateway_ping),
    ("gateway authenticated GET /v1/staff/<id>", PING, gateway_authenticated),
    ("ping while 40 wrong logins loop", PING, under_login_flood(gateway_ping)),
    ("ping while 40 wrong logins loop, Retry-After", PING,
     under_login_flood(gateway_ping, polite=True)),
    ("GET rotation-sheet (reception)", PING, rotation_sheet),
    ("GET rotation-sheet while 40 wrong logins loop", "GET rotation-sheet (reception)",
     under_login_flood(rotation_sheet)),
]
for _name in ("attendance", "reception", "clients", "materials"):
    try:
        BENCHES += importlib.import_module(f"tests.bench.cases_{_name}").BENCHES
    except ModuleNotFoundError as exc:
        if exc.name != f"tests.bench.cases_{_name}":
            raise
