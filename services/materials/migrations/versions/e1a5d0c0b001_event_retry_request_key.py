"""kit tables: event_retry (failed events retried, then dead letters) and request_key
(requests done once per Idempotency-Key) - issue 13

Revision ID: e1a5d0c0b001
Revises: c41a9e7d2b60
"""
from alembic import op

from services.common.kit_migrations import (
    create_event_retry,
    create_request_key,
    drop_event_retry,
    drop_request_key,
)

revision, down_revision = "e1a5d0c0b001", "c41a9e7d2b60"
branch_labels = depends_on = None


def upgrade() -> None:
    create_event_retry(op)
    create_request_key(op)


def downgrade() -> None:
    drop_request_key(op)
    drop_event_retry(op)
