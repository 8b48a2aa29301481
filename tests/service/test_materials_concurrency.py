"""MAT-04/MAT-08 under scale-out: two MaterialsService containers on one PostgreSQL database
(competing consumers on the real broker). The database, not process memory, keeps stock from
going below zero and raises stock_low once (clauses MAT-04.3, MAT-08.2; the forms draw on
one plan, MAT-02.5)."""
import pytest
import sqlalchemy as sa

from services.common.errors import Conflict
from services.common.migrate import upgrade
from services.materials.service import MaterialsService
from tests.helpers import CLOCK_ADMIN, token

pytestmark = pytest.mark.postgres
PID = 1
STOREKEEPER = token(person_id=5, project_id=PID, roles=("storekeeper",))
MANAGER = token(person_id=2, project_id=PID, roles=("manager",))


def test_mat04_fifty_simultaneous_issues_of_one_against_five_two_instances(
        pg_url, start_service, rpc_proxy):
    upgrade("materials", pg_url)  # migrated once, then two instances share the database
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:  # the directory replica: the staff the forms name
        people = [(5, "storekeeper"), (3, "supervisor")] + [(r, "consultant")
                                                            for r in range(1000, 1050)]
        for person_id, role in people:
            conn.execute(sa.text(
                "INSERT INTO directory_staff (person_id, project_id, name, roles, active) "
                "VALUES (:i, :p, :n, :r, true)"),
                {"i": person_id, "p": PID, "n": f"#{person_id}", "r": f'["{role}"]'})
    engine.dispose()
    start_service(MaterialsService, database_url=pg_url, migrate=False)
    start_service(MaterialsService, database_url=pg_url, migrate=False)
    mat = rpc_proxy("materials", timeout=30)
    mat.set_clock(CLOCK_ADMIN, "2026-03-02T10:00:00+08:00")  # the plan's quarter (MAT-02)
    item = mat.create_item(STOREKEEPER, PID, {
        "code": "FP-A", "name": "户型单张 A", "specification": "A4", "unit": "sheet",
        "unit_price_cents": 50, "category": "floor_plan", "reorder_level": 2})
    mat.create_receipt(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 5,
                                          "inspector_id": 3, "inspection_passed": True})
    plan = mat.create_plan(STOREKEEPER, PID, {"period": "quarterly", "starts": "2026-01-01",
                                              "milestone": "开盘", "lines": [
                                                  {"item_id": item["id"], "quantity": 50}]})
    mat.approve_plan(MANAGER, PID, plan["id"])
    recipients = range(1000, 1050)
    forms = [mat.create_issue_form(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 1,
                                                      "recipient_id": r}) for r in recipients]
    # all 50 confirmations in flight at once, spread over both instances
    replies = [mat.confirm_issue_form.call_async(token(person_id=r, project_id=PID,
                                                       roles=("consultant",)), PID, f["id"])
               for r, f in zip(recipients, forms)]
    ok, refused = [], []
    for reply in replies:
        try:
            ok.append(reply.result())
        except Conflict as exc:
            refused.append(exc)
    assert len(ok) == 5 and len(refused) == 45
    assert all(exc.rule == "MAT-04" for exc in refused)
    assert sorted(r["balance"] for r in ok) == [0, 1, 2, 3, 4]
    assert mat.get_item(MANAGER, PID, item["id"])["on_hand"] == 0
    issues = [m for m in mat.list_movements(MANAGER, PID, {}) if m["kind"] == "issue"]
    assert len(issues) == 5 and all(m["after"] == m["before"] - 1 for m in issues)

    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            # MAT-08: one crossing of the reorder level, one stock_low, whoever crossed it
            lows = conn.execute(sa.text("SELECT count(*) FROM outbox "
                                        "WHERE event_type = 'stock_low'")).scalar()
            assert lows == 1
            statuses = conn.execute(sa.text("SELECT status, count(*) FROM issue_form "
                                            "GROUP BY status")).all()
            assert dict(statuses) == {"issued": 5, "pending": 45}
        # the CHECK constraint refuses a negative balance even to a direct write
        with pytest.raises(sa.exc.IntegrityError):
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE item SET on_hand = on_hand - 1"))
    finally:
        engine.dispose()
