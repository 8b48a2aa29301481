"""Reception through the gateway with requests (REC-01…13, SYS-01/02), each test in its own
project. The morning's sign-ins go through attendance for real (ATT-06): clock-in, uniform
attested by the supervisor, sign-in; attendance's ``signed_in`` puts them on reception's sheet.
"""

from tests.helpers import eventually

DAY = "2026-03-02"


def at(hhmm):
    return f"{DAY}T{hhmm}:00+08:00"


def sign_in(stack, project, name, hhmm):
    """ATT-06 at ``hhmm``: clock in, uniform attested by the supervisor, sign in."""
    stack.set_clock(at(hhmm))
    r = project.api("POST", "/v1/projects/{p}/punches", as_=name, json={"kind": "in"})
    assert r.status_code == 201, r.text
    r = project.api("POST", "/v1/projects/{p}/uniform-attestations", as_="supervisor",
                    json={"person_id": project.ids[name]})
    assert r.status_code == 200, r.text
    r = project.api("POST", "/v1/projects/{p}/sign-ins", as_=name, json={})
    assert r.status_code == 201, r.text


def display(project, name):
    return f"{name}-{project.code}"


def board(project, as_="receptionist"):
    r = project.api("GET", "/v1/projects/{p}/board", as_=as_)
    assert r.status_code == 200, r.text
    return r.json()


def rotation(project):
    return [p["person_id"] for p in board(project)["rotation"]]


def morning(stack, project, names=("c2", "c1", "c3", "c4")):
    for i, name in enumerate(names):
        sign_in(stack, project, name, f"08:{20 + i:02d}")
    stack.set_clock(at("09:00"))
    want = [project.ids[n] for n in names]
    eventually(lambda: rotation(project) == want, timeout=10,
               message="the morning's sign-ins did not reach the board")


def error_of(r):
    return r.json()["error"]


def test_rec01_rec03_rec06_a_morning_of_sign_ins_and_walk_ins(stack, project):
    morning(stack, project)
    ids = project.ids
    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist", json={})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["reception"]["person_id"] == ids["c2"] and first["reception"]["rule"] == "REC-03"
    notice = next(d for d in first["decisions"] if d["rule"] == "REC-02")
    assert (notice["data"]["notifier_id"], notice["data"]["person_id"]) == (ids["c3"], ids["c4"])
    second = project.api("POST", "/v1/projects/{p}/walk-ins", as_="supervisor",
                         json={"phone": "13812345678", "name": "王先生"}).json()
    assert second["reception"]["person_id"] == ids["c1"]
    assert second["phone_masked"] == "138****5678"
    r = project.api("POST", f"/v1/projects/{{p}}/receptions/{first['reception']['id']}/complete",
                    as_="c2", json={"outcome": "interested",
                                    "floor_plans": [{"code": "FP-A", "quantity": 1}]})
    assert r.status_code == 200, r.text
    b = board(project)
    assert [d["person_id"] for d in b["desk"]] == [ids["c3"], ids["c4"], ids["c2"]]
    assert [(p["person_id"], p["marks"]) for p in b["rotation"]] == \
        [(ids["c3"], 0), (ids["c4"], 0), (ids["c2"], 1), (ids["c1"], 0)]
    assert [p["name"] for p in b["receiving"]] == [display(project, "c1")]
    sheet = project.api("GET", "/v1/projects/{p}/rotation-sheet?day=" + DAY, as_="c4").json()
    assert [e["person_id"] for e in sheet["entries"]] == [ids["c3"], ids["c4"], ids["c2"],
                                                          ids["c1"]]
    # SYS-01: why did the first walk-in go to c2?
    r = project.api("GET", f"/v1/why/reception/walk_in/{first['walk_in_id']}", as_="manager")
    assert r.status_code == 200 and r.json()["decisions"][0]["rule"] == "REC-03"
    chain = r.json()["decisions"]    # SYS-01: linked to c2's day (sign-in), marks stored
    assert any(d["subject_type"] == "consultant_day" and d["rule"] == "REC-01" for d in chain)
    assert chain[0]["data"]["sheet"]["marks"][str(ids["c2"])] == 0
    receptions = project.api("GET", "/v1/projects/{p}/receptions", as_="clerk").json()
    assert [x["status"] for x in receptions] == ["completed", "open"]
    assert receptions[0]["arrived_at"] and receptions[0]["named_person_id"] is None
    # CLI-08.2 / contract 4: the customer names c4 (called before): c4 receives, a turn
    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist",
                    json={"named_person_id": ids["c4"]})
    assert r.status_code == 201, r.text
    named = r.json()["reception"]
    assert (named["person_id"], named["rule"], named["named_person_id"]) == \
        (ids["c4"], "CLI-08", ids["c4"])
    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist",
                    json={"named_person_id": 999999})
    assert r.status_code == 422 and error_of(r)["field"] == "named_person_id"


