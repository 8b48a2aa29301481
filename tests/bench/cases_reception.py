"""Reception benchmark cases: one walk-in through the gateway (token check, RPC, the owner
lookup is skipped — no phone —, the sheet's row lock, the rule, a reception row, why records
and reception_started in the outbox, commit), and the pure rotation decision on 10 and 200
consultants (rules.assign_walk_in: scan, skips, desk notice)."""
import uuid
from datetime import datetime, timezone

import requests
from nameko.standalone.events import event_dispatcher

from services.reception import rules
from tests.helpers import eventually

PING = "gateway HTTP->RPC ping"
CONSULTANTS = ("li", "zhang", "liu", "chen")


def walk_in(stack):
    """The demo project's four consultants signed in (as attendance's ``signed_in`` events:
    the sign-in route is being built), then one POST /walk-ins per call."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.login('reception')}"
    board_url = stack.url + "/v1/projects/1/board"
    day = session.get(board_url, timeout=10).json()["day"]
    dispatch = event_dispatcher({"AMQP_URI": stack.env["AMQP_URI"]})
    now = datetime.now(timezone.utc).isoformat()
    for username in CONSULTANTS:
        dispatch("attendance", "signed_in", {
            "event_id": str(uuid.uuid4()), "event_type": "signed_in", "source": "attendance",
            "occurred_at": now, "project_id": 1, "actor": None, "rule": "ATT-06",
            "reason": "bench", "person_id": stack.staff_id(username), "name": username,
            "day": day, "at": now, "clock_in_at": now, "placed_last": False})
    eventually(lambda: len(session.get(board_url, timeout=10).json()["rotation"]) >= 4,
               message="bench sign-ins did not reach the sheet")
    url = stack.url + "/v1/projects/1/walk-ins"

    def call():
        r = session.post(url, json={}, timeout=10)
        assert r.status_code == 201, r.text
    return call, session.close


def decision(n):
    def setup(stack):
        now = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
        states = ("free", "free", "free", "lunch", "receiving", "official_business", "free")
        entries = [rules.SheetEntry(person_id=i, name=f"c{i}", signin_seq=i, marks=i % 4,
                                    state=states[i % len(states)],
                                    groups=1 if states[i % len(states)] == "receiving" else 0)
                   for i in range(1, n + 1)]
        policy = rules.policy_with_defaults()

        def call():
            assert rules.assign_walk_in(entries, now, policy).decision.allowed
        return call, lambda: None
    return setup


BENCHES = [
    ("take a walk-in through the gateway", PING, walk_in),
    ("rotation decision, 10 consultants", None, decision(10)),
    ("rotation decision, 200 consultants", "rotation decision, 10 consultants", decision(200)),
]
