"""SYS-02 object-level authorisation in clients through the gateway (issue 14): staff
referrals name a consultant of the project (not another project's person, a clerk or nobody)
and are never filed by a channel agent; ownership commands name consultants of the project;
another project's customers and units are not found; a colleague's customer history, dispute
and "why" are not a consultant's to read; an agent reads the "why" of their own reports only;
a channel agent and a storekeeper read no customers."""
from tests.e2e.conftest import new_project
from tests.helpers import answers

P = "/v1/projects/{p}"
DAY = "2026-03-02"


def at(hhmm):
    return f"{DAY}T{hhmm}:00+08:00"


def error_of(r):
    return r.json()["error"]


def relative(project, name, phone):
    """CLI-05: ``name`` pre-registers a relative: the customer is theirs."""
    r = project.api("POST", P + "/pre-registrations", as_=name, json={
        "phone": phone, "name": "表哥", "kind": "relative"})
    assert r.status_code == 201, r.text
    return r.json()["customer_id"]


def test_sys02_a_staff_referral_names_a_consultant_of_this_project(stack, project):
    # clauses: SYS-02.5
    stack.set_clock(at("10:00"))
    other = new_project(stack, consultants=("x1",))
    ids = project.ids

    def refer(consultant_id, as_="supervisor", phone="13600007777"):
        return lambda: project.api("POST", P + "/pre-registrations", as_=as_, json={
            "phone": phone, "kind": "staff_referral", "consultant_id": consultant_id})

    r = answers(refer(ids["clerk"]), 422, "the clerk was not refused as the named consultant")
    assert (error_of(r)["rule"], error_of(r)["field"]) == ("CLI-07", "consultant_id")
    for nobody in (other.ids["x1"], 987654321):        # another project's consultant; nobody
        r = refer(nobody)()
        assert r.status_code == 404, r.text
        assert (error_of(r)["rule"], error_of(r)["field"]) == ("SYS-02", "consultant_id")
    r = refer(ids["c1"], as_="agent")()                  # a channel agent files no referral
    assert r.status_code == 403 and error_of(r)["rule"] == "SYS-02", r.text
    r = answers(refer(ids["c1"]), 201, "the staff referral to c1 was not registered")
    assert r.json()["data"]["owner_id"] == ids["c1"]


def test_sys02_ownership_commands_name_consultants_and_customers_of_this_project(
        stack, project):
    # clauses: SYS-02.6
    stack.set_clock(at("10:00"))
    other = new_project(stack, consultants=("x1",))
    ids = project.ids
    mine = relative(project, "c1", "13600001001")
    theirs = relative(other, "x1", "13600001002")
    commands = (("poaching", "person_id", "CLI-09"), ("change-consultant", "person_id", "CLI-10"),
                ("override", "owner_id", "CLI-11"))
    for path, field, rule in commands:
        def post(person_id, customer_id=mine, path=path, field=field):
            body = {field: person_id, **({"reason": "written"} if path == "override" else {})}
            return lambda: project.api("POST", P + f"/customers/{customer_id}/{path}",
                                       as_="supervisor", json=body)
        r = answers(post(ids["clerk"]), 422, f"{path}: a clerk was not refused")
        assert (error_of(r)["rule"], error_of(r)["field"]) == (rule, field), r.text
        r = post(other.ids["x1"])()
        assert r.status_code == 404 and error_of(r)["field"] == field, r.text
        r = post(ids["c2"], customer_id=theirs)()       # another project's customer
        assert r.status_code == 404 and error_of(r)["field"] == "customer_id", r.text
    # CLI-12: a unit and a customer of another project are not found; the closer is ours
    r = other.api("POST", P + "/units", as_="manager", json={"code": "X-1"})
    their_unit = r.json()["id"]
    r = project.api("POST", P + "/units", as_="manager", json={"code": "A-1"})
    unit = r.json()["id"]
    assert project.api("POST", P + f"/units/{unit}/confirm", as_="manager").status_code == 200
    for body in ({"unit_id": their_unit, "customer_id": mine},
                 {"unit_id": unit, "customer_id": theirs}):
        r = project.api("POST", P + "/subscriptions", as_="manager", json=body)
        assert r.status_code == 404, r.text
    r = project.api("POST", P + "/subscriptions", as_="manager",
                    json={"unit_id": unit, "customer_id": mine, "closer_id": ids["clerk"]})
    assert r.status_code == 422 and error_of(r)["field"] == "closer_id", r.text


def test_sys02_a_colleagues_customer_is_not_a_consultants_to_read(stack, project):
    # clauses: SYS-02.7
    stack.set_clock(at("10:00"))
    customer = relative(project, "c1", "13600002001")
    C = P + f"/customers/{customer}"
    for who, status in (("c1", 200), ("supervisor", 200), ("manager", 200), ("c2", 403),
                        ("receptionist", 403), ("agent", 403)):
        r = project.api("GET", C + "/history", as_=who)
        assert r.status_code == status, (who, r.text)
    r = project.api("GET", C + "/dispute", as_="c2")
    assert r.status_code == 403 and error_of(r)["field"] == "customer_id", r.text
    # "why": the owner and the leads read the ownership's reasons, a colleague gets the same
    # answer as for nothing recorded
    why = f"/v1/why/clients/customer/{customer}"
    assert project.api("GET", why, as_="c1").status_code == 200
    assert project.api("GET", why, as_="manager").status_code == 200
    r = project.api("GET", why, as_="c2")
    assert r.status_code == 404 and error_of(r)["rule"] == "SYS-01", r.text
    # customers are read by the office roles that deal with them (phones masked, CLI-14)
    for who, status in (("c2", 200), ("clerk", 200), ("receptionist", 200),
                        ("agent", 403), ("storekeeper", 403)):
        assert project.api("GET", C, as_=who).status_code == status, who
        assert project.api("GET", P + "/customers", as_=who).status_code == status, who
    assert project.api("GET", C, as_="c2").json()["phone_masked"] is True


def test_cli06_an_agent_reads_the_why_of_their_own_reports_only(stack, project):
    # clauses: SYS-02.8
    stack.set_clock(at("10:00"))
    r = project.api("POST", P + "/channel-reports", as_="agent", json={
        "name": "孙先生", "phone": "13600003001"})
    assert r.status_code == 201, r.text
    why = f"/v1/why/clients/channel_report/{r.json()['id']}"
    for who, status in (("agent", 200), ("supervisor", 200), ("agent2", 404), ("c1", 404),
                        ("clerk", 404)):
        assert project.api("GET", why, as_=who).status_code == status, who
    r = project.api("GET", P + f"/channel-reports/{r.json()['id']}", as_="agent2")
    assert r.status_code == 403
