"""The shared kit without a broker: errors cross RPC intact, tokens, schemas, policy (SYS-03),
the outbox and the idempotent inbox on a real SQLite database."""
from datetime import datetime, timedelta, timezone

import pytest
from marshmallow import fields
from nameko.exceptions import deserialize, serialize
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Session

from services.common import directory, outbox, policy
from services.common.decision import allow, refuse
from services.common.errors import Conflict, Forbidden, Unauthorized, Unprocessable, refused
from services.common.events import Catalogue, Event
from services.common.identity import Caller, issue_token, verify_token
from services.common.inbox import once
from services.common.kit import install_kit
from services.common.policyspec import Key, PolicySpec, at_least, between, clock_time, each, one_of
from services.common.schemas import Schema, load
from services.common.timeutil import at, business_day, parse_instant
from services.common.uow import UnitOfWork

SECRET = "unit-secret-0123456789abcdef0123456789"


def test_errors_cross_nameko_rpc_as_the_same_class_with_rule_and_field():
    exc = deserialize(serialize(Conflict("unit taken", rule="CLI-12", field="unit_id")))
    assert isinstance(exc, Conflict) and exc.status == 409
    assert (exc.rule, exc.field, exc.message) == ("CLI-12", "unit_id", "unit taken")
    plain = deserialize(serialize(Forbidden("no")))
    assert plain.rule is None and plain.field is None


def test_refused_decision_raises_with_its_rule():
    with pytest.raises(Unprocessable) as exc:
        refused(refuse("ATT-01", "Saturday is always a work day"), field="day")
    assert exc.value.rule == "ATT-01" and exc.value.field == "day"
    assert allow("ATT-04", "on time").allowed


def test_token_round_trip_expiry_and_forgery():
    tok = issue_token({"id": 7, "project_id": 3, "roles": ["consultant"], "name": "Li"}, SECRET)
    caller = verify_token(tok, SECRET)
    assert caller == Caller(7, 3, frozenset({"consultant"}), "Li")
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(issue_token({"id": 7}, SECRET, ttl_seconds=-1), SECRET)
    with pytest.raises(Unauthorized):
        verify_token(tok, "another-secret-0123456789abcdef0123")
    with pytest.raises(Unauthorized):
        verify_token(None, SECRET)


def test_roles_project_and_self_checks():
    """SYS-02.2, SYS-02.3, SYS-02.4: roles decide; a consultant acts only for themself and
    inside their own project."""
    li = Caller(7, 3, frozenset({"consultant"}), "Li")
    with pytest.raises(Forbidden):
        li.require("manager")
    li.require_self(7)
    with pytest.raises(Forbidden):
        li.require_self(8, "supervisor")
    Caller(9, 3, frozenset({"supervisor"})).require_self(8, "supervisor")
    with pytest.raises(Forbidden):
        li.require_project(4)
    Caller(1, None, frozenset({"admin"})).require_project(4)


class Thing(Schema):
    name = fields.String(required=True)


def test_schema_rejects_unknown_fields_naming_them():
    with pytest.raises(Unprocessable) as exc:
        load(Thing, {"name": "x", "colour": "red"})
    assert exc.value.field == "colour"
    assert load(Thing, {"name": "x"}) == {"name": "x"}


def test_project_local_business_day():
    """SYS-04.1, SYS-04.2: project-local time (Asia/Shanghai by default); 23:59 and 00:00
    Shanghai are different business days."""
    late = parse_instant("2026-03-02T23:59:59+08:00")
    assert business_day(late).isoformat() == "2026-03-02"
    assert business_day(late + timedelta(seconds=1)).isoformat() == "2026-03-03"
    assert at(business_day(late), "08:30").utcoffset() == timedelta(hours=8)
    assert parse_instant("2026-03-02T08:30:00").utcoffset() == timedelta(hours=8)


class Base(DeclarativeBase):
    pass


KIT = install_kit(Base.metadata)
NOW = datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc)


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'kit.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.info.update(kit=KIT, service="unit")
        yield s


