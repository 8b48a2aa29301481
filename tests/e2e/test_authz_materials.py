"""SYS-02 object-level authorisation in the store through the gateway (issue 14): an issue
form's recipient is active staff of this project; another project's items are not found; the
store is the office staff's, not a channel agent's; "why" about stock is the staff's, an
issue form's reasons its recipient's and the storekeeper's."""
from tests.e2e.conftest import new_project
from tests.e2e.test_materials_flow import error_of, march  # noqa: F401 (fixture)
from tests.helpers import eventually

M = "/v1/projects/{p}/materials"


def new_item(project, code):
    r = project.api("POST", f"{M}/items", as_="storekeeper", json={
        "code": code, "name": f"户型单张 {code}", "specification": "A4", "unit": "sheet",
        "unit_price_cents": 50, "category": "floor_plan", "reorder_level": 0})
    assert r.status_code == 201, r.text
    return r.json()


def test_sys02_the_store_names_people_and_items_of_this_project(stack, march):  # noqa: F811
    project, ids = march, march.ids
    other = new_project(stack, consultants=("x1",))
    item = new_item(project, "FP-Z")
    eventually(lambda: project.api("POST", f"{M}/receipts", as_="storekeeper", json={
        "item_id": item["id"], "quantity": 10, "inspector_id": ids["supervisor"],
        "inspection_passed": True}).status_code == 201, timeout=10, interval=0.2,
        message="the receipt was not recorded (the directory has not the staff yet?)")
    plan = project.api("POST", f"{M}/plans", as_="storekeeper", json={
        "period": "weekly", "starts": "2026-03-02", "milestone": "开盘",
        "lines": [{"item_id": item["id"], "quantity": 10}]}).json()
    assert project.api("POST", f"{M}/plans/{plan['id']}/approve",
                       as_="supervisor").status_code == 200

    def form(recipient, item_id=item["id"]):
        return project.api("POST", f"{M}/issue-forms", as_="storekeeper", json={
            "item_id": item_id, "quantity": 1, "recipient_id": recipient})
    for nobody in (other.ids["x1"], 987654321):      # another project's consultant; nobody
        r = form(nobody)
        assert r.status_code == 422, r.text
        assert (error_of(r)["rule"], error_of(r)["field"]) == ("MAT-04", "recipient_id")
    their_item = new_item(other, "FP-Y")
    r = form(ids["c1"], item_id=their_item["id"])
    assert r.status_code == 404 and error_of(r)["field"] == "item_id", r.text
    r = eventually(lambda: (lambda r: r if r.status_code == 201 else None)(form(ids["c1"])),
                   timeout=10, interval=0.2, message="c1 is not yet in the directory")
    made = r.json()
    r = project.api("POST", f"{M}/issue-forms/{made['id']}/confirm", as_="c2")
    assert r.status_code in (403, 422), r.text               # only the recipient confirms
    r = project.api("POST", f"{M}/issue-forms/{made['id']}/confirm", as_="c1")
    assert r.status_code == 200, r.text

    # the store is the office staff's; a channel agent is external
    for path in ("/items", f"/items/{item['id']}", "/stock", "/movements", "/plans",
                 "/requests", "/receipts", "/issue-forms", "/ledger"):
        assert project.api("GET", M + path, as_="agent").status_code == 403, path
        assert project.api("GET", M + path, as_="c2").status_code == 200, path
    r = project.api("POST", f"{M}/requests", as_="agent",
                    json={"item_id": item["id"], "quantity": 1})
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02", r.text

    # "why": stock is the staff's, an issue form its recipient's and the storekeeper's
    for subject, ident, readers, not_readers in (
            ("item", item["id"], ("c2", "clerk", "storekeeper"), ("agent",)),
            ("issue_form", made["id"], ("c1", "storekeeper", "manager"), ("c2", "agent"))):
        why = f"/v1/why/materials/{subject}/{ident}"
        for who in readers:
            assert project.api("GET", why, as_=who).status_code == 200, (subject, who)
        for who in not_readers:
            assert project.api("GET", why, as_=who).status_code == 404, (subject, who)
