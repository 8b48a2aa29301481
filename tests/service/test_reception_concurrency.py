"""REC-01/REC-03 under scale-out: two ReceptionService containers on one PostgreSQL database
(competing consumers on the real broker). The database — a row lock on the day's sheet and a
partial unique index on open receptions — not process memory, gives simultaneous walk-ins to
different consultants, never the same one twice."""
import pytest
import sqlalchemy as sa

from services.common.errors import Conflict
from services.common.migrate import upgrade
from services.reception.service import ReceptionService
from tests.helpers import CLOCK_ADMIN, eventually
from tests.service.test_reception_service import (
    NAMES,
    PID,
    RECEPTIONIST,
    Floor,
    at,
    consultant,
)

pytestmark = pytest.mark.postgres
PEOPLE = [101, 102, 103, 104, 105, 106]
NAMES.setdefault(106, "己 F")


def open_directly(engine, person_id, slot):
    """A walk-in and an open reception written straight into the database (no service)."""
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO walk_in (project_id, day, visit_kind, protection_live, at) "
            "VALUES (:p, '2026-03-02', 'new', false, now())"), {"p": PID})
        conn.execute(sa.text(
            "INSERT INTO reception (project_id, day, walk_in_id, person_id, kind, "
            "second_group, slot, marks_delta, status, rule, reason, started_at, "
            "visit_registered) SELECT :p, '2026-03-02', max(id), :who, 'turn', :second, "
            ":slot, 0, 'open', 'REC-03', 'direct', now(), false FROM walk_in"),
            {"p": PID, "who": person_id, "slot": slot, "second": slot > 1})


@pytest.fixture
def pg_floor(pg_url, start_service, rpc_proxy, rabbit_config):
    upgrade("reception", pg_url)  # migrated once, then two instances share the database
    start_service(ReceptionService, database_url=pg_url, migrate=False)
    start_service(ReceptionService, database_url=pg_url, migrate=False)
    rec = rpc_proxy("reception", timeout=30)
    rec.set_clock(CLOCK_ADMIN, at("09:00"))
    floor = Floor(rabbit_config, rec)
    # six sign-ins published at once: both instances take some; the sheet is still in
    # sign-in order because each lands by its sign-in time under the sheet's row lock
    for i, person in enumerate(reversed(PEOPLE)):
        floor.sign_in(person, f"08:{40 - i:02d}", wait=False)
    eventually(lambda: len(floor.entries()) == 6, message="six sign-ins not on the sheet")
    assert floor.order() == PEOPLE
    yield floor, pg_url
    floor.close()


def test_rec03_simultaneous_walk_ins_on_two_instances_go_to_different_consultants(pg_floor):
    # clauses: REC-03.3
    floor, pg_url = pg_floor
    rec = floor.rec
    for _ in range(3):
        replies = [rec.register_walk_in.call_async(RECEPTIONIST, PID, {}) for _ in range(2)]
        taken = [r.result()["reception"] for r in replies]
        assert len({t["person_id"] for t in taken}) == 2, taken
        assert not any(t["second_group"] for t in taken)
        for t in taken:
            rec.complete_reception(consultant(t["person_id"]), PID, t["id"], {"outcome": "ok"})
    assert sorted(floor.marks().values()) == [1, 1, 1, 1, 1, 1]
    # a burst of six at once: six different consultants, nobody twice
    replies = [rec.register_walk_in.call_async(RECEPTIONIST, PID, {}) for _ in range(6)]
    taken = [r.result()["reception"] for r in replies]
    assert sorted(t["person_id"] for t in taken) == PEOPLE
    assert not any(t["second_group"] for t in taken)
    # the seventh has nobody free: a second group, said so
    seventh = rec.register_walk_in(RECEPTIONIST, PID, {})["reception"]
    assert seventh["second_group"]

    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            opened = conn.execute(sa.text(
                "SELECT person_id, count(*) FROM reception WHERE status = 'open' "
                "AND NOT second_group GROUP BY person_id")).all()
            assert sorted(p for p, _ in opened) == PEOPLE and {n for _, n in opened} == {1}
            assert conn.execute(sa.text("SELECT count(*) FROM outbox WHERE "
                                        "event_type = 'reception_started'")).scalar() == 13
        # the partial unique index refuses a second open first-group reception even to a
        # direct write ("one group at a time", REC-03)
        with pytest.raises(sa.exc.IntegrityError):
            open_directly(engine, PEOPLE[0], slot=1)
    finally:
        engine.dispose()


def test_rec03_two_instances_never_give_anyone_a_third_group(pg_floor):
    # clauses: REC-03.5
    """REC-03.4/REC-03.5: with everyone receiving, a burst of walk-ins on two instances gives
    each consultant one second group at most; the rest are refused (409 REC-03), and the
    database itself refuses a third open reception (two slots per consultant and day)."""
    floor, pg_url = pg_floor
    rec = floor.rec
    firsts = [rec.register_walk_in.call_async(RECEPTIONIST, PID, {}) for _ in range(6)]
    assert sorted(r.result()["reception"]["person_id"] for r in firsts) == PEOPLE
    burst = [rec.register_walk_in.call_async(RECEPTIONIST, PID, {}) for _ in range(16)]
    taken, refused = [], []
    for reply in burst:
        try:
            taken.append(reply.result()["reception"])
        except Conflict as exc:
            refused.append(exc.rule)
    assert sorted(t["person_id"] for t in taken) == PEOPLE       # one second group each
    assert all(t["second_group"] for t in taken) and refused == ["REC-03"] * 10
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            held = dict(conn.execute(sa.text(
                "SELECT person_id, count(*) FROM reception WHERE status = 'open' "
                "GROUP BY person_id")).all())
        assert held == {p: 2 for p in PEOPLE}
        with pytest.raises(sa.exc.IntegrityError):   # a third, even written directly
            open_directly(engine, PEOPLE[0], slot=3)
    finally:
        engine.dispose()
