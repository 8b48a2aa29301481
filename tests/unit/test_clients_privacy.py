"""CLI-14.4, CLI-14.5: CLI-14 cannot be bypassed by guessing (issue 14).

Lookups by phone only for the roles that register contacts, at most
``phone_lookups_per_hour`` per person in the last hour (counted in the database), a service's
own token exempt; every answer that shows a FULL phone number is
logged (who, which customer, when, which action) and masked answers are not."""
from datetime import timedelta

import pytest

from services.clients import events, rules, usecases
from services.clients.models import KIT, Base, PhoneAccess, PhoneLookup
from services.common import directory, policy
from services.common.errors import Forbidden, TooManyRequests
from tests.usecase_kit import at, make_uow, person

PID = 1
A, B = 11, 12
NOON = at("2026-03-02 12:00:00")
PHONE = "13800000002"
CA, CB = person(A, PID, "consultant"), person(B, PID, "consultant")
DESK = person(4, PID, "receptionist")
MANAGER = person(2, PID, "manager")
SUPERVISOR = person(3, PID, "supervisor")
ADMIN = person(999, None, "admin")
SERVICE = person(None, None, "service")


def act(session, caller=None, now=NOON):
    return make_uow(Base, KIT, "clients", now=now, caller=caller, session=session,
                    policy_spec=rules.POLICY, catalogue=events.CATALOGUE)


@pytest.fixture
def office():
    uow = act(None)
    directory.apply_project(uow.session, {"id": PID, "timezone": "Asia/Shanghai"})
    for pid, roles in ((A, ["consultant"]), (B, ["consultant"])):
        directory.apply_person(uow.session, {"id": pid, "project_id": PID, "name": f"#{pid}",
                                             "roles": roles})
    usecases.register_customer(act(uow.session, DESK), PID, PHONE, "王先生")
    uow.session.commit()
    return uow.session


def guess(session, caller, n, now=NOON):
    """``n`` customer searches by phone, one second apart, each committed."""
    for i in range(n):
        uow = act(session, caller, now + timedelta(seconds=i))
        usecases.list_customers(uow, PID, {"phone": f"138{i:08d}"})
        session.commit()


def count(session, model):
    return session.query(model).count()


# ---------------------------------------------------------------- the rule, pure

def test_cli14_rule_the_30th_lookup_allowed_the_31st_refused():
    """CLI-14: 29 made → the 30th allowed; 30 made → the 31st refused (too_many)."""
    assert rules.phone_lookup({"consultant"}, False, 29, 30).allowed
    d = rules.phone_lookup({"consultant"}, False, 30, 30)
    assert not d.allowed and d.rule == "CLI-14" and d.outcome == "too_many"


@pytest.mark.parametrize("role", ["clerk", "storekeeper", "channel_agent"])
def test_cli14_rule_roles_that_register_no_contacts_may_not_look_up(role):
    d = rules.phone_lookup({role}, False, 0, 30)
    assert not d.allowed and d.outcome == "role" and d.rule == "CLI-14"


def test_cli14_rule_a_service_token_is_exempt_even_past_the_limit():
    assert rules.phone_lookup(set(), True, 1000, 30).outcome == "exempt"


def test_cli14_policy_default_is_30_per_hour():
    assert rules.POLICY_DEFAULTS["phone_lookups_per_hour"] == 30


# ---------------------------------------------------------------- the use cases

def test_cli14_the_30th_search_by_phone_answers_the_31st_is_429(office):
    guess(office, CA, 30)
    assert count(office, PhoneLookup) == 30
    uow = act(office, CA, NOON + timedelta(minutes=5))
    with pytest.raises(TooManyRequests) as e:
        usecases.list_customers(uow, PID, {"phone": PHONE})
    assert e.value.rule == "CLI-14"
    office.rollback()
    # the same limit on the ownership lookup (one count for both)
    with pytest.raises(TooManyRequests):
        usecases.owner_of(act(office, CA, NOON + timedelta(minutes=5)), PID, PHONE)
    office.rollback()
    # per person: another consultant is not limited by A's guessing
    assert usecases.owner_of(act(office, CB, NOON + timedelta(minutes=5)), PID, PHONE)


