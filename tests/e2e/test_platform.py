"""The platform through the gateway with requests: login and tokens, roles, errors, health,
OpenAPI, clock control (SYS-02, SYS-03, SYS-04)."""
import time

import jwt
import pytest
import requests

from tests.helpers import SECRET, eventually, token
from tests.stack import Stack


def error_of(response):
    body = response.json()
    assert set(body["error"]) >= {"code", "rule", "message"}, body
    return body["error"]


def test_login_returns_a_signed_token(stack):
    r = stack.api("POST", "/v1/auth/login",
                  json={"username": "manager", "password": "anchang-demo"})
    assert r.status_code == 200
    claims = jwt.decode(r.json()["token"], SECRET, algorithms=["HS256"], issuer="anchang")
    assert claims["roles"] == ["manager"] and claims["project_id"] == 1
    assert claims["exp"] > time.time()


def test_wrong_password_is_401(stack):
    """SYS-02.1: no session without the right password."""
    r = stack.api("POST", "/v1/auth/login", json={"username": "manager", "password": "nope"})
    assert r.status_code == 401 and error_of(r)["rule"] == "SYS-02"


def test_guessing_a_password_is_throttled_per_user(stack, project):
    """Issue 14: after five failed logins in 15 minutes the user is refused (429, SYS-02) even
    with the right password; another user is not affected."""
    user = f"{project.code}_c1"
    for _ in range(5):
        r = stack.api("POST", "/v1/auth/login", json={"username": user, "password": "guess"})
        assert r.status_code == 401
    r = stack.api("POST", "/v1/auth/login", json={"username": user, "password": "password1"})
    assert r.status_code == 429 and error_of(r)["rule"] == "SYS-02"
    r = stack.api("POST", "/v1/auth/login",
                  json={"username": f"{project.code}_c2", "password": "password1"})
    assert r.status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
def test_missing_or_malformed_token_is_401(stack, header):
    """SYS-02.1: every request is made by an authenticated person."""
    r = stack.api("GET", "/v1/projects/1/staff",
                  headers={"Authorization": header} if header else {})
    assert r.status_code == 401 and error_of(r)["code"] == "unauthorized"


def test_expired_and_forged_tokens_are_401(stack):
    """SYS-02.1: an expired token or one signed with another secret is nobody."""
    expired = token(person_id=2, roles=("manager",), ttl=-10)
    r = stack.api("GET", "/v1/projects/1/staff", token=expired)
    assert r.status_code == 401 and "expired" in error_of(r)["message"]
    forged = jwt.encode({"sub": "2", "roles": ["admin"], "iss": "anchang", "iat": time.time(),
                         "exp": time.time() + 600}, "someone-elses-secret-0123456789abcdef",
                        algorithm="HS256")
    r = stack.api("GET", "/v1/projects/1/staff", token=forged)
    assert r.status_code == 401


def test_tokens_forged_with_the_development_secret_or_alg_none_are_401(stack):
    """Issue 14: neither the development secret written in the source nor an unsigned token
    (alg=none) makes anyone an admin."""
    from services.common.config import DEV_SECRET
    claims = {"sub": "1", "roles": ["admin"], "project_id": None, "iss": "anchang",
              "iat": int(time.time()), "exp": int(time.time()) + 600}
    for forged in (jwt.encode(claims, DEV_SECRET, algorithm="HS256"),
                   jwt.encode(claims, None, algorithm="none")):
        r = stack.api("POST", "/v1/projects", token=forged, json={"code": "evil", "name": "x"})
        assert r.status_code == 401 and error_of(r)["rule"] == "SYS-02"


def test_a_demoted_persons_old_token_stops_working_within_seconds(stack, project):
    """Issue 14: a supervisor demoted to consultant cannot book a fine with the token they had;
    attendance refuses at once, the other services as soon as the change reaches them."""
    old = project.login("supervisor")
    r = stack.api("GET", f"/v1/projects/{project.id}/board", token=old)
    assert r.status_code == 200
    r = project.api("PUT", f"/v1/staff/{project.ids['supervisor']}/roles", as_="manager",
                    json={"roles": ["consultant"]})
    assert r.status_code == 200, r.text
    r = stack.api("POST", f"/v1/projects/{project.id}/ledger", token=old,
                  json={"person_id": project.ids["c1"], "offence": "sleeping_on_duty"})
    assert r.status_code == 401 and error_of(r)["rule"] == "SYS-02"
    eventually(lambda: stack.api("GET", f"/v1/projects/{project.id}/board",
                                 token=old).status_code == 401, timeout=10,
               message="reception still accepted the demoted supervisor's token")