SPEC = PolicySpec("unit", {
    "grace_minutes": Key(0, "ATT-04", check=at_least(0)),
    "work_start": Key("08:30", "ATT-04", check=clock_time),
    "months": Key([3, 6], "MAT-06", check=each(between(1, 12))),
    "chooser": Key("owner", "REC-07", check=one_of("owner", "last_two")),
}, across=lambda v: ("grace_minutes", "at most 60 with chooser last_two")
   if v["chooser"] == "last_two" and v["grace_minutes"] > 60 else None)


def test_policy_defaults_overrides_and_validation(session):
    """SYS-03.1, SYS-03.3: defaults from the rulebook, a manager's change stored per project."""
    assert policy.read(session, 1, SPEC) == SPEC.defaults
    policy.change(session, 1, SPEC, {"grace_minutes": 5}, changed_by=2)
    assert policy.read(session, 1, SPEC)["grace_minutes"] == 5
    assert policy.read(session, 2, SPEC)["grace_minutes"] == 0


@pytest.mark.parametrize("changes,key,rule,words", [
    ({"grace_minutes": "5"}, "grace_minutes", "ATT-04", "whole number"),
    ({"grace_minutes": True}, "grace_minutes", "ATT-04", "whole number"),
    ({"grace_minutes": -1}, "grace_minutes", "ATT-04", "at least 0"),
    ({"work_start": "8.30"}, "work_start", "ATT-04", "clock time"),
    ({"months": [13]}, "months", "MAT-06", "between 1 and 12"),
    ({"chooser": "bogus"}, "chooser", "REC-07", "one of owner, last_two"),
    ({"nonsense": 1}, "nonsense", "SYS-03", "unknown unit policy key"),
])
def test_a_bad_policy_value_is_refused_when_written_naming_key_and_rule(session, changes, key,
                                                                       rule, words):
    """SYS-03.3: a bad value is refused when written, naming the key and its rule."""
    with pytest.raises(Unprocessable, match=words) as refused_:
        policy.change(session, 1, SPEC, changes, changed_by=2)
    assert (refused_.value.field, refused_.value.rule) == (key, rule)
    assert policy.read(session, 1, SPEC) == SPEC.defaults   # nothing stored


def test_policy_checks_across_keys_with_the_stored_values(session):
    policy.change(session, 1, SPEC, {"grace_minutes": 90}, changed_by=2)
    with pytest.raises(Unprocessable) as refused_:
        policy.change(session, 1, SPEC, {"chooser": "last_two"}, changed_by=2)
    assert refused_.value.field == "grace_minutes"


def test_a_stored_value_is_never_silently_replaced_by_the_default(session):
    """SYS-03.4: a value stored before it was checked is a 409 naming the key, not the defaults."""
    session.execute(KIT.policy.insert().values(project_id=1, key="work_start", value="8.30"))
    with pytest.raises(Conflict) as stale:
        policy.read(session, 1, SPEC)
    assert (stale.value.field, stale.value.rule) == ("work_start", "ATT-04")


def test_an_admin_acts_with_the_leading_office_roles_and_never_as_a_consultant():
    admin = Caller(person_id=None, project_id=None, roles=frozenset({"admin"}))
    assert {"manager", "supervisor", "clerk", "receptionist", "storekeeper"} <= admin.acting_roles
    assert "consultant" not in admin.acting_roles and "channel_agent" not in admin.acting_roles
    clerk = Caller(person_id=3, project_id=1, roles=frozenset({"clerk"}))
    assert clerk.acting_roles == {"clerk"}
    with pytest.raises(Forbidden):
        clerk.require("manager")


def test_the_directory_replica_follows_names_roles_active_and_time_zones(session):
    directory.apply_project(session, {"id": 1, "code": "sun", "name": "日出",
                                      "timezone": "Asia/Urumqi"})
    assert directory.timezone(session, 1) == "Asia/Urumqi"
    assert directory.timezone(session, 2) == "Asia/Shanghai"   # not announced yet
    directory.apply_project(session, {"id": 1, "code": "sun", "name": "日出",
                                      "timezone": "Asia/Shanghai"})
    assert directory.timezone(session, 1) == "Asia/Shanghai"
    person = {"id": 8, "project_id": 1, "name": "李娜", "roles": ["consultant"], "active": True}
    directory.apply_person(session, person)
    directory.apply_person(session, dict(person, name="李娜 Li", active=False))
    assert directory.person(session, 8)["active"] is False
    assert directory.names(session, 1, [8, 9]) == {8: "李娜 Li"}
    assert directory.names(session, 2, [8]) == {}                 # another project's person
    assert directory.staff(session, 1) == []                        # inactive people are left out
    assert [p["id"] for p in directory.staff(session, 1, active_only=False)] == [8]


