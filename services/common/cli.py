"""Shared pieces of the admin CLIs: a parser with help on every command, a session on the
service's own database, and the ``migrate`` command every service has."""
import argparse
import sys

from sqlalchemy.orm import Session

from .config import amqp_uri, database_url, rpc_timeout
from .db import make_engine
from .migrate import upgrade


def parser(service, description):
    p = argparse.ArgumentParser(prog=f"python -m services.{service}.cli", description=description)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    m = sub.add_parser("migrate", help="bring this service's database to the newest revision",
                       description="Run Alembic migrations on this service's database.")
    m.set_defaults(func=lambda args: (upgrade(service), print(f"{service}: migrated "
                                                                 f"{database_url(service)}")))
    return p, sub


def session(service, kit):
    s = Session(make_engine(database_url(service)), expire_on_commit=False)
    s.info.update(kit=kit, service=service)
    return s


def ask(service, method, *args):
    """Ask the running service over the broker, as the API does, so that its rules, events and
    "why" records apply to what an admin does from the shell. A stopped service or broker is one
    clear error (503-like), never a hang."""
    from amqp.exceptions import AMQPError
    from kombu.exceptions import OperationalError
    from nameko.exceptions import RpcTimeout, UnknownService
    from nameko.standalone.rpc import ClusterRpcProxy

    from .errors import Unavailable
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=rpc_timeout()) as cluster:
            return getattr(getattr(cluster, service), method)(*args)
    except (RpcTimeout, UnknownService):
        raise Unavailable(f"{service} is not running or did not answer within "
                          f"{rpc_timeout():g} s (start it with `make run`)")
    except (OSError, OperationalError, AMQPError) as exc:
        raise Unavailable(f"the broker at {amqp_uri()} cannot be reached: {exc}")


def operator_token(ttl_seconds=300):
    """A short-lived admin token for the operator at this shell. Whoever can read JWT_SECRET
    can sign any token, so the CLI signs its own rather than reading attendance's database;
    the "why" records name it "admin CLI (<user>)"."""
    import getpass

    from .config import jwt_secret
    from .identity import issue_token
    return issue_token({"id": "service:cli", "project_id": None, "roles": ["admin"],
                        "name": f"admin CLI ({getpass.getuser()})"}, jwt_secret(), ttl_seconds)


def ask_as_admin(service, method, *args):
    """``ask`` with the operator's admin token as the first argument (as the API passes the
    caller's token): the admin CLIs write only through the running service."""
    return ask(service, method, operator_token(), *args)


def run(p, argv=None):
    args = p.parse_args(argv)
    try:
        code = args.func(args)
        return code if isinstance(code, int) else 0
    except Exception as exc:  # an admin sees one clear line, not a traceback
        from .errors import AnchangError
        if isinstance(exc, AnchangError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
    return 0