def test_consultant_may_not_add_staff_403(stack):
    """SYS-02.2: what a person may do follows their roles."""
    r = stack.api("POST", "/v1/projects/1/staff", user="li",
                  json={"username": "newbie", "name": "N", "password": "password1",
                        "roles": ["consultant"]})
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02"


def test_manager_adds_staff_and_sets_roles(stack):
    r = stack.api("POST", "/v1/projects/1/staff", user="manager",
                  json={"username": "e2e_new", "name": "新人 New", "password": "password1",
                        "roles": ["consultant"]})
    assert r.status_code == 201, r.text
    person = r.json()
    r = stack.api("PUT", f"/v1/staff/{person['id']}/roles", user="manager",
                  json={"roles": ["consultant", "supervisor"]})
    assert r.status_code == 200 and r.json()["roles"] == ["consultant", "supervisor"]
    r = stack.api("POST", "/v1/projects/1/staff", user="manager",
                  json={"username": "e2e_new", "name": "again", "password": "password1",
                        "roles": ["consultant"]})
    assert r.status_code == 409 and error_of(r)["field"] == "username"


def test_unknown_field_is_422_naming_it(stack):
    r = stack.api("POST", "/v1/projects/1/staff", user="manager",
                  json={"username": "x2", "name": "X", "password": "password1",
                        "roles": ["consultant"], "salary": 1})
    assert r.status_code == 422 and error_of(r)["field"] == "salary"


