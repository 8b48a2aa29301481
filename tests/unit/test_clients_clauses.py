"""Clients' clauses at their boundaries (docs/conformance.md, CLI), on in-memory SQLite: the
visit as reception reports it (contract 4: arrived_at, named_person_id), call-to-visit
(CLI-08), claims decided with stored times (CLI-04/05/07), price negotiation and phone-only
evidence as recorded facts, re-registration with a sign-off (CLI-03), the visit register and
targets (CLI-13), expired reports (CLI-06)."""
import uuid

import pytest

from services.clients import usecases
from services.clients.models import Claim, Contact, Customer, Visit
from services.common import directory, why
from services.common.errors import Conflict, Forbidden, Unprocessable
from tests.unit.test_clients_usecases import (
    ADMIN,
    CA,
    CB,
    DESK,
    MANAGER,
    PID,
    SUPERVISOR,
    A,
    B,
    act,
    confirmed_unit,
    office,  # noqa: F401 (fixture)
)
from tests.usecase_kit import at, person

X = 13                                     # a third consultant, the one the customer names
CX = person(X, PID, "consultant")
PHONE = "13912345678"
ARRIVAL = "2026-03-02T02:00:00+00:00"      # 10:00 Shanghai
REC = iter(range(100, 10_000))


@pytest.fixture
def db(office):  # noqa: F811 (test_clients_usecases' fixture: the office's directory)
    directory.apply_person(office, {"id": X, "project_id": PID, "name": "赵敏",
                                    "roles": ["consultant"]})   # the consultant named (CLI-07)
    office.commit()
    return office


def started(customer_id, person_id, arrived_at=ARRIVAL, named=None, reception_id=None,
            occurred_at=None):
    return {"event_id": str(uuid.uuid4()), "project_id": PID,
            "reception_id": reception_id or next(REC), "customer_id": customer_id,
            "person_id": person_id, "kind": "turn", "credit_owner_id": person_id,
            "arrived_at": arrived_at, "named_person_id": named,
            "occurred_at": occurred_at or arrived_at}


def completed(start, occurred_at="2026-03-02T02:40:00+00:00", **extra):
    return dict(start, event_id=str(uuid.uuid4()), occurred_at=occurred_at, outcome="visited",
                **extra)


def newcomer(session, phone=PHONE, name="赵女士"):
    return usecases.register_customer(act(session, DESK), PID, phone, name)["customer_id"]


def call(session, customer_id, person_id, occurred_at):
    usecases.call_registered(act(session), {"event_id": str(uuid.uuid4()),
                                            "customer_id": customer_id, "answered_by": person_id,
                                            "occurred_at": occurred_at})


def visit_of(session, customer_id, person_id, named=None, arrived_at=ARRIVAL):
    s = started(customer_id, person_id, arrived_at, named)
    usecases.reception_started(act(session), s)
    usecases.reception_completed(act(session), completed(s))
    session.commit()
    return s


def owner(session, customer_id):
    session.flush()
    session.expire_all()
    return session.get(Customer, customer_id).owner_id


def visit_records(session, reception_id):
    v = session.query(Visit).filter_by(reception_id=reception_id).one()
    return v, why.chain(session, "visit", v.id)


# ---------------------------------------------------------------- CLI-08 call-to-visit

def test_cli08_2_a_named_consultant_with_a_call_registered_before_arrival_owns(db):
    """CLI-08.1 the named consultant is stored on the visit; CLI-08.2 a registration a minute
    before the arrival decides (the rotation's receiver B's visit is recorded for X)."""
    c = newcomer(db)
    call(db, c, X, "2026-03-02T01:59:00+00:00")                  # 09:59, registered
    s = visit_of(db, c, B, named=X)
    assert owner(db, c) == X
    v, records = visit_records(db, s["reception_id"])
    assert v.named_person_id == X
    assert [r["outcome"] for r in records if r["rule"] == "CLI-08"] == ["named_registered"]


def test_cli08_4_a_call_a_minute_before_walking_in_without_registration_makes_no_owner(db):
    """CLI-08.4: the customer called X a minute before but nobody registered it: X gets
    nothing; the natural visit's receiver owns by first contact (CLI-02)."""
    c = newcomer(db)
    s = visit_of(db, c, B, named=X)
    assert owner(db, c) == B
    _, records = visit_records(db, s["reception_id"])
    [d] = [r for r in records if r["rule"] == "CLI-08"]
    assert d["outcome"] == "natural_visit" and "no registration" in d["reason"]


