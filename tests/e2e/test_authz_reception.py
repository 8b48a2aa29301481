"""SYS-02 object-level authorisation at the desk through the gateway (issue 14): a refusal, a
change of consultant and a call name consultants of this project; a change of consultant is
about a customer who came to this desk; a channel agent and a storekeeper read no receptions
or calls; "why" shows a consultant the sheet (public) and their own walk-ins, not a
colleague's."""
from tests.e2e.conftest import new_project
from tests.e2e.test_reception_flow import at, error_of, morning
from tests.helpers import answers

P = "/v1/projects/{p}"


def test_sys02_desk_commands_name_consultants_and_customers_of_this_project(stack, project):
    # clauses: SYS-02.5
    other = new_project(stack, consultants=("x1",))
    ids = project.ids
    morning(stack, project, ("c1", "c2", "c3"))
    stack.set_clock(at("09:05"))
    r = project.api("POST", P + "/walk-ins", as_="receptionist",
                    json={"phone": "13812349001", "name": "钱先生"})
    assert r.status_code == 201, r.text
    customer = r.json()["reception"]["customer_id"]
    assert customer is not None

    # REC-09: a refusal is recorded against a consultant of this project
    def refusal(person_id):
        return lambda: project.api("POST", P + "/refusals", as_="supervisor",
                                   json={"person_id": person_id, "kind": "refusal"})
    r = answers(refusal(ids["clerk"]), 422, "a refusal against the clerk was not refused")
    assert (error_of(r)["rule"], error_of(r)["field"]) == ("REC-09", "person_id")
    r = refusal(other.ids["x1"])()
    assert r.status_code == 404 and error_of(r)["rule"] == "SYS-02", r.text

    # REC-11: this desk's customer, consultants of this project
    def change(customer_id=customer, old=ids["c1"], new=ids["c2"]):
        return project.api("POST", P + "/consultant-changes", as_="receptionist", json={
            "customer_id": customer_id, "from_person_id": old, "to_person_id": new})
    r = change(customer_id=customer + 10_000)
    assert r.status_code == 404 and error_of(r)["field"] == "customer_id", r.text
    r = change(new=other.ids["x1"])
    assert r.status_code == 404 and error_of(r)["field"] == "to_person_id", r.text
    r = change(new=ids["clerk"])
    assert r.status_code == 422 and error_of(r)["rule"] == "REC-11", r.text
    r = change()
    assert r.status_code == 201, r.text

    # REC-12: the answerer of a desk call is a consultant of this project
    for person_id, status, rule in ((ids["clerk"], 422, "REC-12"),
                                    (other.ids["x1"], 404, "SYS-02")):
        r = project.api("POST", P + "/calls", as_="receptionist",
                        json={"caller": "赵", "answered_by": person_id})
        assert r.status_code == status and error_of(r)["rule"] == rule, r.text
        r = project.api("POST", P + "/calls/unregistered", as_="supervisor", json={
            "answered_by": person_id, "at": at("09:00"), "note": "phone log"})
        assert r.status_code == status and error_of(r)["field"] == "answered_by", r.text


def test_sys02_who_reads_the_desks_records_and_their_reasons(stack, project):
    # clauses: SYS-02.8
    # clauses: SYS-02.7
    morning(stack, project, ("c1", "c2", "c3"))            # sign-in order c1, c2, c3
    stack.set_clock(at("09:05"))
    r = project.api("POST", P + "/passes", as_="c1", json={"minutes": 30})
    assert r.status_code in (200, 201), r.text
    r = project.api("POST", P + "/walk-ins", as_="receptionist",
                    json={"phone": "13812349002", "name": "孙女士"})
    assert r.status_code == 201, r.text
    walk = r.json()
    assert walk["reception"]["person_id"] == project.ids["c2"]
    rid = walk["reception"]["id"]
    for who, status in (("c3", 200), ("clerk", 200), ("receptionist", 200),
                        ("agent", 403), ("storekeeper", 403)):
        for path in ("/receptions", f"/receptions/{rid}", "/calls"):
            r = project.api("GET", P + path, as_=who)
            assert r.status_code == status, (who, path, r.text)
    for who in ("agent", "storekeeper", "c3"):             # the board is on the office wall
        assert project.api("GET", P + "/board", as_=who).status_code == 200, who

    # "why": c2 reads the chain of their assignment, c1's pass included (the sheet is
    # public); c3 and the agent see the public sheet's records of it, not the assignment
    why = f"/v1/why/reception/walk_in/{walk['walk_in_id']}"
    r = project.api("GET", why, as_="c2")
    assert r.status_code == 200, r.text
    assert "REC-05" in [d["rule"] for d in r.json()["decisions"]]
    assert project.api("GET", why, as_="receptionist").status_code == 200
    mine = r.json()["decisions"]
    assert any(d["subject_type"] == "walk_in" for d in mine)
    for who in ("c3", "agent"):
        r = project.api("GET", why, as_=who)
        assert r.status_code == 200, r.text
        seen = r.json()["decisions"]
        assert seen and {d["subject_type"] for d in seen} <= {"sheet", "consultant_day"}, who
