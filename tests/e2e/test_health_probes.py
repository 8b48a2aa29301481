"""What Kubernetes and compose probe, on a whole stack: the gateway's liveness asks nothing, its
readiness stays up while a backend is down (only /v1/health and that backend's routes say 503),
and a service's probe (python -m services.common.probe) follows that service alone."""
import subprocess
import sys

from tests.stack import ROOT


def probe(stack, *args):
    done = subprocess.run([sys.executable, "-m", "services.common.probe", *args], cwd=ROOT,
                          env=stack.env, capture_output=True, text=True, timeout=30)
    return done.returncode, done.stdout.strip()


def test_gateway_live_and_ready_answer_200(stack):
    for path in ("/v1/health/live", "/v1/health/ready"):
        r = stack.api("GET", path)
        assert r.status_code == 200 and r.json()["status"] == "up", (path, r.text)
    assert stack.api("GET", "/v1/health/ready").json()["services"] == {"broker": "up"}
    assert probe(stack, "--http", stack.url + "/v1/health/ready")[0] == 0


def test_one_backend_down_leaves_the_gateway_ready_and_the_others_probed_up(stack, stopped):
    stopped("materials")
    assert stack.api("GET", "/v1/health").status_code == 503        # the whole platform: not
    assert stack.api("GET", "/v1/health/ready").status_code == 200  # this gateway: still serves
    assert stack.api("GET", "/v1/health/live").status_code == 200
    assert probe(stack, "--http", stack.url + "/v1/health/ready")[0] == 0
    code, out = probe(stack, "materials", "--live")
    assert code == 1 and "materials" in out, out
    code, out = probe(stack, "clients", "--live")    # liveness of one asks no other service
    assert code == 0 and out.startswith("clients: up"), out