def test_sys02_rec04_permissions_and_errors_through_the_gateway(stack, project):
    # clauses: REC-10.1, REC-12.6
    morning(stack, project, ("c1", "c2", "c3"))
    ids = project.ids
    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="c1", json={})
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02"
    rid = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist",
                      json={}).json()["reception"]["id"]
    r = project.api("POST", f"/v1/projects/{{p}}/receptions/{rid}/complete", as_="c2",
                    json={"outcome": "x"})
    assert r.status_code == 403
    r = project.api("PUT", f"/v1/projects/{{p}}/desk-status/{ids['c3']}", as_="c2",
                    json={"state": "lunch"})
    assert r.status_code == 403
    # REC-10.1 / contract 2: lunch only through attendance's lunch/start
    r = project.api("PUT", f"/v1/projects/{{p}}/desk-status/{ids['c2']}", as_="c2",
                    json={"state": "lunch"})
    assert r.status_code == 422 and error_of(r)["rule"] == "ATT-11"
    assert error_of(r)["field"] == "state" and "/lunch/start" in error_of(r)["message"]
    # REC-12.6: an unregistered call is recorded by a supervisor (fined once)
    r = project.api("POST", "/v1/projects/{p}/calls/unregistered", as_="c2",
                    json={"answered_by": ids["c2"], "at": "2020-01-01T09:00:00+08:00",
                          "note": "phone log"})
    assert r.status_code == 403
    r = project.api("POST", "/v1/projects/{p}/calls/unregistered", as_="supervisor",
                    json={"answered_by": ids["c2"], "at": "2020-01-01T09:00:00+08:00",
                          "note": "phone log"})
    assert r.status_code == 201 and r.json()["kind"] == "unregistered_call"
    r = project.api("PUT", f"/v1/projects/{{p}}/desk-status/{ids['c2']}", as_="c2",
                    json={"state": "away"})
    assert r.status_code == 200
    # the board shows it at once (the page polls every second: within 2 s)
    eventually(lambda: board(project)["rotation"][0]["state"] == "away", timeout=2)
    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist", json={})
    taken = r.json()
    assert taken["reception"]["person_id"] == ids["c3"]
    assert taken["decisions"][0]["rule"] == "REC-04"      # c2 away: forfeited, a mark
    r = project.api("POST", "/v1/projects/{p}/passes", as_="c2", json={"minutes": 10})
    assert r.status_code == 409 and error_of(r)["rule"] == "REC-05"   # away: not at the desk
    r = project.api("POST", "/v1/projects/{p}/receptions/999999/complete", as_="manager",
                    json={"outcome": "x"})
    assert r.status_code == 404
    r = project.api("POST", f"/v1/projects/{{p}}/receptions/{rid}/complete", as_="c1",
                    json={"outcome": "x", "floor_plans": [{"code": "FP-A"}]})
    assert r.status_code == 422 and "floor_plans" in error_of(r)["field"]
    r = project.api("POST", "/v1/projects/{p}/refusals", as_="supervisor",
                    json={"person_id": ids["c1"], "kind": "excuse"})
    assert r.status_code == 201 and r.json()["rule"] == "REC-09"
    r = project.api("POST", "/v1/projects/{p}/calls", as_="receptionist",
                    json={"caller": "赵", "answered_by": ids["c2"]})
    assert r.status_code == 201 and r.json()["fine"] == 30   # phone, need, how heard missing
    r = stack.api("GET", f"/v1/projects/{project.id}/board", user="manager")
    assert r.status_code == 403                              # another project's manager
