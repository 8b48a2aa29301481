"""The consultant's phone screen (issue 15): punch in and sign in through the screen (ATT-03/04/
06), my place in the rotation (REC-01/02), the open reception completed with its outcome and a
floor plan (REC-06) and the marks after it, a refusal shown with its rule, and "why" (SYS-01)."""
import re

from playwright.sync_api import expect

from tests.e2e.test_reception_flow import at, rotation, sign_in
from tests.helpers import eventually
from tests.screens.kit import PHONE


def test_a_consultants_morning_and_reception_on_the_phone(stack, project, screen):
    ids = project.ids
    for name, hhmm in (("c2", "08:20"), ("c3", "08:21")):   # the others' morning, by the API
        sign_in(stack, project, name, hhmm)
    stack.set_clock(at("08:22"))
    s = screen(f"{project.code}_c1", size=PHONE)
    assert s.page.url.endswith("/app/consultant")       # a consultant's first screen is theirs
    expect(s.page.get_by_text("还没有签到")).to_be_visible()
    s.shot("the morning, nothing yet")

    # ATT-03/04: my own clock-in, on time
    s.page.get_by_role("button", name="上班打卡 Punch in").click()
    assert "ATT-04" in s.notice()
    expect(s.page.get_by_test_id("punches")).to_contain_text("准时 on time")
    s.shot("punched in")

    # ATT-06: the supervisor attests the uniform; I sign in and see my place in the order
    r = project.api("POST", "/v1/projects/{p}/uniform-attestations", as_="supervisor",
                    json={"person_id": ids["c1"]})
    assert r.status_code == 200, r.text
    s.page.get_by_role("button", name="签到 Sign in").click()
    assert "ATT-06" in s.notice()
    expect(s.page.get_by_test_id("sign-in-place")).to_contain_text("签到第 3 位")
    s.shot("signed in, third in the order")

    # a refusal with its rule: nobody signs in twice (ATT-06)
    s.page.get_by_role("button", name="签到 Sign in").click()
    refusal = s.refusal()
    assert "ATT-06" in refusal and "already signed in" in refusal, refusal
    s.shot("refused: signed in already")

    # the sheet fills from the sign-ins (attendance -> reception)
    stack.set_clock(at("09:00"))
    eventually(lambda: rotation(project) == [ids["c2"], ids["c3"], ids["c1"]], timeout=10,
               message="the morning's sign-ins did not reach the board")
    s.page.get_by_role("button", name="刷新 Refresh").click()
    place = s.page.get_by_test_id("my-place")
    expect(place).to_contain_text("轮序第 3 位")
    expect(place).to_contain_text("在前台第 3 位")
    expect(place).to_contain_text(f"下一位 Next: c2-{project.code}")
    expect(place.get_by_test_id("marks")).to_have_text("0")
    s.shot("my place: third, at the desk")
    s.readme("consultant")
    assert s.axe() == []

    # SYS-01: why is my punch on time?
    s.page.get_by_test_id("punches").get_by_role("button", name="为什么 Why").click()
    chain = s.page.get_by_test_id("why-chain")
    expect(chain).to_contain_text("ATT-04")
    s.shot("why: my punch")
    s.page.get_by_role("button", name="关闭 Close").click()

    # REC-03: a walk-in goes to the first of the rotation; that consultant's phone shows it
    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist",
                    json={"phone": "13812345678", "name": "王先生"})
    assert r.status_code == 201, r.text
    reception = r.json()["reception"]
    assert reception["person_id"] == ids["c2"] and reception["rule"] == "REC-03"
    phone = screen(f"{project.code}_c2", size=PHONE)
    form = phone.page.locator(f"form[data-reception-id='{reception['id']}']")
    expect(form).to_contain_text("王先生")
    expect(form).to_contain_text("REC-03")
    expect(phone.page.get_by_test_id("my-place")).to_contain_text("接待中 receiving")
    phone.shot("my open reception")

    # REC-06: complete it with the outcome and a floor plan; back in the rotation with a mark
    form.get_by_label("接待结果").fill("意向A户型，周日再来 interested in type A")
    form.get_by_label("户型").fill("FP-A")
    form.get_by_label("份数").fill("2")
    form.get_by_role("button", name="完成接待 Complete reception").click()
    assert "REC-06" in phone.notice()
    expect(form).to_have_count(0)
    expect(phone.page.get_by_test_id("completed")).to_contain_text("FP-A×2")
    expect(phone.page.get_by_test_id("my-place").get_by_test_id("marks")).to_have_text("1")
    expect(phone.page.get_by_test_id("my-place")).to_contain_text("轮序第 3 位")
    phone.shot("reception completed, one more mark")
    stored = project.api("GET", f"/v1/projects/{{p}}/receptions/{reception['id']}", as_="c2")
    assert stored.json()["status"] == "completed"
    assert stored.json()["floor_plans"] == [{"code": "FP-A", "quantity": 2}]

    # CLI-02/03: the walk-in is my customer now (my phone shows the full number); a follow-up
    mine = phone.page.get_by_test_id("customers")
    expect(mine).to_contain_text("13812345678")
    mine.get_by_label("跟进记录").fill("电话回访 called back")
    mine.get_by_role("button", name="跟进 Follow up").click()
    expect(mine.locator(".notice")).to_contain_text("protection renewed")   # CLI-02/03
    phone.shot("my customer followed up")

    # SYS-01: why am I third now? the chain of my day on the sheet
    phone.page.get_by_role("button", name="为什么是这个位置 Why this place").click()
    expect(phone.page.get_by_test_id("why-chain")).to_contain_text(re.compile("REC-06"))
    phone.shot("why: my place")

    # c1's phone: c2 is behind now, so c1 moves up to second
    s.page.get_by_role("button", name="刷新 Refresh").click()
    expect(s.page.get_by_test_id("my-place")).to_contain_text("轮序第 2 位")
    s.shot("after c2's reception: second")

    # ATT-07: personal leave for today is refused, the rule shown beside the deadlines
    leave = s.page.get_by_test_id("leave")
    expect(leave).to_contain_text("07:30")                       # the policy's cut-off
    leave.get_by_label("开始").fill("2026-03-02")
    leave.get_by_label("交接说明").fill("客户交给 c3 handover to c3")
    leave.get_by_role("button", name="申请请假 Ask for leave").click()
    expect(leave.locator(".refusal")).to_contain_text("ATT-07")
    s.shot("refused: leave for today")
