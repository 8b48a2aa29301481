"""The shared kit without a broker: errors cross RPC intact, tokens, schemas, policy (SYS-03),
the outbox and the idempotent inbox on a real SQLite database."""
from datetime import datetime, timedelta, timezone

import pytest
from marshmallow import fields
from nameko.exceptions import deserialize, serialize
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Session

from services.common import outbox, policy
from services.common.decision import allow, refuse
from services.common.errors import Conflict, Forbidden, Unauthorized, Unprocessable, refused
from services.common.identity import Caller, issue_token, verify_token
from services.common.inbox import once
from services.common.kit import install_kit
from services.common.schemas import Schema, load
from services.common.timeutil import at, business_day, parse_instant

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
    """SYS-02: a consultant acts only for themself and inside their own project."""
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
    """SYS-04: 23:59 Shanghai and 00:00 Shanghai are different business days."""
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


def test_policy_defaults_overrides_and_validation(session):
    """SYS-03: defaults from the rulebook, a manager's change stored per project."""
    defaults = {"grace_minutes": 0, "work_start": "08:30"}
    assert policy.read(session, 1, defaults) == defaults
    policy.change(session, 1, defaults, {"grace_minutes": 5}, changed_by=2)
    assert policy.read(session, 1, defaults)["grace_minutes"] == 5
    assert policy.read(session, 2, defaults)["grace_minutes"] == 0
    with pytest.raises(Unprocessable, match="must be a int"):
        policy.change(session, 1, defaults, {"grace_minutes": "5"}, changed_by=2)
    with pytest.raises(Unprocessable):
        policy.change(session, 1, defaults, {"grace_minutes": True}, changed_by=2)


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
    """SYS-01: decisions about a subject come back oldest first with rule and reason."""
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


def test_report_files_csv_and_xlsx():
    import base64
    import io

    from openpyxl import load_workbook

    from services.common.export import table_file
    rows = [{"name": "李娜", "late": 2}]
    f = table_file(rows, [("name", "姓名 Name"), ("late", "Late")], "csv", "report-2026-03")
    text = base64.b64decode(f["content_b64"]).decode("utf-8-sig")
    assert f["filename"] == "report-2026-03.csv" and text.splitlines() == ["姓名 Name,Late", "李娜,2"]
    f = table_file(rows, [("name", "姓名 Name"), ("late", "Late")], "xlsx", "r")
    sheet = load_workbook(io.BytesIO(base64.b64decode(f["content_b64"]))).active
    assert [c.value for c in sheet[2]] == ["李娜", 2]
    with pytest.raises(Unprocessable):
        table_file(rows, [("name", "n")], "pdf", "r")
