"""ATT-09 under scale-out: two AttendanceService containers on one PostgreSQL database close
the same day at once (their timers and a manager's request); the day is closed once and each
absent person gets one warning slip (the closed_day primary key decides)."""
import uuid

import pytest
import sqlalchemy as sa

from services.attendance.service import AttendanceService
from services.common.errors import Conflict
from services.common.migrate import upgrade
from tests.helpers import eventually, token

pytestmark = pytest.mark.postgres
ADMIN = token(person_id=999, project_id=None, roles=("admin",), name="admin")


def test_att09_two_instances_close_a_day_once(pg_url, start_service, rpc_proxy):
    # clauses: ATT-09.4
    upgrade("attendance", pg_url)
    for _ in range(2):
        start_service(AttendanceService, database_url=pg_url, migrate=False,
                      DAY_CLOSE_INTERVAL="0.05")
    att = rpc_proxy("attendance", timeout=30)
    att.set_clock(ADMIN, "2026-03-02T08:00:00+08:00")
    pid = att.create_project(ADMIN, {"code": "pg" + uuid.uuid4().hex[:6], "name": "PG"})["id"]
    mgr_id = att.add_staff(ADMIN, pid, {"username": f"m{pid}", "name": "m", "password":
                                        "password1", "roles": ["manager"]})["id"]
    mgr = token(person_id=mgr_id, project_id=pid, roles=("manager",))
    people = [att.add_staff(ADMIN, pid, {"username": f"c{i}-{pid}", "name": f"c{i}",
                                         "password": "password1", "roles": ["consultant"]})["id"]
              for i in range(6)]
    for person in people:
        att.set_roster(mgr, pid, {"person_id": person, "start": "2026-03-02",
                                  "end": "2026-03-02", "rest": []})
    att.set_clock(ADMIN, "2026-03-03T00:01:00+08:00")
    # managers' requests race the two timers
    replies = [att.close_day.call_async(mgr, pid, {"day": "2026-03-02"}) for _ in range(6)]
    outcomes = []
    for reply in replies:
        try:
            outcomes.append(reply.result())
        except Conflict as exc:
            outcomes.append(exc.rule)
    assert all(o == "ATT-09" or o["closed"] for o in outcomes)

    engine = sa.create_engine(pg_url)
    try:
        def settled():
            with engine.connect() as conn:
                return conn.execute(sa.text("SELECT count(*) FROM day_record")).scalar() == 6
        eventually(settled, timeout=10, message="the day was not closed")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM closed_day")).scalar() == 1
            slips = conn.execute(sa.text("SELECT person_id, count(*) FROM ledger_entry "
                                         "GROUP BY person_id")).all()
            assert sorted(slips) == sorted((p, 1) for p in people)
    finally:
        engine.dispose()


def test_att11_3_the_lunch_slot_index_holds_on_postgresql(pg_url):
    """ATT-11.3: on PostgreSQL (the scale-out database) the migration's partial unique index
    refuses a second person out on the same lunch slot of a day, and frees the slot once the
    first is back: two instances cannot send more than the group to lunch."""
    upgrade("attendance", pg_url)
    engine = sa.create_engine(pg_url)
    insert = sa.text("INSERT INTO lunch (project_id, person_id, day, started_at, "
                     "overstay_seconds, slot) VALUES (1, :p, '2026-03-02', "
                     "'2026-03-02 03:30:00+00', 0, 1)")
    try:
        with engine.begin() as conn:
            conn.execute(insert, {"p": 1})
        with pytest.raises(sa.exc.IntegrityError):
            with engine.begin() as conn:
                conn.execute(insert, {"p": 2})
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE lunch SET returned_at = '2026-03-02 04:05:00+00' "
                                 "WHERE person_id = 1"))
            conn.execute(insert, {"p": 2})
            assert conn.execute(sa.text("SELECT count(*) FROM lunch")).scalar() == 2
    finally:
        engine.dispose()


def test_att11_3_two_instances_send_no_more_than_the_group_to_lunch(pg_url, start_service,
                                                                    rpc_proxy):
    """ATT-11.3 under scale-out: four consultants ask two instances for lunch at the same
    moment; exactly three go, each on their own slot (an instance that lost a slot to the
    other takes the next free one), the fourth is refused (409 ATT-11)."""
    upgrade("attendance", pg_url)
    for _ in range(2):
        start_service(AttendanceService, database_url=pg_url, migrate=False)
    att = rpc_proxy("attendance", timeout=30)
    att.set_clock(ADMIN, "2026-03-02T08:00:00+08:00")
    pid = att.create_project(ADMIN, {"code": "pl" + uuid.uuid4().hex[:6], "name": "PL"})["id"]
    sup_id = att.add_staff(ADMIN, pid, {"username": f"s{pid}", "name": "s", "password":
                                        "password1", "roles": ["supervisor"]})["id"]
    sup = token(person_id=sup_id, project_id=pid, roles=("supervisor",))
    tokens = []
    for i in range(4):
        cid = att.add_staff(ADMIN, pid, {"username": f"l{i}-{pid}", "name": f"l{i}",
                                         "password": "password1",
                                         "roles": ["consultant"]})["id"]
        tok = token(person_id=cid, project_id=pid, roles=("consultant",))
        att.punch(tok, pid, {"kind": "in"})
        att.attest_uniform(sup, pid, {"person_id": cid})
        att.sign_in(tok, pid, {})
        tokens.append(tok)
    att.set_clock(ADMIN, "2026-03-02T11:30:00+08:00")
    replies = [att.start_lunch.call_async(tok, pid) for tok in tokens * 2]
    went, refused = [], []
    for reply in replies:
        try:
            went.append(reply.result()["data"]["slot"])
        except Conflict as exc:
            refused.append(exc.rule)
    assert sorted(went) == [1, 2, 3] and refused == ["ATT-11"] * 5
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM lunch WHERE returned_at IS NULL")
                                ).scalar() == 3
    finally:
        engine.dispose()
