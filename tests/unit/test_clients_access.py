"""SYS-02 object-level authorisation in clients (issue 14): the people a request names are of
the project and hold the role the rule needs; a customer's records are read by the people
they are about; "why" about a channel report is the agent's own. The pure rules at their
boundaries, then the use cases on in-memory SQLite."""
import pytest

from services.clients import rules, usecases
from services.common import directory
from services.common.errors import Forbidden, NotFound, Unprocessable
from tests.unit.test_clients_usecases import (  # noqa: F401 (fixture)
    CA,
    CB,
    CLERK,
    MANAGER,
    PID,
    SUPERVISOR,
    A,
    B,
    act,
    customer_with_owner,
    office,
)
from tests.usecase_kit import person

OTHER_PROJECT_CONSULTANT = 77
AGENT = person(40, PID, "channel_agent")


def staff(pid=PID, roles=("consultant",), active=True):
    return {"id": 5, "project_id": pid, "name": "x", "roles": list(roles), "active": active}


# ---------------------------------------------------------------- named_person

@pytest.mark.parametrize("entry", [None, staff(pid=PID + 1)])
def test_sys02_a_person_not_of_the_project_is_unknown_whoever_they_are(entry):
    d = rules.named_person(entry, 5, PID, field="consultant_id", rule="CLI-07")
    assert not d.allowed and d.outcome == "unknown" and d.rule == "SYS-02"
    assert d.data["field"] == "consultant_id"


@pytest.mark.parametrize("entry,allowed", [
    (staff(), True),
    (staff(roles=("consultant", "clerk")), True),
    (staff(roles=("clerk",)), False),
    (staff(roles=("channel_agent",)), False),
    (staff(active=False), False),
])
def test_sys02_a_named_consultant_is_active_and_a_consultant(entry, allowed):
    # clauses: SYS-02.5
    d = rules.named_person(entry, 5, PID, field="consultant_id", rule="CLI-07")
    assert d.allowed is allowed and d.rule == "CLI-07"
    if not allowed:
        assert d.outcome == "invalid" and d.data["field"] == "consultant_id"


# ---------------------------------------------------------------- customer records (CLI-11)

@pytest.mark.parametrize("viewer,roles,allowed", [
    (3, {"supervisor"}, True), (2, {"manager"}, True),
    (A, {"consultant"}, True),          # the owner
    (B, {"consultant"}, True),          # a contact of theirs is on record
    (13, {"consultant"}, False),        # a colleague
    (4, {"receptionist"}, False), (30, {"clerk"}, False), (40, {"channel_agent"}, False),
    (None, set(), False),
])
def test_cli11_a_customers_records_are_read_by_the_consultants_concerned_and_leads(
        viewer, roles, allowed):
    # clauses: SYS-02.7
    d = rules.may_read_customer_records(viewer, roles, A, [A, B])
    assert d.allowed is allowed
    if not allowed:
        assert d.rule == "SYS-02" and d.data["field"] == "customer_id"


# ---------------------------------------------------------------- why (SYS-01 with SYS-02)

def record(subject, **data):
    return {"subject_type": subject, "subject_id": "1", "data": data}


@pytest.mark.parametrize("viewer,roles,by_default,allowed", [
    (40, {"channel_agent"}, False, True),      # the agent who filed it
    (41, {"channel_agent"}, True, False),      # another agent, even if a record names them
    (3, {"supervisor"}, True, True),
    (A, {"consultant"}, True, False),
])
def test_cli06_why_about_a_report_is_for_its_agent_and_the_leads(viewer, roles, by_default,
                                                                allowed):
    # clauses: SYS-02.8
    assert rules.why_visible(viewer, roles, record("channel_report", agent_id=41), by_default,
                             report_agent_id=40) is allowed


@pytest.mark.parametrize("subject,viewer,roles,allowed", [
    ("subscription", B, {"consultant"}, True),     # the closer
    ("subscription", A, {"consultant"}, False),
    ("subscription", 30, {"clerk"}, True),
    ("visit", 30, {"clerk"}, True), ("target", 30, {"clerk"}, True),
    ("customer", 30, {"clerk"}, False),
    ("customer", 4, {"receptionist"}, False),
])
def test_sys01_why_beyond_the_default_closer_and_clerk(subject, viewer, roles, allowed):
    # clauses: SYS-02.8
    assert rules.why_visible(viewer, roles, record(subject), False, closer_id=B) is allowed


