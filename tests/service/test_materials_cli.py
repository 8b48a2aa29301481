"""The materials admin CLI as an administrator runs it: real processes next to a running
MaterialsService container on the throw-away vhost. Catalogue import (MAT-01, a per-row error
report) and the stock report (MAT-08) ask the running service over the broker, so its rules,
"why" records and clock apply; help on every command."""
import os
import subprocess
import sys

import pytest

from services.materials.service import MaterialsService
from tests.helpers import SECRET
from tests.stack import ROOT

CSV = """code,name,specification,model,unit,unit_price,category,reorder_level
FP-A,户型单张 A,A4,,sheet,0.50,floor_plan,20
FP-B,户型单张 B,A4,,sheet,0.50,floor_plan,20
BRO,楼书,精装,2026,copy,35.00,brochure,5
FP-A,duplicate code,A4,,sheet,0.50,floor_plan,20
BAD,no unit,A4,,,1,gift,1
PEN,laser pointer,red,LP-1,pc,0.005,laser_pointer,1
CAR,car,big,,pc,1,spaceship,1
"""


def run(tmp_path, *argv, amqp_uri=None):
    env = dict(os.environ, MATERIALS_DATABASE_URL=f"sqlite:///{tmp_path / 'materials.db'}",
               JWT_SECRET=SECRET, RPC_TIMEOUT="10", PYTHONWARNINGS="ignore")
    if amqp_uri:
        env["AMQP_URI"] = amqp_uri
    return subprocess.run([sys.executable, "-m", "services.materials.cli", *argv], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def running(start_service, rabbit_config):
    """The service on the test vhost and its database (tmp_path/materials.db, migrated)."""
    start_service(MaterialsService)
    return rabbit_config["AMQP_URI"]


def test_mat01_catalogue_import_reports_each_bad_row_and_keeps_the_good_ones(tmp_path, running):
    assert run(tmp_path, "migrate").returncode == 0
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    result = run(tmp_path, "import-catalogue", "--project-id", "1", "--file", str(path),
                 "--progress-every", "2", amqp_uri=running)
    assert result.returncode == 1, result.stderr  # some rows failed
    err = result.stderr
    assert "imported 3 rows, 4 errors" in err
    assert "… 2 rows" in err  # progress
    assert "line 5: code:" in err and "taken" in err          # duplicate code
    assert "line 6: unit: missing unit" in err
    assert "line 7:" in err and "cents" in err                 # 0.005 yuan is not whole cents
    assert "line 8: category:" in err and "MAT-01" in err
    report = run(tmp_path, "stock-report", "--project-id", "1", amqp_uri=running)
    assert report.returncode == 0
    lines = report.stdout.splitlines()
    assert [ln.split()[0] for ln in lines[1:4]] == ["BRO", "FP-A", "FP-B"]
    assert "LOW (MAT-08)" in lines[2]  # nothing received yet: 0 <= reorder level 20
    assert "3 item(s), 3 at or below the reorder level" in report.stdout


def test_every_materials_command_has_help(tmp_path):
    top = run(tmp_path, "--help")
    assert top.returncode == 0
    for command in ("migrate", "import-catalogue", "stock-report"):
        assert command in top.stdout
        sub = run(tmp_path, command, "--help")
        assert sub.returncode == 0 and "usage:" in sub.stdout and len(sub.stdout) > 80


def test_a_stopped_service_is_one_clear_error(tmp_path):
    out = run(tmp_path, "stock-report", "--project-id", "1",
              amqp_uri="amqp://guest:guest@127.0.0.1:1/")
    assert out.returncode == 2 and out.stderr.startswith("error: ")
    assert "Traceback" not in out.stderr
