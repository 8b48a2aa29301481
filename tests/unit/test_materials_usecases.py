"""Materials use cases on in-memory SQLite, no broker (MAT-01..08, SYS-01, SYS-03): the
orchestration the entrypoints call, with the decisions, movements and events they leave."""
import uuid

import pytest

from services.common import directory, policy, why
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from services.materials import events, models, rules, usecases
from tests.usecase_kit import at, make_uow, outbox_events, person

PID = 1
MONDAY = at("2026-03-02 10:00")
STOREKEEPER = person(5, PID, "storekeeper")
MANAGER = person(2, PID, "manager")
SUPERVISOR = person(3, PID, "supervisor")
ADMIN = person(99, None, "admin")
C1 = person(11, PID, "consultant")


def uow_as(caller, session=None, now=MONDAY):
    return make_uow(models.Base, models.KIT, "materials", now=now, caller=caller,
                    session=session, policy_spec=rules.POLICY, catalogue=events.CATALOGUE)


STAFF = {2: ("manager",), 3: ("supervisor",), 5: ("storekeeper",), 11: ("consultant",),
         12: ("consultant",)}


def staff(session, person_id, *roles, project_id=PID, active=True, name=None):
    """What attendance announced about a person (the directory replica, MAT-06/MAT-07)."""
    with uow_as(None, session):
        directory.apply_person(session, {"id": person_id, "project_id": project_id,
                                         "name": name or f"#{person_id}",
                                         "roles": list(roles),
                                         "active": active})
    session.commit()


@pytest.fixture
def session():
    s = uow_as(None).session
    for person_id, roles in STAFF.items():
        staff(s, person_id, *roles)
    return s


def plan(session, item_id, qty=1000, period="quarterly", starts=None):
    """An approved needs plan listing ``qty`` of the item for the period holding MONDAY."""
    starts = starts or rules.period_start(period, MONDAY.date())
    made = act(session, STOREKEEPER, usecases.create_plan, {
        "period": period, "starts": starts, "milestone": "开盘",
        "lines": [{"item_id": item_id, "quantity": qty}]})
    return act(session, SUPERVISOR, usecases.approve_plan, made["id"])


def act(session, caller, fn, *args, now=MONDAY):
    """Run one use case as ``caller`` and commit, as an entrypoint does."""
    with uow_as(caller, session, now) as uow:
        return fn(uow, PID, *args)


def item(session, code="FP-A", stock=0, reorder_level=3, category="floor_plan"):
    made = act(session, STOREKEEPER, usecases.create_item, {
        "code": code, "name": f"户型单张 {code}", "specification": "A4", "model": "",
        "unit": "sheet", "unit_price_cents": 50, "category": category,
        "reorder_level": reorder_level})
    if stock:
        receive(session, made["id"], stock)
    return made


def receive(session, item_id, qty, passed=True):
    return act(session, STOREKEEPER, usecases.create_receipt, {
        "item_id": item_id, "quantity": qty, "unit_price_cents": None, "amount_cents": None,
        "model": None, "receiver_id": None, "inspector_id": 3, "inspection_passed": passed,
        "deliverer": "", "note": ""})


def issue(session, item_id, qty, recipient=C1):
    plan(session, item_id, qty)
    form = act(session, STOREKEEPER, usecases.create_issue_form, {
        "item_id": item_id, "item_name": None, "specification": None, "quantity": qty,
        "recipient_id": recipient.person_id, "purpose": ""})
    return act(session, recipient, usecases.confirm_issue_form, form["id"])


def chain(session, subject_type, subject_id):
    return [(d["rule"], d["outcome"]) for d in why.chain(session, subject_type, subject_id, PID)]


# ---------------------------------------------------------------- MAT-01, SYS-01

def test_mat01_a_code_names_one_item_and_a_change_never_touches_balances(session):
    # clauses: MAT-01.4
    made = item(session)
    assert made["on_hand"] == 0 and made["low"] is True
    with pytest.raises(Conflict) as exc:
        item(session)
    assert (exc.value.rule, exc.value.field) == ("MAT-01", "code")
    patched = act(session, MANAGER, usecases.update_item, made["id"], {"name": " 新名 "})
    assert patched["name"] == "新名"
    with pytest.raises(Unprocessable) as exc:
        act(session, MANAGER, usecases.update_item, made["id"], {"unit": " "})
    assert exc.value.field == "unit"
    with pytest.raises(NotFound):
        act(session, MANAGER, usecases.get_item, 999)
    assert chain(session, "item", made["id"]) == [("MAT-01", "valid"), ("MAT-01", "valid")]


