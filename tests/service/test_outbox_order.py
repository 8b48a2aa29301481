"""Per project and subject, events are published in order with any number of relay instances
(issue 13): on PostgreSQL two relays running at once publish every outbox row exactly once and
in the order the changes were made."""
import threading

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Session

from services.common import outbox
from services.common.kit import install_kit
from services.common.timeutil import utcnow


class Base(DeclarativeBase):
    pass


KIT = install_kit(Base.metadata)


def test_two_relays_publish_each_event_once_and_in_order(pg_url):
    engine = create_engine(pg_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.info["kit"] = KIT
        for n in range(60):
            outbox.emit(session, "thing_moved", now=utcnow(), project_id=1, actor=None,
                        rule="SYS-01", reason="test", subject=7, n=n)
        session.commit()
    published, lock = [], threading.Lock()
    start = threading.Barrier(2)

    def dispatch(event_type, payload):
        with lock:
            published.append(payload["n"])

    def relay():
        start.wait()
        while outbox.pending(engine, KIT):
            outbox.relay(engine, KIT, dispatch, batch=7)

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert published == list(range(60))          # once each, in order
    engine.dispose()
