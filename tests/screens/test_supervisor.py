"""The supervisor's screen at desk size (issue 15): uniform attested through the screen, then the
consultant's sign-in appears in the day's order (ATT-06); the rotation sheet reordered with a
reason (REC-01), refused without one; a refusal recorded with its suspension (REC-09); poaching
(CLI-09) and the day's shortages reported (MAT-07)."""
from playwright.sync_api import expect

from tests.e2e.test_reception_flow import at, display, rotation, sign_in
from tests.helpers import eventually
from tests.screens.kit import DESK


def test_the_supervisor_attests_uniform_and_reorders_the_sheet_with_a_reason(
        stack, project, screen):
    stack.set_clock(at("08:20"))
    owned = project.api("POST", "/v1/projects/{p}/pre-registrations", as_="c1",
                        json={"name": "孙先生", "phone": "13900000099", "kind": "relative"})
    assert owned.status_code == 201, owned.text              # c1 owns the customer
    r = project.api("POST", "/v1/projects/{p}/punches", as_="c1", json={"kind": "in"})
    assert r.status_code == 201, r.text
    s = screen(f"{project.code}_supervisor", size=DESK)
    assert s.page.url.endswith("/app/reception")    # a supervisor's first screen is the desk
    s.go("/app/supervisor")
    page = s.page
    expect(page.get_by_text("今天还没有人签到")).to_be_visible()
    s.shot("nobody signed in yet")

    # ATT-06: the supervisor attests c1's uniform through the screen
    card = page.locator("section", has=page.get_by_role("heading", name="着装与签到"))
    card.get_by_label("置业顾问").select_option(label=display(project, "c1"))
    card.get_by_role("button", name="确认着装 Attest uniform").click()
    notice = s.notice()
    assert "ATT-06" in notice and display(project, "c1") in notice, notice
    s.shot("c1's uniform attested")

    # c1 signs in (for themself, through the API) and appears in the day's order
    r = project.api("POST", "/v1/projects/{p}/sign-ins", as_="c1", json={})
    assert r.status_code == 201, r.text
    card.get_by_role("button", name="刷新 Refresh").click()
    order = page.locator("[data-test=sign-in-order] tbody tr")
    expect(order).to_have_count(1)
    expect(order.first).to_contain_text(display(project, "c1"))
    expect(order.first).to_contain_text("ATT-06")
    s.shot("c1 signed in: first in the order")
    s.readme("supervisor")
    assert s.axe() == []

    # two more sign in; the sheet fills (reception hears attendance's signed_in)
    sign_in(stack, project, "c2", "08:21")
    sign_in(stack, project, "c3", "08:22")
    stack.set_clock(at("09:00"))
    ids = project.ids
    eventually(lambda: rotation(project) == [ids["c1"], ids["c2"], ids["c3"]], timeout=10,
               message="the sign-ins did not reach the sheet")
    sheet = page.locator("section", has=page.get_by_role("heading", name="轮序表 指定顺序"))
    sheet.get_by_role("button", name="刷新 Refresh").click()
    rows = page.locator("[data-test=sheet-order] li")
    expect(rows).to_have_count(3)
    expect(order).to_have_count(3)
    s.shot("three on the sheet")

    # REC-01: c3 to the front; without a reason the reorder is refused with its rule
    c3 = display(project, "c3")
    sheet.get_by_role("button", name=f"上移 Up: {c3}").click()
    sheet.get_by_role("button", name=f"上移 Up: {c3}").click()
    expect(rows.first).to_contain_text(c3)
    sheet.get_by_role("button", name="保存顺序 Save order").click()
    refusal = s.refusal()
    assert "REC-01" in refusal and "reason" in refusal, refusal
    s.shot("refused: a reorder needs a reason")
    assert rotation(project) == [ids["c1"], ids["c2"], ids["c3"]]   # nothing changed

    sheet.get_by_label("原因").fill("c3 负责开盘准备 c3 prepares the launch")
    sheet.get_by_role("button", name="保存顺序 Save order").click()
    notice = sheet.locator(".notice")
    expect(notice).to_contain_text("REC-01")
    names = [display(project, n) for n in ("c3", "c1", "c2")]
    for i, name in enumerate(names):
        expect(rows.nth(i)).to_contain_text(name)
    assert rotation(project) == [ids["c3"], ids["c1"], ids["c2"]]
    s.shot("reordered with a reason: c3, c1, c2")

    # REC-09: c2 picks customers: suspended for a day (a supervisor records it)
    refusals = page.locator("section", has=page.get_by_role("heading", name="拒接 / 挑客"))
    refusals.get_by_label("置业顾问").select_option(label=display(project, "c2"))
    refusals.get_by_label("类型").select_option("picking")
    refusals.get_by_role("button", name="记录 Record").click()
    recorded = refusals.locator(".notice")
    expect(recorded).to_contain_text("REC-09")
    expect(recorded).to_contain_text("1 day")
    s.shot("c2 suspended for picking")

    # CLI-09: c3 received c1's customer without asking: poaching, the customer stays with c1
    poaching = page.locator("section", has=page.get_by_role("heading", name="抢客"))
    poaching.get_by_label("客户").select_option(str(owned.json()["customer_id"]))
    poaching.get_by_label("抢客者").select_option(label=display(project, "c3"))
    poaching.get_by_role("button", name="记录抢客 Record poaching").click()
    expect(poaching.locator(".notice")).to_contain_text("CLI-09")
    s.shot("poaching recorded")

    # MAT-07: the day's shortages (none) reported to the manager
    shortages = page.locator("section", has=page.get_by_role("heading", name="今日物料短缺"))
    expect(shortages).to_contain_text("今天没有短缺")
    shortages.get_by_role("button", name="上报经理 Report to the manager").click()
    expect(shortages.locator(".notice")).to_contain_text("MAT-07")
    s.shot("shortages reported")
    assert s.axe() == []