def test_sys01_mat03_receipts_move_stock_and_failed_goods_are_held(session):
    # clauses: MAT-03.3 MAT-03.4
    made = item(session)
    receive(session, made["id"], 10)
    held = receive(session, made["id"], 4, passed=False)
    assert held["held_remaining"] == 4 and held["note"] == "" and held["at"]
    got = act(session, MANAGER, usecases.get_item, made["id"])
    assert (got["on_hand"], got["held"]) == (10, 4)
    act(session, STOREKEEPER, usecases.resolve_held, held["id"],
        {"action": "exchange", "quantity": 3})
    with pytest.raises(Conflict) as exc:
        act(session, STOREKEEPER, usecases.resolve_held, held["id"],
            {"action": "return", "quantity": 2})
    assert exc.value.rule == "MAT-03"
    moves = act(session, MANAGER, usecases.list_movements, {"item_id": str(made["id"])})
    assert [(m["kind"], m["rule"]) for m in moves] == \
        [("receive", "MAT-03"), ("hold", "MAT-03"), ("exchange", "MAT-03")]
    assert "failed inspection" in moves[1]["reason"]
    moved = outbox_events(session, "stock_moved")
    assert [e["kind"] for e in moved] == ["receive", "hold", "exchange"]
    assert moved[0]["actor"]["person_id"] == 5


# ---------------------------------------------------------------- MAT-04, MAT-08

def test_mat04_only_the_recipient_confirms_and_stock_never_goes_below_zero(session):
    # clauses: MAT-04.2 MAT-04.3 MAT-08.1
    made = item(session, stock=5)
    plan(session, made["id"], 3)
    form = act(session, STOREKEEPER, usecases.create_issue_form, {
        "item_id": made["id"], "item_name": None, "specification": None, "quantity": 3,
        "recipient_id": 11, "purpose": "desk"})
    with pytest.raises(Forbidden) as exc:
        act(session, MANAGER, usecases.confirm_issue_form, form["id"])
    assert exc.value.rule == "MAT-04"
    done = act(session, C1, usecases.confirm_issue_form, form["id"])
    assert done["status"] == "issued" and done["balance"] == 2 and done["movement_id"]
    with pytest.raises(Conflict):
        act(session, C1, usecases.confirm_issue_form, form["id"])
    with pytest.raises(Conflict) as exc:
        issue(session, made["id"], 3)
    assert (exc.value.rule, exc.value.field) == ("MAT-04", "quantity")
    assert chain(session, "issue_form", form["id"]) == \
        [("MAT-02", "against_plan"), ("MAT-04", "unconfirmed"), ("MAT-04", "issued")]
    # MAT-08: 5 -> 2 crossed reorder level 3 once
    low = outbox_events(session, "stock_low")
    assert [(e["balance"], e["rule"]) for e in low] == [(2, "MAT-08")]


def test_mat04_a_pending_form_is_cancelled_once(session):
    # clauses: MAT-04.4
    made = item(session)
    plan(session, made["id"], 1)
    form = act(session, STOREKEEPER, usecases.create_issue_form, {
        "item_id": made["id"], "item_name": None, "specification": None, "quantity": 1,
        "recipient_id": 11, "purpose": ""})
    assert act(session, STOREKEEPER, usecases.cancel_issue_form, form["id"])["status"] == \
        "cancelled"
    with pytest.raises(Conflict) as exc:
        act(session, STOREKEEPER, usecases.cancel_issue_form, form["id"])
    assert exc.value.rule == "MAT-04" and "already cancelled" in exc.value.message
    assert act(session, C1, usecases.list_issue_forms)[0]["id"] == form["id"]  # their own
    assert act(session, person(12, PID, "consultant"), usecases.list_issue_forms) == []


# ---------------------------------------------------------------- MAT-02

