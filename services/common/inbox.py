"""Idempotent event handlers that never drop an event.

Each (event_id, handler) is processed once: the marker row is inserted in the handler's own
transaction, so the handler's changes and the "processed" fact commit together; a redelivered or
duplicated event finds the marker and is skipped, and two instances racing on one event collide
on the primary key.

A handler that fails (a transient database error, a conflict) does not lose the event: its
changes roll back and the event is kept in ``event_retry``, tried again with back-off (1 s, 2 s,
4 s … up to a minute) by the service's timer (``EventRetries``) and, after
``EVENT_MAX_ATTEMPTS`` (default 5) tries, left there as a dead letter that an operator lists
and replays (``python -m services.common.deadletters``).
"""
import functools
import logging
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from . import logs
from .config import setting
from .timeutil import utcnow

log = logging.getLogger(__name__)
MAX_BACKOFF = 60.0


def _settings(service):
    config = getattr(service, "config", None)
    return (int(setting("EVENT_MAX_ATTEMPTS", config, 5)),
            float(setting("EVENT_RETRY_SECONDS", config, 1.0)))


def backoff(attempts, base):
    """Seconds before try ``attempts + 1``: doubling from ``base``, at most a minute."""
    return min(base * 2 ** (attempts - 1), MAX_BACKOFF)


def once(fn):
    """Decorate a handler method ``(self, payload)`` whose service has ``self.db`` (Database).
    The handler must not commit: ``once`` commits after it returns."""
    handler = fn.__qualname__

    def handle(self, payload):
        session = self.db
        kit = session.info["kit"]
        event_id = payload.get("event_id")
        if not event_id:
            log.warning("%s: event without event_id ignored", handler)
            return None
        if _processed(session, kit, handler, event_id):
            log.info("%s: duplicate event %s ignored", handler, event_id)
            _forget_failure(session, kit, handler, event_id)
            return None
        session.execute(kit.processed.insert().values(
            event_id=event_id, handler=handler, processed_at=utcnow()))
        try:
            result = fn(self, payload)
            _forget_failure(session, kit, handler, event_id, commit=False)
            session.commit()
        except Exception as exc:
            session.rollback()  # never hold SQLite's write lock past a failed handler
            if isinstance(exc, IntegrityError) and _processed(session, kit, handler, event_id):
                log.info("%s: event %s processed by another instance", handler, event_id)
                return None
            _failed(self, session, kit, handler, payload, exc)
            return None
        except BaseException:
            session.rollback()
            raise
        return result

    @functools.wraps(fn)
    def wrapper(self, payload):
        with logs.serving(payload.get(logs.CONTEXT_KEY)):   # a retry logs its request too
            return handle(self, payload)

    return wrapper


def _processed(session, kit, handler, event_id):
    return session.execute(select(kit.processed.c.event_id).where(
        kit.processed.c.event_id == event_id, kit.processed.c.handler == handler)).first()


def _forget_failure(session, kit, handler, event_id, commit=True):
    session.execute(delete(kit.retries).where(kit.retries.c.handler == handler,
                                              kit.retries.c.event_id == event_id))
    if commit:
        session.commit()


def _failed(service, session, kit, handler, payload, exc):
    """Keep the event for a later try (or as a dead letter). If even that cannot be written
    (the database is down), raise so that the broker redelivers the message."""
    max_attempts, base = _settings(service)
    now, table = utcnow(), kit.retries
    error = f"{type(exc).__name__}: {exc}"[:2000]
    where = (table.c.handler == handler, table.c.event_id == payload["event_id"])
    try:
        row = session.execute(select(table.c.attempts).where(*where)).first()
        attempts = (row.attempts if row else 0) + 1
        values = dict(attempts=attempts, dead=attempts >= max_attempts, last_error=error,
                      next_try_at=now + timedelta(seconds=backoff(attempts, base)))
        if row:
            session.execute(update(table).where(*where).values(**values))
        else:
            session.execute(table.insert().values(
                handler=handler, event_id=payload["event_id"],
                event_type=str(payload.get("event_type", "")), payload=payload,
                first_failed_at=now, **values))
        session.commit()
    except IntegrityError:
        session.rollback()      # another instance recorded the same failure first
        return
    except Exception:
        session.rollback()
        log.exception("%s: event %s failed and could not be kept for a retry",
                      handler, payload["event_id"])
        raise
    if values["dead"]:
        log.error("%s: event %s failed %d times, now a dead letter: %s", handler,
                  payload["event_id"], attempts, error)
    else:
        log.warning("%s: event %s failed (try %d of %d), retried in %.0f s: %s", handler,
                    payload["event_id"], attempts, max_attempts,
                    backoff(attempts, base), error)


def due(session, kit, limit=20):
    """Failed events whose next try is due (oldest first)."""
    table = kit.retries
    return session.execute(select(table).where(table.c.dead.is_(False),
                                               table.c.next_try_at <= utcnow())
                           .order_by(table.c.next_try_at).limit(limit)).mappings().all()


def dead_letters(session, kit):
    table = kit.retries
    return [dict(r) for r in session.execute(
        select(table).where(table.c.dead.is_(True)).order_by(table.c.first_failed_at))
        .mappings()]


def replay(session, kit, event_ids=None):
    """Dead letters (all, or those of ``event_ids``) get a fresh set of tries, starting now."""
    table = kit.retries
    query = update(table).where(table.c.dead.is_(True))
    if event_ids:
        query = query.where(table.c.event_id.in_(list(event_ids)))
    count = session.execute(query.values(dead=False, attempts=0,
                                         next_try_at=utcnow())).rowcount
    session.commit()
    return count
