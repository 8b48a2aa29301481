"""Across services, through the gateway: a completed reception's floor plans leave the stock
(REC-06 → MAT-07), once, and the shortage of the day is recorded when the stock cannot cover
them; falling to the reorder level raises low stock once (MAT-08)."""
from tests.e2e.test_reception_flow import at, morning
from tests.helpers import eventually

M = "/v1/projects/{p}/materials"


def stock(project, code):
    r = project.api("GET", f"{M}/stock", as_="storekeeper")
    assert r.status_code == 200, r.text
    return next(s for s in r.json() if s["code"] == code)


def test_mat07_rec06_floor_plans_handed_out_in_a_reception_leave_the_stock(stack, project):
    morning(stack, project)
    ids = project.ids
    r = project.api("POST", f"{M}/items", as_="storekeeper", json={
        "code": "FP-B", "name": "户型单张 B", "specification": "A4", "unit": "sheet",
        "unit_price_cents": 50, "category": "floor_plan", "reorder_level": 2})
    assert r.status_code == 201, r.text
    r = project.api("POST", f"{M}/receipts", as_="storekeeper", json={
        "item_id": r.json()["id"], "quantity": 5, "inspector_id": ids["supervisor"],
        "inspection_passed": True})
    assert r.status_code == 201, r.text

    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist", json={})
    assert r.status_code == 201, r.text
    reception = r.json()["reception"]
    stack.set_clock(at("09:40"))
    r = project.api("POST", f"/v1/projects/{{p}}/receptions/{reception['id']}/complete",
                    as_=next(n for n, i in ids.items() if i == reception["person_id"]),
                    json={"outcome": "interested",
                          "floor_plans": [{"code": "FP-B", "quantity": 4}]})
    assert r.status_code == 200, r.text
    eventually(lambda: stock(project, "FP-B")["on_hand"] == 1, timeout=10,
               message="the floor plans handed out were not issued from stock (MAT-07)")

    # a second reception hands out more than is left: 1 issued, 2 short for the day
    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist", json={})
    second = r.json()["reception"]
    r = project.api("POST", f"/v1/projects/{{p}}/receptions/{second['id']}/complete",
                    as_=next(n for n, i in ids.items() if i == second["person_id"]),
                    json={"outcome": "thinking", "floor_plans": [{"code": "FP-B", "quantity": 3}]})
    assert r.status_code == 200, r.text

    def short():
        r = project.api("GET", f"{M}/shortages?day=2026-03-02", as_="supervisor")
        assert r.status_code == 200, r.text
        return r.json()["missing"]
    eventually(lambda: short() == 2, timeout=10, message="the day's shortage was not recorded")
    assert stock(project, "FP-B")["on_hand"] == 0
    # SYS-01: every movement says which rule moved it
    r = project.api("GET", f"{M}/movements", as_="manager")
    assert r.status_code == 200
    rules = {m["rule"] for m in r.json() if m["code"] == "FP-B"}
    assert "MAT-07" in rules and "MAT-03" in rules
