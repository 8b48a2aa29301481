"""Clients through the gateway with requests (CLI-01…14 with REC-07/12), each test in its own
project: ownership made by reception's visits and calls, and used by reception for real."""
import csv
import io

import openpyxl

from tests.e2e.test_reception_flow import at, morning
from tests.helpers import eventually

P = "/v1/projects/{p}"
PHONE_P = "138 1234 5601"          # written with spaces: CLI-01 normalises it
PHONE_Q = "+86 139-0000-5602"


def error_of(r):
    return r.json()["error"]


def owner(project, phone):
    r = project.api("GET", P + "/ownership", as_="receptionist", params={"phone": phone})
    assert r.status_code == 200, r.text
    return r.json()


def walk_in(project, phone):
    r = project.api("POST", P + "/walk-ins", as_="receptionist", json={"phone": phone,
                                                                       "name": "王先生"})
    assert r.status_code == 201, r.text
    return r.json()["reception"]


def complete(project, reception):
    name = next(n for n, i in project.ids.items() if i == reception["person_id"])
    r = project.api("POST", P + f"/receptions/{reception['id']}/complete", as_=name,
                    json={"outcome": "interested", "floor_plans": []})
    assert r.status_code == 200, r.text


def test_rec07_cli02_a_customer_received_by_a_comes_back_to_a_and_duty_when_a_is_busy(
        stack, project):
    ids = project.ids
    morning(stack, project)                       # order c2, c1, c3, c4
    first = walk_in(project, PHONE_P)
    assert (first["person_id"], first["kind"]) == (ids["c2"], "turn")
    complete(project, first)
    eventually(lambda: owner(project, "13812345601")["owner_id"] == ids["c2"], timeout=10,
               interval=0.2,
               message="the completed visit did not make c2 the owner (CLI-02)")
    assert owner(project, PHONE_P)["protection_live"] is True
    # REC-12 → CLI-02: c2 answers a new caller, who becomes c2's customer
    stack.set_clock(at("09:30"))
    r = project.api("POST", P + "/calls", as_="c2", json={
        "caller": "赵女士", "phone": PHONE_Q, "need": "两房", "how_heard": "朋友圈",
        "media_source": "wechat", "answered_by": ids["c2"]})
    assert r.status_code == 201, r.text
    eventually(lambda: owner(project, "13900005602")["owner_id"] == ids["c2"], timeout=10,
               interval=0.2,
               message="the registered call did not make c2 the owner")

    marks = {p["person_id"]: p["marks"] for p in
             project.api("GET", P + "/board", as_="receptionist").json()["rotation"]}
    again = walk_in(project, PHONE_P)              # returning: to the owner, no mark (REC-07)
    assert (again["person_id"], again["kind"], again["rule"]) == (ids["c2"], "returning",
                                                                   "REC-07")
    duty = walk_in(project, PHONE_Q)               # owner busy: duty reception, credit to c2
    assert duty["kind"] == "duty" and duty["person_id"] != ids["c2"]
    assert duty["credit_owner_id"] == ids["c2"]
    complete(project, again)
    complete(project, duty)
    after = {p["person_id"]: p["marks"] for p in
             project.api("GET", P + "/board", as_="receptionist").json()["rotation"]}
    assert after == marks                         # neither counted as a turn
    # SYS-01/CLI-11: the history says which rule made c2 the owner
    customer_id = owner(project, PHONE_P)["customer_id"]
    r = project.api("GET", P + f"/customers/{customer_id}/history", as_="supervisor")
    assert r.status_code == 200
    assert r.json()["decisions"][0]["rule"] == "CLI-02"
    assert r.json()["decisions"][0]["outcome"] == "new_owner"


