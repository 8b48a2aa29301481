"""The role × route matrix (issue 14): every operation of the route table, as every role of a
project, as the platform admin, as another project's manager and without a token. The
expected answer of each cell is written down once, in ``role_matrix.txt`` beside this file;
the test reads it and reports every cell that differs.

Each request is the plainest valid one: ids in the path are the caller's project and
``999999`` for anything else, and a body holds each required field with a plain value of its
type (``example_body``: ids 999999, the first of a set of choices, Monday 2026-03-02). So a
role that may act gets past the role check to the rule's answer (404 for the unknown id, 409
or 422 from a rule, 200/201), and a role that may not gets 403; another project's manager gets
403 or 404 and a missing token 401. The columns run in order on one frozen clock, so the
answers are the same on every run.

After a deliberate change of who may do what, rewrite the table and review its diff:
``MATRIX_WRITE=1 .venv/bin/python -m pytest tests/e2e/test_role_matrix.py``.
"""
import os
import pathlib
import re

import pytest
from marshmallow import fields, validate

from gateway.routes import all_routes
from tests.e2e.conftest import new_project
from tests.stack import Stack

TABLE = pathlib.Path(__file__).with_name("role_matrix.txt")
# column: who asks (a name of new_project's people, or a special caller)
COLUMNS = {"consultant": "c1", "supervisor": "supervisor", "manager": "manager",
           "clerk": "clerk", "receptionist": "receptionist", "storekeeper": "storekeeper",
           "channel_agent": "agent", "admin": "<admin>", "other_manager": "<other>",
           "no_token": "<none>"}
UNKNOWN_ID = "999999"


@pytest.fixture(scope="module")
def matrix_stack():
    """A platform of its own: the matrix also calls the admin's clock routes."""
    s = Stack().start()
    yield s
    s.stop()


NOW = "2026-03-02T09:00:00+08:00"
PLAIN = {fields.Integer: 999999, fields.Float: 1.0, fields.Decimal: "1", fields.Boolean: False,
         fields.Date: "2026-03-02", fields.DateTime: NOW, fields.Time: "09:00",
         fields.Email: "x@example.com", fields.Dict: {}, fields.Raw: "x"}


def example_value(field):
    for v in getattr(field, "validators", ()):   # a set of choices, or the smallest allowed
        if isinstance(v, validate.OneOf):
            return list(v.choices)[0]
        if isinstance(v, validate.Range) and v.min is not None:
            return v.min if not isinstance(field, fields.Integer) or v.min > 0 else 1
    if isinstance(field, fields.Nested):
        return example_body(field.schema)
    if isinstance(field, fields.List):
        return [example_value(field.inner)]
    for kind, value in PLAIN.items():
        if isinstance(field, kind):
            return value
    name = field.name or ""
    if name in ("now", "at") or name.endswith("_at"):
        return NOW
    return {"phone": "13800000000", "period": "2026-03"}.get(name, "x")


def example_body(schema):
    schema = schema() if isinstance(schema, type) else schema
    return {name: example_value(f) for name, f in schema.fields.items()
            if f.required and not f.dump_only}


def concrete(path, project_id):
    path = path.replace("<int:project_id>", str(project_id))
    return re.sub(r"<(?:\w+:)?\w+>", UNKNOWN_ID, path)


def openapi_path(path):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def read_table():
    expected = {}
    for line in TABLE.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        method, path, *codes = line.split()
        expected[(method, path)] = dict(zip(COLUMNS, (int(c) for c in codes)))
    return expected


def write_table(observed):
    width = max(len(p) for _, p in observed) + 8
    lines = ["# The role × route matrix (tests/e2e/test_role_matrix.py): the expected status of",
             "# each operation for each caller. 403: the role may not; 401: no token;",
             "# 404/422/200: the role passed the checks (unknown id 999999, empty body {}).",
             "# " + "method path".ljust(width - 2) + " ".join(c[:5].rjust(5) for c in COLUMNS)]
    for (method, path), cells in observed.items():
        lines.append(f"{method} {path}".ljust(width)
                     + " ".join(str(cells[c]).rjust(5) for c in COLUMNS))
    TABLE.write_text("\n".join(lines) + "\n")


def test_every_route_answers_every_role_as_the_table_says(matrix_stack):
    stack = matrix_stack
    project, other = new_project(stack, consultants=("c1",)), new_project(stack, consultants=())
    tokens = {column: (stack.login("admin") if who == "<admin>"
                       else other.login("manager") if who == "<other>"
                       else None if who == "<none>" else project.login(who))
              for column, who in COLUMNS.items()}
    stack.set_clock(NOW)
    observed = {}
    for route in all_routes():
        url = concrete(route.path, project.id)
        body = {"json": example_body(route.body)} if route.sends_body else {}
        cells = {}
        for column, token in tokens.items():
            cells[column] = stack.api(route.method, url, token=token, **body).status_code
            if route.path == "/v1/admin/clock":
                stack.set_clock(NOW)        # the admin's clock routes move it: back to Monday
        observed[(route.method, openapi_path(route.path))] = cells
    if os.environ.get("MATRIX_WRITE"):
        write_table(observed)
    expected = read_table()
    missing, gone = set(observed) - set(expected), set(expected) - set(observed)
    assert not missing and not gone, f"not in the table: {sorted(missing)}; gone: {sorted(gone)}"
    wrong = [f"{m} {p} as {c}: expected {expected[(m, p)][c]}, got {got}"
             for (m, p), cells in observed.items() for c, got in cells.items()
             if expected[(m, p)][c] != got]
    assert not wrong, f"{len(wrong)} cells differ:\n" + "\n".join(wrong)
    # no cell of the matrix is a server error (issue 14: nothing is 5xx)
    assert not [1 for cells in observed.values() for got in cells.values() if got >= 500]