CATALOGUE = Catalogue("unit", emits=(
    Event("thing_decided", ("SYS-01",), "A thing was decided.",
          {"thing_id": "int", "note": "str? only when given"}),))


def test_a_unit_of_work_records_why_and_emits_declared_events_in_one_transaction(session):
    """SYS-01.1, SYS-01.2: the rule and reason are stored and emitted with the change, in one
    transaction; a refusal rolls both back."""
    caller = Caller(person_id=7, project_id=1, roles=frozenset({"manager"}), name="王")
    with UnitOfWork(session, NOW, caller, catalogue=CATALOGUE) as uow:
        uow.decide(allow("SYS-01", "because"), "thing", 5, 1)
        uow.emit("thing_decided", 1, "SYS-01", "because", thing_id=5)
    [event] = outbox.pending(session.get_bind(), KIT)
    assert event["actor"]["person_id"] == 7 and event["thing_id"] == 5
    with pytest.raises(ValueError, match="undeclared"):
        uow.emit("thing_decided", 1, "SYS-01", "because", thing_id=5, phone="13812345678")
    with pytest.raises(ValueError, match="does not declare"):
        uow.emit("thing_forgotten", 1, "SYS-01", "because")
    with pytest.raises(Conflict), UnitOfWork(session, NOW, caller, catalogue=CATALOGUE) as uow:
        uow.emit("thing_decided", 1, "SYS-01", "because", thing_id=6)
        uow.decide(refuse("CLI-12", "taken"), "thing", 6, 1, error=Conflict)
    assert len(outbox.pending(session.get_bind(), KIT)) == 1   # the refusal rolled it all back


def test_outbox_rows_roll_back_with_the_change(session):
    outbox.emit(session, "thing_happened", now=NOW, project_id=1, actor=None, rule="SYS-01",
                reason="because")
    session.rollback()
    assert outbox.pending(session.get_bind(), KIT) == []
    event = outbox.emit(session, "thing_happened", now=NOW, project_id=1, actor=None,
                        rule="SYS-01", reason="because", thing_id=5)
    session.commit()
    assert [p["event_id"] for p in outbox.pending(session.get_bind(), KIT)] == [event["event_id"]]
    sent = []
    assert outbox.relay(session.get_bind(), KIT, lambda t, p: sent.append((t, p))) == 1
    assert sent[0][0] == "thing_happened" and sent[0][1]["thing_id"] == 5
    assert set(sent[0][1]) >= {"event_id", "occurred_at", "project_id", "actor", "rule", "reason"}
    assert outbox.relay(session.get_bind(), KIT, lambda t, p: sent.append(p)) == 0


def test_outbox_keeps_rows_when_publishing_fails(session):
    outbox.emit(session, "a", now=NOW, project_id=1, actor=None, rule="SYS-01", reason="r")
    session.commit()

    def broken(event_type, payload):
        raise ConnectionError("broker down")
    with pytest.raises(ConnectionError):
        outbox.relay(session.get_bind(), KIT, broken)
    assert len(outbox.pending(session.get_bind(), KIT)) == 1


class Handler:
    def __init__(self, session):
        self.db, self.calls = session, []

    @once
    def handle(self, payload):
        self.calls.append(payload["event_id"])


def test_inbox_processes_each_event_once(session):
    handler = Handler(session)
    handler.handle({"event_id": "e1"})
    handler.handle({"event_id": "e1"})
    handler.handle({"event_id": "e2"})
    assert handler.calls == ["e1", "e2"]
    assert len(session.execute(select(KIT.processed)).all()) == 2


