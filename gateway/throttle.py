"""Login throttling (SYS-02) with the kept ``limits`` library: a moving window per address
(every attempt) and per user (failed attempts only). Guessing a password stops after a few
tries, a flood from one address is refused at the gateway before it reaches attendance's
password hashing, and the answer does not say whether the user exists.

Counters live in ``LOGIN_LIMIT_STORAGE`` (``memory://`` per gateway process by default;
``redis://…`` shares them between gateway instances).

Many addresses can still flood: so at most ``LOGIN_CONCURRENCY`` logins per gateway are in
flight at once, and one more is refused at once (429, Retry-After) instead of waiting. A waiting
login would hold one of the gateway's workers (nameko ``max_workers``), and with all of them
held every other request waits behind the hashing; refused at once, a flood costs a worker a
millisecond each."""
from contextlib import contextmanager

from eventlet.semaphore import Semaphore
from limits import parse, storage, strategies
from nameko.extensions import DependencyProvider

from services.common.config import setting
from services.common.errors import TooManyRequests


class LoginThrottle:
    def __init__(self, storage_uri="memory://", per_user="5/15minutes", per_address="30/minute",
                 concurrency=4):
        self.window = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
        self.per_user, self.per_address = parse(per_user), parse(per_address)
        self.gate = LoginGate(concurrency)

    def before(self, username, address):
        """Refuse (429) when the address or the user has used up its window."""
        if not self.window.hit(self.per_address, "login-address", address or "unknown"):
            raise TooManyRequests(f"too many logins from this address: at most "
                                  f"{self.per_address}; try again later", rule="SYS-02")
        if not self.window.test(self.per_user, "login-user", username.lower()):
            raise TooManyRequests(f"too many failed logins for this user: at most "
                                  f"{self.per_user}; try again later", rule="SYS-02",
                                  field="username")

    def failed(self, username):
        self.window.hit(self.per_user, "login-user", username.lower())


class LoginGate:
    """At most ``size`` logins in flight; the next one is refused, never queued."""

    def __init__(self, size=4):
        self.slots = Semaphore(size)

    @contextmanager
    def slot(self):
        if not self.slots.acquire(blocking=False):
            raise TooManyRequests("too many logins in progress at this moment; try again in a "
                                  "second", rule="SYS-02")
        try:
            yield
        finally:
            self.slots.release()


class Throttle(DependencyProvider):
    """One ``LoginThrottle`` per gateway container, set from its config."""

    def setup(self):
        config = self.container.config
        self.throttle = LoginThrottle(
            setting("LOGIN_LIMIT_STORAGE", config, "memory://"),
            setting("LOGIN_LIMIT_PER_USER", config, "5/15minutes"),
            setting("LOGIN_LIMIT_PER_ADDRESS", config, "30/minute"),
            int(setting("LOGIN_CONCURRENCY", config, "4")))

    def get_dependency(self, worker_ctx):
        return self.throttle
