"""The reception admin CLI prints a day's sheet in rotation order (REC-01), asked of the
running service over the broker (its clock, its time zone), and every command has help."""
import os
import subprocess
import sys

import pytest

from services.reception.service import ReceptionService
from tests.helpers import CLOCK_ADMIN, SECRET
from tests.service.test_reception_service import NAMES, PID, Floor, at
from tests.stack import ROOT

A, B, C = 101, 102, 103


def cli(tmp_path, *argv, amqp_uri=None):
    env = dict(os.environ, RECEPTION_DATABASE_URL=f"sqlite:///{tmp_path / 'reception.db'}",
               JWT_SECRET=SECRET, RPC_TIMEOUT="10", PYTHONWARNINGS="ignore")
    if amqp_uri:
        env["AMQP_URI"] = amqp_uri
    return subprocess.run([sys.executable, "-m", "services.reception.cli", *argv], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


def test_rec01_cli_sheet_and_receptions(start_service, rpc_proxy, rabbit_config, tmp_path):
    start_service(ReceptionService)
    rec = rpc_proxy("reception")
    rec.set_clock(CLOCK_ADMIN, at("09:00"))
    floor = Floor(rabbit_config, rec)
    try:
        for i, person in enumerate((B, A, C)):
            floor.sign_in(person, f"08:3{i}")
        floor.walk_in()
    finally:
        floor.close()
    ask = dict(amqp_uri=rabbit_config["AMQP_URI"])
    out = cli(tmp_path, "sheet", "--project-id", str(PID), **ask)   # the service's today
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    rows = [ln for ln in lines if any(NAMES[p] in ln for p in (A, B, C))]
    assert [next(NAMES[p] for p in (A, B, C) if NAMES[p] in ln) for ln in rows] == \
        [NAMES[A], NAMES[C], NAMES[B]]
    assert "receiving" in rows[-1] and "notice" not in out.stdout  # 3 people: no fourth
    out = cli(tmp_path, "receptions", "--project-id", str(PID), "--day", "2026-03-02", **ask)
    assert "REC-03" in out.stdout and "turn" in out.stdout
    out = cli(tmp_path, "sheet", "--project-id", str(PID), "--day", "2026-01-01", **ask)
    assert "no sheet" in out.stdout


@pytest.mark.parametrize("command", ["sheet", "receptions", "calls", "migrate"])
def test_every_command_has_help(tmp_path, command):
    out = cli(tmp_path, command, "--help")
    assert out.returncode == 0 and "usage:" in out.stdout
