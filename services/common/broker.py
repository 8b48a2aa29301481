"""Recovery by itself after a broker outage (issue 13).

nameko's consumers reconnect on their own (kombu's ``ensure_connection``), but kombu waits
2, 4, 6 … up to 30 s between tries, so after a long outage a service could stay deaf for half a
minute after the broker is back. We keep the same loop and cap the wait at
``BROKER_RETRY_MAX_SECONDS`` (default 5): health is back within seconds of the broker's return.

And a service must live through the outage: nameko kills the whole container when a worker's
answer cannot be published (the broker went away while the worker ran). The answer is lost
either way (its caller answers 503 at its deadline, and the request, redelivered once the broker
is back, is answered from its Idempotency-Key); the service stays up and logs it.
Imported by the kit and the gateway; applied once, at import."""
import logging
from contextlib import contextmanager

from kombu.exceptions import OperationalError
from nameko.messaging import QueueConsumer
from nameko.rpc import Responder

from .config import env_float

log = logging.getLogger(__name__)

RETRY_MAX = env_float("BROKER_RETRY_MAX_SECONDS", 5.0)


@contextmanager
def _establish_connection(self):
    with self.create_connection() as conn:
        conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                               interval_start=1, interval_step=1, interval_max=RETRY_MAX)
        yield conn


QueueConsumer.establish_connection = _establish_connection


_send_response = Responder.send_response


def _send_response_or_log(self, result, exc_info):
    try:
        return _send_response(self, result, exc_info)
    except (OperationalError, OSError) as exc:
        log.warning("an answer could not be sent, the broker is unreachable (%s); the caller "
                    "answers 503 and may repeat with its Idempotency-Key", exc)
        return result, exc_info


Responder.send_response = _send_response_or_log


# The same for acknowledging a message on a connection the broker has just dropped: nameko
# ignores amqp's ConnectionError but not the socket's (ConnectionResetError), and the container
# died. The broker redelivers an unacknowledged message, and handlers are idempotent.
_ack, _requeue = QueueConsumer.ack_message, QueueConsumer.requeue_message


def _quietly(settle):
    def settle_or_log(self, message):
        try:
            settle(self, message)
        except OSError as exc:
            log.warning("a message could not be settled, the broker connection is gone (%s); "
                        "the broker delivers it again", exc)
    return settle_or_log


QueueConsumer.ack_message = _quietly(_ack)
QueueConsumer.requeue_message = _quietly(_requeue)
