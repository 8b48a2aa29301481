"""Headless Chromium (Debian's package) for page tests: the rendered DOM and a screenshot."""
import shutil
import subprocess
import tempfile

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(url, *extra, budget_ms=4000):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}",
                               f"--virtual-time-budget={budget_ms}", *extra, url],
                              capture_output=True, text=True, timeout=90)


def rendered_dom(url, budget_ms=4000):
    """The DOM after scripts ran for ``budget_ms`` of virtual time."""
    return _run(url, "--dump-dom", budget_ms=budget_ms).stdout


def screenshot(url, path, size="1280,900", budget_ms=4000):
    _run(url, f"--screenshot={path}", f"--window-size={size}", budget_ms=budget_ms)
    return path