def test_bad_json_is_400(stack):
    r = stack.api("POST", "/v1/projects/1/staff", user="manager", data="{not json",
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_of(r)["field"] == "body"


def test_missing_staff_member_is_404(stack):
    r = stack.api("GET", "/v1/staff/999999", user="manager")
    assert r.status_code == 404 and error_of(r)["field"] == "person_id"


def test_a_wrong_method_is_405_naming_the_allowed_ones(stack):
    """Every 405 carries an Allow header (issue 14)."""
    r = stack.api("DELETE", "/v1/projects/1/staff", user="manager")
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_unknown_route_is_404_json(stack):
    r = stack.api("GET", "/v1/nothing-here", user="manager")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_health_up(stack):
    r = stack.api("GET", "/v1/health")
    assert r.status_code == 200
    assert r.json()["services"] == {"broker": "up", "attendance": "up", "reception": "up",
                                    "clients": "up", "materials": "up"}


def test_stopped_service_gives_503_not_a_hang(stack, stopped):
    stopped("clients")
    started = time.monotonic()
    r = stack.api("GET", "/v1/projects/1/policy/clients", user="manager")
    assert r.status_code == 503 and error_of(r)["code"] == "unavailable"
    assert time.monotonic() - started < 15
    r = stack.api("GET", "/v1/health")
    assert r.status_code == 503
    assert r.json()["services"]["clients"] == "down"
    assert r.json()["services"]["attendance"] == "up"
    assert "clients" in error_of(r)["message"]


def test_a_request_answered_503_never_runs_later(stack, project):
    """503 means not done: a create sent while materials is down expires in the broker (its
    deadline) instead of running when materials comes back (issue 13)."""
    stack.stop_process("materials")
    try:
        r = project.api("POST", "/v1/projects/{p}/materials/items", as_="storekeeper", json={
            "code": "GONE-1", "name": "楼书 gone", "specification": "A4", "unit": "copy",
            "unit_price_cents": 100, "category": "brochure", "reorder_level": 1})
        assert r.status_code == 503, r.text
    finally:
        stack.start_process("materials")
        stack.wait_healthy()
    # a request sent after the restart queues behind the old one: once it has run, the old
    # one has run too if it was still in the queue
    r = project.api("POST", "/v1/projects/{p}/materials/items", as_="storekeeper", json={
        "code": "AFTER-1", "name": "楼书 after", "specification": "A4", "unit": "copy",
        "unit_price_cents": 100, "category": "brochure", "reorder_level": 1})
    assert r.status_code == 201, r.text
    r = project.api("GET", "/v1/projects/{p}/materials/items", as_="storekeeper")
    assert r.status_code == 200 and [i["code"] for i in r.json()] == ["AFTER-1"]


def test_a_repeated_request_with_its_idempotency_key_is_done_once(stack, project):
    """A client retry with the same Idempotency-Key gets the first answer and changes nothing
    (issue 13); without a key the gateway makes one and says which."""
    item = {"code": "ONCE-1", "name": "楼书 once", "specification": "A4", "unit": "copy",
            "unit_price_cents": 100, "category": "brochure", "reorder_level": 1}
    path = "/v1/projects/{p}/materials/items"
    headers = {"Idempotency-Key": "retry-me-1"}
    first = project.api("POST", path, as_="storekeeper", json=item, headers=headers)
    again = project.api("POST", path, as_="storekeeper", json=item, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json() and again.headers["Idempotency-Key"] == "retry-me-1"
    other = project.api("POST", path, as_="storekeeper", json=item)        # a new request
    assert other.status_code == 409 and len(other.headers["Idempotency-Key"]) == 32
    r = project.api("GET", path, as_="storekeeper")
    assert [i["code"] for i in r.json()] == ["ONCE-1"]
    r = project.api("POST", path, as_="storekeeper", json=item,
                    headers={"Idempotency-Key": "k" * 65})
    assert r.status_code == 400 and error_of(r)["field"] == "Idempotency-Key"


def test_policy_is_read_and_changed_by_a_manager_only(stack):
    """SYS-03.2: policy is readable in the project and changeable by a manager only."""
    r = stack.api("GET", "/v1/projects/1/policy/attendance", user="li")
    assert r.status_code == 200
    r = stack.api("PATCH", "/v1/projects/1/policy/attendance", user="li",
                  json={"changes": {"nothing": 1}})
    assert r.status_code == 403
    r = stack.api("PATCH", "/v1/projects/1/policy/attendance", user="manager",
                  json={"changes": {"no_such_policy": 1}})
    assert r.status_code == 422 and error_of(r)["rule"] == "SYS-03"


def test_openapi_and_docs_page(stack):
    spec = stack.api("GET", "/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "post" in spec["paths"]["/v1/projects/{project_id}/staff"]
    body = spec["paths"]["/v1/projects/{project_id}/staff"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/StaffIn")
    assert "StaffIn" in spec["components"]["schemas"]
    page = requests.get(stack.url + "/docs", timeout=10)
    assert page.status_code == 200 and "openapi.json" in page.text


def test_clock_is_set_and_cleared_for_every_service(stack):
    """SYS-04.4: with CLOCK_CONTROL=1 in development mode the platform admin sets every
    service's clock in one call (tests control it); a project's manager may not."""
    now = stack.set_clock("2026-03-02T08:30:00+08:00")
    assert set(now) == {"attendance", "reception", "clients", "materials"}
    assert all(v.startswith("2026-03-02T00:30:00") for v in now.values())
    r = stack.api("PUT", "/v1/admin/clock", user="li", json={"now": "2026-03-02T08:30:00"})
    assert r.status_code == 403
    r = stack.api("PUT", "/v1/admin/clock", user="manager", json={"now": "2026-03-02T08:30:00"})
    assert r.status_code == 403                       # every project's clock: admin only
    r = stack.api("DELETE", "/v1/admin/clock", user="admin")
    assert r.status_code == 200 and not any(v.startswith("2026-03-02") for v in r.json().values())


def test_clock_routes_are_404_without_clock_control():
    s = Stack(clock_control=False)
    s.start()
    try:
        r = s.api("PUT", "/v1/admin/clock", user="admin", json={"now": "2026-03-02T08:30:00"})
        assert r.status_code == 404 and error_of(r)["rule"] == "SYS-04"
    finally:
        s.stop()


def test_a_manager_acts_only_in_their_own_project(stack, project):
    """SYS-02.4: project isolation — the demo manager cannot see another project's staff."""
    r = stack.api("GET", f"/v1/projects/{project.id}/staff", user="manager")
    assert r.status_code == 403
    r = project.api("GET", "/v1/projects/{p}/staff", as_="manager")
    assert r.status_code == 200 and len(r.json()) == 11