def test_cli06_cli14_channel_reports_and_masked_phones(stack, project):
    ids = project.ids
    stack.set_clock(at("10:00"))
    r = project.api("POST", P + "/pre-registrations", as_="c1", json={
        "phone": "13700001111", "name": "表哥", "kind": "relative"})
    assert r.status_code == 201 and r.json()["data"]["owner_id"] == ids["c1"], r.text
    customer_id = r.json()["customer_id"]
    # CLI-06: a report on an owned customer is refused (撞单)
    r = project.api("POST", P + "/channel-reports", as_="agent", json={
        "name": "表哥", "phone": "137 0000 1111"})
    assert r.status_code == 409 and error_of(r)["rule"] == "CLI-06"
    r = project.api("POST", P + "/channel-reports", as_="c1", json={
        "name": "孙先生", "phone": "13600002222"})
    assert r.status_code == 403
    r = project.api("POST", P + "/channel-reports", as_="agent", json={
        "name": "孙先生", "phone": "13600002222"})
    assert r.status_code == 201 and r.json()["phone"] == "13600002222", r.text
    report = r.json()
    r = project.api("POST", P + "/channel-reports", as_="agent2", json={
        "name": "孙先生", "phone": "13600002222"})
    assert r.status_code == 201
    assert [x["id"] for x in project.api("GET", P + "/channel-reports", as_="agent").json()] \
        == [report["id"]]
    r = project.api("GET", P + f"/channel-reports/{report['id']}", as_="agent2")
    assert r.status_code == 403 and error_of(r)["rule"] == "CLI-06"
    assert len(project.api("GET", P + "/channel-reports", as_="manager").json()) == 2
    # at the visit 40 minutes later the earlier report wins
    stack.set_clock(at("10:40"))
    r = project.api("POST", P + "/channel-reports/match", as_="receptionist", json={
        "name": "孙先生", "phone": "13600002222"})
    assert r.status_code == 200 and r.json()["data"]["report_id"] == report["id"], r.text
    # CLI-14: full phone only to the owner, supervisors and managers
    for who, full in (("c1", True), ("c2", False), ("receptionist", False),
                      ("manager", True)):
        r = project.api("GET", P + f"/customers/{customer_id}", as_=who)
        assert r.status_code == 200
        assert r.json()["phone"] == ("13700001111" if full else "137****1111"), who
    r = project.api("GET", P + "/ownership", as_="c2", params={"phone": "12345"})
    assert r.status_code == 422 and error_of(r)["rule"] == "CLI-01"


def test_cli12_cli13_units_subscriptions_deposit_and_conversion(stack, project):
    ids = project.ids
    stack.set_clock(at("11:00"))
    customer = project.api("POST", P + "/customers", as_="c1", json={
        "phone": "13500003333", "name": "钱先生", "media_source": "billboard"}).json()
    other = project.api("POST", P + "/customers", as_="c2", json={
        "phone": "13500004444", "name": "李女士"}).json()
    r = project.api("POST", P + "/units", as_="c1", json={"code": "3-1801"})
    assert r.status_code == 403
    unit = project.api("POST", P + "/units", as_="manager", json={"code": "3-1801"}).json()
    r = project.api("POST", P + "/subscriptions", as_="c1", json={
        "unit_id": unit["id"], "customer_id": customer["id"]})
    assert r.status_code == 409 and error_of(r)["rule"] == "CLI-12"      # not confirmed (销控)
    assert project.api("POST", P + f"/units/{unit['id']}/confirm",
                       as_="manager").status_code == 200
    r = project.api("POST", P + "/subscriptions", as_="c1", json={
        "unit_id": unit["id"], "customer_id": customer["id"]})
    assert r.status_code == 201, r.text
    sub = r.json()
    r = project.api("POST", P + "/subscriptions", as_="c2", json={
        "unit_id": unit["id"], "customer_id": other["id"]})
    assert r.status_code == 409 and error_of(r)["rule"] == "CLI-12"      # 一房二卖
    # no deposit within 10 minutes: the timer lapses it and the unit is released
    stack.set_clock(at("11:11"))

    def available():
        units = project.api("GET", P + "/units", as_="c2").json()
        return units[0]["available"]
    eventually(available, timeout=10, message="the unpaid subscription did not lapse")
    r = project.api("POST", P + f"/subscriptions/{sub['id']}/deposit", as_="c1")
    assert r.status_code == 409 and error_of(r)["rule"] == "CLI-12"
    r = project.api("POST", P + "/subscriptions", as_="c2", json={
        "unit_id": unit["id"], "customer_id": other["id"]})
    assert r.status_code == 201
    second = r.json()
    r = project.api("POST", P + f"/subscriptions/{second['id']}/deposit", as_="c2")
    assert r.status_code == 200 and r.json()["deposit_paid_at"]
    r = project.api("POST", P + f"/subscriptions/{second['id']}/withdraw", as_="c2", json={})
    assert r.status_code == 403 and error_of(r)["rule"] == "CLI-12"
    r = project.api("POST", P + f"/subscriptions/{sub['id']}/void", as_="manager",
                    json={"clerk_id": ids["clerk"]})
    assert r.status_code == 200 and r.json()["state"] == "voided"
    states = [s["state"] for s in project.api("GET", P + "/subscriptions", as_="c1").json()]
    assert states == ["voided", "live"]                                    # forms kept
    # CLI-13 conversion as JSON, CSV and xlsx
    r = project.api("GET", P + "/conversion", as_="manager")
    assert r.status_code == 200 and r.json()["data"]["totals"]["deals"] == 1
    r = project.api("GET", P + "/conversion", as_="c1")
    assert r.status_code == 403
    r = project.api("GET", P + "/conversion/export?by=consultant&format=csv", as_="manager")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["顾问编号 Consultant ID", "顾问 Consultant", "来电 Calls",
                          "来访 Visits"] and len(rows) == 2
    r = project.api("GET", P + "/conversion/export?by=media_source&format=xlsx", as_="manager")
    assert openpyxl.load_workbook(io.BytesIO(r.content)).active.max_row == 2


