import pytest

from tests.stack import Stack


@pytest.fixture(scope="session")
def stack():
    """One running platform for the end-to-end tests (demo project id 1, demo logins)."""
    s = Stack().start()
    yield s
    s.stop()


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