def test_mat02_plans_and_requests_and_an_admin_decides_as_a_manager(session):
    # clauses: MAT-02.3 MAT-02.6 MAT-02.7
    made = item(session, code="BRO", category="brochure")
    plan = act(session, STOREKEEPER, usecases.create_plan, {
        "period": "monthly", "starts": MONDAY.date().replace(day=1), "milestone": "开盘",
        "lines": [{"item_id": made["id"], "quantity": 100}]})
    with pytest.raises(Unprocessable) as exc:  # an item once per plan
        act(session, STOREKEEPER, usecases.create_plan, {
            "period": "monthly", "starts": MONDAY.date().replace(day=1), "milestone": "开盘",
            "lines": [{"item_id": made["id"], "quantity": 1}] * 2})
    assert (exc.value.rule, exc.value.field) == ("MAT-02", "lines")
    assert act(session, SUPERVISOR, usecases.approve_plan, plan["id"])["approved_by"] == 3
    with pytest.raises(Conflict):
        act(session, SUPERVISOR, usecases.approve_plan, plan["id"])
    planned = act(session, C1, usecases.create_request,
                  {"item_id": made["id"], "quantity": 60, "purpose": ""})
    assert (planned["kind"], planned["status"], planned["plan_line_id"]) == \
        ("planned", "approved", 1)
    urgent = act(session, C1, usecases.create_request,
                 {"item_id": made["id"], "quantity": 60, "purpose": ""})
    assert (urgent["kind"], urgent["status"]) == ("urgent", "pending")
    with pytest.raises(Forbidden) as exc:
        act(session, SUPERVISOR, usecases.decide_request, urgent["id"], {"reason": ""}, True)
    assert exc.value.rule == "MAT-02"
    decided = act(session, ADMIN, usecases.decide_request, urgent["id"], {"reason": ""}, True)
    assert decided["status"] == "approved" and decided["decided_by"] == 99
    assert act(session, C1, usecases.list_plans)[0]["lines"][0]["remaining"] == 40


# ---------------------------------------------------------------- MAT-05, MAT-06

def test_mat05_unusable_is_reported_for_disposal_once(session):
    # clauses: MAT-05.4
    made = item(session, code="LASER", category="laser_pointer", reorder_level=0)
    entry = act(session, STOREKEEPER, usecases.create_ledger_entry, {
        "item_id": made["id"], "quantity": 1, "location": "沙盘区", "responsible_id": 11,
        "state": "in_use", "note": ""})
    gone = act(session, STOREKEEPER, usecases.update_ledger_entry, entry["id"],
               {"state": "unusable"})
    assert gone["disposal_reported"] is True and gone["disposal_reported_at"]
    with pytest.raises(Unprocessable) as exc:
        act(session, STOREKEEPER, usecases.update_ledger_entry, entry["id"],
            {"state": "in_use"})
    assert exc.value.rule == "MAT-05"
    assert [e["ledger_entry_id"] for e in outbox_events(session, "disposal_reported")] == \
        [entry["id"]]


def count(item_id, counted, damaged=0, **reasons):
    return {"item_id": item_id, "counted": counted, "damaged": damaged, "reasons": reasons,
            "loss_cause": "keeping"}


def test_mat06_stocktake_adjusts_stock_and_attributes_losses(session):
    # clauses: MAT-06.5 MAT-06.6 MAT-06.7 MAT-06.8
    a = item(session, code="FP-A", stock=10, reorder_level=0)
    b = item(session, code="GIFT", stock=5, reorder_level=0, category="gift")
    payload = {"counter_ids": [5, 3], "full": False, "storekeeper_id": None,
               "lines": [count(a["id"], 8, 1, shortage="lost", damage="water"),
                         count(b["id"], 6, surplus="box")]}
    with pytest.raises(Unprocessable) as exc:  # each item once
        act(session, STOREKEEPER, usecases.create_stocktake,
            dict(payload, lines=[count(a["id"], 10)] * 2))
    assert (exc.value.rule, exc.value.field) == ("MAT-06", "lines")
    with pytest.raises(Unprocessable) as exc:  # a full count covers every item
        act(session, STOREKEEPER, usecases.create_stocktake,
            dict(payload, full=True, lines=[count(a["id"], 10)]))
    assert exc.value.rule == "MAT-06" and "missing" in exc.value.message
    result = act(session, STOREKEEPER, usecases.create_stocktake, payload)
    lines = {ln["item_id"]: ln for ln in result["lines"]}
    assert (lines[a["id"]]["new_balance"], lines[a["id"]]["attributed_to"],
            lines[a["id"]]["loss_cents"]) == (7, 5, 150)
    assert result["losses"][0]["attributed_to"] == 5
    [event] = outbox_events(session, "stocktake_recorded")
    assert event["rule"] == "MAT-06" and len(event["lines"]) == 2
    # SYS-03: the project's stored value is the rule's input
    with uow_as(MANAGER, session) as uow:
        policy.change(session, PID, rules.POLICY, {"stocktake_min_counters": 3}, 2)
    with pytest.raises(Unprocessable) as exc:
        act(session, STOREKEEPER, usecases.create_stocktake, payload)
    assert exc.value.field == "counter_ids"
    assert uow.policy(PID)["stocktake_min_counters"] == 3


