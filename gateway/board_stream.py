"""REC-13: the board pushed to its screens (server-sent events), not polled by each of them.

One watcher per project and gateway asks reception for the board once a second while at least
one screen of that project listens, and pushes it to every screen only when it changed. Each
screen's own login is checked when it connects (reception decides, so a revoked display or a
deactivated person is refused) and again every ``RECHECK_SECONDS`` while it stays connected; a
comment line every ``HEARTBEAT_SECONDS`` lets both ends see a dead connection.
"""
import json
import logging
import time

import eventlet
from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.config import env_float, jwt_secret
from services.common.errors import Forbidden, Unauthorized
from services.common.identity import service_token

log = logging.getLogger("gateway.board")
POLL_SECONDS = env_float("BOARD_POLL_SECONDS", 1.0)
HEARTBEAT_SECONDS = env_float("BOARD_HEARTBEAT_SECONDS", 15.0)
RECHECK_SECONDS = env_float("BOARD_RECHECK_SECONDS", 30.0)


def sse(event, data):
    """One event as bytes (eventlet's server would encode a str as ASCII: names are Chinese)."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return f"event: {event}\ndata: {text}\n\n".encode()


def _changed(before, after):
    """Whether the screens would see a change (``at``, the time it was read, always changes)."""
    def seen(board):
        return {k: v for k, v in board.items() if k != "at"}
    return before is None or seen(before) != seen(after)


class Hub:
    def __init__(self, config):
        self.config = config
        self.listeners = {}   # project id -> set of queues
        self.last = {}        # project id -> the board last pushed

    def rpc(self):
        return ClusterRpcProxy(self.config, timeout=5)

    def subscribe(self, project_id):
        queue = LightQueue()
        listeners = self.listeners.setdefault(project_id, set())
        listeners.add(queue)
        if len(listeners) == 1:
            eventlet.spawn(self._watch, project_id)
        return queue

    def unsubscribe(self, project_id, queue):
        self.listeners.get(project_id, set()).discard(queue)

    def _watch(self, project_id):
        token = service_token("gateway", jwt_secret(self.config))
        try:
            with self.rpc() as rpc:
                while self.listeners.get(project_id):
                    try:
                        board = rpc.reception.board(token, project_id)
                    except Exception as exc:   # reception or the broker away: try again
                        log.warning("board watcher of project %s: %s", project_id, exc)
                        board = None
                    if board is not None and _changed(self.last.get(project_id), board):
                        self.last[project_id] = board
                        for queue in list(self.listeners.get(project_id, ())):
                            queue.put(board)
                    eventlet.sleep(POLL_SECONDS)
        except Exception as exc:
            log.warning("board watcher of project %s stopped: %s", project_id, exc)
        finally:
            self.listeners.pop(project_id, None)
            self.last.pop(project_id, None)

    def still_allowed(self, token, project_id):
        try:
            with self.rpc() as rpc:
                rpc.reception.board(token, project_id)
            return True
        except (Unauthorized, Forbidden):
            return False
        except Exception as exc:   # reception away: the screen keeps its board until it answers
            return getattr(exc, "exc_type", "") not in ("Unauthorized", "Forbidden")

    def stream(self, project_id, token, first):
        """The event stream of one screen: the board now, then each change."""
        queue = self.subscribe(project_id)
        try:
            yield b"retry: 3000\n\n"      # a client reconnects after 3 s
            yield sse("board", first)
            checked = time.monotonic()
            while True:
                try:
                    yield sse("board", queue.get(timeout=min(HEARTBEAT_SECONDS,
                                                             RECHECK_SECONDS)))
                except Empty:
                    yield b": keep-alive\n\n"
                if time.monotonic() - checked >= RECHECK_SECONDS:
                    if not self.still_allowed(token, project_id):
                        yield sse("revoked", {"rule": "REC-13",
                                              "message": "this login no longer shows the board"})
                        return
                    checked = time.monotonic()
        finally:
            self.unsubscribe(project_id, queue)


class BoardHub(DependencyProvider):
    def setup(self):
        self.hub = Hub(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.hub
