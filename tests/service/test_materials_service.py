"""Materials on the real broker (MAT-01…08, SYS-01…03): one MaterialsService container on a
throw-away vhost, driven by RPC like the gateway does, with events dispatched and listened to
on the broker (no mocks)."""
import uuid

import pytest
from kombu import Connection, Queue, binding
from nameko.events import get_event_exchange
from nameko.standalone.events import event_dispatcher

from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from services.materials.service import MaterialsService
from tests.helpers import CLOCK_ADMIN, eventually, token

PID = 1
MANAGER = token(person_id=2, project_id=PID, roles=("manager",), name="manager")
SUPERVISOR = token(person_id=3, project_id=PID, roles=("supervisor",), name="supervisor")
STOREKEEPER = token(person_id=5, project_id=PID, roles=("storekeeper",), name="storekeeper")
C1 = token(person_id=11, project_id=PID, roles=("consultant",), name="c1")
C2 = token(person_id=12, project_id=PID, roles=("consultant",), name="c2")
OTHER_PROJECT = token(person_id=40, project_id=PID + 1, roles=("manager",))
MONDAY = "2026-03-02T10:00:00+08:00"


STAFF = {2: ["manager"], 3: ["supervisor"], 5: ["storekeeper"], 11: ["consultant"],
         12: ["consultant"]}
NAMES = {11: "陈静 Chen Jing"}   # the others are announced as "#<id>"


def announce(dispatch, person_id, roles, project_id=PID, active=True, event_type="staff_added"):
    """What attendance announces about a person (the directory replica, MAT-06/MAT-07)."""
    dispatch("attendance", event_type, {
        "event_id": str(uuid.uuid4()), "event_type": event_type, "source": "attendance",
        "occurred_at": "2026-03-02T01:00:00+00:00", "project_id": project_id, "actor": None,
        "rule": "SYS-02", "reason": "test", "person": {
            "id": person_id, "project_id": project_id,
            "name": NAMES.get(person_id, f"#{person_id}"), "roles": roles, "active": active}})


def known(mat, person_id):
    """The replica has taken person_id (a desk-kit check no longer says 'not staff')."""
    try:
        mat.check_desk_kit(SUPERVISOR, PID, {"consultant_id": person_id, "folder": {}})
    except Unprocessable as exc:
        return "not staff" not in exc.message and "no longer active" not in exc.message
    return True


@pytest.fixture
def mat(start_service, rpc_proxy, rabbit_config):
    start_service(MaterialsService)
    proxy = rpc_proxy("materials")
    proxy.set_clock(CLOCK_ADMIN, MONDAY)
    dispatch = event_dispatcher(dict(rabbit_config))
    for person_id, roles in STAFF.items():
        announce(dispatch, person_id, roles)
    for person_id in STAFF:
        eventually(lambda: known(proxy, person_id), message=f"staff {person_id} not replicated")
    return proxy


def plan_for(mat, item_id, quantity=1000):
    """MAT-02: an approved quarterly needs plan listing the item (issue forms draw on it)."""
    plan = mat.create_plan(STOREKEEPER, PID, {"period": "quarterly", "starts": "2026-01-01",
                                              "milestone": "开盘", "lines": [
                                                  {"item_id": item_id, "quantity": quantity}]})
    return mat.approve_plan(SUPERVISOR, PID, plan["id"])


def add_item(mat, code="FP-A", reorder_level=3, category="floor_plan", stock=0, **extra):
    item = mat.create_item(STOREKEEPER, PID, {
        "code": code, "name": f"户型单张 {code}", "specification": "A4", "unit": "sheet",
        "unit_price_cents": 50, "category": category, "reorder_level": reorder_level, **extra})
    if stock:
        mat.create_receipt(STOREKEEPER, PID, {"item_id": item["id"], "quantity": stock,
                                              "inspector_id": 3, "inspection_passed": True})
    return item


def stock_of(mat, item_id):
    return mat.get_item(MANAGER, PID, item_id)


def issue_to(mat, item_id, quantity, recipient_token, recipient_id):
    plan_for(mat, item_id, quantity)
    form = mat.create_issue_form(STOREKEEPER, PID, {"item_id": item_id, "quantity": quantity,
                                                    "recipient_id": recipient_id})
    return mat.confirm_issue_form(recipient_token, PID, form["id"])


# ---------------------------------------------------------------- MAT-01 catalogue, SYS-02

