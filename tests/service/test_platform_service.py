"""Foundation on the real broker: the outbox delivers, duplicates are handled once, identity is
checked by the service itself, and every service answers health (SYS-01, SYS-02)."""
import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.orm import DeclarativeBase

from services.attendance.service import AttendanceService
from services.clients.service import ClientsService
from services.common.db import Database
from services.common.errors import Forbidden, Unauthorized, Unprocessable
from services.common.inbox import once
from services.common.kit import install_kit
from services.materials.service import MaterialsService
from services.reception.service import ReceptionService
from tests.helpers import eventually, token

ADMIN = token(person_id=1, project_id=None, roles=("admin",), name="root")


class RecorderBase(DeclarativeBase):
    pass


RECORDER_KIT = install_kit(RecorderBase.metadata)
received = Table("received", RecorderBase.metadata,
                 Column("id", Integer, primary_key=True), Column("event_id", String(36)),
                 Column("username", String(80)))


class Recorder:
    """A stand-in consumer with an idempotent handler, like every real one."""
    name = "recorder"
    db = Database(RECORDER_KIT)

    @event_handler("attendance", "staff_added")
    @once
    def on_staff_added(self, payload):
        self.db.execute(received.insert().values(event_id=payload["event_id"],
                                                 username=payload["person"]["username"]))


@pytest.fixture
def recorder(start_service, tmp_path):
    url = f"sqlite:///{tmp_path / 'recorder.db'}"
    from sqlalchemy import create_engine
    engine = create_engine(url)
    RecorderBase.metadata.create_all(engine)
    start_service(Recorder, database_url=url, migrate=False)

    def rows():
        with engine.connect() as conn:
            return conn.execute(select(received.c.event_id, received.c.username)).all()
    return rows


def make_project(att):
    project = att.create_project(ADMIN, {"code": "p1", "name": "Project one"})
    manager = token(person_id=2, project_id=project["id"], roles=("manager",))
    return project, manager


def test_every_service_answers_health(start_service, rpc_proxy):
    for cls in (AttendanceService, ReceptionService, ClientsService, MaterialsService):
        start_service(cls)
        assert rpc_proxy(cls.name).health()["status"] == "up"


def test_state_change_and_event_commit_together_and_are_delivered(start_service, rpc_proxy,
                                                                  recorder):
    """SYS-01.2: staff_added is published from the outbox and carries rule and reason."""
    start_service(AttendanceService)
    att = rpc_proxy("attendance")
    project, manager = make_project(att)
    person = att.add_staff(manager, project["id"], {"username": "li", "name": "Li",
                                                    "password": "password1",
                                                    "roles": ["consultant"]})
    assert person["roles"] == ["consultant"]
    rows = eventually(recorder, message="staff_added was not delivered")
    assert [r.username for r in rows] == ["li"]


def test_refused_change_writes_neither_state_nor_event(start_service, rpc_proxy, recorder):
    start_service(AttendanceService)
    att = rpc_proxy("attendance")
    project, manager = make_project(att)
    with pytest.raises(Unprocessable) as exc:
        att.add_staff(manager, project["id"], {"username": "li", "name": "Li",
                                               "password": "short", "roles": ["consultant"]})
    assert exc.value.field == "password"
    assert att.list_staff(manager, project["id"]) == []
    att.add_staff(manager, project["id"], {"username": "zz", "name": "Z",
                                           "password": "password1", "roles": ["consultant"]})
    eventually(recorder)
    assert [r.username for r in recorder()] == ["zz"]


def test_duplicate_delivery_is_handled_once(start_service, rabbit_config, recorder):
    dispatch = event_dispatcher(dict(rabbit_config))
    payload = {"event_id": "0b0e4f4a-0000-4000-8000-000000000001", "project_id": 1,
               "rule": "SYS-02", "reason": "test", "actor": None,
               "person": {"username": "dup"}}
    dispatch("attendance", "staff_added", payload)
    dispatch("attendance", "staff_added", payload)
    dispatch("attendance", "staff_added",
             dict(payload, event_id="0b0e4f4a-0000-4000-8000-000000000002"))
    eventually(lambda: len(recorder()) == 2)
    # a third delivery of the first event still changes nothing
    dispatch("attendance", "staff_added", payload)
    dispatch("attendance", "staff_added",
             dict(payload, event_id="0b0e4f4a-0000-4000-8000-000000000003"))
    eventually(lambda: len(recorder()) == 3)
    assert sorted(r.event_id[-1] for r in recorder()) == ["1", "2", "3"]


def test_service_checks_identity_itself(start_service, rpc_proxy):
    """SYS-02.1, SYS-02.2: a forged token or a role that may not act is refused by the
    service, not only by the gateway."""
    start_service(AttendanceService)
    att = rpc_proxy("attendance")
    project, manager = make_project(att)
    consultant = token(person_id=9, project_id=project["id"], roles=("consultant",))
    with pytest.raises(Forbidden) as exc:
        att.add_staff(consultant, project["id"], {"username": "x1", "name": "X",
                                                  "password": "password1", "roles": ["consultant"]})
    assert exc.value.rule == "SYS-02"
    with pytest.raises(Unauthorized):
        att.list_staff(manager + "x", project["id"])
    other_manager = token(person_id=3, project_id=project["id"] + 1, roles=("manager",))
    with pytest.raises(Forbidden):
        att.list_staff(other_manager, project["id"])


def test_a_redelivered_request_is_done_once_with_its_first_answer(start_service, rabbit_config):
    """Issue 13: the broker redelivers a request that was in progress when its service died;
    the same Idempotency-Key (in nameko's context data) gets the first answer and changes
    nothing. Another key is another request (here refused: the code is taken)."""
    from nameko.standalone.rpc import ServiceRpcProxy

    from services.common.errors import Conflict
    from services.common.idempotency import CONTEXT_KEY
    start_service(AttendanceService)

    def ask(key):
        with ServiceRpcProxy("attendance", dict(rabbit_config), timeout=10,
                             context_data={CONTEXT_KEY: key}) as att:
            return att.create_project(ADMIN, {"code": "once", "name": "Once"})
    first = ask("k-1")
    assert ask("k-1") == first
    with pytest.raises(Conflict):
        ask("k-2")
    with ServiceRpcProxy("attendance", dict(rabbit_config), timeout=10) as att:
        assert [p["code"] for p in att.list_projects(ADMIN)] == ["once"]
