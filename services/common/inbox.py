"""Idempotent event handlers: each (event_id, handler) is processed once.

The marker row is inserted in the handler's own transaction, so the handler's changes and the
"processed" fact commit together; a redelivered or duplicated event finds the marker and is
skipped, and two instances racing on one event collide on the primary key.
"""
import functools
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .timeutil import utcnow

log = logging.getLogger(__name__)


def once(fn):
    """Decorate a handler method ``(self, payload)`` whose service has ``self.db`` (Database).
    The handler must not commit: ``once`` commits after it returns."""
    handler = fn.__qualname__

    @functools.wraps(fn)
    def wrapper(self, payload):
        session = self.db
        processed = session.info["kit"].processed
        event_id = payload.get("event_id")
        if not event_id:
            log.warning("%s: event without event_id ignored", handler)
            return None
        seen = session.execute(select(processed.c.event_id).where(
            processed.c.event_id == event_id, processed.c.handler == handler)).first()
        if seen:
            log.info("%s: duplicate event %s ignored", handler, event_id)
            return None
        session.execute(processed.insert().values(
            event_id=event_id, handler=handler, processed_at=utcnow()))
        try:
            result = fn(self, payload)
            session.commit()
        except IntegrityError:
            session.rollback()
            if session.execute(select(processed.c.event_id).where(
                    processed.c.event_id == event_id, processed.c.handler == handler)).first():
                log.info("%s: event %s processed by another instance", handler, event_id)
                return None
            raise
        except BaseException:
            session.rollback()  # never hold SQLite's write lock past a failed handler
            raise
        return result

    return wrapper
