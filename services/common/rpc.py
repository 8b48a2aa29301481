"""RPC with a deadline. nameko 2.14's RpcProxy waits forever for a stopped service; every call
goes through ``call`` so that a missing answer becomes a 503 (Unavailable), never a hang."""
import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from . import broker  # noqa: F401 (reconnects within seconds of the broker's return)
from .config import inner_rpc_timeout, rpc_timeout
from .errors import Unavailable


def call(proxy, method, *args, timeout=None, **kwargs):
    # ServiceProxy answers any attribute with a method proxy: read its own field directly
    service = vars(proxy).get("service_name", "a service")
    timeout = timeout if timeout is not None else rpc_timeout()
    try:
        with eventlet.Timeout(timeout):
            return getattr(proxy, method).call_async(*args, **kwargs).result()
    except eventlet.Timeout:
        raise Unavailable(f"{service} did not answer within {timeout:g} s")
    except UnknownService:
        raise Unavailable(f"{service} is not running")


def proxy(service, inner=False):
    """An RpcProxy whose requests expire in the broker at the caller's deadline: a request the
    caller gave up on (answered 503) never runs later when the service comes back. ``inner``:
    the proxy of a service calling another inside a request (``inner_rpc_timeout``)."""
    return RpcProxy(service, expiration=inner_rpc_timeout() if inner else rpc_timeout())
