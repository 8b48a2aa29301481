"""Shared pieces of the admin CLIs: a parser with help on every command, a session on the
service's own database, and the ``migrate`` command every service has."""
import argparse
import sys

from sqlalchemy.orm import Session

from .config import database_url
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
