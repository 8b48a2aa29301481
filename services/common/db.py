"""SQLAlchemy 2 engine and a session per nameko worker."""
import weakref
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from .config import database_url


def make_engine(url):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def inserted(session, *rows):
    """Add ``rows`` in a savepoint; False when a unique key refused them (another request or
    instance got there first). The rest of the transaction stays as it was."""
    try:
        with savepoint(session):
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        return False
    return True


@contextmanager
def savepoint(session):
    """``session.begin_nested()`` inside a transaction. pysqlite opens one only before an
    INSERT, UPDATE or DELETE, so on SQLite a SAVEPOINT that comes first would itself be the
    transaction and its RELEASE would commit: a refusal later in the request would then leave
    the row behind."""
    conn = session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")
    with session.begin_nested():
        yield


def is_postgres(bind):
    return bind.dialect.name == "postgresql"


class Database(DependencyProvider):
    """Gives each worker its own Session; ``session.info`` carries the kit tables and the
    service name so that ``outbox.emit`` and ``inbox.once`` need nothing else."""

    def __init__(self, kit):
        self.kit = kit
        self.sessions = weakref.WeakKeyDictionary()

    def setup(self):
        self.url = database_url(self.container.service_name, self.container.config)
        self.engine = make_engine(self.url)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        session = self.Session()
        session.info.update(kit=self.kit, service=self.container.service_name)
        self.sessions[worker_ctx] = session
        return session

    def worker_teardown(self, worker_ctx):
        session = self.sessions.pop(worker_ctx, None)
        if session is not None:
            session.close()
