"""Recovery by itself (issue 13): `make run`'s supervisord (deploy/supervisord.conf) starts a
process again after kill -9, and the platform answers health 200 again with nobody's help."""
import os
import signal
import subprocess
import sys

from tests.helpers import eventually
from tests.stack import ROOT, Stack

SUPERVISORD = [sys.executable, "-m", "supervisor.supervisord", "-c", "deploy/supervisord.conf"]
CTL = [sys.executable, "-m", "supervisor.supervisorctl", "-c", "deploy/supervisord.conf"]


def test_a_killed_service_is_started_again_and_health_comes_back():
    stack = Stack()                               # its env: own vhost, databases, port
    stack.prepare()
    log = open(stack.var / "supervisord.log", "ab")
    sup = subprocess.Popen(SUPERVISORD, cwd=ROOT, env=stack.env, stdout=log,
                           stderr=subprocess.STDOUT)

    def pid(name):
        out = subprocess.run(CTL + ["pid", name], cwd=ROOT, env=stack.env,
                             capture_output=True, text=True, timeout=30).stdout.strip()
        return int(out) if out.isdigit() and out != "0" else None

    try:
        stack.wait_healthy(timeout=90)
        first = pid("attendance")
        assert first
        os.kill(first, signal.SIGKILL)            # kill -9
        eventually(lambda: pid("attendance") not in (None, first), timeout=30,
                   message="supervisord did not start attendance again")
        stack.wait_healthy(timeout=60)            # 200 again: nobody restarted anything
    finally:
        sup.send_signal(signal.SIGTERM)           # Ctrl-C / stop: all five stop
        sup.wait(timeout=60)
        log.close()
        stack.drop_vhost()
    assert pid("attendance") is None
