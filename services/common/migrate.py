"""Alembic per service, driven from code (no alembic.ini to keep in step).

    python -m services.common.migrate upgrade attendance [reception ...]   # or: all
    python -m services.common.migrate revision clients "add channel reports"
"""
import argparse
import pathlib
import sys
import tempfile

from alembic import command
from alembic.config import Config

from .config import ROOT, database_url

SERVICES = ("attendance", "reception", "clients", "materials")


def alembic_config(service, url=None):
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url or database_url(service))
    return cfg


def upgrade(service, url=None):
    command.upgrade(alembic_config(service, url), "head")


def revision(service, message):
    """Autogenerate a revision against a scratch SQLite database brought to head first."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{pathlib.Path(tmp) / 'scratch.db'}"
        cfg = alembic_config(service, url)
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)


def run_env(target_metadata):
    """Body of every service's migrations/env.py."""
    from alembic import context
    from sqlalchemy import engine_from_config, pool

    cfg = context.config
    if context.is_offline_mode():
        context.configure(url=cfg.get_main_option("sqlalchemy.url"),
                          target_metadata=target_metadata, literal_binds=True,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(cfg.get_section(cfg.config_ini_section) or
                                {"sqlalchemy.url": cfg.get_main_option("sqlalchemy.url")},
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.common.migrate",
                                     description="Alembic migrations of the Anchang services.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("upgrade", help="bring service databases to the newest revision")
    up.add_argument("services", nargs="+", help=f"service names or 'all' ({', '.join(SERVICES)})")
    rev = sub.add_parser("revision", help="autogenerate a revision from the service's models")
    rev.add_argument("service", choices=SERVICES)
    rev.add_argument("message")
    args = parser.parse_args(argv)
    if args.cmd == "upgrade":
        names = SERVICES if "all" in args.services else args.services
        for name in names:
            if name not in SERVICES:
                parser.error(f"unknown service {name!r}")
            print(f"migrating {name} ({database_url(name)})", flush=True)
            upgrade(name)
    else:
        revision(args.service, args.message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
