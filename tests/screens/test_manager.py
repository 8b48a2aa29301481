"""The manager's desk screen (issue 15): the approvals inbox (ATT-07 leave approved and gone),
the policy forms (SYS-03: a value changed; a bad value refused with its rule), reports."""
import re

from playwright.sync_api import expect

from tests.screens.kit import DESK

MON = "2026-03-02"


def test_a_manager_approves_leave_from_the_inbox(stack, screen, project):
    stack.set_clock(f"{MON}T09:00:00+08:00")
    r = project.api("POST", "/v1/projects/{p}/leave", as_="c1", json={
        "leave_type": "annual", "start_day": "2026-03-05", "end_day": "2026-03-06",
        "handover_note": "客户交给 c2"})
    assert r.status_code == 201, r.text
    leave = r.json()

    s = screen(f"{project.code}_manager", size=DESK, path="/app/manager")
    row = s.page.locator(f"tr[data-item='leave-{leave['id']}']")
    expect(row).to_contain_text(f"c1-{project.code}")               # who
    expect(row).to_contain_text("年假 annual")                       # what
    expect(row).to_contain_text("2026-03-05 – 2026-03-06")           # when
    expect(row).to_contain_text("ATT-07")                            # the rule
    s.shot("the inbox with a leave request")
    s.readme("manager")
    assert s.axe() == []

    row.get_by_role("button", name="批准 Approve").click()
    assert "ATT-07" in s.notice()
    expect(row).to_have_count(0)                                     # it leaves the inbox
    s.shot("leave approved, gone from the inbox")
    statuses = [x["status"] for x in project.api("GET", "/v1/projects/{p}/leave",
                                                 as_="manager").json()]
    assert statuses == ["approved"]

    # ATT-07: another request turned down, with the reason the applicant will read
    other = project.api("POST", "/v1/projects/{p}/leave", as_="c2", json={
        "leave_type": "personal", "start_day": "2026-03-09", "handover_note": "交接 c3"}).json()
    swap = project.api("POST", "/v1/projects/{p}/swaps", as_="manager", json={
        "a_id": project.ids["c3"], "b_id": project.ids["c4"], "days": [MON], "approved": False})
    assert swap.status_code == 201, swap.text
    s.go("/app/manager")
    row = s.page.locator(f"tr[data-item='leave-{other['id']}']")
    row.get_by_label("理由").fill("开盘周人手不足")
    row.get_by_role("button", name="不批准 Turn down").click()
    assert "ATT-07" in s.notice() and "开盘周人手不足" in s.notice()
    expect(row).to_have_count(0)
    mine = project.api("GET", "/v1/projects/{p}/leave", as_="c2").json()
    assert mine[-1]["status"] == "rejected" and "开盘周人手不足" in mine[-1]["reason"]
    found = s.page.locator(f"li[data-swap='{swap.json()['id']}']")
    expect(found).to_contain_text(f"c3-{project.code} ⇄ c4-{project.code}")
    expect(found).to_contain_text("both absent")                      # ATT-08, as recorded
    s.shot("leave turned down with a reason; the swaps recorded")

    unit = project.api("POST", "/v1/projects/{p}/units", as_="manager",
                       json={"code": "3-1801"}).json()
    s.go("/app/manager")
    row = s.page.locator(f"tr[data-item='unit-{unit['id']}']")
    expect(row).to_contain_text("CLI-12")
    row.get_by_role("button", name="确认可售 Confirm").click()
    assert "3-1801" in s.notice()
    expect(row).to_have_count(0)
    s.shot("a unit confirmed available")


def test_a_manager_changes_a_policy_value_and_a_bad_value_is_refused(screen, project):
    s = screen(f"{project.code}_manager", size=DESK, path="/app/manager")
    form = s.page.locator("form[data-service='attendance']")
    grace = form.get_by_label("grace_minutes")
    expect(grace).to_have_value("0")
    label = form.locator("label:has(input[name=grace_minutes])")
    expect(label).to_contain_text("ATT-04")                          # its rule beside it
    s.page.locator("#policy-h").scroll_into_view_if_needed()
    s.shot("the attendance policy")
    grace.fill("5")
    form.get_by_label("修改原因").fill("开盘期间放宽 launch weeks")
    form.get_by_role("button", name="保存 Save policy").click()
    assert "grace_minutes (ATT-04)" in s.notice()
    s.shot("grace minutes saved")
    r = project.api("GET", "/v1/projects/{p}/policy/attendance", as_="manager")
    assert r.json()["grace_minutes"] == 5

    s.page.get_by_role("button", name="客户归属 Clients").click()
    form = s.page.locator("form[data-service='clients']")
    split = form.get_by_label("change_split_percent")
    expect(split).to_have_value("50")
    split.fill("150")
    form.get_by_role("button", name="保存 Save policy").click()
    refusal = s.refusal()
    assert refusal.startswith("CLI-10") and "change_split_percent" in refusal, refusal
    expect(form.locator("label.bad")).to_contain_text("change_split_percent")
    expect(split).to_have_attribute("aria-invalid", "true")
    s.shot("a bad value refused with its rule")
    assert s.axe() == []
    r = project.api("GET", "/v1/projects/{p}/policy/clients", as_="manager")
    assert r.json()["change_split_percent"] == 50


def test_a_manager_sees_the_monthly_report_and_downloads_it(stack, screen, project):
    stack.set_clock(f"{MON}T10:00:00+08:00")
    r = project.api("POST", "/v1/projects/{p}/ledger", as_="supervisor",
                    json={"person_id": project.ids["c2"], "offence": "sleeping_on_duty"})
    assert r.status_code == 201, r.text
    s = screen(f"{project.code}_manager", size=DESK, path="/app/manager")
    row = s.page.locator(f"table.report tr[data-person-id='{project.ids['c2']}']")
    expect(row).to_contain_text("200")                               # ATT-10 fine in the report
    with s.page.expect_download() as download:
        s.page.get_by_role("button", name="月报 xlsx").click()
    assert re.match(r"attendance-2026-03-project-\d+\.xlsx", download.value.suggested_filename)
    assert "attendance-2026-03" in s.notice()
    s.page.locator("#report-h").scroll_into_view_if_needed()
    s.shot("the monthly report, downloaded")
    s.page.get_by_role("button", name="日结 Close the day").click()   # yesterday: Sunday
    expect(s.page.locator("section:has(#close-h) .notice")).to_contain_text("2026-03-01 (ATT-09)")
    s.shot("the day's close answered")


def test_a_manager_overrides_ownership_with_a_written_reason(screen, project):
    r = project.api("POST", "/v1/projects/{p}/pre-registrations", as_="c1",
                    json={"name": "孙先生", "phone": "13900000099", "kind": "relative"})
    assert r.status_code == 201, r.text
    s = screen(f"{project.code}_manager", size=DESK, path="/app/manager")
    card = s.page.locator("section:has(#owner-h)")
    card.get_by_label("客户手机号").fill("13900000099")
    card.get_by_role("button", name="查找 Find").click()
    expect(card.get_by_label("客户 Customer")).to_contain_text(f"c1-{project.code}")
    card.get_by_label("新归属顾问").select_option(label=f"c2-{project.code}")
    card.get_by_label("书面理由").fill("客户书面要求由 c2 接待 the customer asked in writing")
    card.get_by_role("button", name="调整归属 Override").click()
    expect(card.locator(".notice")).to_contain_text("CLI-11")
    expect(card.get_by_label("客户 Customer")).to_contain_text(f"c2-{project.code}")
    card.scroll_into_view_if_needed()
    s.shot("ownership overridden")
