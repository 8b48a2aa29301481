"""Materials benchmark cases: a stock-level read and a full issue (form + recipient's
confirmation: two RPCs, one conditional UPDATE, a movement, a why record and an event)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

AUTH_GET = "gateway authenticated GET /v1/staff/<id>"
BASE = "/v1/projects/1/materials"


def _item(stack, code):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.login('storekeeper')}"
    items = session.get(stack.url + BASE + "/items", timeout=10).json()
    item = next((i for i in items if i["code"] == code), None)
    if item is None:
        item = session.post(stack.url + BASE + "/items", timeout=10, json={
            "code": code, "name": "bench sheet", "specification": "A4", "unit": "sheet",
            "unit_price_cents": 1, "category": "other", "reorder_level": 0}).json()
    return session, item


def stock_levels(stack):
    session, _ = _item(stack, "BENCH")
    url = stack.url + BASE + "/stock"

    def call():
        assert session.get(url, timeout=10).status_code == 200
    return call, session.close


def issue_and_confirm(stack):
    session, item = _item(stack, "BENCH-ISSUE")
    session.post(stack.url + BASE + "/receipts", timeout=10, json={
        "item_id": item["id"], "quantity": 100000, "inspector_id": stack.staff_id("supervisor"),
        "inspection_passed": True})
    # MAT-02: forms draw on an approved needs plan covering today (project-local month)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    plan = session.post(stack.url + BASE + "/plans", timeout=10, json={
        "period": "monthly", "starts": today.replace(day=1).isoformat(), "milestone": "bench",
        "lines": [{"item_id": item["id"], "quantity": 100000}]}).json()
    manager = requests.Session()
    manager.headers["Authorization"] = f"Bearer {stack.login('manager')}"
    r = manager.post(stack.url + BASE + f"/plans/{plan['id']}/approve", timeout=10)
    assert r.status_code == 200, r.text
    manager.close()
    li = stack.staff_id("li")
    recipient = requests.Session()
    recipient.headers["Authorization"] = f"Bearer {stack.login('li')}"

    def call():
        form = session.post(stack.url + BASE + "/issue-forms", timeout=10, json={
            "item_id": item["id"], "quantity": 1, "recipient_id": li}).json()
        r = recipient.post(stack.url + BASE + f"/issue-forms/{form['id']}/confirm", timeout=10)
        assert r.status_code == 200, r.text

    def teardown():
        session.close()
        recipient.close()
    return call, teardown


BENCHES = [
    ("materials GET stock levels", AUTH_GET, stock_levels),
    ("materials issue form + confirm (2 calls)", AUTH_GET, issue_and_confirm),
]
