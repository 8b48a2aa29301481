"""The attendance admin CLI as an administrator runs it: real processes next to a running
AttendanceService container on the throw-away vhost, sharing its SQLite database. Every command
asks the running service over the broker (ATT-01/02/09/12, SYS-02), so its rules and events
apply; only create-admin and seed-demo bootstrap the empty database through the use cases."""
import csv
import io
import os
import subprocess
import sys

import openpyxl
import pytest

from services.attendance.service import AttendanceService
from tests.helpers import SECRET, token
from tests.stack import ROOT

ADMIN = token(person_id=999, project_id=None, roles=("admin",), name="admin")
COMMANDS = ["migrate", "create-admin", "create-project", "add-staff", "list-staff", "seed-demo",
            "roster", "blackout", "close-day", "monthly-report"]


@pytest.fixture
def office(start_service, rpc_proxy, rabbit_config, tmp_path):
    start_service(AttendanceService)
    env = dict(os.environ, ATTENDANCE_DATABASE_URL=f"sqlite:///{tmp_path / 'attendance.db'}",
               AMQP_URI=rabbit_config["AMQP_URI"], JWT_SECRET=SECRET, RPC_TIMEOUT="10",
               PYTHONWARNINGS="ignore")

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "services.attendance.cli", *argv],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                              check=False)
    att = rpc_proxy("attendance")
    att.set_clock(ADMIN, "2026-03-01T18:00:00+08:00")      # a Sunday evening
    assert run("create-admin", "--username", "root", "--password", "s3cret-pass").returncode == 0
    assert run("create-project", "--code", "sunrise", "--name", "日出案场").returncode == 0
    out = run("add-staff", "--project-id", "1", "--username", "li", "--name", "李娜",
              "--password", "changeme1", "--roles", "consultant")
    assert out.returncode == 0, out.stderr
    return run, att


def test_every_attendance_command_has_help(tmp_path):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    for command in COMMANDS:
        out = subprocess.run([sys.executable, "-m", "services.attendance.cli", command,
                              "--help"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60, check=False)
        assert out.returncode == 0 and "usage:" in out.stdout, command
        assert len(out.stdout.splitlines()) > 3, command


def test_att01_att02_roster_and_blackout_from_the_shell(office):
    run, _ = office
    out = run("roster", "--project-id", "1", "--person-id", "2", "--start", "2026-03-02",
              "--end", "2026-03-08", "--rest", "2026-03-04")
    assert out.returncode == 0, out.stderr
    assert "2026-03-04  person     2  rest" in out.stdout
    assert out.stdout.count(" work") == 6
    # a rest day on a Saturday is refused with its rule, one line, no traceback
    out = run("roster", "--project-id", "1", "--person-id", "2", "--start", "2026-03-02",
              "--end", "2026-03-08", "--rest", "2026-03-07")
    assert out.returncode == 2 and out.stderr.startswith("error: ATT-01 ")
    assert "Traceback" not in out.stderr
    out = run("blackout", "--project-id", "1", "--day", "2026-03-10", "--kind", "launch_day",
              "--reason", "开盘")
    assert out.returncode == 0 and "2026-03-10  launch_day" in out.stdout, out.stderr
    out = run("roster", "--project-id", "1", "--person-id", "2", "--start", "2026-03-09",
              "--end", "2026-03-15", "--rest", "2026-03-10")
    assert out.returncode == 2 and out.stderr.startswith("error: ATT-02 ")
    out = run("roster", "--project-id", "1", "--list", "--start", "2026-03-02",
              "--end", "2026-03-08")
    assert out.returncode == 0 and out.stdout.count("person     2") == 7
    out = run("roster", "--project-id", "1", "--person-id", "2")
    assert out.returncode == 2 and "--start" in out.stderr


def test_att09_att12_close_day_then_monthly_report_files(office, tmp_path):
    run, att = office
    assert run("roster", "--project-id", "1", "--person-id", "2", "--start", "2026-03-02",
               "--end", "2026-03-03").returncode == 0
    out = run("close-day", "--project-id", "1", "--day", "2026-03-02")
    assert out.returncode == 2 and "ATT-09" in out.stderr       # not ended yet
    att.set_clock(ADMIN, "2026-03-03T09:00:00+08:00")
    out = run("close-day", "--project-id", "1", "--day", "2026-03-02")
    if out.returncode == 2:   # the service's timer may have closed it first: both are fine
        assert "already closed" in out.stderr
    else:
        assert "1 absent" in out.stdout, out.stdout
    out = run("close-day", "--project-id", "1", "--day", "2026-03-02")
    assert out.returncode == 2 and "already closed" in out.stderr   # once only
    ledger = att.ledger(ADMIN, 1, {"person_id": 2})
    assert [(e["rule"], e["slip"]) for e in ledger] == [("ATT-09", "warning")]
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"report.{fmt}"
        out = run("monthly-report", "--project-id", "1", "--month", "2026-03", "--format", fmt,
                  "--out", str(path))
        assert out.returncode == 0 and f"wrote {path}" in out.stdout, out.stderr
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        else:
            rows = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(
                values_only=True)]
        assert len(rows) == 2 and "李娜" in [str(v) for v in rows[1]]
    out = run("monthly-report", "--project-id", "1", "--month", "March")
    assert out.returncode == 2 and "--month must be YYYY-MM" in out.stderr


def test_service_commands_say_clearly_when_the_service_or_broker_is_down(tmp_path,
                                                                         rabbit_config):
    env = dict(os.environ, ATTENDANCE_DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}",
               AMQP_URI=rabbit_config["AMQP_URI"], RPC_TIMEOUT="3", PYTHONWARNINGS="ignore")

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "services.attendance.cli", *argv],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                              check=False)
    assert run("migrate").returncode == 0
    # the CLI signs its own operator token (cli.ask_as_admin) instead of looking up "the first
    # admin" in the database, so it no longer asks for create-admin first: it only needs the
    # running service
    assert run("create-admin", "--username", "root", "--password", "s3cret-pass").returncode == 0
    out = run("close-day", "--project-id", "1", "--day", "2026-03-02")   # nothing running
    assert out.returncode == 2 and "attendance is not running" in out.stderr, out.stderr
    env["AMQP_URI"] = "amqp://guest:guest@127.0.0.1:5672/no-such-vhost-here"
    out = run("close-day", "--project-id", "1", "--day", "2026-03-02")
    assert out.returncode == 2 and "broker" in out.stderr and "Traceback" not in out.stderr
