"""The whole platform as real processes (`nameko run`, as deploy/supervisord.conf runs them) on a
throw-away RabbitMQ vhost and throw-away databases, for end-to-end tests and benchmarks."""
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import uuid

import requests

from services.common import topology
from tests.contract import ResponseContract
from tests.helpers import SECRET, eventually

ROOT = pathlib.Path(__file__).resolve().parents[1]
MGMT = os.environ.get("RABBIT_MGMT_URI", "http://127.0.0.1:15672")
PROCESSES = {**topology.SERVICES, "gateway": "gateway.service:GatewayService"}
DEMO_PASSWORD = "anchang-demo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, clock_control=True, database_urls=None, contract=False, amqp_uri=None,
                 instances=1, **env):
        """``amqp_uri``: a broker of the test's own (tests/broker.py) instead of a throw-away
        vhost on the machine's shared one. ``instances``: processes per service (``attendance``,
        ``attendance#2``, …: same environment and database; one gateway)."""
        self.names = [n if i == 1 else f"{n}#{i}" for n in PROCESSES if n != "gateway"
                      for i in range(1, instances + 1)] + ["gateway"]
        self.own_broker = amqp_uri is not None
        self.vhost = "anchang_test_" + uuid.uuid4().hex[:10]
        self.var = pathlib.Path(tempfile.mkdtemp(prefix="anchang-e2e-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.procs = {}
        self.logs = {}
        # each process serves Prometheus' /metrics on its own port (services/common/metrics.py)
        self.metrics_ports = {name: free_port() for name in self.names}
        self.env = dict(os.environ,
                        AMQP_URI=amqp_uri or f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}",
                        ANCHANG_VAR=str(self.var), GATEWAY_PORT=str(self.port),
                        GATEWAY_HOST="127.0.0.1", JWT_SECRET=SECRET,
                        CLOCK_CONTROL="1" if clock_control else "0", RPC_TIMEOUT="4",
                        ANCHANG_MODE="development",
                        OUTBOX_RELAY_INTERVAL="0.05", PYTHONWARNINGS="ignore",
                        # every test logs in from 127.0.0.1: only the per-user window applies
                        LOGIN_LIMIT_PER_ADDRESS="100000/minute", **env)
        for name, url in (database_urls or {}).items():
            self.env[f"{name.upper()}_DATABASE_URL"] = url
        self._tokens = {}
        # every answer checked against the live /v1/openapi.json (tests/contract.py)
        self.contract = ResponseContract(self.url) if contract else None

    # -- life cycle ------------------------------------------------------------------------
    def prepare(self):
        """The vhost, migrated databases and the demo project, no processes yet."""
        if not self.own_broker:
            self._create_vhost()
        self.run([sys.executable, "-m", "services.common.migrate", "upgrade", "all"])
        self.run([sys.executable, "-m", "services.common.topology", "declare"])   # as make run
        self.run([sys.executable, "-m", "services.attendance.cli", "seed-demo"])

    def _create_vhost(self):
        requests.put(f"{MGMT}/api/vhosts/{self.vhost}", auth=("guest", "guest"), timeout=10)
        requests.put(f"{MGMT}/api/permissions/{self.vhost}/guest", auth=("guest", "guest"),
                     json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10)

    def start(self):
        try:
            self.prepare()
            for name in self.names:
                self.start_process(name)
            self.wait_healthy()
            self.wait_directories()
        except BaseException:
            self.stop()   # never leave a half-started stack's processes behind
            raise
        return self

    def run(self, argv):
        subprocess.run(argv, cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start_process(self, name, **env):
        log = open(self.var / f"{name}.log", "ab")
        self.logs[name] = log
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", "deploy/nameko.yml",
             PROCESSES[name.split("#")[0]]], cwd=ROOT,
            env=dict(self.env, METRICS_PORT=str(self.metrics_ports[name]), **env), stdout=log,
            stderr=subprocess.STDOUT)

    def stop_process(self, name, sig=signal.SIGTERM):
        proc = self.procs.pop(name)
        if sig is not None:          # None: already signalled (stop() signals all at once)
            proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:   # never leave a process behind (no broker to wait for)
            proc.kill()
            proc.wait(timeout=10)

    def wait_healthy(self, timeout=60):
        def healthy():
            try:
                return requests.get(self.url + "/v1/health", timeout=5).status_code == 200
            except requests.RequestException:
                return False
        eventually(healthy, timeout=timeout, interval=0.2, message="the stack did not get healthy")

    def database_url(self, service):
        return self.env.get(f"{service.upper()}_DATABASE_URL") or \
            f"sqlite:///{self.var / (service + '.db')}"

    def wait_directories(self, timeout=30):
        """Health answers before reception, clients and materials have heard of the staff
        seeded before they started (attendance's events are on their way), and meanwhile a
        request naming those people is refused as unknown: wait until every replica of the
        directory (services.common.directory) holds everyone attendance has."""
        import sqlalchemy
        engines = {name: sqlalchemy.create_engine(self.database_url(name))
                   for name in PROCESSES if name != "gateway"}

        def count(name, table):
            with engines[name].connect() as conn:
                return conn.execute(sqlalchemy.text(f"SELECT count(*) FROM {table}")).scalar()

        try:
            people = count("attendance", "person")
            eventually(lambda: all(count(name, "directory_staff") >= people
                                   for name in engines if name != "attendance"),
                       timeout=timeout, interval=0.1,
                       message="the services' directories did not catch up with attendance")
        finally:
            for engine in engines.values():
                engine.dispose()

    def stop(self):
        for proc in self.procs.values():      # all at once: each takes a moment to stop
            proc.send_signal(signal.SIGTERM)
        for name in list(self.procs):
            try:
                self.stop_process(name, sig=None)
            except Exception:
                self.procs.get(name) and self.procs[name].kill()
        self.drop_vhost()

    def drop_vhost(self):
        if self.own_broker:
            return
        requests.delete(f"{MGMT}/api/vhosts/{self.vhost}", auth=("guest", "guest"), timeout=10)

    def log(self, name):
        return (self.var / f"{name}.log").read_text(errors="replace")

    # -- HTTP ------------------------------------------------------------------------------
    def login(self, username, password=DEMO_PASSWORD):
        if username not in self._tokens:
            r = self._checked(requests.post(self.url + "/v1/auth/login",
                                            json={"username": username, "password": password},
                                            timeout=10))
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["token"]
        return self._tokens[username]

    def api(self, method, path, user=None, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if user or token:
            headers["Authorization"] = f"Bearer {token or self.login(user)}"
        return self._checked(requests.request(method, self.url + path, headers=headers,
                                              timeout=30, **kwargs))

    def _checked(self, response):
        return self.contract.check(response) if self.contract else response

    def staff_id(self, username):
        staff = self.api("GET", "/v1/projects/1/staff", user="manager").json()
        return next(p["id"] for p in staff if p["username"] == username)

    def set_clock(self, iso):
        r = self.api("PUT", "/v1/admin/clock", user="admin", json={"now": iso})
        assert r.status_code == 200, r.text
        return r.json()
