"""Use cases without a broker: a unit of work on in-memory SQLite, a fixed clock, a caller.

    uow = make_uow(models.Base, models.KIT, "reception", now=at("2026-12-07 09:00"),
                   caller=person(8, 1, "receptionist"), policy_spec=rules.POLICY,
                   catalogue=events.CATALOGUE)
    usecases.take_walk_in(uow, 1, {...})

Each call of ``make_uow`` without ``session`` builds a fresh database; pass ``session=`` (and
another ``now``/``caller``) to act again on the same one.
"""
from datetime import datetime

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from services.common.identity import Caller
from services.common.timeutil import zone
from services.common.uow import UnitOfWork


def memory_session(base, kit, service):
    engine = create_engine("sqlite://", poolclass=StaticPool,
                           connect_args={"check_same_thread": False})
    base.metadata.create_all(engine)
    session = Session(engine, expire_on_commit=False)
    session.info.update(kit=kit, service=service)
    return session


def make_uow(base, kit, service, *, now, caller=None, session=None, **options):
    session = session if session is not None else memory_session(base, kit, service)
    return UnitOfWork(session, now, caller, **options)


def person(person_id, project_id, *roles, name=None):
    """A verified caller as a service sees one (``services.common.identity.Caller``)."""
    return Caller(person_id=person_id, project_id=project_id, roles=frozenset(roles),
                  name=name or f"#{person_id}")


def at(text, tz=None):
    """"2026-12-07 08:30:00" in the project's zone (Asia/Shanghai by default), aware."""
    return datetime.fromisoformat(text).replace(tzinfo=zone(tz))


def outbox_events(session, event_type=None):
    """The events queued in this session's outbox, oldest first."""
    table = session.info["kit"].outbox
    rows = session.execute(table.select().order_by(table.c.id)).all()
    return [r.payload for r in rows if event_type is None or r.event_type == event_type]