def test_cli08_4_a_call_registered_at_the_arrival_itself_is_not_before_it(db):
    """CLI-08.4 boundary: registered at 10:00:00, arrival 10:00:00: not before the arrival."""
    c = newcomer(db)
    s = started(c, B, named=X)
    usecases.reception_started(act(db), s)
    call(db, c, X, ARRIVAL)
    _, records = visit_records(db, s["reception_id"])
    assert [r["outcome"] for r in records if r["rule"] == "CLI-08"] == ["natural_visit"]


def test_cli08_3_a_customer_who_names_nobody_is_a_natural_visit(db):
    """CLI-08.3"""
    c = newcomer(db)
    s = visit_of(db, c, B)
    _, records = visit_records(db, s["reception_id"])
    [d] = [r for r in records if r["rule"] == "CLI-08"]
    assert d["outcome"] == "natural_visit" and "named no consultant" in d["reason"]
    assert owner(db, c) == B


def test_cli02_2_the_visit_is_registered_at_its_arrival_not_when_the_event_came(db):
    """CLI-02.2 registration order with the visit's real time (contract 4): B's visit arrived
    09:59 and completed 10:40; X's call registered at 10:00 comes after it."""
    c = newcomer(db)
    s = started(c, B, arrived_at="2026-03-02T01:59:00+00:00")
    usecases.reception_started(act(db), s)
    call(db, c, X, ARRIVAL)                                       # owns for now
    usecases.reception_completed(act(db), completed(s))
    contact = db.query(Contact).filter_by(kind="visit").one()
    assert contact.at == at("2026-03-02 09:59")


# ---------------------------------------------------------------- CLI-04/05/07 claims

def referral(session, caller, referrer, phone=PHONE, now=None):
    return usecases.pre_register(act(session, caller, now or at("2026-03-02 09:59:59")), PID, {
        "phone": phone, "name": "赵女士", "kind": "customer_referral", "consultant_id": None,
        "referrer_customer_id": referrer})


def test_cli04_2_a_referral_registered_a_second_before_the_arrival_gives_a(db):
    """CLI-04.1/CLI-04.2: registered 09:59:59, arrival 10:00:00: A owns; B's visit stays A's."""
    from tests.unit.test_clients_usecases import customer_with_owner
    referrer = customer_with_owner(db, owner=A, phone="13600000001")
    d = referral(db, CA, referrer)
    assert d["rule"] == "CLI-04" and d["data"]["owner_id"] == A
    visit_of(db, d["customer_id"], B)
    assert owner(db, d["customer_id"]) == A


def test_cli04_4_a_referral_registered_after_the_arrival_is_a_chance_meeting(db):
    """CLI-04.2 boundary / CLI-04.4: the visit is on record from 10:00:00 (reception_started),
    a referral registered at 10:00:00 is not before it and the customer named nobody."""
    from tests.unit.test_clients_usecases import customer_with_owner
    referrer = customer_with_owner(db, owner=A, phone="13600000001")
    c = newcomer(db)
    usecases.reception_started(act(db), started(c, B))
    with pytest.raises(Conflict) as exc:
        referral(db, CA, referrer, now=at("2026-03-02 10:00:00"))
    assert exc.value.rule == "CLI-04" and "chance meeting" in exc.value.message


def test_cli04_3_the_newcomer_who_names_a_on_arrival_belongs_to_a(db):
    """CLI-04.3: named A on arrival (contract 4's named_person_id): the referral registered
    after the arrival still gives A, and B, who received, gives way."""
    from tests.unit.test_clients_usecases import customer_with_owner
    referrer = customer_with_owner(db, owner=A, phone="13600000001")
    c = newcomer(db)
    visit_of(db, c, B, named=A)
    assert owner(db, c) == B
    d = referral(db, CA, referrer, now=at("2026-03-02 10:30"))
    assert d["outcome"] == "claimed" and owner(db, c) == A
    # CLI-11.1: the registration records replay the claim the same way
    assert usecases.dispute(act(db, SUPERVISOR), PID, c)["by_records"]["data"]["owner_id"] == A


