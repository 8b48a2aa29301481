"""The channel agent's phone screen (issue 15, CLI-06): report a customer, see only my own
reports; a report on an owned customer shows its refusal with the rule."""
from tests.screens.kit import PHONE


def test_an_agent_reports_a_customer_and_sees_only_their_own_reports(screen, project):
    other = project.api("POST", "/v1/projects/{p}/channel-reports", as_="agent2",
                        json={"name": "赵女士", "phone": "13900000077"})
    assert other.status_code == 201, other.text
    s = screen(f"{project.code}_agent", size=PHONE)
    assert s.page.url.endswith("/app/agent")         # an agent's first screen is theirs
    s.shot("my reports, empty")
    s.page.get_by_label("客户姓名").fill("钱先生")
    s.page.get_by_label("手机号").fill("13900000088")
    s.page.get_by_role("button", name="报备 Report").click()
    assert "CLI-06" in s.notice()
    rows = s.page.locator("tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1 and "钱先生" in rows.first.inner_text()
    assert "赵女士" not in s.page.content()            # another agent's report is not shown
    s.shot("reported")
    s.readme("agent")
    assert s.axe() == []

    owned = project.api("POST", "/v1/projects/{p}/pre-registrations", as_="c1",
                        json={"name": "孙先生", "phone": "13900000099", "kind": "relative"})
    assert owned.status_code == 201, owned.text              # CLI-04: c1 owns the customer
    s.page.get_by_label("客户姓名").fill("孙先生")
    s.page.get_by_label("手机号").fill("13900000099")
    s.page.get_by_role("button", name="报备 Report").click()
    refusal = s.refusal()
    assert "CLI-06" in refusal, refusal
    s.shot("refused: the customer has a consultant")


def test_the_menu_shows_only_what_the_roles_allow(screen, project):
    s = screen(f"{project.code}_agent", size=PHONE, path="/app/home")
    menu = s.page.locator("header nav a").all_inner_texts()
    assert menu == ["渠道报备 Channel agent"], menu
    s.go("/app/manager")
    assert "SYS-02" in s.refusal()
    s.shot("a manager's screen is refused")
