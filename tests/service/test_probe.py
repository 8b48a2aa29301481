"""The probe CLI that Kubernetes and compose run (``python -m services.common.probe``), as a real
process against the real broker: it answers within its deadline, asks only the service it
names, leaves no request behind, and tells a migrated database from one that is not."""
import os
import sys
import time

from eventlet.green import subprocess  # the containers in this process keep running meanwhile
from kombu import Connection

from services.attendance.service import AttendanceService
from services.common.migrate import upgrade
from tests.helpers import eventually

UNREACHABLE = "amqp://guest:guest@127.0.0.1:1/"


def probe(*args, amqp_uri=None, database_url=None):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    if amqp_uri:
        env["AMQP_URI"] = amqp_uri
    if database_url:
        env["ATTENDANCE_DATABASE_URL"] = database_url
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "services.common.probe", *args], env=env,
                          capture_output=True, text=True, timeout=30)
    return done.returncode, done.stdout.strip(), time.monotonic() - started


def test_a_running_service_is_ready_and_live(start_service, rabbit_config):
    start_service(AttendanceService)
    for flags in ((), ("--live",)):
        code, out, took = probe("attendance", *flags, amqp_uri=rabbit_config["AMQP_URI"])
        assert (code, out.split(":")[0]) == (0, "attendance"), out
        assert "up" in out and took < 5


def test_a_stopped_service_fails_within_the_deadline_and_leaves_no_request_behind(
        start_service, rabbit_config):
    container = start_service(AttendanceService)
    container.stop()   # its durable queue stays: the probe's request waits there unanswered
    code, out, took = probe("attendance", "--live", "--deadline", "3",
                            amqp_uri=rabbit_config["AMQP_URI"])
    assert code == 1 and "did not answer" in out, out
    assert took < 5

    def queue_empty():
        with Connection(rabbit_config["AMQP_URI"]) as conn:
            _, waiting, _ = conn.default_channel.queue_declare("rpc-attendance", passive=True)
        return waiting == 0
    eventually(queue_empty, timeout=15, interval=0.2)   # expired: nothing runs at restart


def test_a_service_that_was_never_started_is_not_ready(rabbit_config):
    code, out, _ = probe("attendance", amqp_uri=rabbit_config["AMQP_URI"])
    assert code == 1 and "attendance" in out


def test_an_unreachable_broker_is_not_ready_but_does_not_restart_the_process():
    code, out, took = probe("attendance", amqp_uri=UNREACHABLE)
    assert code == 1 and "broker" in out and "guest" not in out, out   # no password printed
    code, out, _ = probe("attendance", "--live", amqp_uri=UNREACHABLE)
    assert code == 0 and "reconnects" in out, out
    assert took < 5


def test_migrated_tells_an_old_database_from_one_at_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'attendance.db'}"
    code, out, _ = probe("attendance", "--migrated", database_url=url)
    assert code == 1 and "run the migration first" in out, out
    upgrade("attendance", url)
    code, out, _ = probe("attendance", "--migrated", "--wait", "5", database_url=url)
    assert code == 0 and "at head" in out, out


def test_http_probe_fails_on_a_closed_port():
    code, out, took = probe("--http", "http://127.0.0.1:1/v1/health/live")
    assert code == 1 and took < 5, out