def test_mat01_catalogue_is_kept_by_storekeeper_or_manager(mat):
    # clauses: MAT-01.1 MAT-01.3 MAT-01.4
    item = add_item(mat)
    assert item["code"] == "FP-A" and item["on_hand"] == 0 and item["reorder_level"] == 3
    with pytest.raises(Conflict) as exc:  # the code is unique per project
        add_item(mat)
    assert exc.value.rule == "MAT-01" and exc.value.field == "code"
    with pytest.raises(Forbidden) as exc:  # SYS-02: a consultant may not
        mat.create_item(C1, PID, {"code": "X", "name": "x", "specification": "s", "unit": "u",
                                  "unit_price_cents": 1, "category": "gift", "reorder_level": 0})
    assert exc.value.rule == "SYS-02"
    with pytest.raises(Unprocessable) as exc:
        mat.create_item(MANAGER, PID, {"code": "BAG", "name": "bag", "specification": "big",
                                       "unit": "pc", "unit_price_cents": 100,
                                       "category": "spaceship", "reorder_level": 0})
    assert exc.value.rule == "MAT-01" and exc.value.field == "category"
    with pytest.raises(Forbidden):  # another project's manager sees nothing here
        mat.list_items(OTHER_PROJECT, PID)
    assert [i["code"] for i in mat.list_items(C1, PID)] == ["FP-A"]  # staff read
    with pytest.raises(NotFound):
        mat.get_item(C1, PID, 999)
    patched = mat.update_item(MANAGER, PID, item["id"], {"reorder_level": 10})
    assert patched["reorder_level"] == 10 and patched["low"] is True


# ---------------------------------------------------------------- MAT-03 receiving

def test_mat03_failed_inspection_is_held_not_available_until_exchanged_or_returned(mat):
    # clauses: MAT-03.1 MAT-03.2 MAT-03.3 MAT-03.4
    item = add_item(mat)
    good = mat.create_receipt(STOREKEEPER, PID, {
        "item_id": item["id"], "quantity": 10, "unit_price_cents": 50, "amount_cents": 500,
        "inspector_id": 3, "inspection_passed": True, "deliverer": "印刷厂"})
    assert good["amount_cents"] == 500 and good["receiver_id"] == 5
    assert (good["name"], good["specification"]) == ("户型单张 FP-A", "A4")
    bad = mat.create_receipt(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 4,
                                                "inspector_id": 3, "inspection_passed": False})
    assert bad["held_remaining"] == 4
    s = stock_of(mat, item["id"])
    assert (s["on_hand"], s["held"]) == (10, 4)
    mat.resolve_held(STOREKEEPER, PID, bad["id"], {"action": "exchange", "quantity": 3})
    after = mat.resolve_held(STOREKEEPER, PID, bad["id"], {"action": "return"})
    assert after["held_remaining"] == 0
    s = stock_of(mat, item["id"])
    assert (s["on_hand"], s["held"]) == (13, 0)
    with pytest.raises(Conflict):  # nothing left in temporary storage
        mat.resolve_held(STOREKEEPER, PID, bad["id"], {"action": "return", "quantity": 1})
    with pytest.raises(Unprocessable) as exc:  # receiver and inspector are two people
        mat.create_receipt(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 1,
                                              "inspector_id": 5, "inspection_passed": True})
    assert exc.value.rule == "MAT-03" and exc.value.field == "inspector_id"
    with pytest.raises(Unprocessable) as exc:  # amount = quantity x unit price
        mat.create_receipt(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 2,
                                              "amount_cents": 999, "inspector_id": 3,
                                              "inspection_passed": True})
    assert exc.value.field == "amount_cents"
    kinds = [m["kind"] for m in mat.list_movements(MANAGER, PID, {})]
    assert kinds == ["receive", "hold", "exchange", "return"]


# ---------------------------------------------------------------- MAT-04 issuing, SYS-01