def test_cli03_cli07_cli08_cli13_named_visit_price_talk_sign_off_and_targets(stack, project):
    """Through the gateway: CLI-08.1 the named consultant travels from the walk-in to the visit
    register; CLI-07.2 price negotiation recorded by the receiver, a later staff referral is
    refused; CLI-13.1 the register; CLI-13.4 targets; CLI-03.2 re-registration after the lapse
    needs the supervisor (who signs off by calling); CLI-11.4 the history shows it."""
    ids = project.ids
    morning(stack, project)
    r = project.api("POST", P + "/walk-ins", as_="receptionist", json={
        "phone": "13600008888", "name": "周先生", "named_person_id": ids["c3"]})
    assert r.status_code == 201, r.text
    reception = r.json()["reception"]
    complete(project, reception)
    receiver = reception["person_id"]
    eventually(lambda: owner(project, "13600008888")["owner_id"] == receiver, timeout=10,
               interval=0.2, message="the completed visit made no owner")
    customer_id = owner(project, "13600008888")["customer_id"]
    entries = project.api("GET", P + "/visit-register", as_="manager").json()
    [entry] = [e for e in entries if e["customer_id"] == customer_id]
    assert entry["named_person_id"] == ids["c3"] and entry["arrived_at"]
    assert entry["complete"] is False and entry["missing"] == ["media_source"]
    # CLI-07.2: the receiver records price negotiation; a staff referral after it is refused
    name = next(n for n, i in ids.items() if i == receiver)
    r = project.api("POST", P + f"/customers/{customer_id}/price-negotiation", as_=name)
    assert r.status_code == 201 and r.json()["rule"] == "CLI-07", r.text
    r = project.api("POST", P + "/pre-registrations", as_="supervisor", json={
        "phone": "13600008888", "kind": "staff_referral", "consultant_id": ids["c1"]})
    assert r.status_code == 409 and error_of(r)["rule"] == "CLI-07", r.text
    # CLI-13.4: a manager sets the target, the figures show the achievement
    r = project.api("PUT", P + "/targets", as_="manager", json={
        "person_id": receiver, "period": "2026-03", "deals": 2})
    assert r.status_code == 200 and r.json()["set_by"] == ids["manager"], r.text
    r = project.api("PUT", P + "/targets", as_="c1", json={
        "person_id": receiver, "period": "2026-03", "deals": 9})
    assert r.status_code == 403
    r = project.api("GET", P + "/conversion", as_="manager",
                    params={"by": "consultant", "label": "2026-03"})
    [row] = [x for x in r.json()["data"]["rows"] if x["key"] == receiver]
    assert (row["visits"], row["target"], row["target_achievement"]) == (1, 2, 0.0)
    # CLI-03.2: 91 days later the owner re-registers only through a supervisor's sign-off
    stack.set_clock("2026-06-01T10:00:00+08:00")
    path = P + f"/customers/{customer_id}/re-registration"
    r = project.api("POST", path, as_=name, json={"person_id": receiver})
    assert r.status_code == 409 and error_of(r)["rule"] == "CLI-03", r.text
    r = project.api("POST", path, as_="supervisor", json={"person_id": receiver})
    assert r.status_code == 201 and r.json()["outcome"] == "re_registered", r.text
    assert owner(project, "13600008888")["protection_live"] is True
    history = project.api("GET", P + f"/customers/{customer_id}/history",
                          as_="supervisor").json()
    assert [x["kind"] for x in history["contacts"]] == ["visit", "re_registration"]


