"""Recovery by itself after a broker outage (issue 13).

nameko's consumers reconnect on their own (kombu's ``ensure_connection``), but kombu waits
2, 4, 6 … up to 30 s between tries, so after a long outage a service could stay deaf for half a
minute after the broker is back. We keep the same loop and cap the wait at
``BROKER_RETRY_MAX_SECONDS`` (default 5): health is back within seconds of the broker's return.
Imported by the kit and the gateway; applied once, at import."""
from contextlib import contextmanager

from nameko.messaging import QueueConsumer

from .config import env_float

RETRY_MAX = env_float("BROKER_RETRY_MAX_SECONDS", 5.0)


@contextmanager
def _establish_connection(self):
    with self.create_connection() as conn:
        conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                               interval_start=1, interval_step=1, interval_max=RETRY_MAX)
        yield conn


QueueConsumer.establish_connection = _establish_connection
