"""Browser tests of the screens (issue 15): Playwright (python) driving Debian's Chromium on the
real stack. A ``Screen`` is one person at one browser: it logs in through the login form, saves
a screenshot per step under var/screens/<test>/ and runs axe (the pinned axe-core the gateway
serves) for serious or critical accessibility violations.

SCREENS_WRITE=1 also writes the README's pictures (docs/screens/<name>.png).
"""
import os
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens"
README_SHOTS = ROOT / "docs" / "screens"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}      # a consultant's or an agent's phone
DESK = {"width": 1366, "height": 900}      # the front desk, the manager's office
TV = {"width": 1920, "height": 1080}
SERIOUS = ("serious", "critical")
AXE = []   # (test, page, violations) of every check, for the terminal summary


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]


@pytest.fixture(scope="session")
def chromium(stack):
    """Started after the stack: a subprocess started (eventlet) while Playwright's driver runs
    would hang the test process."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def screen(stack, chromium, request):
    """screen(username, password, size=PHONE): a logged-in browser page for one person."""
    opened = []

    def open_screen(username, password="password1", size=PHONE, path=None):
        s = Screen(chromium, stack, f"{username.split('_')[-1]}-{request.node.name[5:]}", size)
        opened.append(s)
        s.login(username, password)
        if path:
            s.go(path)
        return s
    yield open_screen
    for s in opened:
        s.close()


class Screen:
    def __init__(self, browser, stack, name, size):
        self.stack, self.name, self.step = stack, slug(name), 0
        self.context = browser.new_context(viewport=size, locale="zh-CN",
                                           timezone_id="Asia/Shanghai")
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.errors = []   # script errors on the page: a test fails on any
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.dir = SHOTS / self.name
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()

    def go(self, path):
        self.page.goto(self.stack.url + path)
        if not path.startswith("/board"):   # the board's stream never lets the network idle
            self.page.wait_for_load_state("networkidle")
        return self

    def login(self, username, password):
        self.go("/app/home")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录 Log in").click()
        self.page.wait_for_url(re.compile(r"/(app/(?!home)|board)"))
        self.page.wait_for_load_state("networkidle")
        return self

    def shot(self, step):
        """A screenshot of this step (var/screens/<test-person>/NN-step.png)."""
        self.step += 1
        path = self.dir / f"{self.step:02d}-{slug(step)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def readme(self, name):
        """The README's picture of this screen, written only with SCREENS_WRITE=1."""
        if os.environ.get("SCREENS_WRITE"):
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(README_SHOTS / f"{name}.png"))

    def axe(self):
        """Serious and critical axe violations on the page as it is now (each one named)."""
        if not self.page.evaluate("() => !!window.axe"):
            self.page.add_script_tag(url=self.stack.url + "/vendor/axe.min.js")
        result = self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']} ({v['impact']}): {v['help']} — "
                   f"{', '.join(n['target'][0] for n in v['nodes'][:3])}"
                   for v in result["violations"] if v["impact"] in SERIOUS]
        AXE.append((self.name, self.page.url.replace(self.stack.url, ""),
                    len(result["violations"]), serious))
        return serious

    def refusal(self):
        """The text of the visible refusal (rule and message)."""
        box = self.page.locator(".refusal:visible").first
        box.wait_for()
        return box.inner_text()

    def notice(self):
        # a card's answer (role=status) once it has its text, not the consultant's "at the desk,
        # position N" line, which is styled as a notice too and may show first
        box = self.page.locator(".notice[role=status]:visible").filter(
            has_text=re.compile(r"\S")).first
        box.wait_for()
        return box.inner_text()

    def close(self):
        self.context.close()
        assert not self.errors, f"script errors on {self.name}: {self.errors}"
