"""The front desk's screen at desk size (issue 15): a walk-in and at once who receives it and
why (REC-03, REC-02's desk call), a phone shown masked (CLI-14), a call and its SMS countdown
(REC-12), a desk state on the board (REC-04, REC-13); a walk-in with nobody signed in is
refused with its rule (REC-01)."""
import re

from playwright.sync_api import expect

from tests.e2e.test_reception_flow import at, display, morning
from tests.screens.kit import DESK


def test_the_receptionist_registers_walk_ins_and_a_call_and_sees_who_receives_and_why(
        stack, project, screen):
    stack.set_clock(at("08:00"))
    s = screen(f"{project.code}_receptionist", size=DESK)
    assert s.page.url.endswith("/app/reception")      # the receptionist's first screen
    page = s.page
    expect(page.get_by_text("今天还没有人签到")).to_be_visible()
    s.shot("nobody signed in yet")

    # REC-01: no sign-in, no reception — the screen shows the refusal with its rule
    page.get_by_role("button", name="匿名来访 Anonymous walk-in").click()
    refusal = s.refusal()
    assert "REC-01" in refusal and "nobody has signed in" in refusal, refusal
    s.shot("refused: nobody has signed in")

    morning(stack, project)                           # c2, c1, c3, c4 sign in; 09:00
    s.go("/app/reception")
    rotation = page.locator("[data-test=rotation] tbody tr")
    expect(rotation).to_have_count(4)
    expect(rotation.first).to_contain_text(display(project, "c2"))
    s.shot("the morning's board")

    # an anonymous walk-in: c2 (first, fewest marks) receives; c3 calls c4 to the desk
    page.get_by_role("button", name="匿名来访 Anonymous walk-in").click()
    result = page.locator("[data-test=walk-in-result]")
    expect(result.locator("[data-test=receiver]")).to_have_text(display(project, "c2"))
    expect(result.locator("[data-test=rule]")).to_have_text("REC-03")
    desk_call = result.locator("[data-test=desk-call]")
    expect(desk_call).to_contain_text("REC-02")
    expect(desk_call).to_contain_text(display(project, "c4"))
    # the board is refreshed: c2 is receiving
    expect(page.locator("[data-group=receiving]")).to_contain_text(display(project, "c2"))
    s.shot("anonymous walk-in: c2 receives (REC-03), c3 calls c4 (REC-02)")
    s.readme("reception")
    assert s.axe() == []

    # a walk-in with a phone and a name: c1 receives; the phone is shown masked
    page.get_by_label("手机号").first.fill("13812345678")
    page.get_by_label("客户姓名").first.fill("王先生")
    page.get_by_role("button", name="登记来访 Register walk-in").click()
    expect(result.locator("[data-test=receiver]")).to_have_text(display(project, "c1"))
    expect(result).to_contain_text("138****5678")
    expect(result).to_contain_text("CLI-02")             # the owner lookup: nobody owns it
    assert "13812345678" not in result.inner_text()
    expect(page.locator("[data-group=receiving]")).to_contain_text(display(project, "c1"))
    s.shot("walk-in with a phone: c1 receives, phone masked")

    # REC-12: a desk call answered by c3, its SMS deadline counting down
    page.get_by_label("来电人").fill("赵女士")
    page.get_by_label("来电号码").fill("13900001111")
    page.get_by_label("需求").fill("三房")
    page.get_by_label("获知途径").fill("网络 web")
    page.get_by_label("接听人").select_option(label=display(project, "c3"))
    page.get_by_role("button", name="登记来电 Register call").click()
    assert "赵女士" in s.notice()
    call = page.locator("[data-test=calls] tbody tr").first
    expect(call).to_contain_text("139****1111")
    expect(call).to_contain_text("待发送 pending")
    countdown = call.locator("[data-test=sms-countdown]")
    expect(countdown).to_have_text(re.compile(r"^[0-5]:[0-5]\d$"))
    s.shot("call registered: SMS countdown")
    call.get_by_role("button", name=re.compile("已发短信 SMS sent")).click()
    expect(call).to_contain_text("按时 on time")
    expect(call).to_contain_text("REC-12")
    s.shot("SMS recorded on time")

    # REC-04: c4 goes on official business; the board shows it
    page.get_by_label("置业顾问 Consultant").select_option(label=display(project, "c4"))
    page.get_by_label("状态 State").select_option("official_business")
    page.get_by_label("说明 Detail").fill("送合同到银行")
    page.get_by_role("button", name="设置 Set state").click()
    expect(page.locator("[data-group=official_business]")).to_contain_text(display(project, "c4"))
    s.shot("c4 on official business")
    assert s.axe() == []
