# eventlet must patch the standard library before anything else imports it (STACK.md).
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402

# Tests publish the outbox quickly and sign tokens with their own secret.
os.environ.setdefault("OUTBOX_RELAY_INTERVAL", "0.05")
os.environ.setdefault("JWT_SECRET", "anchang-test-secret-0123456789abcdef")