def test_sys03_a_bad_policy_value_is_refused_when_written():
    uow = uow_as(MANAGER)
    with pytest.raises(Unprocessable) as exc:
        policy.change(uow.session, PID, rules.POLICY, {"desk_kit_min_per_plan": 0}, 2)
    assert (exc.value.rule, exc.value.field) == ("MAT-07", "desk_kit_min_per_plan")


# ---------------------------------------------------------------- MAT-07 (the event handler)

def completed(reception_id, plans, day="2026-03-02"):
    return {"event_id": str(uuid.uuid4()), "project_id": PID, "reception_id": reception_id,
            "person_id": 11, "day": day, "floor_plans": plans,
            "actor": {"person_id": 11, "name": "c1", "roles": ["consultant"]}}


def test_mat07_handed_out_floor_plans_are_issued_once_and_the_rest_is_a_shortage(session):
    # clauses: MAT-07.2 MAT-07.3
    a = item(session, code="FP-A", stock=5, reorder_level=0)
    item(session, code="FP-B", stock=1, reorder_level=0)
    event = completed(501, [{"code": "FP-A", "quantity": 2}, {"code": "FP-B", "quantity": 3},
                            {"code": "NOPE", "quantity": 1}])
    with uow_as(None, session) as uow:
        handout = usecases.issue_handed_out_plans(uow, event)
    with uow_as(None, session) as uow:  # the same reception again: nothing more
        assert usecases.issue_handed_out_plans(uow, dict(event, event_id="x")) is None
    moves = act(session, MANAGER, usecases.list_movements, {})
    issued = [(m["code"], m["quantity"], m["rule"], m["actor_id"]) for m in moves
              if m["kind"] == "issue"]
    assert issued == [("FP-A", 2, "MAT-07", 11), ("FP-B", 1, "MAT-07", 11)]
    assert act(session, MANAGER, usecases.get_item, a["id"])["on_hand"] == 3
    day = act(session, SUPERVISOR, usecases.list_shortages, {"day": "2026-03-02"})
    assert [(s["code"], s["missing"]) for s in day["shortages"]] == [("FP-B", 2), ("NOPE", 1)]
    # every refusal on the hand-out cites its rule
    records = why.chain(session, "handout", handout, PID)
    assert {r["rule"] for r in records} == {"MAT-07"}
    assert [r["outcome"] for r in records] == ["short", "shortage", "unknown_item"]


def test_mat07_folders_are_checked_and_the_days_shortages_reported_once(session):
    # clauses: MAT-07.1 MAT-07.5
    item(session, code="FP-A")
    item(session, code="FP-B")
    with pytest.raises(Unprocessable) as exc:
        act(session, SUPERVISOR, usecases.check_desk_kit,
            {"consultant_id": 11, "folder": {"BRO": 1}})
    assert exc.value.rule == "MAT-07"
    check = act(session, SUPERVISOR, usecases.check_desk_kit,
                {"consultant_id": 11, "folder": {"FP-A": 2, "FP-B": 1}})
    assert (check["complete"], check["shortages"], check["day"]) == \
        (False, {"FP-B": 1}, "2026-03-02")
    report = act(session, SUPERVISOR, usecases.report_shortages,
                 {"day": MONDAY.date(), "note": "printer"})
    assert report["reported"] == 1 and report["reason"].endswith(": printer")
    assert act(session, SUPERVISOR, usecases.report_shortages,
               {"day": MONDAY.date(), "note": ""})["reported"] == 0
    assert len(outbox_events(session, "shortages_reported")) == 2


def test_sys04_today_is_the_projects_day_in_its_own_zone(session):
    from services.common import directory
    late = at("2026-03-02 23:30")  # Shanghai; already the 3rd in Tokyo
    with uow_as(None, session):  # attendance announced the project in another zone
        directory.apply_project(session, {"id": PID, "timezone": "Asia/Tokyo"})
    assert act(session, SUPERVISOR, usecases.list_shortages, {}, now=late)["day"] == \
        "2026-03-03"


# ---------------------------------------------------------------- issue 12: clause by clause

