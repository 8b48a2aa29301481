"""No lost facts: a service killed (-9) after committing a change but before publishing its
event publishes the event when it comes back (the transactional outbox)."""
import os
import signal
import subprocess
import sys

from kombu import Connection, Queue
from nameko.events import get_event_exchange
from nameko.standalone.rpc import ServiceRpcProxy

from services.attendance.models import KIT
from services.common.db import make_engine
from services.common.migrate import upgrade
from services.common.outbox import pending
from tests.helpers import SECRET, eventually, token
from tests.stack import ROOT


def start_attendance(rabbit_config, db_url, relay):
    env = dict(os.environ, AMQP_URI=rabbit_config["AMQP_URI"], ATTENDANCE_DATABASE_URL=db_url,
               JWT_SECRET=SECRET, OUTBOX_RELAY="1" if relay else "0", PYTHONWARNINGS="ignore")
    return subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config",
                             "deploy/nameko.yml",
                             "services.attendance.service:AttendanceService"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def answers(rabbit_config):
    try:
        with ServiceRpcProxy("attendance", dict(rabbit_config), timeout=2) as att:
            return att.health()["status"] == "up"
    except Exception:
        return False


def test_event_committed_before_a_crash_is_delivered_after_restart(rabbit_config, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'attendance.db'}"
    upgrade("attendance", db_url)
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        queue = Queue("crash-test-listener", get_event_exchange("attendance", {}),
                      routing_key="staff_added", durable=False)(conn)
        queue.declare()

        proc = start_attendance(rabbit_config, db_url, relay=False)
        try:
            eventually(lambda: answers(rabbit_config), timeout=30,
                       message="attendance did not start")
            admin = token(person_id=1, project_id=None, roles=("admin",))
            with ServiceRpcProxy("attendance", dict(rabbit_config), timeout=10) as att:
                project = att.create_project(admin, {"code": "crash", "name": "Crash"})
                manager = token(person_id=2, project_id=project["id"], roles=("manager",))
                att.add_staff(manager, project["id"], {"username": "li", "name": "Li",
                                                        "password": "password1",
                                                        "roles": ["consultant"]})
            # committed, not yet published
            unsent = [p for p in pending(make_engine(db_url), KIT)
                      if p["event_type"] == "staff_added"]
            assert len(unsent) == 1
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        assert queue.get(no_ack=True) is None  # nothing left the dead process

        proc = start_attendance(rabbit_config, db_url, relay=True)
        try:
            message = eventually(lambda: queue.get(no_ack=True), timeout=30,
                                 message="the outbox was not relayed after the restart")
            assert message.payload["event_id"] == unsent[0]["event_id"]
            assert message.payload["person"]["username"] == "li"
            assert message.payload["rule"] == "SYS-02"
            eventually(lambda: not pending(make_engine(db_url), KIT), message="outbox not drained")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
