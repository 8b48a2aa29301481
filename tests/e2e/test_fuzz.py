"""Every bad input a 4xx (issue 14): schemathesis fuzzes every operation of the live
/v1/openapi.json, as a manager and as a consultant of a fresh project, and finds no server error
(5xx) and no answer outside the document (status, content type, body schema).

``make test`` runs a few examples per operation (FUZZ_EXAMPLES, default 4; examples and
fuzzing phases); ``make fuzz`` runs many more with schemathesis's coverage phase too (boundary
and negative values of every parameter). A failure prints schemathesis's report: each case with
its answer and a curl line to replay it; FUZZ_SEED repeats a run.

Nothing is excluded: the fresh project's people may act only on that project, and the clock
(platform admin only) answers them 403, so the fuzzing cannot disturb the other tests.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from tests.e2e.conftest import new_project

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing")
WORKERS = os.environ.get("FUZZ_WORKERS", "4")
SEED = os.environ.get("FUZZ_SEED")
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")
SCHEMATHESIS = pathlib.Path(sys.executable).with_name("schemathesis")


def fuzz(stack, project, token, workdir):
    """Run schemathesis against the stack; its JSON report (a dict) and its console output."""
    config = workdir / "schemathesis.toml"
    # every operation in the caller's own project (other ids stay generated: mostly 404s)
    config.write_text(f'[parameters]\n"path.project_id" = {project.id}\n')
    report = workdir / "report.json"
    argv = [str(SCHEMATHESIS), "--config-file", str(config), "run",
            f"{stack.url}/v1/openapi.json", "--header", f"Authorization: Bearer {token}",
            "--max-examples", str(EXAMPLES), "--phases", PHASES, "--checks", ",".join(CHECKS),
            "--workers", WORKERS, "--request-timeout", "30", "--generation-database", "none",
            "--report", "json", "--report-json-path", str(report), "--warnings", "off",
            "--no-color"]
    if SEED:
        argv += ["--seed", SEED]
    run = subprocess.run(argv, cwd=workdir, capture_output=True, text=True,
                         timeout=float(os.environ.get("FUZZ_TIMEOUT", "280")))
    assert report.exists(), f"schemathesis wrote no report:\n{run.stdout[-4000:]}{run.stderr}"
    return json.loads(report.read_text()), run.stdout


@pytest.mark.parametrize("role", ["manager", "c1"])
def test_fuzzing_every_operation_finds_no_server_error_and_no_undocumented_answer(
        stack, role, tmp_path, capsys):
    project = new_project(stack)
    operations = sum(len(ops) for ops in stack.api("GET", "/v1/openapi.json")
                     .json()["paths"].values())
    report, output = fuzz(stack, project, project.login(role), tmp_path)

    failures = {f["title"]: f["count"] for f in report["failures"]}
    with capsys.disabled():
        print(f"\nfuzz as {role}: {report['operations']['tested']} operations, "
              f"{report['test_cases']['generated']} test cases ({EXAMPLES} examples each, "
              f"phases {PHASES}), failures {failures or 0}, errors {len(report['errors'])}, "
              f"{report['running_time']:.0f} s, seed {report['seed']}")
    assert failures == {}, output[-12000:]
    assert not report["errors"], output[-6000:]
    # every operation but the document itself (schemathesis does not fuzz its own source)
    assert report["operations"]["tested"] == operations - 1, output[-3000:]
    assert report["test_cases"]["generated"] >= operations * min(EXAMPLES, 2), output[-3000:]