def form(session, item_id, qty, request_id=None, now=MONDAY, recipient=11):
    return act(session, STOREKEEPER, usecases.create_issue_form, {
        "item_id": item_id, "item_name": None, "specification": None, "quantity": qty,
        "recipient_id": recipient, "purpose": "", "request_id": request_id}, now=now)


def request(session, item_id, qty, caller=C1, now=MONDAY):
    return act(session, caller, usecases.create_request,
               {"item_id": item_id, "quantity": qty, "purpose": ""}, now=now)


def test_mat02_4_an_issue_needs_a_current_plan_or_an_approved_request(session):
    """MAT-02.4: no plan, a draft plan, another item's plan: refused, field request_id.
    MAT-02.5: a form draws on the plan line and never beyond it; a cancel gives it back."""
    made = item(session, stock=50)
    other = item(session, code="FP-B", stock=50)
    with pytest.raises(Unprocessable) as exc:
        form(session, made["id"], 1)
    assert (exc.value.rule, exc.value.field) == ("MAT-02", "request_id")
    draft = act(session, STOREKEEPER, usecases.create_plan, {
        "period": "monthly", "starts": MONDAY.date().replace(day=1), "milestone": "开盘",
        "lines": [{"item_id": made["id"], "quantity": 3}]})
    plan(session, other["id"], 100)
    with pytest.raises(Unprocessable):
        form(session, made["id"], 1)
    act(session, SUPERVISOR, usecases.approve_plan, draft["id"])
    with pytest.raises(Unprocessable) as exc:  # 4 > the 3 the plan lists
        form(session, made["id"], 4)
    assert "3 of item" in exc.value.message or "only 3" in exc.value.message
    first = form(session, made["id"], 3)
    assert first["plan_line_id"] == draft["lines"][0]["id"] and first["request_id"] is None
    with pytest.raises(Unprocessable):  # the plan line is drawn to the last sheet
        form(session, made["id"], 1)
    act(session, STOREKEEPER, usecases.cancel_issue_form, first["id"])
    plans = {p["id"]: p for p in act(session, C1, usecases.list_plans)}
    assert plans[draft["id"]]["lines"][0]["remaining"] == 3
    assert chain(session, "issue_form", first["id"])[-1] == ("MAT-02", "released")
    assert form(session, made["id"], 3)["status"] == "pending"


def test_mat02_3_an_urgent_request_controls_nothing_until_a_manager_approves(session):
    """MAT-02.3 / MAT-02.4 / MAT-02.5: pending and rejected requests are no basis; an approved
    one is drawn on up to its quantity, and only for its own item."""
    made = item(session, stock=50)
    other = item(session, code="FP-B", stock=50)
    urgent = request(session, made["id"], 5)
    rejected = request(session, made["id"], 5)
    assert urgent["kind"] == "urgent" and urgent["status"] == "pending"
    with pytest.raises(Conflict) as exc:
        form(session, made["id"], 1, urgent["id"])
    assert (exc.value.rule, exc.value.field) == ("MAT-02", "request_id")
    act(session, MANAGER, usecases.decide_request, rejected["id"], {"reason": "no"}, False)
    with pytest.raises(Conflict):
        form(session, made["id"], 1, rejected["id"])
    act(session, MANAGER, usecases.decide_request, urgent["id"], {"reason": ""}, True)
    with pytest.raises(Unprocessable) as exc:  # another item's request
        form(session, other["id"], 1, urgent["id"])
    assert exc.value.field == "request_id"
    with pytest.raises(Conflict) as exc:
        form(session, made["id"], 6, urgent["id"])
    assert exc.value.field == "quantity"
    a = form(session, made["id"], 2, urgent["id"])
    form(session, made["id"], 3, urgent["id"])
    with pytest.raises(Conflict):  # 5 of 5 drawn
        form(session, made["id"], 1, urgent["id"])
    assert [r["issued"] for r in act(session, C1, usecases.list_requests)] == [5, 0]
    act(session, STOREKEEPER, usecases.cancel_issue_form, a["id"])
    assert form(session, made["id"], 2, urgent["id"])["request_id"] == urgent["id"]
    with pytest.raises(NotFound):
        form(session, made["id"], 1, 999)


def test_mat02_5_the_database_keeps_forms_within_their_request(session):
    """MAT-02.5: CHECK issued <= quantity, whatever a process does."""
    import sqlalchemy as sa
    made = item(session)
    urgent = request(session, made["id"], 5)
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.text("UPDATE material_request SET issued = 6 WHERE id = :i"),
                        {"i": urgent["id"]})
        session.flush()
    session.rollback()


