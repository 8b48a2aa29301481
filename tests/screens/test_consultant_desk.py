"""The consultant's phone: pass and desk status (issue 15). Signed in for the day by the API
(punch, uniform, sign-in: ATT-06), the consultant goes out on official business and keeps the
turn while a walk-in goes to the next (REC-03/04), comes back to the desk (REC-01), passes for the
policy's shortest time — two marks (REC-05) — and, once receiving, is refused a desk status with
its rule (409 REC-03). Each step: what the phone shows, and what the API then holds."""
from playwright.sync_api import expect

from tests.e2e.test_reception_flow import DAY, at, rotation, sign_in
from tests.helpers import eventually
from tests.screens.kit import PHONE


def mine(project, name):
    """My row on the day's rotation sheet, as the API holds it."""
    r = project.api("GET", "/v1/projects/{p}/rotation-sheet", as_=name)
    assert r.status_code == 200, r.text
    return next(e for e in r.json()["entries"] if e["person_id"] == project.ids[name])


def my_day(project, name):
    """SYS-01: the decisions recorded about my day on the sheet, oldest first."""
    subject = f"{project.id}-{DAY}-{project.ids[name]}"
    r = project.api("GET", f"/v1/why/reception/consultant_day/{subject}", as_=name)
    assert r.status_code == 200, r.text
    return [d for d in r.json()["decisions"] if d["subject_id"] == subject]


def test_a_consultant_passes_goes_out_on_business_and_is_refused_while_receiving(
        stack, project, screen):
    ids = project.ids
    for name, hhmm in (("c1", "08:20"), ("c2", "08:21"), ("c3", "08:22")):   # by the API
        sign_in(stack, project, name, hhmm)
    stack.set_clock(at("09:00"))
    eventually(lambda: rotation(project) == [ids["c1"], ids["c2"], ids["c3"]], timeout=10,
               message="the morning's sign-ins did not reach the board")
    s = screen(f"{project.code}_c1", size=PHONE, path="/app/consultant")
    place, desk = s.page.get_by_test_id("my-place"), s.page.get_by_test_id("desk")
    expect(place).to_contain_text("轮序第 1 位")
    expect(place).to_contain_text("下一位客户是我的")
    now = desk.get_by_test_id("desk-now")
    expect(now).to_contain_text("空闲 free")
    expect(now.locator("b")).to_have_text("0")                 # marks
    s.shot("first in the rotation, at the desk")

    # REC-03/04: official business (公务) keeps my turn; the walk-in goes to the next
    desk.get_by_label("状态").select_option("official_business")
    desk.get_by_label("说明").fill("送合同到银行 bank run")
    desk.get_by_role("button", name="告知前台 Tell the desk").click()
    notice = desk.locator(".notice")
    expect(notice).to_contain_text("REC-03")
    expect(notice).to_contain_text("is out on official business (公务) (送合同到银行 bank run)")
    expect(now).to_contain_text("公务 official business")
    expect(now).to_contain_text("送合同到银行 bank run")
    expect(place).to_contain_text("公务 official business")
    s.shot("out on official business")
    assert s.axe() == []
    row = mine(project, "c1")
    assert (row["state"], row["detail"], row["marks"]) == \
        ("official_business", "送合同到银行 bank run", 0)

    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist", json={})
    assert r.status_code == 201, r.text
    assert r.json()["reception"]["person_id"] == ids["c2"]
    kept = my_day(project, "c1")[-1]
    assert (kept["rule"], kept["outcome"], kept["data"]["marks_delta"]) == \
        ("REC-03", "turn_kept", 0)
    assert mine(project, "c1")["marks"] == 0

    # back at the desk (REC-01): still first, no mark for the walk-in I missed
    desk.get_by_label("状态").select_option("back")
    desk.get_by_role("button", name="告知前台 Tell the desk").click()
    expect(notice).to_contain_text("REC-01")
    expect(notice).to_contain_text("is back at the desk")
    expect(now).to_contain_text("空闲 free")
    expect(place).to_contain_text("轮序第 1 位")
    expect(place.get_by_test_id("marks")).to_have_text("0")
    s.shot("back at the desk, turn kept")
    assert mine(project, "c1")["state"] == "free"

    # REC-05: a voluntary pass for the policy's shortest time counts as two receptions
    stack.set_clock(at("09:05"))
    minutes = desk.get_by_label("放弃站位（分钟）")
    expect(minutes).to_have_value("30")                        # the policy's minimum
    expect(desk).to_contain_text("REC-05 至少 30 分钟")
    desk.get_by_role("button", name="放弃站位 Pass").click()
    expect(notice).to_contain_text("REC-05")
    expect(notice).to_contain_text("passes for 30 min until 09:35: counts as two receptions "
                                   "(2 marks, now 2)")
    expect(now).to_contain_text("放弃站位 passing")
    expect(now).to_contain_text("至 until 09:35")
    expect(now.locator("b")).to_have_text("2")
    expect(place.get_by_test_id("marks")).to_have_text("2")
    expect(place).to_contain_text("不在前台")
    s.shot("passing for thirty minutes, two marks")
    assert s.axe() == []
    row = mine(project, "c1")
    assert (row["state"], row["marks"], row["place"]) == ("passing", 2, None)
    passed = my_day(project, "c1")[-1]
    assert (passed["rule"], passed["outcome"]) == ("REC-05", "passed")
    assert (passed["data"]["minutes"], passed["data"]["marks_delta"]) == (30, 2)
    board = project.api("GET", "/v1/projects/{p}/board", as_="c1").json()
    assert [(p["person_id"], p["detail"]) for p in board["passing"]] == \
        [(ids["c1"], "至 until 09:35")]

    # the pass is over; c3 takes the next walk-in (fewest marks), then I am the only one free
    stack.set_clock(at("09:40"))
    takers = [project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist", json={})
              for _ in range(2)]
    assert [t.status_code for t in takers] == [201, 201], [t.text for t in takers]
    assert [t.json()["reception"]["person_id"] for t in takers] == [ids["c3"], ids["c1"]]
    s.page.get_by_role("button", name="刷新 Refresh").click()
    expect(place).to_contain_text("接待中 receiving")
    expect(now).to_contain_text("接待中 receiving")

    # refused with its rule: no desk status while receiving (409 REC-03)
    desk.get_by_label("状态").select_option("official_business")
    desk.get_by_role("button", name="告知前台 Tell the desk").click()
    refusal = desk.locator(".refusal")
    expect(refusal).to_contain_text("REC-03")
    expect(refusal).to_contain_text("is receiving: the desk status cannot change now")
    expect(notice).to_be_hidden()
    s.shot("refused: official business while receiving")
    assert s.axe() == []
    r = project.api("PUT", f"/v1/projects/{{p}}/desk-status/{ids['c1']}", as_="c1",
                    json={"state": "official_business"})
    assert r.status_code == 409 and r.json()["error"]["rule"] == "REC-03", r.text
    row = mine(project, "c1")
    assert (row["state"], row["marks"]) == ("receiving", 2)       # nothing changed
