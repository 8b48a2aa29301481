"""SYS-04.3: time comes only from the clock (``uow.now``, the service's Clock dependency) and from
facts stored when they happened. No domain module reads the wall clock itself, so tests control
every rule's time and no rule is fed a time its service made up."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOMAIN = sorted(p for svc in ("attendance", "reception", "clients", "materials")
                for p in (ROOT / "services" / svc).rglob("*.py")
                if "migrations" not in p.parts and p.name != "cli.py")
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
              ("date", "today"), ("time", "time"), ("time", "monotonic")}


def wall_clock_reads(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id == "utcnow":
                yield node.lineno, "utcnow()"
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) \
                    and (f.value.id, f.attr) in WALL_CLOCK:
                yield node.lineno, f"{f.value.id}.{f.attr}()"


def test_the_detector_sees_a_wall_clock_read():
    """The check can fail: each way of reading the wall clock is caught."""
    src = "datetime.now()\ndate.today()\ntime.time()\nutcnow()\nuow.now\n"
    assert [what for _, what in wall_clock_reads(src)] == \
        ["datetime.now()", "date.today()", "time.time()", "utcnow()"]


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_clock_is_the_only_source_of_now(path):
    """SYS-04.3: rules, use cases, repositories and entrypoints never read the wall clock."""
    found = list(wall_clock_reads(path.read_text()))
    assert not found, f"{path.relative_to(ROOT)} reads the wall clock: {found}"