def test_why_returns_the_chain_of_decisions(session):
    """SYS-01.3: decisions about a subject come back oldest first with rule and reason."""
    from services.common import why
    why.record(session, allow("REC-01", "Li has the fewest marks", "assigned", marks=1),
               subject_type="walk_in", subject_id=7, now=NOW, project_id=1, actor_id=3)
    why.record(session, refuse("REC-04", "Li was not at the desk", "forfeited"),
               subject_type="walk_in", subject_id=7, now=NOW, project_id=1)
    why.record(session, allow("REC-01", "other"), subject_type="walk_in", subject_id=8, now=NOW,
               project_id=1)
    chain = why.chain(session, "walk_in", 7)
    assert [c["rule"] for c in chain] == ["REC-01", "REC-04"]
    assert chain[0]["data"] == {"marks": 1} and chain[0]["actor_id"] == 3
    assert why.chain(session, "walk_in", 7, project_id=2) == []


def test_why_follows_the_records_a_decision_cites(session):
    """SYS-01.3: asked why B received, the chain shows the records the decision cites (A's pass,
    the sign-in order), each subject once, even when two records cite each other."""
    from services.common import why
    why.record(session, allow("REC-05", "A passed for 30 min", "passed",
                              because=why.because(("sheet", "1-d"))),
               subject_type="pass", subject_id=3, now=NOW, project_id=1)
    why.record(session, allow("ATT-06", "sign-in order A, B", "ordered",
                              because=why.because(("pass", 3))),
               subject_type="sheet", subject_id="1-d", now=NOW, project_id=1)
    why.record(session, allow("REC-01", "B has the fewest marks", "assigned",
                              because=why.because(("pass", 3), ("sheet", "1-d"), ("none", None))),
               subject_type="walk_in", subject_id=9, now=NOW, project_id=1)
    chain = why.chain(session, "walk_in", 9, project_id=1)
    assert [(c["subject_type"], c["rule"]) for c in chain] == \
        [("walk_in", "REC-01"), ("pass", "REC-05"), ("sheet", "ATT-06")]
    assert why.chain(session, "walk_in", 9, project_id=2) == []


def test_report_files_csv_and_xlsx():
    import base64
    import io

    from openpyxl import load_workbook

    from services.common.export import table_file
    rows = [{"name": "李娜", "late": 2}]
    f = table_file(rows, [("name", "姓名 Name"), ("late", "Late")], "csv", "report-2026-03")
    text = base64.b64decode(f["content_b64"]).decode("utf-8-sig")
    assert f["filename"] == "report-2026-03.csv"
    assert text.splitlines() == ["姓名 Name,Late", "李娜,2"]
    f = table_file(rows, [("name", "姓名 Name"), ("late", "Late")], "xlsx", "r")
    sheet = load_workbook(io.BytesIO(base64.b64decode(f["content_b64"]))).active
    assert [c.value for c in sheet[2]] == ["李娜", 2]
    with pytest.raises(Unprocessable):
        table_file(rows, [("name", "n")], "pdf", "r")


def test_a_token_stops_working_when_its_person_changes():
    """Issue 14: deactivated, or roles changed since the token was issued: 401 (SYS-02); a
    person the service has not heard of yet, and a service's own token, pass."""
    from services.common.identity import still_current
    sup = Caller(person_id=5, project_id=1, roles=frozenset({"supervisor"}), name="sup")
    now = {"id": 5, "project_id": 1, "roles": ["supervisor"], "active": True}
    assert still_current(sup, now) is sup
    assert still_current(sup, None) is sup
    for changed in ({**now, "active": False}, {**now, "roles": ["consultant"]},
                    {**now, "roles": ["supervisor", "manager"]}):
        with pytest.raises(Unauthorized) as exc:
            still_current(sup, changed)
        assert exc.value.rule == "SYS-02"
    service = Caller(person_id=None, project_id=None, roles=frozenset({"service"}))
    assert still_current(service, None) is service


def test_a_refusal_after_a_savepoint_leaves_no_row_on_sqlite(tmp_path):
    """pysqlite opens a transaction only before a write: an ``inserted`` row that came first
    must still roll back with the request that refused afterwards (issue 13, kill -9 test)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from services.common.db import inserted, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    meta = sa.MetaData()
    table = sa.Table("thing", meta, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("name", sa.String, unique=True))
    meta.create_all(engine)

    class Thing:
        pass
    sa.orm.registry().map_imperatively(Thing, table)
    with Session(engine) as session:
        session.execute(sa.select(table)).all()        # a read first, as a use case does
        row = Thing()
        row.name = "a"
        assert inserted(session, row)
        session.rollback()                             # the request was refused after all
    with Session(engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