def test_cli05_2_a_relative_registered_after_the_visit_has_no_claim(db):
    """CLI-05.1 before the visit: the consultant's; CLI-05.2 after the arrival: no claim."""
    c = newcomer(db)
    usecases.reception_started(act(db), started(c, B))
    data = {"phone": PHONE, "name": None, "kind": "relative", "consultant_id": None,
            "referrer_customer_id": None}
    with pytest.raises(Conflict) as exc:
        usecases.pre_register(act(db, CA, at("2026-03-02 10:00:00")), PID, data)
    assert exc.value.rule == "CLI-05"
    d = usecases.pre_register(act(db, CA, at("2026-03-02 09:00")), PID,
                              dict(data, phone="13900000002"))
    assert d["rule"] == "CLI-05" and d["data"]["owner_id"] == A
    visit_of(db, d["customer_id"], B)
    assert owner(db, d["customer_id"]) == A


def staff_referral(session, phone=PHONE, now=at("2026-03-02 10:20"), phone_only=False):
    return usecases.pre_register(act(session, DESK, now), PID, {
        "phone": phone, "name": None, "kind": "staff_referral", "consultant_id": X,
        "referrer_customer_id": None, "phone_only": phone_only})


def test_cli07_1_a_staff_referral_before_price_negotiation_goes_to_the_named(db):
    """CLI-07.1: B received at 10:00; the referral registered at 10:20, before any price
    negotiation: X owns (B gives way)."""
    c = newcomer(db)
    visit_of(db, c, B)
    d = staff_referral(db)
    assert d["rule"] == "CLI-07" and d["outcome"] == "claimed" and owner(db, c) == X
    assert usecases.dispute(act(db, SUPERVISOR), PID, c)["by_records"]["data"]["owner_id"] == X


def test_cli07_2_after_price_negotiation_started_the_receiver_keeps_the_credit(db):
    """CLI-07.2: price negotiation is a recorded fact (who, when) by the receiving consultant;
    a referral registered at that very minute or later is refused; nobody else records it."""
    c = newcomer(db)
    visit_of(db, c, B)
    with pytest.raises(Forbidden) as exc:                             # not the receiver
        usecases.start_price_talk(act(db, CX, at("2026-03-02 10:10")), PID, c)
    assert exc.value.rule == "CLI-07"
    d = usecases.start_price_talk(act(db, CB, at("2026-03-02 10:10")), PID, c)
    assert d["outcome"] == "price_talk_started" and d["data"]["started_by"] == B
    with pytest.raises(Conflict):                                     # recorded once
        usecases.start_price_talk(act(db, SUPERVISOR, at("2026-03-02 10:11")), PID, c)
    with pytest.raises(Conflict) as exc:
        staff_referral(db, now=at("2026-03-02 10:10"))
    assert exc.value.rule == "CLI-07" and "receiving consultant" in exc.value.message
    assert owner(db, c) == B


def test_cli07_3_a_phone_only_referral_is_honoured_once_the_evidence_is_produced(db):
    """CLI-07.3: awaiting evidence until the referral form, call record and follow-up records
    are all recorded (item, who, when) by the named consultant or a lead."""
    c = newcomer(db)
    visit_of(db, c, B)
    d = staff_referral(db, phone_only=True)
    assert d["status"] == "awaiting_evidence" and owner(db, c) == B
    claim = d["claim_id"]
    with pytest.raises(Forbidden):                                    # B is not named
        usecases.record_evidence(act(db, CB), PID, claim, {"items": ["referral_form"]})
    row = usecases.record_evidence(act(db, CX), PID, claim,
                                   {"items": ["referral_form", "call_record"]})
    assert row["status"] == "awaiting_evidence" and "follow_up_records" in row["reason"]
    assert [e["by"] for e in row["evidence"]] == [X, X]
    row = usecases.record_evidence(act(db, SUPERVISOR, at("2026-03-02 11:00")), PID, claim,
                                   {"items": ["follow_up_records"]})
    assert row["status"] == "honoured" and owner(db, c) == X
    with pytest.raises(Unprocessable):                                # nothing awaited now
        usecases.record_evidence(act(db, CX), PID, claim, {"items": ["call_record"]})
    assert db.get(Claim, claim).registered_at == at("2026-03-02 10:20")


# ---------------------------------------------------------------- CLI-03 re-registration

