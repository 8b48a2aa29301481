"""DDL for kit tables added after a service's first revision, so that each service's Alembic
history carries them with one call instead of four copies (see services.common.kit)."""
import sqlalchemy as sa

from .types import UtcDateTime


def create_event_retry(op):
    """``event_retry``: events whose handler failed, retried and then dead letters."""
    op.create_table(
        "event_retry",
        sa.Column("handler", sa.String(length=120), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", UtcDateTime(), nullable=False),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("first_failed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("handler", "event_id"),
    )
    op.create_index("ix_event_retry_next_try_at", "event_retry", ["next_try_at"])
    op.create_index("ix_event_retry_dead", "event_retry", ["dead"])


def create_request_key(op):
    """``request_key``: requests done, by Idempotency-Key, with their first answer."""
    op.create_table(
        "request_key",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=80), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", "method"),
    )
    op.create_index("ix_request_key_created_at", "request_key", ["created_at"])


def drop_request_key(op):
    op.drop_index("ix_request_key_created_at", table_name="request_key")
    op.drop_table("request_key")


def drop_event_retry(op):
    op.drop_index("ix_event_retry_dead", table_name="event_retry")
    op.drop_index("ix_event_retry_next_try_at", table_name="event_retry")
    op.drop_table("event_retry")
