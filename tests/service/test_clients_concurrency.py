"""CLI-12 under scale-out: two ClientsService containers on one PostgreSQL database (competing
consumers on the real broker). The database's partial unique index, not process memory, keeps a
unit to one live subscription (一房二卖 never happens)."""
import pytest
import sqlalchemy as sa

from services.clients.service import ClientsService
from services.common.errors import Conflict
from services.common.migrate import upgrade
from tests.helpers import CLOCK_ADMIN, token

pytestmark = pytest.mark.postgres
PID = 1
MANAGER = token(person_id=2, project_id=PID, roles=("manager",))
DESK = token(person_id=4, project_id=PID, roles=("receptionist",))


def test_cli12_hundred_simultaneous_subscriptions_on_one_unit_two_instances(
        pg_url, start_service, rpc_proxy):
    upgrade("clients", pg_url)  # migrated once, then two instances share the database
    start_service(ClientsService, database_url=pg_url, migrate=False)
    start_service(ClientsService, database_url=pg_url, migrate=False)
    cli = rpc_proxy("clients", timeout=60)
    cli.set_clock(CLOCK_ADMIN, "2026-03-02T10:00:00+08:00")
    unit = cli.create_unit(MANAGER, PID, {"code": "3-1801"})
    cli.confirm_unit(MANAGER, PID, unit["id"])
    customers = [cli.register_customer(DESK, PID, f"139{i:08d}", f"客户{i}", "walk_in")
                 ["customer_id"] for i in range(100)]
    # all 100 subscriptions in flight at once, each by its own consultant, over both instances
    replies = [cli.subscribe.call_async(token(person_id=1000 + i, project_id=PID,
                                              roles=("consultant",)), PID,
                                        {"unit_id": unit["id"], "customer_id": c})
               for i, c in enumerate(customers)]
    ok, refused = [], []
    for reply in replies:
        try:
            ok.append(reply.result())
        except Conflict as exc:
            refused.append(exc)
    assert len(ok) == 1 and len(refused) == 99
    assert all(exc.rule == "CLI-12" for exc in refused)
    assert ok[0]["state"] == "live"
    assert [u["live_subscription_id"] for u in cli.list_units(MANAGER, PID)] == [ok[0]["id"]]

    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            live = conn.execute(sa.text("SELECT count(*) FROM subscription WHERE unit_id = :u "
                                        "AND state = 'live'"), {"u": unit["id"]}).scalar()
            assert live == 1
        # the index refuses a second live subscription even to a direct write
        with pytest.raises(sa.exc.IntegrityError) as exc, engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO subscription (project_id, unit_id, customer_id, closer_id, state, "
                "signed_at, deposit_paid_at, credit_split, form_kept_by, announced, rule, "
                "reason) SELECT project_id, unit_id, :c, closer_id, 'live', signed_at, "
                "deposit_paid_at, credit_split, form_kept_by, announced, rule, reason "
                "FROM subscription WHERE id = :s"), {"c": customers[1], "s": ok[0]["id"]})
        assert "uq_unit_one_live_subscription" in str(exc.value)
    finally:
        engine.dispose()
