"""Tables every service carries beside its own: outbox, processed events, clock, policy,
decisions, and (every service but attendance, which owns the originals) the directory replica.

They are generic plumbing (no domain): each service installs them on its own MetaData so that
its Alembic history and its database stay its own.
"""
from types import SimpleNamespace

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .types import UtcDateTime


def install_kit(metadata, directory=True):
    # SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
    big_id = BigInteger().with_variant(Integer(), "sqlite")
    outbox = Table(
        "outbox", metadata,
        Column("id", big_id, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(80), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("sent_at", UtcDateTime(), nullable=True, index=True),
    )
    processed = Table(
        "processed_events", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(120), primary_key=True),
        Column("processed_at", UtcDateTime(), nullable=False),
    )
    clock = Table(
        "clock_setting", metadata,
        Column("id", Integer, primary_key=True),
        Column("now", UtcDateTime(), nullable=True),
    )
    policy = Table(
        "policy_setting", metadata,
        Column("project_id", Integer, nullable=False),
        Column("key", String(80), nullable=False),
        Column("value", JSON, nullable=False),
        Column("changed_by", Integer, nullable=True),
        Column("changed_at", UtcDateTime(), nullable=True),
        Column("reason", Text, nullable=True),
        UniqueConstraint("project_id", "key", name="uq_policy_project_key"),
    )
    # SYS-01: every decision a rule made, by subject, so "why?" returns the chain of records
    decisions = Table(
        "decision_log", metadata,
        Column("id", big_id, primary_key=True, autoincrement=True),
        Column("project_id", Integer, nullable=True, index=True),
        Column("subject_type", String(40), nullable=False),
        Column("subject_id", String(64), nullable=False),
        Column("rule", String(16), nullable=False),
        Column("outcome", String(40), nullable=False),
        Column("reason", Text, nullable=False),
        Column("data", JSON, nullable=True),
        Column("actor_id", Integer, nullable=True),
        Column("at", UtcDateTime(), nullable=False),
        Index("ix_decision_subject", "subject_type", "subject_id"),
    )
    # events whose handler failed: retried with back-off, then dead letters an operator lists
    # and replays (services.common.inbox, python -m services.common.deadletters)
    retries = Table(
        "event_retry", metadata,
        Column("handler", String(120), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(80), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_try_at", UtcDateTime(), nullable=False, index=True),
        Column("dead", Boolean, nullable=False, index=True),
        Column("last_error", Text, nullable=False),
        Column("first_failed_at", UtcDateTime(), nullable=False),
    )
    # requests already done, by Idempotency-Key, with their first answer (.idempotency)
    requests = Table(
        "request_key", metadata,
        Column("key", String(64), primary_key=True),
        Column("method", String(80), primary_key=True),
        Column("answer", JSON, nullable=True),
        Column("created_at", UtcDateTime(), nullable=False, index=True),
    )
    kit = SimpleNamespace(outbox=outbox, processed=processed, clock=clock, policy=policy,
                          decisions=decisions, retries=retries, requests=requests,
                          projects=None, staff=None)
    if directory:
        # projects and staff as attendance announces them (services.common.directory)
        kit.projects = Table(
            "directory_project", metadata,
            Column("project_id", Integer, primary_key=True, autoincrement=False),
            Column("code", String(40), nullable=True),
            Column("name", String(200), nullable=True),
            Column("timezone", String(64), nullable=False),
        )
        kit.staff = Table(
            "directory_staff", metadata,
            Column("person_id", Integer, primary_key=True, autoincrement=False),
            Column("project_id", Integer, nullable=True, index=True),
            Column("name", String(120), nullable=False),
            Column("roles", JSON, nullable=False),
            Column("active", Boolean, nullable=False),
        )
    return kit
