"""Locust scenarios for `make bench`'s load figures (docs/bench.md). Runs on gevent in a process
of its own (tests/bench/load.py starts ``locust -f tests/bench/locustfile.py --headless …``):
never import it next to eventlet.

The plan comes from the bench as JSON (``BENCH_PLAN``: a path), the bench's own records go to
``BENCH_OUT`` (a path, written when the test stops); locust's CSV stats hold the latencies.

Pick the scenario by naming its user classes after the file:
- ``Subscriber``: opening-day rush. Each user is one consultant of the project with a
  customer of their own; together they make ``attempts`` subscription attempts (CLI-12) on
  random confirmed units as fast as they are answered, then the run quits. 201 and 409 are the
  expected answers (409: the unit has a live subscription); anything else is a failure.
- ``Consultant SheetWatcher``: morning sign-in wave. Each ``Consultant`` user takes the next person
  of the plan (projects interleaved) once: clock-in, the project's supervisor attests the
  uniform, sign-in (ATT-06). ``SheetWatcher`` users poll the rotation sheet (REC-01) of every
  project that has someone signed in and not yet seen, and record when each first appears.
"""
import itertools
import json
import os
import random
import time

import gevent
from locust import HttpUser, constant, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read()) if os.environ.get("BENCH_PLAN") \
    else {}
P = "/v1/projects/{}"
RECORD = {"answers": {}, "attempts": 0, "first": None, "last": None, "signins": {}}


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


@events.test_stop.add_listener
def _write(environment, **_):
    out = os.environ.get("BENCH_OUT")
    if out:
        with open(out, "w") as f:
            json.dump(RECORD, f)


def _answered(key):
    RECORD["answers"][key] = RECORD["answers"].get(key, 0) + 1


# ---------------------------------------------------------------------- opening-day rush
_rush_people = itertools.cycle(PLAN.get("consultants", [None]))


class Subscriber(HttpUser):
    """One consultant trying to subscribe their customer to any confirmed unit."""
    wait_time = constant(0)

    def on_start(self):
        self.me = next(_rush_people)

    @task
    def subscribe(self):
        if RECORD["attempts"] >= PLAN["attempts"]:
            self.environment.runner.quit()
            raise StopUser()
        RECORD["attempts"] += 1
        unit = random.choice(PLAN["units"])
        started = time.time()
        RECORD["first"] = RECORD["first"] or started
        with self.client.post(P.format(PLAN["project_id"]) + "/subscriptions",
                              json={"unit_id": unit, "customer_id": self.me["customer_id"]},
                              headers=_auth(self.me["token"]), name="POST subscriptions",
                              catch_response=True) as r:
            _answered(str(r.status_code))
            if r.status_code in (201, 409):
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")
        RECORD["last"] = time.time()


# ---------------------------------------------------------------------- morning sign-in wave
_wave_people = iter(PLAN.get("people", []))
PENDING = {}          # project id -> {person id: signed-in record} not yet seen on the sheet


class Consultant(HttpUser):
    """Clock in, uniform attested by the supervisor, sign in: once, then idle."""
    wait_time = constant(3600)

    @task
    def morning(self):
        me = next(_wave_people, None)
        if me is None:
            raise StopUser()
        base = P.format(me["project_id"])
        r = self.client.post(base + "/punches", json={"kind": "in"}, headers=_auth(me["token"]),
                             name="POST punches (clock-in)")
        _answered(f"punch {r.status_code}")
        r = self.client.post(base + "/uniform-attestations", json={"person_id": me["person_id"]},
                             headers=_auth(me["supervisor_token"]),
                             name="POST uniform-attestations")
        _answered(f"uniform {r.status_code}")
        sent = time.time()
        r = self.client.post(base + "/sign-ins", json={}, headers=_auth(me["token"]),
                             name="POST sign-ins")
        answered = time.time()
        _answered(f"sign-in {r.status_code}")
        record = {"project_id": me["project_id"], "sent": sent, "answered": answered,
                  "status": r.status_code, "seen": None}
        RECORD["signins"][str(me["person_id"])] = record
        if r.status_code == 201:
            PENDING.setdefault(me["project_id"], {})[me["person_id"]] = record


class SheetWatcher(HttpUser):
    """Polls the rotation sheet of the projects (its share of them) with someone pending."""
    wait_time = constant(0)
    fixed_count = int(os.environ.get("BENCH_WATCHERS", "1"))
    _ids = itertools.count()

    def on_start(self):
        self.index = next(self._ids)

    @task
    def watch(self):
        count = self.fixed_count or 1
        mine = [p for p in list(PENDING) if PENDING[p] and p % count == self.index]
        if not mine:
            done = len(RECORD["signins"]) == len(PLAN["people"]) and not any(PENDING.values())
            if done or time.time() > PLAN["deadline"]:
                self.environment.runner.quit()   # everyone signed in and seen: the wave is over
            gevent.sleep(0.02)
            return
        for project_id in mine:
            r = self.client.get(P.format(project_id) + f"/rotation-sheet?day={PLAN['day']}",
                                headers=_auth(PLAN["watchers"][str(project_id)]),
                                name="GET rotation-sheet (poll)")
            seen = time.time()
            if r.status_code != 200:
                continue
            on_sheet = {e["person_id"] for e in r.json()["entries"]}
            for person_id in list(PENDING[project_id]):
                if person_id in on_sheet:
                    PENDING[project_id].pop(person_id)["seen"] = seen
