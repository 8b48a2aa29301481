"""docs/conformance.md names, for every clause, the tests that prove it: each named test must
exist, so the table cannot drift from the suite (rulecov checks that every clause is cited)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLE = (ROOT / "docs" / "conformance.md").read_text()
ROWS = re.findall(r"^\| ([A-Z]{3}-\d\d\.\d+) \| .* \| (.*) \|$", TABLE, re.M)


def named_tests(cell):
    for ref in re.findall(r"tests/[\w/]+\.py(?:::\w+)?", cell):
        path, _, name = ref.partition("::")
        yield path, name


def test_every_clause_row_names_tests():
    assert len(ROWS) > 200
    assert not [c for c, cell in ROWS if not list(named_tests(cell))]


def test_every_named_test_exists():
    missing = []
    for clause, cell in ROWS:
        for path, name in named_tests(cell):
            file = ROOT / path
            if not file.exists() or (name and not re.search(
                    rf"^\s*(async )?def {name}\b", file.read_text(), re.M)):
                missing.append(f"{clause}: {path}::{name}")
    assert not missing, missing
