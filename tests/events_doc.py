"""docs/events.md from the services' event declarations (``services/<name>/events.py``).

    .venv/bin/python -m tests.events_doc          # rewrite docs/events.md
    tests/unit/test_events_catalogue.py           # fails when the file is stale
"""
import importlib
import pathlib

from services.common.events import render

SERVICES = ("attendance", "reception", "clients", "materials")
DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "events.md"

RPC_NOTES = """
## RPCs between services

Every RPC's first argument is the caller's token (a person's, forwarded by the gateway, or the
calling service's own `self.auth.service_token()`); the callee verifies it. Every call has a
deadline (`services/common/rpc.py`): a missing answer is a 503, never a hang.

| callee | method | answer |
|---|---|---|
| clients | `owner_of(token, project_id, phone)` | `{customer_id or null, owner_id or null, owner_name, protection_live, rule, reason, phone_masked}` |
| clients | `register_customer(token, project_id, phone, name, source)` | `{customer_id, created}` (idempotent by normalised phone) |
| every service | `health()`, `set_clock(token, now)`, `get_policy(token, project_id)`, `set_policy(token, project_id, changes, reason)`, `why(token, subject_type, subject_id)`, `dead_letters(token)`, `replay_dead_letters(token, event_ids)` (admin) | kit (`services/common/service.py`) |
"""


def catalogues():
    return [importlib.import_module(f"services.{name}.events").CATALOGUE for name in SERVICES]


def text():
    return render(catalogues(), RPC_NOTES)


if __name__ == "__main__":
    DOC.write_text(text(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(DOC.parent.parent)}")
