import pytest

from tests.stack import Stack


@pytest.fixture(scope="session")
def stack():
    """One running platform for the end-to-end tests (demo project id 1, demo logins)."""
    s = Stack(contract=True).start()
    STACKS.append(s)
    yield s
    s.stop()


STACKS = []


def pytest_terminal_summary(terminalreporter):
    """How many answers were held to the live OpenAPI document (tests/contract.py)."""
    for s in STACKS:
        c = s.contract
        terminalreporter.write_line(
            f"openapi contract: {c.validated} responses validated against /v1/openapi.json "
            f"({len({(m, p) for m, _, p in c.operations})} operations, "
            f"{len(c.operations)} operation/status pairs)")
    from tests.e2e.test_faults import FIGURES
    for line in FIGURES:
        terminalreporter.write_line(f"faults: {line}")


@pytest.fixture
def stopped(stack):
    """stopped('clients'): stop a service for the test; it is started again afterwards."""
    names = []

    def stop(name):
        stack.stop_process(name)
        names.append(name)

    yield stop
    for name in names:
        stack.start_process(name)
    if names:
        stack.wait_healthy()


@pytest.fixture
def project(stack):
    """A fresh project of its own for one test (so tests never see each other's data):
    a manager, a supervisor, a clerk, a receptionist, a storekeeper, a channel agent and four
    consultants. ``project.login(role_or_name)`` gives a token; ``project.ids`` maps names to
    ids."""
    return new_project(stack)


def new_project(stack, consultants=("c1", "c2", "c3", "c4")):
    import uuid
    code = "t" + uuid.uuid4().hex[:8]
    admin = stack.login("admin")
    r = stack.api("POST", "/v1/projects", token=admin, json={"code": code, "name": f"Test {code}"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    people = {"manager": ["manager"], "supervisor": ["supervisor"], "clerk": ["clerk"],
              "receptionist": ["receptionist"], "storekeeper": ["storekeeper"],
              "agent": ["channel_agent"], "agent2": ["channel_agent"]}
    people.update({c: ["consultant"] for c in consultants})
    ids = {}
    for name, roles in people.items():
        r = stack.api("POST", f"/v1/projects/{pid}/staff", token=admin,
                      json={"username": f"{code}_{name}", "name": f"{name}-{code}",
                            "password": "password1", "roles": roles})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    return TestProject(stack, pid, code, ids)


class TestProject:
    __test__ = False  # not a pytest test class

    def __init__(self, stack, pid, code, ids):
        self.stack, self.id, self.code, self.ids = stack, pid, code, ids

    def login(self, name):
        return self.stack.login(f"{self.code}_{name}", "password1")

    def api(self, method, path, as_=None, **kwargs):
        """path may use {p} for the project id: '/v1/projects/{p}/rosters'."""
        token = self.login(as_) if as_ else None
        return self.stack.api(method, path.replace("{p}", str(self.id)), token=token, **kwargs)
