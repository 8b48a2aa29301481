"""SYS-02 object-level authorisation in attendance through the gateway (issue 14): "why" answers
a consultant only what is about them; a colleague's roster and ledger are 403; every person id
in a request is this project's (404 naming the field) and holds the role the rule needs (422
naming the field and the rule); a channel agent keeps no attendance."""
from tests.e2e.conftest import new_project
from tests.e2e.test_attendance_flow import MON, at, error_of, post

P = "/v1/projects/{p}"


def why(project, subject, ident, as_):
    return project.api("GET", f"/v1/why/attendance/{subject}/{ident}", as_=as_)


def test_sys02_why_answers_a_consultant_only_their_own_fine_punch_and_sick_leave(stack, project):
    # clauses: SYS-02.11
    ids = project.ids
    stack.set_clock(at("07:00"))
    r = post(project, "/leave", "c3", leave_type="sick", start_day=MON)
    assert r.status_code == 201, r.text
    sick = r.json()["id"]
    stack.set_clock(at("08:40"))
    r = post(project, "/punches", "c2", kind="in")                     # late: a fine (ATT-04)
    assert r.status_code == 201 and r.json()["outcome"] == "late", r.text
    punch = r.json()["id"]
    r = post(project, "/ledger", "supervisor", person_id=ids["c2"], offence="sleeping_on_duty")
    assert r.status_code == 201, r.text
    fine = r.json()[0]["id"]
    r = post(project, "/blackout-days", "manager", day="2026-03-20", kind="launch_day")
    assert r.status_code == 201, r.text

    subjects = (("ledger", fine, "c2"), ("punch", punch, "c2"), ("leave", sick, "c3"))
    for subject, ident, holder in subjects:
        for nosy in ("c1", "agent", "receptionist", "storekeeper"):
            r = why(project, subject, ident, nosy)
            assert r.status_code == 404, (subject, nosy, r.text)        # as if nothing recorded
            assert error_of(r)["rule"] == "SYS-01"
        for reader in (holder, "supervisor", "manager", "clerk"):
            r = why(project, subject, ident, reader)
            assert r.status_code == 200 and r.json()["decisions"], (subject, reader, r.text)
    # the office wall: a blackout day's reason is everybody's
    r = why(project, "blackout", "2026-03-20", "c1")
    assert r.status_code == 200 and r.json()["decisions"][0]["rule"] == "ATT-02"
    # another project's manager learns nothing about this project's records
    other = new_project(stack, consultants=("x1",))
    r = other.api("GET", f"/v1/why/attendance/ledger/{fine}", as_="manager")
    assert r.status_code == 404


def test_sys02_a_consultant_reads_only_their_own_roster_ledger_and_leave(stack, project):
    # clauses: SYS-02.10
    ids = project.ids
    stack.set_clock(at("09:00"))
    week = {"start": "2026-03-09", "end": "2026-03-15"}
    for who in ("c1", "c2"):
        r = project.api("PUT", P + "/rosters", as_="manager",
                        json=dict(week, person_id=ids[who], rest=["2026-03-10"]))
        assert r.status_code == 200, r.text
    r = project.api("GET", P + "/rosters", as_="c1", params=dict(week, person_id=ids["c2"]))
    assert r.status_code == 403, r.text
    assert (error_of(r)["rule"], error_of(r)["field"]) == ("ATT-01", "person_id")
    for who in ("agent", "receptionist"):
        r = project.api("GET", P + "/rosters", as_=who, params=dict(week, person_id=ids["c2"]))
        assert r.status_code == 403, r.text
    r = project.api("GET", P + "/rosters", as_="c1", params=dict(week, person_id=ids["c1"]))
    assert r.status_code == 200 and {d["person_id"] for d in r.json()} == {ids["c1"]}
    r = project.api("GET", P + "/rosters", as_="c1", params=week)          # own by default
    assert r.status_code == 200 and {d["person_id"] for d in r.json()} == {ids["c1"]}
    for reader in ("supervisor", "manager", "clerk"):
        r = project.api("GET", P + "/rosters", as_=reader, params=dict(week,
                                                                       person_id=ids["c2"]))
        assert r.status_code == 200 and len(r.json()) == 7, (reader, r.text)

    r = post(project, "/ledger", "supervisor", person_id=ids["c2"], offence="sleeping_on_duty")
    assert r.status_code == 201, r.text
    r = project.api("GET", P + "/ledger", as_="c1", params={"person_id": ids["c2"]})
    assert r.status_code == 403 and error_of(r)["rule"] == "ATT-10", r.text
    r = project.api("GET", P + "/ledger", as_="c1")
    assert r.status_code == 200 and r.json() == []
    r = project.api("GET", P + "/ledger", as_="clerk", params={"person_id": ids["c2"]})
    assert r.status_code == 200 and len(r.json()) == 1

    r = post(project, "/leave", "c2", leave_type="personal", start_day="2026-03-05",
             handover_note="客户交给 c3")
    assert r.status_code == 201, r.text
    r = project.api("GET", P + "/leave", as_="c1")
    assert r.status_code == 200 and r.json() == []
    r = project.api("GET", P + "/leave", as_="manager")
    assert [x["person_id"] for x in r.json()] == [ids["c2"]]

    # another project's person: not found, whoever asks
    other = new_project(stack, consultants=("x1",))
    r = project.api("GET", P + "/rosters", as_="manager",
                    params=dict(week, person_id=other.ids["x1"]))
    assert r.status_code == 404 and error_of(r)["field"] == "person_id", r.text
    r = project.api("GET", P + "/ledger", as_="manager", params={"person_id": other.ids["x1"]})
    assert r.status_code == 404 and error_of(r)["field"] == "person_id", r.text
    r = project.api("GET", f"/v1/staff/{other.ids['x1']}", as_="manager")
    assert r.status_code == 404 and error_of(r)["field"] == "person_id", r.text


