"""tests/docs_runner.py reads what a documented step should answer from its comment, and no
block of commands escapes the documents' test (tests/e2e/test_docs.py)."""
import pathlib

import pytest

from tests import docs_runner
from tests.stack import ROOT

LINES = [
    "curl -s -XPOST $A/punches -d '{\"kind\":\"in\"}'   # 403 ATT-03, recorded",
    "curl -s $A/x \\",
    "  -d '{\"a\": \"# not a comment\",",
    "  \"b\": 1}'",
    "# 409 {\"error\":{\"rule\":\"ATT-01\"}}",
    "# 403 for anyone else",
    "curl -s $A/y   # on_time / late / absent",
    "curl -s $A/z",
    "echo next",
    ".venv/bin/python -m services.attendance.cli close-day --day 2026-03-05",
    "# exit 2: error: ATT-09",
]


@pytest.mark.parametrize("index, comment", [
    (0, "403 ATT-03, recorded"),                       # trailing
    (1, '409 {"error":{"rule":"ATT-01"}}'),            # after a command over three lines
    (6, "on_time / late / absent"),                    # trailing, no status: 2xx
    (7, ""),                                           # none
    (9, "exit 2: error: ATT-09"),
])
def test_a_steps_expected_answer_is_its_comment(index, comment):
    assert docs_runner.annotation(LINES, index) == comment


def judged(comment_line, got, body):
    s = docs_runner.Script("", {}, ["curl -s x", comment_line])
    step = docs_runner.Step("curl", 1, False, got, body)
    done = type("Done", (), {"stderr": "", "returncode": 0})()
    return docs_runner.judge(s, [step], done)


def test_the_status_and_the_rule_named_must_both_match():
    assert judged("# 409 ATT-01 rest on a Saturday", 409, '{"rule": "ATT-01"}') == []
    assert judged("# 409 ATT-01 rest on a Saturday", 409, '{"rule": "ATT-02"}')
    assert judged("# 409 ATT-01 rest on a Saturday", 422, '{"rule": "ATT-01"}')
    assert judged("echo", 201, "{}") == []                    # no comment: any 2xx
    assert judged("echo", 404, "{}")


def test_bash_errors_and_tracebacks_fail_the_document():
    s = docs_runner.Script("", {3: ("README.md", 120)}, [])
    errors = docs_runner.shell_errors(s, ["doc.sh: line 3: SUP: unbound variable",
                                          "Traceback (most recent call last):", "  File x",
                                          "KeyError: 'token'"])
    assert errors == ["README.md:120: SUP: unbound variable",
                      "a Python traceback: KeyError: 'token'"]


def test_every_block_of_commands_is_run_or_marked_as_a_runbook():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    escaped = {str(p.relative_to(ROOT)): docs_runner.untagged_commands(p) for p in documents}
    assert not {p: lines for p, lines in escaped.items() if lines}, \
        "fence these blocks as ```sh (run by tests/e2e/test_docs.py) or ```console"


def test_every_document_with_sh_blocks_is_run():
    from tests.e2e.test_docs import DOCUMENTS
    runnable = {str(p.relative_to(ROOT)) for p in [ROOT / "README.md",
                                                     *sorted((ROOT / "docs").rglob("*.md"))]
                if any(info == "sh" for info, _, _ in docs_runner.blocks(p))}
    assert runnable <= set(DOCUMENTS)


def test_the_untagged_check_can_fail(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("text\n```\ncurl -s localhost:8000/v1/health\n```\n")
    assert docs_runner.untagged_commands(pathlib.Path(doc)) == [3]
