"""Probes for process supervisors (Kubernetes, compose): exit 0 when healthy, 1 when not, within
a hard deadline (``--deadline``, default 4.5 s), one line on standard output saying why.

    python -m services.common.probe attendance              # readiness: health RPC answered
    python -m services.common.probe attendance --live       # liveness (see below)
    python -m services.common.probe attendance --migrated [--wait 600]   # database at head
    python -m services.common.probe --http http://127.0.0.1:8000/v1/health/live

The RPC probe asks the service's own ``health`` RPC (a ``SELECT 1`` on its own database)
through the broker, as any caller would; it asks no other service. The request expires in the
broker at the probe's deadline, so a probe nobody answered leaves nothing behind to run later.
The request goes to the service's queue, so any replica of the service may answer it.

``--live`` exits 0 when the broker itself cannot be reached: a service survives a broker outage
and reconnects by itself (issue 13), so restarting it would not help and would only add churn.

``--migrated`` compares the service's database with the head revision(s) of the Alembic
history shipped in this image; with ``--wait`` it polls until they match (an init container
that holds a new version back until the migration Job has run).
"""
import argparse
import logging
import signal
import sys
import time
import urllib.error
import urllib.request

SERVICES = ("attendance", "reception", "clients", "materials")
DEFAULT_DEADLINE = 4.5     # seconds: probes are given timeoutSeconds: 5
CONNECT_TIMEOUT = 1.5


class Deadline(Exception):
    pass


def _alarm(seconds):
    def fire(signum, frame):
        raise Deadline(f"no answer within {seconds:g} s")
    signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def broker_answers(uri, timeout=CONNECT_TIMEOUT):
    from kombu import Connection
    try:
        with Connection(uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def ask_health(service, uri, timeout):
    """The service's ``health`` RPC answer; the request expires in the broker after ``timeout``."""
    from nameko.rpc import ServiceProxy
    from nameko.standalone.rpc import StandaloneProxyBase

    class Proxy(StandaloneProxyBase):   # nameko's ServiceRpcProxy, with a message expiry
        def __init__(self):
            super().__init__({"AMQP_URI": uri}, timeout=timeout)
            self._proxy = ServiceProxy(self._worker_ctx, service, self._reply_listener,
                                       expiration=max(1, int(timeout)))

    with Proxy() as proxy:
        return proxy.health()


def rpc_probe(service, uri, deadline, live=False):
    if not broker_answers(uri):
        where = uri.split("@")[-1]    # never print the password
        if live:
            return 0, f"{service}: broker at {where} does not answer; alive (it reconnects)"
        return 1, f"{service}: broker at {where} does not answer"
    try:
        answer = ask_health(service, uri, timeout=max(0.5, deadline - CONNECT_TIMEOUT - 0.5))
    except Deadline:
        raise
    except Exception as exc:
        return 1, f"{service}: health did not answer: {type(exc).__name__}: {exc}"
    if answer.get("status") != "up":
        return 1, f"{service}: health answered {answer}"
    return 0, f"{service}: up ({answer.get('now')})"


def http_probe(url, deadline):
    try:
        with urllib.request.urlopen(url, timeout=deadline) as response:
            return 0, f"{url}: {response.status}"
    except urllib.error.HTTPError as exc:
        return 1, f"{url}: {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return 1, f"{url}: {exc}"


def migration_state(service, url=None):
    """(current revisions, head revisions) of the service's database and this image's history."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from .config import database_url
    from .migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(service, url)).get_heads())
    engine = create_engine(url or database_url(service), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return current, heads


def migrated_probe(service, url=None):
    try:
        current, heads = migration_state(service, url)
    except Exception as exc:
        return 1, f"{service}: database not readable: {type(exc).__name__}: {exc}"
    if current == heads:
        return 0, f"{service}: database at head {', '.join(sorted(heads))}"
    return 1, (f"{service}: database at {', '.join(sorted(current)) or 'nothing'}, "
               f"this version needs {', '.join(sorted(heads))} (run the migration first)")


def wait_migrated(service, wait, interval=2.0, url=None):
    end = time.monotonic() + wait
    while True:
        code, line = migrated_probe(service, url)
        if code == 0 or time.monotonic() >= end:
            return code, line
        print(line, flush=True)
        time.sleep(interval)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m services.common.probe",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("service", nargs="?", choices=SERVICES)
    p.add_argument("--live", action="store_true",
                   help="liveness: a broker that does not answer is not this process's fault")
    p.add_argument("--migrated", action="store_true",
                   help="the service's database is at this image's head revision")
    p.add_argument("--wait", type=float, default=0,
                   help="with --migrated: poll up to this many seconds")
    p.add_argument("--http", metavar="URL", help="GET this URL: 2xx is healthy")
    p.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE,
                   help=f"answer within this many seconds (default {DEFAULT_DEADLINE:g})")
    args = p.parse_args(argv)
    logging.getLogger("amqp").setLevel(logging.ERROR)   # "Received method … during closing"
    if bool(args.service) == bool(args.http):
        p.error("name a service or give --http URL")
    try:
        if args.http:
            _alarm(args.deadline)
            code, line = http_probe(args.http, args.deadline)
        elif args.migrated:
            code, line = wait_migrated(args.service, args.wait) if args.wait \
                else migrated_probe(args.service)
        else:
            from .config import amqp_uri
            _alarm(args.deadline)
            code, line = rpc_probe(args.service, amqp_uri(), args.deadline, live=args.live)
    except Deadline as exc:
        code, line = 1, f"{args.service or args.http}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    print(line, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
