"""README and every walk-through in docs/ run as written on a fresh platform (issue 15): each
document's ```sh blocks in one shell against a stack of its own, started the way `make run`
starts one (migrated databases, the event queues, the demo project, the four services and the
gateway), with the clock routes on as the walk-throughs ask (`ANCHANG_MODE=development
CLOCK_CONTROL=1 make run`). tests/docs_runner.py says how a step's expected answer is read
from the document."""
import eventlet
import pytest

from tests import docs_runner
from tests.stack import ROOT, Stack

DOCUMENTS = ["README.md", "docs/attendance.md", "docs/reception.md", "docs/clients.md",
             "docs/materials.md", "docs/screens.md"]
# docs/operations.md is an operator's runbook (backups, restores, upgrades on the office's own
# machine): its blocks are ```console, shown and not run


@pytest.fixture(scope="module")
def fresh_stack(request):
    """A fresh stack per document; the next selected document's starts while this one runs
    (a stack takes some 15 s to start, mostly waiting). Unused ones are stopped at the end."""
    selected = [item.callspec.params["document"] for item in request.session.items
                if item.module.__name__ == __name__ and hasattr(item, "callspec")]
    pending = {}

    def start(document):
        pending[document] = eventlet.spawn(Stack(clock_control=True).start)

    def take(document):
        if document not in pending:
            start(document)
        stack = pending.pop(document).wait()
        later = selected[selected.index(document) + 1:] if document in selected else []
        if later and later[0] not in pending:
            start(later[0])
        return stack

    yield take
    for thread in pending.values():
        thread.wait().stop()


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_document_runs_as_written(document, fresh_stack):
    path = ROOT / document
    if not any(info == "sh" for info, _, _ in docs_runner.blocks(path)):
        pytest.fail(f"{document} has no ```sh block: nothing of it is run")
    stack = fresh_stack(document)
    try:
        failures = docs_runner.run(path, stack)
    finally:
        stack.stop()
    assert not failures, f"{len(failures)} steps of {document} do not run as written:\n" + \
        "\n".join(failures)
