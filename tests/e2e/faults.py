"""A stream of office operations from several clients, and the count of each one's effects on
both sides (issue 13): what the clients were told (2xx, 503, a refusal) against what the
services hold afterwards.

Each operation has an identity of its own and an Idempotency-Key:
- ``item``    materials: a catalogue item with code ``F<n>`` (storekeeper);
- ``staff``   attendance: a person with username ``<project>_s<n>`` (manager);
- ``walk_in`` reception, asking clients for the owner: a walk-in with phone ``139<n>``
  (receptionist); its effects are the customer in clients and the reception on the sheet.
"""
import collections
import concurrent.futures
import itertools

import requests

from tests.e2e.test_reception_flow import at, sign_in
from tests.helpers import eventually

KINDS = ("item", "staff", "walk_in")
# A retry's answer when the first request committed but its service died before keeping the
# answer: 409 on the Idempotency-Key ("already done"); counted here as done.
DONE_BEFORE = 208


class Op:
    def __init__(self, n, kind, project):
        self.n, self.kind = n, kind
        self.key = f"{project.code}-op-{n}"
        self.ident = {"item": f"F{n}", "staff": f"{project.code}_s{n}",
                      "walk_in": f"139{n:08d}"}[kind]
        self.status = None     # the first answer the client got
        self.final = None      # after retrying a 503 with the same key
        self.answer = None     # the last answer's text (for a failing assertion)


class Stream:
    def __init__(self, project, count=120, clients=4):
        self.project, self.clients = project, clients
        self.ops = [Op(n, KINDS[n % len(KINDS)], project) for n in range(count)]

    # -- sending ---------------------------------------------------------------------------
    def request(self, op):
        p, body = self.project, None
        if op.kind == "item":
            path, as_ = "/v1/projects/{p}/materials/items", "storekeeper"
            body = {"code": op.ident, "name": f"楼书 {op.n}", "specification": "A4",
                    "unit": "copy", "unit_price_cents": 100, "category": "brochure",
                    "reorder_level": 1}
        elif op.kind == "staff":
            path, as_ = "/v1/projects/{p}/staff", "manager"
            body = {"username": op.ident, "name": f"s{op.n}", "password": "password1",
                    "roles": ["clerk"]}
        else:
            path, as_ = "/v1/projects/{p}/walk-ins", "receptionist"
            body = {"phone": op.ident, "name": f"客户{op.n}"}
        try:
            r = p.api("POST", path, as_=as_, json=body, headers={"Idempotency-Key": op.key})
        except requests.RequestException:
            return 599     # the gateway itself was unreachable: the client saw no answer
        op.answer = r.text[:300]
        if r.status_code == 409 and r.json()["error"].get("field") == "Idempotency-Key":
            return DONE_BEFORE
        return r.status_code

    def send(self, op):
        op.status = self.request(op)

    def run(self, during=None):
        """Send every operation from ``clients`` threads; ``during()`` runs (a fault) once a
        quarter of them have been answered."""
        for role in ("storekeeper", "manager", "receptionist"):
            self.project.login(role)     # tokens first: the fault is not in logging in
        done = itertools.count(1)
        quarter = len(self.ops) // 4
        fault = concurrent.futures.Future()

        def worker(op):
            self.send(op)
            if next(done) == quarter and during:
                try:
                    fault.set_result(during())
                except BaseException as exc:  # reported by the test, not lost in a thread
                    fault.set_exception(exc)
        with concurrent.futures.ThreadPoolExecutor(self.clients) as pool:
            list(pool.map(worker, self.ops))
        return fault.result() if during else None

    def retry_unanswered(self):
        """A client that was told 503 (or nothing) asks again with the same key; the first
        answer of a request that did run is given again instead of running it twice."""
        for op in self.ops:
            op.final = op.status
            if op.status >= 500:
                op.final = self.request(op)

    # -- counting --------------------------------------------------------------------------
    def effects(self):
        """How many times each operation's effect is held by the services."""
        p = self.project
        items = collections.Counter(
            i["code"] for i in p.api("GET", "/v1/projects/{p}/materials/items",
                                     as_="storekeeper").json())
        staff = collections.Counter(
            s["username"] for s in p.api("GET", "/v1/projects/{p}/staff", as_="manager").json())
        customers = p.api("GET", "/v1/projects/{p}/customers", as_="manager").json()
        phones = collections.Counter(c["phone"] for c in customers)
        by_id = {c["id"]: c["phone"] for c in customers}
        receptions = p.api("GET", "/v1/projects/{p}/receptions?day=" + at("09:00")[:10],
                           as_="manager").json()
        received = collections.Counter(by_id.get(r["customer_id"]) for r in receptions)
        counts = {}
        for op in self.ops:
            if op.kind == "item":
                counts[op.n] = (items[op.ident],)
            elif op.kind == "staff":
                counts[op.n] = (staff[op.ident],)
            else:
                counts[op.n] = (phones[op.ident], received[op.ident])
        return counts

    @staticmethod
    def held(op, counts):
        """How many times the operation's own effect is held: the item, the person, the
        reception (a walk-in's customer may be registered even when no one could receive)."""
        return counts[op.n][-1]

    def report(self, counts, answer="status"):
        """What the clients were told against what the services hold, per answer class."""
        out = collections.Counter()
        for op in self.ops:
            told = getattr(op, answer)
            cls = "2xx" if told < 300 else "503" if told >= 500 else "refused"
            out[cls] += 1
            out[f"{cls} with effect"] += int(self.held(op, counts) > 0)
            out["duplicates"] += int(max(counts[op.n]) > 1)
        return dict(out)


def open_the_desk(stack, project, consultants):
    """Every consultant signed in (ATT-06) so walk-ins have someone to receive them."""
    for i, name in enumerate(consultants):
        sign_in(stack, project, name, f"08:{i % 60:02d}")
    stack.set_clock(at("09:00"))

    def on_sheet():
        board = project.api("GET", "/v1/projects/{p}/board", as_="receptionist").json()
        return len(board["rotation"]) == len(consultants)
    eventually(on_sheet, timeout=20, message="the sign-ins did not reach the sheet")