def test_mat02_6_a_plan_covers_its_own_period_in_the_projects_zone(session):
    """MAT-02.1 / MAT-02.6 / SYS-04: a weekly plan of the week of 23 Feb covers Sunday 1 March
    23:59 Shanghai, not Monday 00:00 (16:00 UTC the day before)."""
    made = item(session, stock=10)
    plan(session, made["id"], 10, period="weekly", starts=MONDAY.date().replace(day=1)
         .replace(month=2, day=23))
    assert form(session, made["id"], 1, now=at("2026-03-01 23:59"))["plan_line_id"]
    with pytest.raises(Unprocessable) as exc:
        form(session, made["id"], 1, now=at("2026-03-02 00:00"))
    assert exc.value.rule == "MAT-02"
    assert request(session, made["id"], 1, now=at("2026-03-02 00:00"))["kind"] == "urgent"
    assert request(session, made["id"], 1, now=at("2026-03-01 23:59"))["kind"] == "planned"


def stocktake(session, caller=STOREKEEPER, now=MONDAY, **changes):
    made = changes.pop("item_id", None)
    body = {"counter_ids": [5, 3], "full": False, "storekeeper_id": None,
            "lines": [count(made, 0, shortage="lost")]}
    return act(session, caller, usecases.create_stocktake, {**body, **changes}, now=now)


def test_mat06_2_counters_are_active_staff_of_the_project(session):
    """MAT-06.2: two counters, each active staff of this project (the directory replica)."""
    made = item(session, stock=1, reorder_level=0)
    staff(session, 40, "storekeeper", project_id=PID + 1)
    staff(session, 41, "consultant", active=False)
    for counters in ([5, 999], [5, 40], [5, 41], [5]):
        with pytest.raises(Unprocessable) as exc:
            stocktake(session, item_id=made["id"], counter_ids=counters)
        assert (exc.value.rule, exc.value.field) == ("MAT-06", "counter_ids")
    assert stocktake(session, item_id=made["id"], counter_ids=[5, 11])["counter_ids"] == [11, 5]


def test_mat06_8_losses_go_to_a_real_storekeeper(session):
    """MAT-06.8: the storekeeper charged is an active storekeeper of the project; an admin
    recording a count is nobody's storekeeper, so a keeping loss then needs one named."""
    made = item(session, stock=3, reorder_level=0)
    for keeper in (11, 999):  # a consultant, a stranger
        with pytest.raises(Unprocessable) as exc:
            stocktake(session, item_id=made["id"], storekeeper_id=keeper)
        assert (exc.value.rule, exc.value.field) == ("MAT-06", "storekeeper_id")
    with pytest.raises(Unprocessable) as exc:
        stocktake(session, ADMIN, item_id=made["id"])
    assert exc.value.field == "storekeeper_id"
    done = stocktake(session, ADMIN, item_id=made["id"], storekeeper_id=5)
    assert done["losses"][0]["attributed_to"] == 5 and done["storekeeper_id"] == 5
    staff(session, 5, "storekeeper", active=False)  # left the project
    with pytest.raises(Unprocessable):
        stocktake(session, item_id=made["id"], storekeeper_id=5)


def test_mat06_3_full_counts_in_june_and_december_by_the_projects_calendar(session):
    """MAT-06.3 / SYS-04: 30 June 23:59 Shanghai needs a full count; 1 July 00:00 (still
    30 June in UTC) does not. MAT-06.1: the months answer says which months were counted."""
    made = item(session, stock=1, reorder_level=0)
    with pytest.raises(Unprocessable) as exc:
        stocktake(session, item_id=made["id"], now=at("2026-06-30 23:59"))
    assert exc.value.field == "full"
    july = stocktake(session, item_id=made["id"], now=at("2026-07-01 00:00"))
    assert july["month"] == "2026-07-01"
    months = act(session, MANAGER, usecases.stocktake_months, {"year": "2026"},
                 now=at("2026-07-15 10:00"))
    status = {m["month"]: m["status"] for m in months}
    assert (status["2026-06"], status["2026-07"], status["2026-08"]) == \
        ("missed", "done", "future")
    assert [m["full_required"] for m in months if m["full_required"]] == [True, True]
    assert months[5]["rule"] == "MAT-06" and months[6]["stocktakes"] == [july["id"]]
    aug = act(session, MANAGER, usecases.stocktake_months, {}, now=at("2026-08-01 00:00"))
    assert aug[7]["status"] == "due"
    for year in ("1999", "2101", "9" * 30):   # a 4xx naming the field, never an overflow
        with pytest.raises(Unprocessable) as exc:
            act(session, MANAGER, usecases.stocktake_months, {"year": year})
        assert (exc.value.field, exc.value.rule) == ("year", "MAT-06")