def lapsed_customer(session):
    c = newcomer(session)
    visit_of(session, c, A)
    return c


def test_cli03_2_the_lapsed_owner_re_registers_only_with_a_supervisors_sign_off(db):
    """CLI-03.1 day 91 lapsed; CLI-03.2 a consultant alone is refused, a supervisor's sign-off
    is recorded (who, when) on the contact; on day 90 there is nothing to re-register."""
    c = lapsed_customer(db)
    with pytest.raises(Conflict) as exc:                              # day 90: still live
        usecases.re_register(act(db, SUPERVISOR, at("2026-05-31 10:00")), PID, c,
                             {"person_id": A})
    assert exc.value.rule == "CLI-03" and "live" in exc.value.message
    day91 = at("2026-06-01 10:00")
    with pytest.raises(Conflict) as exc:
        usecases.re_register(act(db, CA, day91), PID, c, {"person_id": A})
    assert exc.value.rule == "CLI-03" and "sign-off" in exc.value.message
    with pytest.raises(Conflict) as exc:                              # CLI-03.3: not B's way
        usecases.re_register(act(db, SUPERVISOR, day91), PID, c, {"person_id": B})
    assert exc.value.rule == "CLI-03"
    d = usecases.re_register(act(db, SUPERVISOR, day91), PID, c, {"person_id": A})
    assert d["outcome"] == "re_registered" and d["data"]["sign_off_by"] == 3
    contact = db.query(Contact).filter_by(kind="re_registration").one()
    assert (contact.sign_off_by, contact.sign_off_at) == (3, day91)
    assert usecases.get_customer(act(db, MANAGER, day91), PID, c)["protection"][
        "outcome"] == "live"
    dispute = usecases.dispute(act(db, SUPERVISOR, day91), PID, c)
    assert dispute["by_records"]["data"]["owner_id"] == A              # the replay agrees


def test_cli03_3_another_consultant_takes_a_lapsed_customer_by_first_contact(db):
    """CLI-03.3"""
    c = lapsed_customer(db)
    call(db, c, B, "2026-06-01T02:00:00+00:00")
    assert owner(db, c) == B


def test_cli03_4_after_30_days_without_follow_up_the_closer_gets_the_credit(db):
    """CLI-03.4: A received on 03-02 and followed up nothing; B closes on day 30 (A keeps the
    credit) and on day 31 (B gets it)."""
    c = lapsed_customer(db)
    call(db, c, B, "2026-03-20T02:00:00+00:00")                   # B's contact: A's
    order = {"unit_id": confirmed_unit(db)["id"], "customer_id": c, "closer_id": None}
    sub = usecases.subscribe(act(db, CB, at("2026-04-01 10:00")), PID, order)
    assert sub["credit_split"] == [{"person_id": A, "percent": 100.0}]
    usecases.withdraw(act(db, MANAGER, at("2026-04-01 10:01")), PID, sub["id"],
                      {"kind": "withdrawal"})
    sub = usecases.subscribe(act(db, CB, at("2026-04-02 10:00")), PID, order)
    assert sub["credit_split"] == [{"person_id": B, "percent": 100.0}]
    assert sub["rule"] == "CLI-03"


# ---------------------------------------------------------------- CLI-13 registers, targets

def test_cli13_1_the_visit_register_keeps_incomplete_entries_with_the_missing_fields(db):
    """CLI-13.1: required fields customer phone and name, received by, arrival, media
    source; an entry without them is kept with the rule and the fields missing."""
    c = newcomer(db)
    db.get(Customer, c).media_source = "wechat"
    full = visit_of(db, c, B)
    bare = started(None, A)
    usecases.reception_started(act(db), bare)
    usecases.reception_completed(act(db), completed(bare))
    rows = {r["reception_id"]: r for r in usecases.visit_register(act(db, MANAGER), PID, {})}
    assert rows[full["reception_id"]]["complete"] is True
    assert rows[bare["reception_id"]]["missing"] == ["customer_phone", "customer_name",
                                                     "media_source"]
    assert rows[bare["reception_id"]]["rule"] == "CLI-13"
    under_way = started(None, B)                 # checked when it completes, not before
    usecases.reception_started(act(db), under_way)
    incomplete = usecases.visit_register(act(db, MANAGER), PID, {"complete": False})
    assert [r["reception_id"] for r in incomplete] == [bare["reception_id"]]
    assert under_way["reception_id"] in {r["reception_id"] for r in usecases.visit_register(
        act(db, MANAGER), PID, {})}


