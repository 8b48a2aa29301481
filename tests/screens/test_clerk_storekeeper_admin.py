"""The clerk's, the storekeeper's and the admin's desk screens (issue 15): the monthly report
and its submission (ATT-12) with the voided forms the clerk keeps (CLI-12); a receipt that
raises the stock (MAT-03, MAT-01); a project's staff member created by the admin (SYS-02)."""
from playwright.sync_api import expect

from tests.screens.kit import DESK

MON = "2026-03-02"
P = "/v1/projects/{p}"


def test_the_clerk_sees_the_monthly_report_and_submits_it(stack, screen, project):
    stack.set_clock(f"{MON}T10:00:00+08:00")
    r = project.api("POST", P + "/ledger", as_="supervisor",
                    json={"person_id": project.ids["c2"], "offence": "sleeping_on_duty"})
    assert r.status_code == 201, r.text
    customer = project.api("POST", P + "/customers", as_="c1",
                           json={"phone": "13500003333", "name": "钱先生"}).json()
    unit = project.api("POST", P + "/units", as_="manager", json={"code": "3-1801"}).json()
    assert project.api("POST", P + f"/units/{unit['id']}/confirm",
                       as_="manager").status_code == 200
    sub = project.api("POST", P + "/subscriptions", as_="c1",
                      json={"unit_id": unit["id"], "customer_id": customer["id"]}).json()
    r = project.api("POST", P + f"/subscriptions/{sub['id']}/void", as_="manager",
                    json={"clerk_id": project.ids["clerk"]})
    assert r.status_code == 200, r.text

    s = screen(f"{project.code}_clerk", size=DESK)
    assert s.page.url.endswith("/app/clerk")            # the clerk's first screen is theirs
    row = s.page.locator(f"table.report tr[data-person-id='{project.ids['c2']}']")
    expect(row).to_contain_text(f"c2-{project.code}")
    expect(row).to_contain_text("200")                  # the ATT-10 fine, in the report
    voided = s.page.locator(f"tr[data-subscription-id='{sub['id']}']")
    expect(voided).to_contain_text("3-1801")
    expect(voided).to_contain_text("CLI-12")
    expect(s.page.get_by_role("heading", name="考勤月报")).to_contain_text("2026-03")
    s.shot("the monthly report and the voided forms")
    s.readme("clerk")
    assert s.axe() == []

    s.page.get_by_role("button", name="提交月报 Submit the report").click()
    assert "ATT-12" in s.notice()
    expect(s.page.locator(".submission .pill")).to_have_text("on_time")
    s.shot("the report submitted on time")
    s.page.get_by_role("button", name="提交月报 Submit the report").click()
    assert "2026-03" in s.refusal()                     # submitted once
    s.shot("a second submission refused")