def test_mat04_issue_only_when_the_recipient_confirms_and_never_below_zero(mat):
    # clauses: MAT-04.1 MAT-04.2 MAT-04.3 MAT-02.4
    item = add_item(mat, reorder_level=0, stock=5)
    plan_for(mat, item["id"])
    form = mat.create_issue_form(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 3,
                                                    "recipient_id": 11})
    assert form["status"] == "pending" and stock_of(mat, item["id"])["on_hand"] == 5
    for who in (C2, MANAGER, STOREKEEPER):  # nobody confirms for the recipient
        with pytest.raises(Forbidden) as exc:
            mat.confirm_issue_form(who, PID, form["id"])
        assert exc.value.rule == "MAT-04"
    done = mat.confirm_issue_form(C1, PID, form["id"])
    assert done["status"] == "issued" and done["balance"] == 2
    with pytest.raises(Conflict):  # confirmed once only
        mat.confirm_issue_form(C1, PID, form["id"])
    big = mat.create_issue_form(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 3,
                                                   "recipient_id": 12})
    with pytest.raises(Conflict) as exc:
        mat.confirm_issue_form(C2, PID, big["id"])
    assert exc.value.rule == "MAT-04" and exc.value.field == "quantity"
    assert stock_of(mat, item["id"])["on_hand"] == 2
    assert [f["id"] for f in mat.list_issue_forms(C2, PID)] == [big["id"]]  # own forms only
    with pytest.raises(Unprocessable) as exc:  # the form must match the catalogue
        mat.create_issue_form(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 1,
                                                 "recipient_id": 11, "specification": "A3"})
    assert exc.value.field == "specification"
    # SYS-01: the movement stores rule, reason, actor and before/after, and answers "why"
    issue = [m for m in mat.list_movements(MANAGER, PID, {}) if m["kind"] == "issue"]
    assert len(issue) == 1
    assert (issue[0]["rule"], issue[0]["before"], issue[0]["after"], issue[0]["actor_id"]) == \
        ("MAT-04", 5, 2, 11)
    assert "confirmed by recipient 陈静 Chen Jing" in issue[0]["reason"]   # by name
    chain = mat.why(C1, "movement", issue[0]["id"])["decisions"]
    assert chain[0]["rule"] == "MAT-04" and chain[0]["data"]["after"] == 2
    rules = [d["rule"] for d in mat.why(C1, "item", item["id"])["decisions"]]
    assert rules == ["MAT-01", "MAT-03", "MAT-04"]
    assert [d["rule"] for d in mat.why(C1, "issue_form", form["id"])["decisions"]][:2] == \
        ["MAT-02", "MAT-04"]  # MAT-02.4: what the form was issued against


def test_sys01_stock_levels_and_ledgers_export_as_csv_and_xlsx(mat):
    import base64
    item = add_item(mat, stock=7)
    mat.create_ledger_entry(STOREKEEPER, PID, {"item_id": item["id"], "location": "前台",
                                               "responsible_id": 11, "state": "in_use"})
    csv = mat.export_stock(C1, PID, {"format": "csv"})
    text = base64.b64decode(csv["content_b64"]).decode("utf-8-sig")
    assert csv["filename"].endswith(".csv") and "FP-A" in text and ",7," in text
    xlsx = mat.export_stock(C1, PID, {"format": "xlsx"})
    assert base64.b64decode(xlsx["content_b64"])[:2] == b"PK"
    for fn in (mat.export_movements, mat.export_ledger):
        assert "FP-A" in base64.b64decode(fn(MANAGER, PID, {"format": "csv"})["content_b64"])\
            .decode("utf-8-sig")
    with pytest.raises(Unprocessable):
        mat.export_stock(C1, PID, {"format": "pdf"})


# ---------------------------------------------------------------- MAT-02 plans and requests

def test_mat02_planned_requests_pass_urgent_ones_wait_for_a_manager(mat):
    # clauses: MAT-02.1 MAT-02.3 MAT-02.6 MAT-02.7
    item = add_item(mat, code="BRO", category="brochure")
    with pytest.raises(Unprocessable) as exc:  # a weekly plan starts on a Monday
        mat.create_plan(STOREKEEPER, PID, {"period": "weekly", "starts": "2026-03-03",
                                           "milestone": "开盘", "lines": [
                                               {"item_id": item["id"], "quantity": 100}]})
    assert exc.value.rule == "MAT-02" and exc.value.field == "starts"
    plan = mat.create_plan(STOREKEEPER, PID, {"period": "monthly", "starts": "2026-03-01",
                                              "milestone": "开盘 launch", "lines": [
                                                  {"item_id": item["id"], "quantity": 100}]})
    assert plan["status"] == "draft" and plan["ends"] == "2026-04-01"
    with pytest.raises(Forbidden):
        mat.approve_plan(C1, PID, plan["id"])
    # a draft plan covers nothing: the request is urgent
    urgent = mat.create_request(C1, PID, {"item_id": item["id"], "quantity": 10})
    assert (urgent["kind"], urgent["status"]) == ("urgent", "pending")
    assert mat.approve_plan(SUPERVISOR, PID, plan["id"])["status"] == "approved"
    planned = mat.create_request(C1, PID, {"item_id": item["id"], "quantity": 60})
    assert (planned["kind"], planned["status"], planned["rule"]) == \
        ("planned", "approved", "MAT-02")
    over = mat.create_request(C1, PID, {"item_id": item["id"], "quantity": 60})
    assert over["kind"] == "urgent" and "40" in over["reason"]
    with pytest.raises(Forbidden) as exc:  # a supervisor may not approve an urgent request
        mat.approve_request(SUPERVISOR, PID, over["id"], {})
    assert exc.value.rule == "MAT-02"
    approved = mat.approve_request(MANAGER, PID, over["id"], {})
    assert approved["status"] == "approved" and approved["decided_by"] == 2
    assert mat.reject_request(MANAGER, PID, urgent["id"], {"reason": "no budget"})["status"] \
        == "rejected"
    with pytest.raises(Conflict):
        mat.approve_request(MANAGER, PID, urgent["id"], {})
    assert mat.list_plans(C1, PID)[0]["lines"][0]["remaining"] == 40