def test_cli13_4_target_achievement_from_targets_a_manager_sets(db):
    """CLI-13.4: per consultant and period; a target for a non-consultant is refused."""
    directory.apply_person(db, {"id": X, "project_id": PID, "name": "X",
                                    "roles": ["consultant"]})
    with pytest.raises(Unprocessable) as exc:
        usecases.set_target(act(db, MANAGER), PID, {"person_id": 30, "period": "2026-03",
                                                        "deals": 2})
    assert exc.value.rule == "CLI-13"
    with pytest.raises(Unprocessable):
        usecases.set_target(act(db, MANAGER), PID, {"person_id": A, "period": "March",
                                                        "deals": 2})
    usecases.set_target(act(db, MANAGER), PID, {"person_id": A, "period": "2026-03",
                                                    "deals": 4})
    t = usecases.set_target(act(db, MANAGER), PID, {"person_id": A, "period": "2026-03",
                                                        "deals": 2})       # replaced
    assert (t["deals"], t["set_by"]) == (2, 2)
    c = lapsed_customer(db)
    usecases.subscribe(act(db, CA), PID, {"unit_id": confirmed_unit(db)["id"],
                                              "customer_id": c, "closer_id": None})
    q = {"by": "consultant", "period": "month", "format": "json", "label": "2026-03"}
    [row] = usecases.conversion(act(db, MANAGER), PID, q)["data"]["rows"]
    assert (row["key"], row["deals"], row["target"], row["target_achievement"]) == \
        (A, 1, 2, 0.5)
    q = dict(q, label="2026-04")
    assert usecases.conversion(act(db, MANAGER), PID, q)["data"]["rows"] == []
    by_period = usecases.conversion(act(db, MANAGER), PID, dict(q, by="period",
                                                                    label=None))
    assert by_period["data"]["rows"][0]["target_achievement"] == 0.5


# ---------------------------------------------------------------- CLI-06

def test_cli06_8_expired_reports_keep_a_why_record_each(db):
    """CLI-06.8: the row says expired with its rule and reason, and a decision is stored
    against each report (SYS-01)."""
    agent = person(40, PID, "channel_agent")
    r = usecases.create_report(act(db, agent), PID, {"name": "孙", "phone": "13600002222"})
    usecases.expire_reports(act(db, ADMIN, at("2026-04-02 10:00")), PID)
    [*_, last] = why.chain(db, "channel_report", r["id"])
    assert (last["rule"], last["outcome"]) == ("CLI-06", "expired")
    assert usecases.get_report(act(db, agent), PID, r["id"])["status"] == "expired"


def test_cli06_2_the_lead_is_measured_to_the_stored_arrival(db):
    """CLI-06.2/CLI-06.4: report at 09:30:01, arrival 10:00 (stored from reception), matched at
    10:05: 29 min 59 s ahead of the visit, an interception, although 34 min before the match."""
    agent = person(40, PID, "channel_agent")
    usecases.create_report(act(db, agent, at("2026-03-02 09:30:01")), PID,
                           {"name": "孙先生", "phone": "13600002222"})
    s = started(None, B, occurred_at="2026-03-02T02:01:00+00:00")
    usecases.reception_started(act(db), s)
    d = usecases.match_visit(act(db, DESK, at("2026-03-02 09:59")), PID, {
        "name": "孙先生", "phone": "13600002222", "mentioned": True,
        "reception_started_at": None, "reception_id": s["reception_id"]})
    assert d["outcome"] == "natural_visit" and "29 min 59 s" in d["reason"]


def test_cli08_4_the_named_receiver_owns_from_the_arrival_never_from_the_call(db):
    """CLI-08.4: X was called at 09:59 (not registered), Y registered a call at 09:59:30; the
    customer walks in at 10:00 naming X, who receives: Y's registration decides, X's visit is
    recorded for Y (the unregistered call gave X no earlier claim)."""
    c = newcomer(db)
    call(db, c, B, "2026-03-02T01:59:30+00:00")
    visit_of(db, c, X, named=X)
    assert owner(db, c) == B
