"""SYS-02 object-level authorisation at the desk (issue 14): the people a command names are
consultants of the project, a change of consultant is about a customer who came to this
desk, and "why" shows a consultant the public sheet and what is about them."""
import pytest

from services.common import directory
from services.common.errors import NotFound, Unprocessable
from services.reception import rules, usecases
from tests.unit.test_reception_usecases import (  # noqa: F401 (fixture)
    DESK,
    MANAGER,
    PID,
    A,
    B,
    act,
    office,
    walk_in,
)

CLERK, OUTSIDER = 30, 88


def staff(roles=("consultant",), pid=PID, active=True):
    return {"id": 5, "project_id": pid, "name": "x", "roles": list(roles), "active": active}


@pytest.mark.parametrize("entry,allowed", [
    (None, True),                              # on this project's sheet, not yet announced
    (staff(), True),
    (staff(roles=("clerk",)), False),
    (staff(roles=("receptionist",)), False),
    (staff(active=False), False),
])
def test_sys02_a_named_person_is_an_active_consultant(entry, allowed):
    d = rules.named_staff(entry, 5, PID, field="person_id", rule="REC-09")
    assert d.allowed is allowed and d.rule == "REC-09"
    if not allowed:
        assert d.outcome == "invalid" and d.data["field"] == "person_id"


def rec(subject, subject_id="1", **data):
    return {"subject_type": subject, "subject_id": subject_id, "data": data}


@pytest.mark.parametrize("record,viewer,roles,allowed", [
    (rec("walk_in", person_id=B), 4, {"receptionist"}, True),
    (rec("call", answered_by=B), 4, {"receptionist"}, True),
    (rec("consultant", str(B)), 4, {"receptionist"}, False),    # a suspension: not the desk's
    (rec("consultant", str(B)), B, {"consultant"}, True),       # their own suspension
    (rec("consultant", str(B)), A, {"consultant"}, False),
    (rec("customer", from_person_id=A, to_person_id=B), B, {"consultant"}, True),
    (rec("customer", from_person_id=A, to_person_id=B), 103, {"consultant"}, False),
    (rec("call_fault", person_id=A), A, {"consultant"}, True),
    (rec("call_fault", person_id=A), B, {"consultant"}, False),
    (rec("call", answered_by=A), 40, {"channel_agent"}, False),
])
def test_sys01_why_at_the_desk_beyond_the_default(record, viewer, roles, allowed):
    # clauses: SYS-02.8
    assert rules.why_visible(viewer, roles, record, False) is allowed


def test_sys01_the_rotation_sheet_is_public():
    assert {"sheet", "consultant_day"} <= rules.WHY_PUBLIC
    assert rules.why_visible(A, {"consultant"}, rec("sheet"), True)


@pytest.fixture
def desk(office):  # noqa: F811
    for pid, roles, project in ((CLERK, ["clerk"], PID), (OUTSIDER, ["consultant"], PID + 1)):
        directory.apply_person(office, {"id": pid, "project_id": project, "name": f"#{pid}",
                                        "roles": roles})
    office.commit()
    return office


def test_sys02_a_refusal_is_recorded_against_a_consultant_of_the_project(desk):
    # clauses: SYS-02.5
    for person_id, error, rule in ((CLERK, Unprocessable, "REC-09"),
                                   (OUTSIDER, NotFound, "SYS-02"), (4040, NotFound, "SYS-02")):
        with pytest.raises(error) as exc, act(desk, MANAGER) as uow:
            usecases.record_refusal(uow, PID, {"person_id": person_id, "kind": "refusal"})
        assert (exc.value.rule, exc.value.field) == (rule, "person_id"), person_id


def test_sys02_a_change_of_consultant_is_about_this_desks_customer_and_consultants(desk):
    # clauses: SYS-02.6
    with pytest.raises(NotFound) as exc, act(desk, DESK) as uow:
        usecases.change_consultant(uow, PID, {"customer_id": 77, "from_person_id": A,
                                              "to_person_id": B})
    assert (exc.value.rule, exc.value.field) == ("SYS-02", "customer_id")
    walk_in(desk, phone="13812341234")             # customer 77 comes to the desk
    with pytest.raises(Unprocessable) as exc, act(desk, DESK) as uow:
        usecases.change_consultant(uow, PID, {"customer_id": 77, "from_person_id": A,
                                              "to_person_id": CLERK})
    assert (exc.value.rule, exc.value.field) == ("REC-11", "to_person_id")
    with pytest.raises(NotFound) as exc, act(desk, DESK) as uow:
        usecases.change_consultant(uow, PID, {"customer_id": 77, "from_person_id": OUTSIDER,
                                              "to_person_id": B})
    assert (exc.value.rule, exc.value.field) == ("SYS-02", "from_person_id")


def test_sys02_a_call_is_answered_by_a_consultant_of_the_project(desk):
    # clauses: SYS-02.5
    for person_id, error, rule in ((CLERK, Unprocessable, "REC-12"),
                                   (OUTSIDER, NotFound, "SYS-02")):
        with pytest.raises(error) as exc, act(desk, DESK) as uow:
            usecases.register_call(uow, PID, {"caller": "x", "answered_by": person_id}, None)
        assert (exc.value.rule, exc.value.field) == (rule, "answered_by"), person_id
        with pytest.raises(error) as exc, act(desk, MANAGER) as uow:
            usecases.record_unregistered_call(uow, PID, {
                "answered_by": person_id, "at": "2026-03-02T09:00:00+08:00", "note": "log"})
        assert (exc.value.rule, exc.value.field) == (rule, "answered_by"), person_id


def test_rec12_an_unregistered_call_answers_its_time_in_utc_like_every_instant(desk):
    with act(desk, MANAGER, "18:00") as uow:
        fault = usecases.record_unregistered_call(uow, PID, {
            "answered_by": A, "at": "2026-03-02T10:05:00+08:00", "note": "话单 phone log"})
    assert fault["occurred_at"] == "2026-03-02T02:05:00+00:00"
