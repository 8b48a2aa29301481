"""Transactional outbox (no lost facts).

``emit`` writes the event into the same session as the state change, so both commit or neither
does. ``relay`` (run by a nameko timer in every service) publishes unsent rows in order through
nameko's EventDispatcher, which uses publisher confirms, and marks them sent. A crash between
publish and mark re-sends the event later: handlers dedupe by ``event_id`` (see ``inbox``).
"""
import logging
import uuid

from sqlalchemy import select, text, update

from . import logs
from .db import is_postgres
from .timeutil import utcnow

log = logging.getLogger(__name__)
RELAY_LOCK = 0x0A5C_0B01   # advisory lock key: one publishing relay per service database


def emit(session, event_type, *, now, project_id, actor, rule, reason, **fact):
    """Queue ``event_type`` in the caller's transaction. ``fact`` must never hold a full phone
    number (CLI-14): events carry customer ids."""
    kit = session.info["kit"]
    payload = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "source": session.info.get("service"),
        "occurred_at": now.isoformat(),
        "project_id": project_id,
        "actor": actor,
        "rule": rule,
        "reason": reason,
        **fact,
    }
    if logs.request_id():     # the handlers of this event log the request that caused it
        payload[logs.CONTEXT_KEY] = logs.request_id()
    session.execute(kit.outbox.insert().values(
        event_id=payload["event_id"], event_type=event_type, payload=payload,
        created_at=utcnow(), sent_at=None))
    return payload


def relay(engine, kit, dispatch, batch=200):
    """Publish unsent outbox rows in order; returns how many were published."""
    query = (select(kit.outbox.c.id, kit.outbox.c.event_type, kit.outbox.c.payload)
             .where(kit.outbox.c.sent_at.is_(None))
             .order_by(kit.outbox.c.id).limit(batch))
    if is_postgres(engine):
        # One relay publishes at a time, oldest first: with row locks skipped, a second
        # instance would publish later rows while the first still publishes earlier ones, and
        # a subject's events could arrive out of order. The others try again next tick.
        with engine.begin() as conn:
            if not conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                {"key": RELAY_LOCK}).scalar():
                return 0
            rows = conn.execute(query).all()
            for row in rows:
                dispatch(row.event_type, row.payload)
                _mark_sent(conn, kit, [row.id])
        return _published(len(rows))
    # SQLite: publishing switches green threads, and a worker waiting for SQLite's write lock
    # blocks the whole event loop (its busy wait is not cooperative). So read with no write
    # lock, publish, then mark sent in one short write.
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    sent = []
    try:
        for row in rows:
            dispatch(row.event_type, row.payload)
            sent.append(row.id)
    finally:
        if sent:
            with engine.begin() as conn:
                _mark_sent(conn, kit, sent)
    return _published(len(sent))


def _mark_sent(conn, kit, ids):
    conn.execute(update(kit.outbox).where(kit.outbox.c.id.in_(ids)).values(sent_at=utcnow()))


def _published(count):
    if count:
        log.debug("outbox relay published %d event(s)", count)
    return count


def pending(engine, kit):
    with engine.connect() as conn:
        return conn.execute(select(kit.outbox.c.payload)
                            .where(kit.outbox.c.sent_at.is_(None))
                            .order_by(kit.outbox.c.id)).scalars().all()