def test_the_storekeeper_adds_a_receipt_and_the_stock_rises(screen, project):
    r = project.api("POST", P + "/materials/items", as_="storekeeper", json={
        "code": "FP-A", "name": "户型单张 A", "specification": "A4 双面", "unit": "张",
        "unit_price_cents": 50, "category": "floor_plan", "reorder_level": 20})
    assert r.status_code == 201, r.text
    item = r.json()
    s = screen(f"{project.code}_storekeeper", size=DESK)
    assert s.page.url.endswith("/app/storekeeper")
    row = s.page.locator(f"table.stock tr[data-item-id='{item['id']}']")
    expect(row.locator(".on-hand")).to_have_text("0")
    expect(row).to_contain_text("低库存 Low (MAT-08)")
    s.shot("the stock, low")

    form = s.page.locator("section:has(#receipt-h) form")
    form.get_by_label("物料").select_option(label="户型单张 A (FP-A)")
    form.get_by_label("数量").fill("50")
    form.get_by_label("验收人").select_option(label=f"c1-{project.code}")
    form.get_by_label("送货人").fill("印刷厂 printer")
    form.get_by_role("button", name="入库 Record the receipt").click()
    assert "MAT-03" in s.notice()
    expect(row.locator(".on-hand")).to_have_text("50")                # the stock rose
    expect(row).to_contain_text("正常 OK")
    s.shot("received: the stock rose")
    s.readme("storekeeper")
    assert s.axe() == []

    # failed inspection: held apart, then exchanged into stock
    form.get_by_label("物料").select_option(label="户型单张 A (FP-A)")
    form.get_by_label("数量").fill("10")
    form.get_by_label("验收人").select_option(label=f"c1-{project.code}")
    form.get_by_label("验收合格").uncheck()
    form.get_by_role("button", name="入库 Record the receipt").click()
    assert "MAT-03" in s.notice()
    expect(row.locator(".on-hand")).to_have_text("50")
    held = s.page.locator("section:has(#receipt-h) tr[data-receipt-id]")
    expect(held).to_contain_text("户型单张 A × 10")
    s.shot("failed inspection: held")
    held.get_by_role("button", name="换货 Exchange").click()
    expect(row.locator(".on-hand")).to_have_text("60")
    expect(held).to_have_count(0)
    s.shot("held goods exchanged into stock")

    # an issue form with neither an approved request nor a plan is refused with its rule
    issue = s.page.locator("section:has(#issue-h)")
    issue.get_by_label("物料").select_option(label="户型单张 A (FP-A)")
    issue.get_by_label("数量").fill("5")
    issue.get_by_label("领用人").select_option(label=f"c1-{project.code}")
    issue.get_by_role("button", name="开出库单 Make out the form").click()
    expect(issue.locator(".refusal")).to_contain_text("MAT-02")
    s.shot("an issue form without a plan refused")

    # a stocktake by one counter is refused; by two it adjusts the stock
    count = s.page.locator("section:has(#count-h)")
    count.get_by_label(f"storekeeper-{project.code}").check()
    count.get_by_label("实盘 Counted 户型单张 A").fill("58")
    count.get_by_label("差异原因 Reason 户型单张 A").fill("受潮丢弃 damp, thrown away")
    count.get_by_role("button", name="记录盘点 Record the stocktake").click()
    assert "MAT-06" in s.refusal()
    count.get_by_label(f"c1-{project.code}").check()
    count.get_by_role("button", name="记录盘点 Record the stocktake").click()
    assert "MAT-06" in s.notice()
    expect(row.locator(".on-hand")).to_have_text("58")
    s.shot("stocktake recorded")


def test_the_admin_creates_a_staff_member_in_a_chosen_project(screen, project):
    s = screen("admin", password="anchang-demo", size=DESK)
    assert s.page.url.endswith("/app/admin")
    s.page.get_by_role("button", name=f"选择 Choose {project.code}").click()
    expect(s.page.locator("#staff-h")).to_contain_text(f"Test {project.code}")
    expect(s.page.locator("table.staff tbody tr")).to_have_count(len(project.ids))
    s.shot("the chosen project's staff")

    form = s.page.locator("form.add-staff")
    form.get_by_label("用户名").fill(f"{project.code}_newbie")
    form.get_by_label("姓名").fill("新同事 Newbie")
    form.get_by_label("初始密码").fill("short")
    form.get_by_label("置业顾问 consultant").check()
    form.get_by_role("button", name="添加员工 Add the staff member").click()
    assert "password" in s.refusal()                         # refused by the service
    s.shot("a short password refused")
    form.get_by_label("初始密码").fill("password1")
    form.get_by_role("button", name="添加员工 Add the staff member").click()
    assert f"{project.code}_newbie" in s.notice()
    row = s.page.locator("table.staff tr", has_text=f"{project.code}_newbie")
    expect(row).to_contain_text("置业顾问 consultant")
    s.shot("the staff member added")
    s.readme("admin")
    assert s.axe() == []

    row.get_by_role("button", name="修改角色").click()
    s.page.locator("form:has(legend)").first.get_by_label("销售主管 supervisor").check()
    s.page.get_by_role("button", name="保存角色 Save roles").click()
    assert "supervisor" in s.notice()
    expect(row).to_contain_text("销售主管 supervisor")
    s.shot("roles set")
    people = project.api("GET", P + "/staff", as_="manager").json()
    newbie = next(p for p in people if p["username"] == f"{project.code}_newbie")
    assert sorted(newbie["roles"]) == ["consultant", "supervisor"]
