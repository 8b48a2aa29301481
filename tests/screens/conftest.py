"""The browser tests' own pytest run (make test runs it after the main one, without eventlet:
ANCHANG_TESTS_UNPATCHED=1). The stack and the per-test project come from tests/e2e."""
import os

# a revoked display is seen within two seconds here (30 s by default, gateway/board_stream.py)
os.environ.setdefault("BOARD_RECHECK_SECONDS", "2")

from tests.e2e.conftest import project, stack  # noqa: F401,E402 (fixtures)
from tests.screens.kit import AXE, chromium, screen  # noqa: F401,E402 (fixtures)


def pytest_terminal_summary(terminalreporter):
    """Each accessibility check (axe-core): violations in all and serious or critical ones."""
    if not AXE:
        return
    serious = sum(len(bad) for *_, bad in AXE)
    terminalreporter.write_line(f"axe: {len(AXE)} page checks, {sum(n for _, _, n, _ in AXE)} "
                                f"violations in all, {serious} serious or critical")
    for name, url, count, bad in AXE:
        terminalreporter.write_line(f"axe:   {url} ({name}): {count} violations, "
                                    f"{len(bad)} serious or critical")
        for line in bad:
            terminalreporter.write_line(f"axe:     {line}")