def test_sys02_named_people_are_this_project_s_and_hold_the_role_the_rule_needs(stack, project):
    # clauses: SYS-02.9
    ids = project.ids
    other = new_project(stack, consultants=("x1",))
    stack.set_clock(at("09:00"))
    for nobody in (other.ids["x1"], 987654321):      # another project's consultant; nobody
        r = post(project, "/ledger", "supervisor", person_id=nobody, offence="sleeping_on_duty")
        assert r.status_code == 404, r.text
        assert (error_of(r)["rule"], error_of(r)["field"]) == ("SYS-02", "person_id")
        r = project.api("PUT", P + "/rosters", as_="manager", json={
            "person_id": nobody, "start": "2026-03-09", "end": "2026-03-15", "rest": []})
        assert r.status_code == 404 and error_of(r)["field"] == "person_id", r.text
        r = post(project, "/swaps", "manager", a_id=ids["c1"], b_id=nobody,
                 days=["2026-03-04"])
        assert r.status_code == 404 and error_of(r)["field"] == "b_id", r.text
        r = post(project, "/punches", "c1", kind="in", person_id=nobody)
        assert r.status_code == 404 and error_of(r)["field"] == "person_id", r.text
    # a channel agent is external: no fine, roster or swap in the office's attendance
    r = post(project, "/ledger", "supervisor", person_id=ids["agent"], offence="sleeping_on_duty")
    assert r.status_code == 422 and (error_of(r)["rule"], error_of(r)["field"]) == \
        ("ATT-10", "person_id"), r.text
    r = project.api("PUT", P + "/rosters", as_="manager", json={
        "person_id": ids["agent"], "start": "2026-03-09", "end": "2026-03-15", "rest": []})
    assert r.status_code == 422 and error_of(r)["rule"] == "ATT-01", r.text
    r = post(project, "/swaps", "manager", a_id=ids["agent"], b_id=ids["c1"], days=["2026-03-04"])
    assert r.status_code == 422 and (error_of(r)["rule"], error_of(r)["field"]) == \
        ("ATT-08", "a_id"), r.text
    r = post(project, "/swaps", "manager", a_id=ids["c1"], b_id=ids["c1"], days=["2026-03-04"])
    assert r.status_code == 422 and (error_of(r)["rule"], error_of(r)["field"]) == \
        ("ATT-08", "b_id"), r.text
    # ATT-06: uniform is a consultant's; a dispute is between consultants
    r = post(project, "/uniform-attestations", "supervisor", person_id=ids["clerk"])
    assert r.status_code == 422 and (error_of(r)["rule"], error_of(r)["field"]) == \
        ("ATT-06", "person_id"), r.text
    r = post(project, "/sign-ins/disputes", "supervisor", person_ids=[ids["c1"], ids["clerk"]])
    assert r.status_code == 422 and error_of(r)["field"] == "person_ids", r.text
    # ATT-03: the maker of a proxy punch is someone of this project
    stack.set_clock(at("08:10"))
    r = post(project, "/punches", "c1", kind="in")
    assert r.status_code == 201, r.text
    r = post(project, "/proxy-punch-reports", "supervisor", punch_id=r.json()["id"],
             made_by=other.ids["x1"])
    assert r.status_code == 404 and error_of(r)["field"] == "made_by", r.text
    # nothing above was booked against anyone
    r = project.api("GET", P + "/ledger", as_="manager")
    assert r.status_code == 200 and r.json() == []


def test_sys02_a_channel_agent_does_not_punch_or_take_leave(stack, project):
    # clauses: SYS-02.10
    stack.set_clock(at("08:10"))
    r = post(project, "/punches", "agent", kind="in")
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02", r.text
    r = post(project, "/leave", "agent", leave_type="personal", start_day="2026-03-05",
             handover_note="x")
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02", r.text
    r = post(project, "/punches", "storekeeper", kind="in")                 # office staff
    assert r.status_code == 201, r.text


def test_sys02_a_role_that_may_not_act_is_403_before_its_body_or_ids_are_read(stack, project):
    # clauses: SYS-02.10
    stack.set_clock(at("09:00"))
    for path, who, rule in (("/ledger", "c1", "ATT-10"), ("/uniform-attestations", "clerk",
                                                          "ATT-06"),
                            ("/blackout-days", "supervisor", "ATT-02"),
                            ("/swaps", "receptionist", "ATT-08"),
                            ("/missing-punch-notes", "supervisor", "ATT-05"),
                            ("/punches", "agent", "SYS-02"),
                            ("/reports/monthly/submit", "manager", "ATT-12"),
                            ("/leave/999999/approve", "c1", "ATT-07")):
        r = project.api("POST", P + path, as_=who, json={})
        assert r.status_code == 403 and error_of(r)["rule"] == rule, (path, who, r.text)
    r = project.api("POST", P + "/ledger", as_="supervisor", json={})     # may act: the body
    assert r.status_code == 422, r.text
    r = project.api("POST", P + "/leave/999999/approve", as_="manager")   # may act: the id
    assert r.status_code == 404 and error_of(r)["field"] == "leave_id", r.text
    r = project.api("PUT", "/v1/staff/999999/roles", as_="c1", json={})
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02", r.text
