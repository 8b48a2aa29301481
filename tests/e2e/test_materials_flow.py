"""Materials through the gateway with requests (MAT-01, MAT-03, MAT-04, MAT-06, SYS-01, SYS-02):
catalogue → receipt → issue form → the recipient confirms → stock levels as CSV and xlsx →
stocktake, in a project of its own."""
import csv
import io

import openpyxl
import pytest

M = "/v1/projects/{p}/materials"


@pytest.fixture
def march(project):
    """SYS-04: a Monday in March (a month without a full count), whatever the wall clock says."""
    project.stack.set_clock("2026-03-02T10:00:00+08:00")
    yield project
    project.stack.api("DELETE", "/v1/admin/clock", user="admin")


def error_of(response):
    return response.json()["error"]


def test_materials_end_to_end_through_the_gateway(march):
    project = march
    ids = project.ids
    # MAT-01: the storekeeper adds a floor-plan sheet; a consultant may not (SYS-02)
    r = project.api("POST", f"{M}/items", as_="c1", json={
        "code": "FP-A", "name": "户型单张 A", "specification": "A4", "unit": "sheet",
        "unit_price_cents": 50, "category": "floor_plan", "reorder_level": 5})
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02"
    r = project.api("POST", f"{M}/items", as_="storekeeper", json={
        "code": "FP-A", "name": "户型单张 A", "specification": "A4", "unit": "sheet",
        "unit_price_cents": 50, "category": "floor_plan", "reorder_level": 5})
    assert r.status_code == 201, r.text
    item = r.json()

    # MAT-03: a receipt names receiver and inspector; failed goods are held, not available
    r = project.api("POST", f"{M}/receipts", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 20, "amount_cents": 1000,
        "inspector_id": ids["supervisor"], "inspection_passed": True, "deliverer": "印刷厂"})
    assert r.status_code == 201, r.text
    assert r.json()["receiver_id"] == ids["storekeeper"]
    r = project.api("POST", f"{M}/receipts", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 3, "inspector_id": ids["supervisor"],
        "inspection_passed": False})
    assert r.status_code == 201 and r.json()["held_remaining"] == 3

    # MAT-02.4: no plan lists the sheet and no request is named: nothing may be issued
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 8, "recipient_id": ids["c1"]})
    assert r.status_code == 422 and (error_of(r)["rule"], error_of(r)["field"]) == \
        ("MAT-02", "request_id")
    plan = project.api("POST", f"{M}/plans", as_="storekeeper", json={
        "period": "monthly", "starts": "2026-03-01", "milestone": "开盘",
        "lines": [{"item_id": item["id"], "quantity": 30}]}).json()
    r = project.api("POST", f"{M}/plans/{plan['id']}/approve", as_="manager")
    assert r.status_code == 200, r.text

    # MAT-04: an issue form to c1 (drawn on the plan), confirmed by c1 only
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 8, "recipient_id": ids["c1"], "purpose": "desk kit"})
    assert r.status_code == 201, r.text
    form = r.json()
    assert form["plan_line_id"] == plan["lines"][0]["id"] and form["request_id"] is None
    r = project.api("POST", f"{M}/issue-forms/{form['id']}/confirm", as_="c2")
    assert r.status_code == 403 and error_of(r)["rule"] == "MAT-04"
    r = project.api("POST", f"{M}/issue-forms/{form['id']}/confirm", as_="c1")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "issued" and r.json()["balance"] == 12
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 13, "recipient_id": ids["c2"]})
    r = project.api("POST", f"{M}/issue-forms/{r.json()['id']}/confirm", as_="c2")
    assert r.status_code == 409 and error_of(r)["rule"] == "MAT-04"

    # stock levels as JSON, CSV and xlsx
    r = project.api("GET", f"{M}/stock", as_="c3")
    assert r.status_code == 200
    assert [(s["code"], s["on_hand"], s["held"]) for s in r.json()] == [("FP-A", 12, 3)]
    r = project.api("GET", f"{M}/stock/export?format=csv", as_="manager")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[1][0] == "FP-A" and rows[1][8] == "12" and rows[1][9] == "3"
    r = project.api("GET", f"{M}/stock/export?format=xlsx", as_="manager")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[2]][:1] == ["FP-A"] and sheet.cell(2, 9).value == 12
    r = project.api("GET", f"{M}/stock/export?format=pdf", as_="manager")
    assert r.status_code == 422

    # MAT-06.2: counters are active staff of this project; MAT-06.7: so is the storekeeper
    for body in ({"counter_ids": [ids["storekeeper"], 987654]},
                 {"counter_ids": [ids["storekeeper"], ids["supervisor"]],
                  "storekeeper_id": ids["c1"]}):
        r = project.api("POST", f"{M}/stocktakes", as_="storekeeper", json={
            **body, "lines": [{"item_id": item["id"], "counted": 12}]})
        assert r.status_code == 422 and error_of(r)["rule"] == "MAT-06", r.text
    r = project.api("GET", f"{M}/stocktakes/months?year=2026", as_="manager")
    assert r.status_code == 200 and r.json()[2]["status"] == "due"
    # MAT-06: a stocktake by two people adjusts stock; the loss is the storekeeper's
    r = project.api("POST", f"{M}/stocktakes", as_="storekeeper", json={
        "counter_ids": [ids["storekeeper"], ids["supervisor"]],
        "lines": [{"item_id": item["id"], "counted": 10,
                   "reasons": {"shortage": "two sheets not found"}}]})
    assert r.status_code == 201, r.text
    line = r.json()["lines"][0]
    assert (line["book"], line["shortage"], line["new_balance"], line["attributed_to"]) == \
        (12, 2, 10, ids["storekeeper"])
    r = project.api("GET", f"{M}/items/{item['id']}", as_="c1")
    assert r.json()["on_hand"] == 10
    months = project.api("GET", f"{M}/stocktakes/months?year=2026", as_="manager").json()
    assert [(m["month"], m["status"]) for m in months[1:3]] == \
        [("2026-02", "missed"), ("2026-03", "done")]
    assert months[5]["full_required"] and months[11]["full_required"]

    # SYS-01: every movement answers "why" with its rule
    moves = project.api("GET", f"{M}/movements", as_="manager").json()
    assert [(m["kind"], m["rule"]) for m in moves] == [
        ("receive", "MAT-03"), ("hold", "MAT-03"), ("issue", "MAT-04"), ("shortage", "MAT-06")]
    r = project.api("GET", f"/v1/why/materials/movement/{moves[2]['id']}", as_="manager")
    assert r.status_code == 200 and r.json()["decisions"][0]["rule"] == "MAT-04"
    r = project.api("GET", f"/v1/why/materials/item/{item['id']}", as_="manager")
    assert [d["rule"] for d in r.json()["decisions"]] == \
        ["MAT-01", "MAT-03", "MAT-03", "MAT-04", "MAT-06"]
    r = project.api("GET", f"{M}/movements/export?format=csv", as_="manager")
    assert r.status_code == 200 and "MAT-06" in r.content.decode("utf-8-sig")


