"""Idempotency keys: a change is done once however often its request arrives.

Every mutating HTTP request carries an ``Idempotency-Key`` (the client's, or one the gateway
makes); the gateway passes it in nameko's context data, which travels with every RPC. The
service's unit of work writes the key in the same transaction as the change
(``request_key`` table), and the entrypoint stores its answer beside it; a repeat (a client
retry, or the broker redelivering a request that was in progress when a service died) gets the
first answer and changes nothing.

The gateway also passes its deadline (``DEADLINE_KEY``, seconds since the epoch): a change that
would commit after the caller has given up (answered 503) is rolled back instead, so a request
the broker delivers late, or one that ran slowly, never takes effect behind a 503.
"""
import time

from nameko.extensions import DependencyProvider
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .errors import Conflict, Unavailable

CONTEXT_KEY = "idempotency_key"
DEADLINE_KEY = "deadline"
REPLY_MARGIN = 0.5   # seconds left for the answer to travel back before the caller gives up
HEADER = "Idempotency-Key"
MAX_LENGTH = 64


class RequestKey:
    """The key of the request one worker serves, for one entrypoint (``method``)."""

    def __init__(self, key, method, deadline=None):
        self.key, self.method, self.marked = key, method, False
        self.deadline = deadline

    def done_before(self, session):
        """The stored row (its ``answer`` may be None) when this request was done, else None."""
        table = session.info["kit"].requests
        row = session.execute(select(table.c.answer).where(
            table.c.key == self.key, table.c.method == self.method)).first()
        session.rollback()          # read only: hold no lock while the request runs
        return row

    def mark(self, session, now):
        """Write the key with the change (called by the unit of work before it commits);
        refuse when the caller's deadline has passed (the wall clock: deadlines are real time,
        whatever the office clock says)."""
        if self.deadline is not None and time.time() > self.deadline - REPLY_MARGIN:
            raise Unavailable("the caller stopped waiting before this could be done: nothing "
                              "was changed (send it again with the same Idempotency-Key)")
        if not self.marked:
            session.execute(session.info["kit"].requests.insert().values(
                key=self.key, method=self.method, answer=None, created_at=now))
            self.marked = True

    def remember(self, session, answer):
        """Keep the answer for a repeat (after the change committed)."""
        if self.marked:
            table = session.info["kit"].requests
            session.execute(update(table).where(table.c.key == self.key,
                                                table.c.method == self.method)
                            .values(answer={"answer": answer}))
            session.commit()


def answered(row):
    """The answer to a repeat: the first answer, or 409 when it was not kept (the service
    stopped between the change and its answer, or the first request is still running)."""
    if row.answer is not None:
        return row.answer["answer"]
    raise Conflict("this request (the same Idempotency-Key) was already done or is being "
                   "done; nothing was changed again", field=HEADER)


class IdempotencyKey(DependencyProvider):
    """``self.request_key``: the worker's ``RequestKey``, or None (no key: a read, an event,
    the admin CLI)."""

    def get_dependency(self, worker_ctx):
        key = worker_ctx.context_data.get(CONTEXT_KEY)
        if not key:
            return None
        deadline = worker_ctx.context_data.get(DEADLINE_KEY)
        return RequestKey(str(key)[:MAX_LENGTH], worker_ctx.entrypoint.method_name,
                          float(deadline) if isinstance(deadline, (int, float)) else None)


def run_once(service, fn, *args, **kwargs):
    """Run an entrypoint once per request key (see the module's docstring)."""
    key = getattr(service, "request_key", None)
    if key is None:
        return fn(service, *args, **kwargs)
    row = key.done_before(service.db)
    if row is not None:
        return answered(row)
    try:
        result = fn(service, *args, **kwargs)
    except IntegrityError:
        service.db.rollback()
        row = key.done_before(service.db)
        if row is not None:            # the same request committed first on another worker
            return answered(row)
        raise
    key.remember(service.db, result)
    return result


class Context(DependencyProvider):
    """The worker's context data; what the gateway puts here travels with every RPC it makes."""

    def get_dependency(self, worker_ctx):
        return worker_ctx.data      # (``context_data`` is a copy; ``data`` is what travels)
