"""The TV board (REC-13, issue 15): a display login that reads the board only, lasts and can be
revoked; the board pushed by the server (the page polls nothing); a large next-up card that
skips people who are not free; a just-called list; timers; a visible lost connection."""
import re

from playwright.sync_api import expect

from tests.e2e.test_reception_flow import display, morning
from tests.screens.kit import TV, Screen


def tv(chromium, stack, name):
    return Screen(chromium, stack, name, TV)


def test_rec13_a_tv_display_shows_the_pushed_board_until_it_is_revoked(stack, project, chromium):
    # clauses: REC-13.2
    morning(stack, project, ("c3", "c1", "c2", "c4"))
    r = project.api("POST", "/v1/projects/{p}/displays", as_="manager", json={"name": "前台大屏"})
    assert r.status_code == 201, r.text
    login = r.json()
    assert login["board_url"].startswith(f"/board?project={project.id}#token=")
    header = {"Authorization": f"Bearer {login['token']}"}
    # the display login reads the board and nothing else
    assert project.api("GET", "/v1/projects/{p}/board", headers=header).status_code == 200
    assert project.api("GET", "/v1/projects/{p}/staff", headers=header).status_code == 403
    assert project.api("POST", "/v1/projects/{p}/walk-ins", headers=header,
                       json={}).status_code == 403
    assert project.api("POST", "/v1/projects/{p}/displays", as_="c1",
                       json={"name": "x"}).status_code == 403

    s = tv(chromium, stack, f"display-{project.code}")
    polls = []
    s.page.on("request", lambda req: "/v1/" in req.url and polls.append(req.url))
    s.go(login["board_url"])
    rows = s.page.locator("#rotation tr")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(4)] == \
        [display(project, n) for n in ("c3", "c1", "c2", "c4")]
    expect(s.page.locator("#next")).to_have_text(display(project, "c3"))
    expect(s.page.locator("#login")).to_be_hidden()          # the login form stays hidden
    s.shot("the morning's board on the TV")

    r = project.api("POST", "/v1/projects/{p}/walk-ins", as_="receptionist", json={})
    assert r.status_code == 201, r.text
    # pushed: c3 receives, the next up is c1, c3 is just called, a timer runs
    expect(s.page.locator("#next")).to_have_text(display(project, "c1"))
    expect(s.page.locator("#called li").first).to_contain_text(display(project, "c3"))
    expect(s.page.locator("#receiving li").first).to_contain_text(display(project, "c3"))
    expect(s.page.locator("#receiving li .t").first).to_have_text(re.compile(r"^\d+:\d\d$"))
    r = project.api("PUT", f"/v1/projects/{{p}}/desk-status/{project.ids['c1']}", as_="c1",
                    json={"state": "official_business"})
    assert r.status_code == 200, r.text
    # c1 away on official business is skipped: the next up is the next free consultant
    expect(s.page.locator("#next")).to_have_text(display(project, "c2"))
    expect(s.page.locator("#official_business li").first).to_contain_text(display(project, "c1"))
    s.shot("a walk-in taken and c1 on official business, pushed")
    s.readme("board")
    assert s.axe() == []
    assert polls == [], polls                                 # the page polled nothing

    # the connection drops: the TV says so, and comes back by itself
    stack.stop_process("gateway")
    expect(s.page.locator("#lost")).to_be_visible()
    s.shot("connection lost")
    stack.start_process("gateway")
    stack.wait_healthy()
    expect(s.page.locator("#lost")).to_be_hidden(timeout=30000)
    expect(s.page.locator("#next")).to_have_text(display(project, "c2"))

    # revoked: the API refuses it at once and the TV shows the login within the re-check
    r = project.api("DELETE", f"/v1/projects/{{p}}/displays/{login['display']['id']}",
                    as_="manager")
    assert r.status_code == 200 and r.json()["revoked_at"], r.text
    refused = project.api("GET", "/v1/projects/{p}/board", headers=header)
    assert refused.status_code == 401 and refused.json()["error"]["rule"] == "REC-13"
    expect(s.page.locator("#login")).to_be_visible(timeout=20000)
    expect(s.page.locator("#board")).to_be_hidden()
    expect(s.page.locator("#loginError")).to_contain_text("REC-13")
    s.shot("revoked: the board is gone")
    s.close()


def test_the_board_without_a_login_shows_only_the_login_form(stack, chromium):
    s = tv(chromium, stack, "board-without-login")
    s.go("/board")
    expect(s.page.locator("#login")).to_be_visible()
    expect(s.page.locator("#board")).to_be_hidden()
    s.shot("login only")
    assert s.axe() == []
    s.close()
