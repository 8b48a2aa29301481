"""The clients admin CLI as an administrator runs it: real processes next to a running
ClientsService container on the throw-away vhost. Every command but ``migrate`` asks the
running service over the broker (an operator admin token), so its rules, clock and "why"
records apply: customer import from CSV with progress and a per-row error report (CLI-01),
report expiry (CLI-06), a customer's history (CLI-11), help on every command."""
import os
import subprocess
import sys

import pytest

from services.clients.service import ClientsService
from tests.helpers import SECRET
from tests.stack import ROOT

CSV = """phone,name,source,media_source
138 0013 8000,王先生,walk_in,billboard
+86 13800138000,same phone again,walk_in,
13800138000,and again,call,
12345,short number,walk_in,
13900001111,李女士,carrier_pigeon,
,no phone,walk_in,
15000002222,赵女士,call,wechat
"""


def run(tmp_path, *argv, env=None):
    env = dict(os.environ, CLIENTS_DATABASE_URL=f"sqlite:///{tmp_path / 'clients.db'}",
               PYTHONWARNINGS="ignore", **(env or {}))
    return subprocess.run([sys.executable, "-m", "services.clients.cli", *argv], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def admin(start_service, rabbit_config, tmp_path):
    """The CLI beside a running clients service (its database is the CLI's)."""
    start_service(ClientsService)
    env = {"AMQP_URI": rabbit_config["AMQP_URI"], "JWT_SECRET": SECRET, "RPC_TIMEOUT": "10"}
    return lambda *argv: run(tmp_path, *argv, env=env)


def test_cli01_import_reports_each_bad_row_and_one_phone_written_three_ways_is_one_customer(
        admin, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CSV, encoding="utf-8")
    out = admin("import-customers", "--project-id", "1", "--file", str(path),
            "--progress-every", "3")
    assert out.returncode == 1, out.stderr                   # some rows were refused
    err = out.stderr
    assert "imported 2 rows, 5 errors" in err
    assert "… 3 rows" in err and "… 6 rows" in err           # progress
    assert "line 3: CLI-01 138****8000 is already a customer" in err
    assert "line 4: CLI-01 138****8000 is already a customer" in err
    assert "line 5: phone: CLI-01" in err and "not a mainland mobile" in err
    assert "line 6: source: CLI-01 source 'carrier_pigeon'" in err
    assert "line 7: phone: CLI-01 phone number is empty" in err
    assert "13800138000" not in err + out.stdout             # CLI-14: never a full phone
    history = admin("history", "--customer-id", "1")
    assert history.returncode == 0 and "138****8000 王先生" in history.stdout
    missing = admin("history", "--customer-id", "99")
    assert missing.returncode == 2 and "no customer 99" in missing.stderr
    # a second import of the same file adds nothing
    again = admin("import-customers", "--project-id", "1", "--file", str(path))
    assert "imported 0 rows, 7 errors" in again.stderr


def test_cli06_expire_reports_runs_on_an_empty_project(admin):
    out = admin("expire-reports", "--project-id", "1")
    assert out.returncode == 0 and "0 channel report(s) expired (CLI-06" in out.stdout


def test_clients_migrate_runs_without_the_service(tmp_path):
    out = run(tmp_path, "migrate")
    assert out.returncode == 0 and "clients: migrated" in out.stdout, out.stderr


def test_a_stopped_service_is_one_clear_error(tmp_path):
    out = run(tmp_path, "expire-reports", "--project-id", "1",
              env={"AMQP_URI": "amqp://guest:guest@127.0.0.1:1/", "RPC_TIMEOUT": "2"})
    assert out.returncode == 2 and "error:" in out.stderr and "Traceback" not in out.stderr


def test_every_clients_command_has_help(tmp_path):
    for command in ("migrate", "import-customers", "expire-reports", "history"):
        out = run(tmp_path, command, "--help")
        assert out.returncode == 0 and "usage:" in out.stdout, command
        assert len(out.stdout.splitlines()) > 3, command
