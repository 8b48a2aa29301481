"""SYS-02 in the store (issue 14): an issue form names a recipient of the project; "why"
about stock is the office's, every reason the storekeeper's, none of it a channel agent's."""
import pytest

from services.common.errors import Unprocessable
from services.materials import constants, rules, usecases
from tests.unit.test_materials_usecases import (  # noqa: F401 (fixture)
    STOREKEEPER,
    act,
    issue,
    item,
    plan,
    session,
    staff,
)


@pytest.mark.parametrize("recipient", [404, 21, 22])
def test_mat04_an_issue_form_names_active_staff_of_the_project(session, recipient):  # noqa: F811
    staff(session, 21, "consultant", project_id=2)          # another project's consultant
    staff(session, 22, "consultant", active=False)          # a consultant who left
    made = item(session, stock=10)
    plan(session, made["id"], 5)
    with pytest.raises(Unprocessable) as exc:
        act(session, STOREKEEPER, usecases.create_issue_form, {
            "item_id": made["id"], "item_name": None, "specification": None, "quantity": 1,
            "recipient_id": recipient, "purpose": ""})
    assert (exc.value.rule, exc.value.field) == ("MAT-04", "recipient_id")


def rec(subject):
    return {"subject_type": subject, "subject_id": "1", "data": {}}


@pytest.mark.parametrize("roles,record,by_default,allowed", [
    ({"storekeeper"}, rec("issue_form"), False, True),
    ({"consultant"}, rec("request"), False, True),         # their own (owners)
    ({"consultant"}, rec("issue_form"), False, False),
    ({"consultant"}, rec("movement"), True, True),
    ({"channel_agent"}, rec("movement"), True, False),
    ({"channel_agent"}, rec("item"), True, False),
    ({"channel_agent", "consultant"}, rec("item"), True, True),
])
def test_sys01_who_reads_the_stores_reasons(roles, record, by_default, allowed):
    # clauses: SYS-02.8
    owners = {11} if record["subject_type"] == "request" else {12}
    assert rules.why_visible(11, roles, record, by_default, owners) is allowed


def test_sys01_whose_a_store_subject_is(session):  # noqa: F811
    made = item(session, stock=10)
    form = issue(session, made["id"], 2)
    assert usecases.why_owners(session, "issue_form", form["id"]) == {11}
    assert usecases.why_owners(session, "desk_kit", "12:2026-03-02") == {12}
    assert usecases.why_owners(session, "issue_form", "x") == set()
    assert usecases.why_owners(session, "issue_form", 2 ** 70) == set()
    assert usecases.why_owners(session, "movement", 1) == set()


def test_sys02_the_store_is_for_the_office_staff_not_a_channel_agent():
    assert "channel_agent" not in constants.STAFF
    assert {"consultant", "storekeeper", "clerk", "receptionist"} <= set(constants.STAFF)
    assert {"item", "movement"} <= rules.WHY_PUBLIC