def test_mat05_2_the_responsible_person_is_staff_of_the_project(session):
    """MAT-05.2: who answers for an item is active staff of this project."""
    made = item(session, code="LASER", category="laser_pointer", reorder_level=0)
    with pytest.raises(Unprocessable) as exc:
        act(session, STOREKEEPER, usecases.create_ledger_entry, {
            "item_id": made["id"], "quantity": 1, "location": "沙盘区", "responsible_id": 999,
            "state": "in_use", "note": ""})
    assert (exc.value.rule, exc.value.field) == ("MAT-05", "responsible_id")


def test_mat07_4_a_folder_checked_twice_a_day_is_one_shortage_line(session):
    """MAT-07.4: the second check of the day updates the line (the latest count), never adds
    one; a changed line is unreported again (MAT-07.5); another day is another line."""
    item(session, code="FP-A")
    check = {"consultant_id": 11, "folder": {"FP-A": 0}}
    act(session, SUPERVISOR, usecases.check_desk_kit, check)
    act(session, SUPERVISOR, usecases.check_desk_kit, check)
    day = act(session, SUPERVISOR, usecases.list_shortages, {})
    assert (day["missing"], len(day["shortages"])) == (2, 1)
    assert act(session, SUPERVISOR, usecases.report_shortages,
               {"day": MONDAY.date(), "note": ""})["reported"] == 1
    act(session, SUPERVISOR, usecases.check_desk_kit, dict(check, folder={"FP-A": 0}))
    assert act(session, SUPERVISOR, usecases.report_shortages,  # unchanged: nothing new
               {"day": MONDAY.date(), "note": ""})["reported"] == 0
    act(session, SUPERVISOR, usecases.check_desk_kit, dict(check, folder={"FP-A": 1}))
    again = act(session, SUPERVISOR, usecases.report_shortages, {"day": MONDAY.date(),
                                                                 "note": ""})
    assert [(s["missing"], s["reported"]) for s in again["shortages"]] == [(1, True)]
    act(session, SUPERVISOR, usecases.check_desk_kit, dict(check, folder={"FP-A": 2}))
    assert act(session, SUPERVISOR, usecases.list_shortages, {})["shortages"] == []
    act(session, SUPERVISOR, usecases.check_desk_kit, check, now=at("2026-03-03 00:00"))
    assert act(session, SUPERVISOR, usecases.list_shortages, {"day": "2026-03-03"})[
        "missing"] == 2


def test_mat07_4_the_database_holds_one_line_per_day_and_key(session):
    """MAT-07.4: the unique key (project, day, key) refuses a second line from any instance."""
    import sqlalchemy as sa
    row = dict(project_id=PID, day=MONDAY.date(), source="folder", item_id=1, code="FP-A",
               person_id=11, wanted=2, issued=0, missing=2, rule="MAT-07", reason="x",
               at=MONDAY, key="folder:11:FP-A")
    session.add(models.Shortage(**row))
    session.flush()
    session.add(models.Shortage(**row))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


def test_mat07_1_only_an_active_consultant_of_the_project_has_a_desk_folder(session):
    """MAT-07.1: the folder checked belongs to an active consultant of this project; the
    minimum is the project's policy (2 by default, SYS-03)."""
    item(session, code="FP-A")
    staff(session, 41, "consultant", active=False)
    for who in (5, 41, 999):
        with pytest.raises(Unprocessable) as exc:
            act(session, SUPERVISOR, usecases.check_desk_kit,
                {"consultant_id": who, "folder": {"FP-A": 5}})
        assert (exc.value.rule, exc.value.field) == ("MAT-07", "consultant_id")
    ok = act(session, SUPERVISOR, usecases.check_desk_kit,
             {"consultant_id": 12, "folder": {"FP-A": 2}})
    assert (ok["complete"], ok["minimum"]) == (True, 2)
    with uow_as(MANAGER, session):
        policy.change(session, PID, rules.POLICY, {"desk_kit_min_per_plan": 3}, 2)
    session.commit()
    short = act(session, SUPERVISOR, usecases.check_desk_kit,
                {"consultant_id": 12, "folder": {"FP-A": 2}})
    assert (short["complete"], short["shortages"]) == (False, {"FP-A": 1})