# ---------------------------------------------------------------- the use cases

@pytest.fixture
def other(office):  # noqa: F811
    """A consultant of another project in the directory replica."""
    directory.apply_person(office, {"id": OTHER_PROJECT_CONSULTANT, "project_id": PID + 1,
                                    "name": "外人", "roles": ["consultant"]})
    office.commit()
    return office


def referral(consultant_id):
    return {"phone": "13700005555", "name": None, "kind": "staff_referral",
            "consultant_id": consultant_id, "referrer_customer_id": None, "phone_only": False}


def test_sys02_a_staff_referral_names_a_consultant_of_the_project(other):
    # clauses: SYS-02.5
    with pytest.raises(NotFound) as exc:
        usecases.pre_register(act(other, MANAGER), PID, referral(OTHER_PROJECT_CONSULTANT))
    assert (exc.value.rule, exc.value.field) == ("SYS-02", "consultant_id")
    with pytest.raises(NotFound):
        usecases.pre_register(act(other, MANAGER), PID, referral(4040))
    with pytest.raises(Unprocessable) as exc:
        usecases.pre_register(act(other, MANAGER), PID, referral(CLERK))
    assert (exc.value.rule, exc.value.field) == ("CLI-07", "consultant_id")
    d = usecases.pre_register(act(other, MANAGER), PID, referral(A))
    assert d["status"] == "honoured"


def test_sys02_a_channel_agent_files_no_staff_referral(office):  # noqa: F811
    with pytest.raises(Forbidden) as exc:
        usecases.pre_register(act(office, AGENT), PID, referral(A))
    assert exc.value.rule == "SYS-02"


def test_sys02_people_named_in_ownership_commands_are_consultants_of_the_project(other):
    # clauses: SYS-02.5
    c = customer_with_owner(other)
    for command, data, field, rule in (
            (usecases.record_poaching, {"person_id": CLERK}, "person_id", "CLI-09"),
            (usecases.change_consultant, {"person_id": CLERK}, "person_id", "CLI-10"),
            (usecases.override_owner, {"owner_id": CLERK, "reason": "x"}, "owner_id",
             "CLI-11")):
        with pytest.raises(Unprocessable) as exc:
            command(act(other, SUPERVISOR), PID, c, data)
        assert (exc.value.rule, exc.value.field) == (rule, field), command
        other.rollback()
        with pytest.raises(NotFound) as exc:
            command(act(other, SUPERVISOR), PID, c,
                    dict(data, **{field: OTHER_PROJECT_CONSULTANT}))
        assert (exc.value.rule, exc.value.field) == ("SYS-02", field), command
        other.rollback()


def test_sys02_a_consultant_re_registers_only_for_themself(office):  # noqa: F811
    c = customer_with_owner(office)
    with pytest.raises(Forbidden):
        usecases.re_register(act(office, CB), PID, c, {"person_id": A})


def test_cli11_a_colleague_reads_neither_history_nor_dispute(office):  # noqa: F811
    c = customer_with_owner(office)
    assert usecases.customer_history(act(office, CA), PID, c)["customer"]["id"] == c
    for read in (usecases.customer_history, usecases.dispute):
        with pytest.raises(Forbidden) as exc:
            read(act(office, CB), PID, c)
        assert (exc.value.rule, exc.value.field) == ("SYS-02", "customer_id")
    assert usecases.dispute(act(office, SUPERVISOR), PID, c)["owner_id"] == A


def test_sys02_an_event_about_another_projects_customer_changes_nothing(office):  # noqa: F811
    c = customer_with_owner(office)
    usecases.consultant_changed(act(office), {"customer_id": c, "to_person_id": B,
                                              "project_id": PID + 1})
    office.commit()
    assert usecases.get_customer(act(office, MANAGER), PID, c)["owner_id"] == A


def test_sys02_a_lead_names_a_consultant_of_the_project_as_closer(office):  # noqa: F811
    c = customer_with_owner(office)
    unit = usecases.create_unit(act(office, MANAGER), PID, {"code": "1-101"})["id"]
    usecases.confirm_unit(act(office, MANAGER), PID, unit)
    office.commit()
    with pytest.raises(Unprocessable) as exc:
        usecases.subscribe(act(office, MANAGER), PID, {"unit_id": unit, "customer_id": c,
                                                       "closer_id": CLERK})
    assert (exc.value.rule, exc.value.field) == ("CLI-12", "closer_id")
