import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet's banner

import os  # noqa: E402

# eventlet must patch the standard library before anything else imports it (STACK.md). The
# browser tests (tests/screens) run in a pytest of their own without it: Playwright's sync API
# hangs on a patched event loop.
if not os.environ.get("ANCHANG_TESTS_UNPATCHED"):
    import eventlet

    eventlet.monkey_patch()

# Tests publish the outbox quickly and sign tokens with their own secret.
os.environ.setdefault("OUTBOX_RELAY_INTERVAL", "0.05")
os.environ.setdefault("JWT_SECRET", "anchang-test-secret-0123456789abcdef")

import pytest  # noqa: E402


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database URL for one test (the concurrency tests need it)."""
    from tests.helpers import PostgresDatabase, postgres_available
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer at 127.0.0.1:5432")
    with PostgresDatabase() as url:
        yield url