def test_mat07_3_a_hand_out_without_a_day_falls_on_the_local_day_it_happened(session):
    """MAT-07.3 / SYS-04: the shortage's day is the reception's business day: 1 March 16:30
    UTC is 2 March in Shanghai."""
    item(session, code="FP-A", reorder_level=0)
    event = completed(777, [{"code": "FP-A", "quantity": 1}])
    del event["day"]
    event["occurred_at"] = "2026-03-01T16:30:00+00:00"
    with uow_as(None, session, now=at("2026-03-05 10:00")) as uow:
        usecases.issue_handed_out_plans(uow, event)
    assert act(session, SUPERVISOR, usecases.list_shortages, {"day": "2026-03-02"})[
        "missing"] == 1


def test_mat03_1_receiver_and_inspector_are_two_active_staff_of_the_project(session):
    """MAT-03.1: counted and inspected by two different people, both staff here."""
    made = item(session)
    staff(session, 40, "supervisor", project_id=PID + 1)
    base = {"item_id": made["id"], "quantity": 1, "unit_price_cents": None,
            "amount_cents": None, "model": None, "receiver_id": None, "inspection_passed": True,
            "deliverer": "印刷厂", "note": ""}
    for field, body in (("inspector_id", dict(base, inspector_id=40)),
                        ("inspector_id", dict(base, inspector_id=5)),
                        ("receiver_id", dict(base, inspector_id=3, receiver_id=999))):
        with pytest.raises(Unprocessable) as exc:
            act(session, STOREKEEPER, usecases.create_receipt, body)
        assert (exc.value.rule, exc.value.field) == ("MAT-03", field)
    done = act(session, STOREKEEPER, usecases.create_receipt, dict(base, inspector_id=3))
    assert (done["receiver_id"], done["inspector_id"], done["deliverer"]) == (5, 3, "印刷厂")


def test_sys01_reasons_name_people_by_name_and_items_by_code(session):
    """SYS-01: staff read reasons on their screens: a person by the name the directory replica
    knows (never "manager 2"), an item by its name, spec and code; "#<id>" when unknown."""
    for person_id, roles, name in ((2, ("manager",), "王芳 Wang Fang"),
                                   (3, ("supervisor",), "张伟 Zhang Wei"),
                                   (5, ("storekeeper",), "李娜 Li Na"),
                                   (11, ("consultant",), "陈静 Chen Jing")):
        staff(session, person_id, *roles, name=name)
    made = item(session, code="FP-A", stock=20)
    [receipt] = why.chain(session, "receipt", 1, PID)
    assert "received by 李娜 Li Na, inspected by 张伟 Zhang Wei" in receipt["reason"]
    urgent = request(session, made["id"], 5)
    assert "户型单张 FP-A (A4) [FP-A]" in urgent["reason"] and "item " not in urgent["reason"]
    decided = act(session, MANAGER, usecases.decide_request, urgent["id"], {"reason": "开盘"},
                  True)
    assert decided["reason"] == "urgent request approved by manager 王芳 Wang Fang: 开盘"
    with pytest.raises(Conflict) as exc:
        act(session, MANAGER, usecases.decide_request, urgent["id"], {"reason": ""}, True)
    assert f"request {urgent['id']} (5 of 户型单张 FP-A (A4) [FP-A]) is already approved" in \
        exc.value.message
    sheet = form(session, made["id"], 2, urgent["id"])
    act(session, C1, usecases.confirm_issue_form, sheet["id"])
    assert chain(session, "issue_form", sheet["id"])[-1] == ("MAT-04", "issued")
    [*_, confirmed] = why.chain(session, "issue_form", sheet["id"], PID)
    assert confirmed["reason"].startswith(
        f"issue form {sheet['id']} confirmed by its recipient 陈静 Chen Jing; issue 2 of")
    entry = act(session, STOREKEEPER, usecases.create_ledger_entry, {
        "item_id": made["id"], "quantity": 1, "location": "沙盘区", "responsible_id": 11,
        "state": "in_use", "note": ""})
    [kept] = why.chain(session, "ledger_entry", entry["id"], PID)
    assert "kept at 沙盘区, responsible 陈静 Chen Jing, in_use" in kept["reason"]
    assert not any(f"manager {i}" in d["reason"] or f"recipient {i}" in d["reason"]
                   for i in (2, 11) for d in why.chain(session, "request", urgent["id"], PID))