def test_cli14_an_hour_after_the_first_lookup_one_more_is_allowed(office):
    guess(office, CA, 30)                       # at 12:00:00 … 12:00:29
    just_before = NOON + timedelta(hours=1) - timedelta(seconds=1)
    with pytest.raises(TooManyRequests):
        usecases.owner_of(act(office, CA, just_before), PID, PHONE)
    office.rollback()
    # at 13:00:00 the 12:00:00 lookup is an hour old and no longer counts
    out = usecases.owner_of(act(office, CA, NOON + timedelta(hours=1)), PID, PHONE)
    assert out["customer_id"] is not None
    office.commit()
    with pytest.raises(TooManyRequests):      # …and that one took the freed place
        usecases.owner_of(act(office, CA, NOON + timedelta(hours=1)), PID, PHONE)


def test_cli14_the_limit_is_the_projects_policy(office):
    policy.change(office, PID, rules.POLICY, {"phone_lookups_per_hour": 2}, MANAGER.person_id)
    office.commit()
    guess(office, CA, 2)
    with pytest.raises(TooManyRequests):
        usecases.owner_of(act(office, CA), PID, PHONE)


@pytest.mark.parametrize("role", ["clerk", "storekeeper", "channel_agent"])
def test_cli14_wrong_role_gets_403_on_both_lookups(office, role):
    caller = person(50, PID, role)
    with pytest.raises(Forbidden) as e:
        usecases.owner_of(act(office, caller), PID, PHONE)
    assert e.value.rule == "CLI-14"
    with pytest.raises(Forbidden):
        usecases.list_customers(act(office, caller), PID, {"phone": PHONE})


def test_cli14_a_list_without_phone_is_no_lookup(office):
    usecases.list_customers(act(office, person(50, PID, "clerk")), PID, {})
    assert count(office, PhoneLookup) == 0


@pytest.mark.parametrize("caller", [DESK, CA, SUPERVISOR, MANAGER, ADMIN])
def test_cli14_the_roles_that_register_contacts_may_look_up(office, caller):
    assert usecases.owner_of(act(office, caller), PID, PHONE)["customer_id"]


def test_cli14_the_service_token_is_exempt_from_role_and_limit(office):
    for i in range(40):
        usecases.owner_of(act(office, SERVICE, NOON + timedelta(seconds=i)), PID, PHONE)
        office.commit()
    assert count(office, PhoneLookup) == 0


def test_cli14_a_lookup_stores_the_customer_id_or_a_hash_never_the_number(office):
    usecases.owner_of(act(office, CA), PID, PHONE)
    usecases.owner_of(act(office, CA), PID, "13900000009")
    rows = office.query(PhoneLookup).order_by(PhoneLookup.id).all()
    assert rows[0].customer_id and rows[0].phone_hash is None
    assert rows[1].customer_id is None and len(rows[1].phone_hash) == 64
    assert "13900000009" not in rows[1].phone_hash


# ---------------------------------------------------------------- the access log

def test_cli14_masked_views_are_not_logged(office):
    """A consultant who does not own the customer sees it masked: no access row."""
    out = usecases.list_customers(act(office, CA), PID, {"phone": PHONE})
    assert out[0]["phone_masked"] and count(office, PhoneAccess) == 0
    usecases.owner_of(act(office, MANAGER), PID, PHONE)    # owner_of shows only the mask
    assert count(office, PhoneAccess) == 0


def test_cli14_full_views_are_logged_and_the_manager_reads_them(office):
    c = usecases.list_customers(act(office, SUPERVISOR), PID, {"phone": PHONE})[0]
    assert not c["phone_masked"]
    later = NOON + timedelta(minutes=1)
    usecases.get_customer(act(office, MANAGER, later), PID, c["id"])
    office.commit()
    log = usecases.phone_access_log(act(office, MANAGER), PID, {})
    assert [(r["person_id"], r["customer_id"], r["action"]) for r in log] == [
        (2, c["id"], "get_customer"), (3, c["id"], "list_customers")]      # newest first
    only = usecases.phone_access_log(act(office, MANAGER), PID, {"person_id": 3})
    assert [r["action"] for r in only] == ["list_customers"]
    assert usecases.phone_access_log(act(office, MANAGER), PID, {"customer_id": 999}) == []


def test_cli14_a_refused_lookup_is_neither_counted_nor_logged(office):
    guess(office, SUPERVISOR, 30)
    n = count(office, PhoneAccess)
    with pytest.raises(TooManyRequests):
        usecases.list_customers(act(office, SUPERVISOR), PID, {"phone": PHONE})
    office.rollback()
    assert count(office, PhoneLookup) == 30 and count(office, PhoneAccess) == n