# ---------------------------------------------------------------- MAT-05 usage ledger

def test_mat05_usage_ledger_reports_unusable_items_for_disposal_once(mat):
    # clauses: MAT-05.1 MAT-05.3 MAT-05.4
    item = add_item(mat, code="LASER", category="laser_pointer", reorder_level=0)
    entry = mat.create_ledger_entry(STOREKEEPER, PID, {
        "item_id": item["id"], "location": "沙盘区 model table", "responsible_id": 11,
        "state": "in_use"})
    assert entry["disposal_reported"] is False
    with pytest.raises(Unprocessable) as exc:
        mat.update_ledger_entry(STOREKEEPER, PID, entry["id"], {"location": " "})
    assert exc.value.rule == "MAT-05" and exc.value.field == "location"
    gone = mat.update_ledger_entry(STOREKEEPER, PID, entry["id"], {"state": "unusable"})
    assert gone["disposal_reported"] is True
    with pytest.raises(Unprocessable):  # unusable is final
        mat.update_ledger_entry(STOREKEEPER, PID, entry["id"], {"state": "in_use"})
    with pytest.raises(Forbidden):
        mat.create_ledger_entry(C1, PID, {"item_id": item["id"], "location": "desk",
                                          "responsible_id": 11, "state": "in_use"})
    outcomes = [d["outcome"] for d in mat.why(MANAGER, "ledger_entry", entry["id"])["decisions"]]
    assert outcomes == ["in_use", "report_disposal"]


# ---------------------------------------------------------------- MAT-06 stocktake, SYS-03

def test_mat06_stocktake_by_two_adjusts_stock_and_attributes_losses(mat):
    # clauses: MAT-06.2 MAT-06.5 MAT-06.7 MAT-06.8
    a = add_item(mat, code="FP-A", stock=10, reorder_level=0)
    b = add_item(mat, code="GIFT", category="gift", stock=5, reorder_level=0)
    lines = [{"item_id": a["id"], "counted": 8, "damaged": 1,
              "reasons": {"shortage": "two missing", "damage": "water"}},
             {"item_id": b["id"], "counted": 6, "reasons": {"surplus": "uncounted box"}}]
    with pytest.raises(Unprocessable) as exc:
        mat.create_stocktake(STOREKEEPER, PID, {"counter_ids": [5, 5], "lines": lines})
    assert exc.value.rule == "MAT-06" and exc.value.field == "counter_ids"
    with pytest.raises(Unprocessable) as exc:  # a difference needs its reason
        mat.create_stocktake(STOREKEEPER, PID, {"counter_ids": [5, 3], "lines": [
            {"item_id": a["id"], "counted": 9}]})
    assert exc.value.field == "reasons"
    assert stock_of(mat, a["id"])["on_hand"] == 10  # a refused stocktake changes nothing
    with pytest.raises(Forbidden):
        mat.create_stocktake(SUPERVISOR, PID, {"counter_ids": [5, 3], "lines": lines})
    result = mat.create_stocktake(STOREKEEPER, PID, {"counter_ids": [5, 3], "lines": lines})
    by_item = {ln["item_id"]: ln for ln in result["lines"]}
    assert by_item[a["id"]]["new_balance"] == 7 and by_item[a["id"]]["attributed_to"] == 5
    assert by_item[a["id"]]["loss_cents"] == 150  # (2 short + 1 damaged) x 50
    assert by_item[b["id"]]["new_balance"] == 6 and by_item[b["id"]]["attributed_to"] is None
    assert stock_of(mat, a["id"])["on_hand"] == 7 and stock_of(mat, b["id"])["on_hand"] == 6
    kinds = [(m["kind"], m["rule"]) for m in mat.list_movements(MANAGER, PID, {})
             if m["ref_type"] == "stocktake"]
    assert kinds == [("shortage", "MAT-06"), ("damage", "MAT-06"), ("surplus", "MAT-06")]
    # SYS-03: a project may ask for more counters, never fewer than two
    # refused when written, naming the key and the rule it tunes (was SYS-03 before the
    # policy spec: the kit now cites each key's own rule, MAT-06 here)
    with pytest.raises(Unprocessable) as exc:
        mat.set_policy(MANAGER, PID, {"stocktake_min_counters": 1})
    assert (exc.value.rule, exc.value.field) == ("MAT-06", "stocktake_min_counters")
    assert mat.set_policy(MANAGER, PID, {"stocktake_min_counters": 3})[
        "stocktake_min_counters"] == 3
    with pytest.raises(Unprocessable):
        mat.create_stocktake(STOREKEEPER, PID, {"counter_ids": [5, 3], "lines": [
            {"item_id": a["id"], "counted": 7}]})


