"""The day closes cleanly (issue 13): what is still open when a business day closes (a
reception never completed, a pass, a lunch nobody ended) is closed by the day close with its
rule and reason, and nothing of the day holds a slot or a desk state into the next."""
from tests.e2e.test_reception_flow import DAY, at, morning
from tests.helpers import eventually

P = "/v1/projects/{p}"


def test_the_day_close_closes_receptions_passes_and_lunches_left_open(stack, project):
    ids = project.ids
    morning(stack, project, names=("c1", "c2", "c3"))
    walk = project.api("POST", P + "/walk-ins", as_="receptionist", json={})
    assert walk.status_code == 201, walk.text
    reception = walk.json()["reception"]
    assert reception["person_id"] == ids["c1"]
    r = project.api("POST", P + "/passes", as_="c2", json={"minutes": 30})
    assert r.status_code in (200, 201), r.text
    stack.set_clock(at("11:30"))
    r = project.api("POST", P + "/lunch/start", as_="c3", json={})
    assert r.status_code == 200, r.text

    def sheet():
        s = project.api("GET", P + "/rotation-sheet?day=" + DAY, as_="manager").json()
        return {e["person_id"]: e["state"] for e in s["entries"]}
    eventually(lambda: sheet()[ids["c3"]] == "lunch", timeout=10,
               message="the lunch did not reach the sheet")

    stack.set_clock("2026-03-03T09:00:00+08:00")      # Monday has ended
    r = project.api("POST", P + "/days/close", as_="manager", json={"day": DAY})
    assert r.status_code in (200, 409), r.text          # 409: the timer was first

    def closed():
        rec = project.api("GET", P + f"/receptions/{reception['id']}", as_="manager").json()
        return rec["status"] == "closed" and set(sheet().values()) <= {"free", "off_duty"}
    eventually(closed, timeout=15, message="the day close did not reach reception")
    states = sheet()
    assert states[ids["c2"]] == states[ids["c3"]] == "off_duty"
    why = project.api("GET", f"/v1/why/reception/reception/{reception['id']}",
                      as_="manager").json()["decisions"]
    assert [(d["rule"], d["outcome"]) for d in why][-1] == ("REC-06", "closed_by_day_close")
    # the next day starts clean: c1 signs in again and receives, no slot held from Monday
    receptions = project.api("GET", P + "/receptions?day=2026-03-03", as_="manager").json()
    assert receptions == []