def test_cli14_guessing_a_masked_number_is_stopped_and_the_manager_sees_who_saw_it(
        stack, project):
    """CLI-14.4, CLI-14.5 (issue 14): a consultant trying candidates for 138****0002 by
    phone gets 429 after the policy's 30 lookups in an hour; roles that register no contacts
    get 403; every full number shown is in the access log a manager reads, newest first."""
    ids = project.ids
    stack.set_clock(at("10:00"))
    r = project.api("POST", P + "/pre-registrations", as_="c1", json={
        "phone": "13800000002", "name": "表哥", "kind": "relative"})
    assert r.status_code == 201, r.text
    customer_id = r.json()["customer_id"]
    r = project.api("GET", P + "/customers", as_="clerk", params={"phone": "13800000002"})
    assert r.status_code == 403 and error_of(r)["rule"] == "CLI-14"
    r = project.api("GET", P + "/ownership", as_="agent", params={"phone": "13800000002"})
    assert r.status_code == 403 and error_of(r)["rule"] == "CLI-14"
    # c2 guesses: the first 30 answer (masked or empty), the 31st is refused
    for n in range(30):
        r = project.api("GET", P + "/customers", as_="c2",
                        params={"phone": f"138{n:04d}0002"})
        assert r.status_code == 200, (n, r.text)
        assert all(c["phone_masked"] for c in r.json())
    r = project.api("GET", P + "/customers", as_="c2", params={"phone": "13800300002"})
    assert r.status_code == 429 and error_of(r)["rule"] == "CLI-14", r.text
    r = project.api("GET", P + "/ownership", as_="c2", params={"phone": "13800310002"})
    assert r.status_code == 429 and error_of(r)["rule"] == "CLI-14"
    # full numbers seen: the supervisor's search and the owner's own view; c2's are masked
    r = project.api("GET", P + "/customers", as_="supervisor", params={"phone": "13800000002"})
    assert r.status_code == 200 and r.json()[0]["phone"] == "13800000002"
    r = project.api("GET", P + f"/customers/{customer_id}", as_="c1")
    assert r.status_code == 200 and r.json()["phone"] == "13800000002"
    r = project.api("GET", P + "/phone-access-log", as_="manager",
                    params={"customer_id": customer_id})
    assert r.status_code == 200, r.text
    log = [(x["person_id"], x["action"]) for x in r.json()]
    assert log[:2] == [(ids["c1"], "get_customer"), (ids["supervisor"], "list_customers")]
    assert ids["c2"] not in {p for p, _ in log}
    r = project.api("GET", P + "/phone-access-log", as_="manager",
                    params={"person_id": ids["supervisor"]})
    assert [x["customer_id"] for x in r.json()] == [customer_id]
    r = project.api("GET", P + "/phone-access-log", as_="supervisor")
    assert r.status_code == 403
    # an hour later c2 may look up again
    stack.set_clock(at("11:01"))
    r = project.api("GET", P + "/ownership", as_="c2", params={"phone": "13800000002"})
    assert r.status_code == 200 and r.json()["customer_id"] == customer_id, r.text