# ---------------------------------------------------------------- MAT-07 desk kit

def reception_completed(reception_id, floor_plans, person_id=11, day="2026-03-02"):
    return {"event_id": str(uuid.uuid4()), "event_type": "reception_completed",
            "source": "reception", "occurred_at": "2026-03-02T02:00:00+00:00", "project_id": PID,
            "actor": {"person_id": person_id, "name": "c1", "roles": ["consultant"]},
            "rule": "REC-06", "reason": "reception completed", "reception_id": reception_id,
            "person_id": person_id, "customer_id": 7, "credit_owner_id": person_id,
            "kind": "turn", "outcome": "visited", "floor_plans": floor_plans, "day": day}


def test_mat07_a_completed_reception_issues_its_floor_plans_once_even_when_delivered_twice(
        mat, rabbit_config):
    # clauses: MAT-07.2 MAT-07.3
    a = add_item(mat, code="FP-A", stock=5, reorder_level=0)
    b = add_item(mat, code="FP-B", stock=1, reorder_level=0)
    dispatch = event_dispatcher(dict(rabbit_config))
    event = reception_completed(501, [{"code": "FP-A", "quantity": 2},
                                      {"code": "FP-B", "quantity": 3}])
    dispatch("reception", "reception_completed", event)
    dispatch("reception", "reception_completed", event)  # redelivered
    # a different event about the same reception is still one hand-out
    dispatch("reception", "reception_completed", dict(event, event_id=str(uuid.uuid4())))
    # then a second reception, so we know the ones before it were all handled
    dispatch("reception", "reception_completed",
             reception_completed(502, [{"code": "FP-A", "quantity": 1}]))

    def issued():
        moves = [m for m in mat.list_movements(MANAGER, PID, {}) if m["kind"] == "issue"]
        return moves if {m["ref_id"] for m in moves} == {"501", "502"} else None
    moves = eventually(issued, message="reception hand-outs were not issued")
    assert sorted((m["ref_id"], m["code"], m["quantity"]) for m in moves) == \
        [("501", "FP-A", 2), ("501", "FP-B", 1), ("502", "FP-A", 1)]
    assert all(m["rule"] == "MAT-07" and m["actor_id"] == 11 for m in moves)
    assert stock_of(mat, a["id"])["on_hand"] == 2 and stock_of(mat, b["id"])["on_hand"] == 0
    # the sheets stock could not cover are the day's shortages, for the supervisor
    day = mat.list_shortages(SUPERVISOR, PID, {"day": "2026-03-02"})
    assert [(s["code"], s["wanted"], s["issued"], s["missing"]) for s in day["shortages"]] == \
        [("FP-B", 3, 1, 2)]
    with pytest.raises(Forbidden):
        mat.list_shortages(C1, PID, {"day": "2026-03-02"})
    assert mat.list_shortages(SUPERVISOR, PID, {"day": "2026-03-03"})["shortages"] == []


