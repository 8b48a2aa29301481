"""Small test kit: deadlines instead of sleeps, tokens, throw-away databases."""
import os
import time
import uuid

import eventlet
import sqlalchemy as sa

from services.common.identity import issue_token

SECRET = os.environ.get("JWT_SECRET", "anchang-test-secret-0123456789abcdef")
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def eventually(check, timeout=10.0, interval=0.02, message="condition not met"):
    """Poll ``check`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} within {timeout} s")
        eventlet.sleep(interval)  # a polling interval, never a wait for an event


def answers(call, status, message, timeout=10):
    """Poll ``call()`` until it answers ``status`` (a refusal writes nothing, so asking again is
    safe), e.g. until a service's directory replica has heard of new staff."""
    last = []

    def check():
        last[:] = [call()]
        return last[0].status_code == status     # (a 4xx Response is falsy)
    try:
        eventually(check, timeout=timeout, interval=0.2, message=message)
        return last[0]
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last answer {last[0].status_code} {last[0].text}")


def token(person_id=1, project_id=1, roles=("manager",), name="tester", ttl=3600):
    return issue_token({"id": person_id, "project_id": project_id, "roles": list(roles),
                        "name": name}, SECRET, ttl)


def postgres_available():
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


class PostgresDatabase:
    """A fresh PostgreSQL database for one test, dropped afterwards."""

    def __init__(self):
        self.name = "anchang_test_" + uuid.uuid4().hex[:10]
        self.admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self):
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        return PG_URL.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc):
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


# the platform admin moves the clock in tests (clock control: development mode, admin only)
CLOCK_ADMIN = issue_token({"id": 1, "project_id": None, "roles": ["admin"], "name": "clock"},
                          SECRET, 24 * 3600)