def test_materials_of_one_project_are_not_visible_to_another(stack, project):
    r = project.api("POST", f"{M}/items", as_="storekeeper", json={
        "code": "BAG", "name": "手提袋", "specification": "large", "unit": "pc",
        "unit_price_cents": 300, "category": "bag", "reorder_level": 10})
    assert r.status_code == 201
    r = stack.api("GET", f"/v1/projects/{project.id}/materials/items", user="manager")
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02"
    r = project.api("GET", f"{M}/items/999999", as_="manager")
    assert r.status_code == 404


def test_plans_requests_ledger_and_desk_kit_routes(march):
    """MAT-02, MAT-05, MAT-07 through the gateway: who may do what, and the day's shortages."""
    project = march
    ids = project.ids
    item = project.api("POST", f"{M}/items", as_="manager", json={
        "code": "FP-B", "name": "户型单张 B", "specification": "A4", "unit": "sheet",
        "unit_price_cents": 50, "category": "floor_plan", "reorder_level": 0}).json()
    plan = project.api("POST", f"{M}/plans", as_="storekeeper", json={
        "period": "weekly", "starts": "2026-03-02", "milestone": "开盘",
        "lines": [{"item_id": item["id"], "quantity": 50}]})
    assert plan.status_code == 201, plan.text
    r = project.api("POST", f"{M}/plans/{plan.json()['id']}/approve", as_="supervisor")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = project.api("POST", f"{M}/requests", as_="c1",
                    json={"item_id": item["id"], "quantity": 80})
    assert r.status_code == 201 and r.json()["kind"] == "urgent"
    rid = r.json()["id"]
    r = project.api("POST", f"{M}/requests/{rid}/approve", as_="supervisor", json={})
    assert r.status_code == 403 and error_of(r)["rule"] == "MAT-02"
    r = project.api("POST", f"{M}/requests", as_="c1",
                    json={"item_id": item["id"], "quantity": 5})
    planned = r.json()["id"]
    assert r.json()["kind"] == "planned"  # 5 of the plan's 50: approved at once
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 5, "recipient_id": ids["c2"], "request_id": planned})
    assert r.status_code == 201 and r.json()["request_id"] == planned
    r = project.api("POST", f"{M}/requests", as_="c1",
                    json={"item_id": item["id"], "quantity": 80})
    pending = r.json()["id"]
    # MAT-02.3: an urgent request nobody approved controls nothing
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 1, "recipient_id": ids["c1"], "request_id": rid})
    assert r.status_code == 409 and error_of(r)["rule"] == "MAT-02"
    r = project.api("POST", f"{M}/requests/{rid}/approve", as_="manager", json={})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    # MAT-02.5: forms draw on the approved request up to its quantity, never beyond
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 81, "recipient_id": ids["c1"], "request_id": rid})
    assert r.status_code == 409 and error_of(r)["field"] == "quantity"
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 80, "recipient_id": ids["c1"], "request_id": rid})
    assert r.status_code == 201 and r.json()["request_id"] == rid
    r = project.api("GET", f"{M}/requests", as_="manager")
    assert [q["issued"] for q in r.json() if q["id"] == rid] == [80]
    r = project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 1, "recipient_id": ids["c1"], "request_id": pending})
    assert r.status_code == 409 and error_of(r)["rule"] == "MAT-02"

    r = project.api("POST", f"{M}/ledger", as_="storekeeper", json={
        "item_id": item["id"], "location": "前台", "responsible_id": ids["c1"],
        "state": "in_use"})
    assert r.status_code == 201, r.text
    r = project.api("PATCH", f"{M}/ledger/{r.json()['id']}", as_="storekeeper",
                    json={"state": "unusable"})
    assert r.status_code == 200 and r.json()["disposal_reported"] is True
    r = project.api("GET", f"{M}/ledger/export?format=xlsx", as_="manager")
    assert r.status_code == 200 and r.content[:2] == b"PK"

    # MAT-07.4: checked twice the same day, the folder is one shortage line, not two
    for _ in range(2):
        r = project.api("POST", f"{M}/desk-kit/checks", as_="supervisor",
                        json={"consultant_id": ids["c2"], "folder": {"FP-B": 0}})
        assert r.status_code == 200 and r.json()["shortages"] == {"FP-B": 2}
    # MAT-07.1: the folder checked is a desk consultant's of this project
    r = project.api("POST", f"{M}/desk-kit/checks", as_="supervisor",
                    json={"consultant_id": ids["storekeeper"], "folder": {"FP-B": 0}})
    assert r.status_code == 422 and error_of(r)["field"] == "consultant_id"
    r = project.api("GET", f"{M}/shortages?day=2026-03-02", as_="supervisor")
    assert r.status_code == 200 and r.json()["missing"] == 2
    r = project.api("GET", f"{M}/shortages", as_="c2")
    assert r.status_code == 403
    r = project.api("POST", f"{M}/shortages/report", as_="supervisor",
                    json={"day": "2026-03-02"})
    assert r.status_code == 200 and r.json()["reported"] == 1