def test_mat07_short_desk_folders_are_recorded_and_reported_to_the_manager(mat):
    # clauses: MAT-07.1 MAT-07.5
    add_item(mat, code="FP-A")
    add_item(mat, code="FP-B")
    add_item(mat, code="BRO", category="brochure")
    check = mat.check_desk_kit(SUPERVISOR, PID, {"consultant_id": 11,
                                                 "folder": {"FP-A": 2, "FP-B": 1}})
    assert check["complete"] is False and check["shortages"] == {"FP-B": 1}
    assert check["rule"] == "MAT-07"
    full = mat.check_desk_kit(SUPERVISOR, PID, {"consultant_id": 12,
                                                "folder": {"FP-A": 3, "FP-B": 2}})
    assert full["complete"] is True
    with pytest.raises(Forbidden):
        mat.check_desk_kit(C1, PID, {"consultant_id": 11, "folder": {}})
    report = mat.report_shortages(SUPERVISOR, PID, {"day": "2026-03-02"})
    assert report["reported"] == 1 and report["shortages"][0]["reported"] is True
    assert mat.report_shortages(SUPERVISOR, PID, {"day": "2026-03-02"})["reported"] == 0


# ---------------------------------------------------------------- MAT-08 low stock

def test_mat08_stock_low_is_emitted_once_per_crossing(mat, rabbit_config):
    # clauses: MAT-08.1 MAT-08.2 MAT-08.3
    exchange = get_event_exchange("materials", {})
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        queue = Queue("materials-low-listener", durable=False, auto_delete=True, bindings=[
            binding(exchange, routing_key="stock_low"),
            binding(exchange, routing_key="stock_moved")])(conn)
        queue.declare()
        item = add_item(mat, code="FP-A", reorder_level=3, stock=5)
        for _ in range(3):                      # 5 -> 4 -> 3 (crosses) -> 2
            issue_to(mat, item["id"], 1, C1, 11)
        mat.create_receipt(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 5,
                                              "inspector_id": 3, "inspection_passed": True})
        issue_to(mat, item["id"], 4, C1, 11)   # 7 -> 3: crosses again after the restock
        issue_to(mat, item["id"], 1, C1, 11)   # 3 -> 2: no new crossing
        last = mat.create_receipt(STOREKEEPER, PID, {"item_id": item["id"], "quantity": 1,
                                                     "inspector_id": 3,
                                                     "inspection_passed": True})
        seen = []

        def drained():
            while (message := queue.get(no_ack=True)) is not None:
                seen.append(message.payload)
            return any(p["event_type"] == "stock_moved" and p["movement_id"] and
                       p["kind"] == "receive" and p["balance"] == 3 for p in seen)
        eventually(drained, message="the last stock_moved was not published")
    low = [p for p in seen if p["event_type"] == "stock_low"]
    assert [(p["balance"], p["reorder_level"], p["rule"]) for p in low] == \
        [(3, 3, "MAT-08"), (3, 3, "MAT-08")]
    assert all(p["code"] == "FP-A" and p["project_id"] == PID for p in low)
    moved = [p for p in seen if p["event_type"] == "stock_moved"]
    assert [p["kind"] for p in moved] == ["receive", "issue", "issue", "issue", "receive",
                                          "issue", "issue", "receive"]
    assert all(p["rule"] and p["reason"] for p in moved)
    assert last["quantity"] == 1


def test_mat07_1_a_consultant_who_left_has_no_desk_folder_any_more(mat, rabbit_config):
    """MAT-07.1 / MAT-06.2 on the broker: attendance's roles_changed (inactive) reaches the
    directory replica, and the next folder check or count naming them is refused."""
    add_item(mat, code="FP-A")
    assert mat.check_desk_kit(SUPERVISOR, PID, {"consultant_id": 12,
                                                "folder": {"FP-A": 2}})["complete"] is True
    announce(event_dispatcher(dict(rabbit_config)), 12, ["consultant"], active=False,
             event_type="roles_changed")
    eventually(lambda: not known(mat, 12), message="the replica kept consultant 12 active")
    with pytest.raises(Unprocessable) as exc:
        mat.check_desk_kit(SUPERVISOR, PID, {"consultant_id": 12, "folder": {"FP-A": 2}})
    assert (exc.value.rule, exc.value.field) == ("MAT-07", "consultant_id")
    with pytest.raises(Unprocessable) as exc:
        mat.create_stocktake(STOREKEEPER, PID, {"counter_ids": [5, 12], "lines": [
            {"item_id": 1, "counted": 0}]})
    assert (exc.value.rule, exc.value.field) == ("MAT-06", "counter_ids")
