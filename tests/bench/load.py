"""make bench, load figures (issue 13; docs/bench.md): two scenarios driven by locust against the
whole platform on PostgreSQL, once with one process per service (the baseline) and once with two
(``attendance``, ``attendance#2``, …; one gateway), in the same run. Figures and ratios are
printed and written to var/bench/load.json; nothing here is asserted.

- Opening-day rush (CLI-12): ``attempts`` subscription attempts on ``units`` confirmed units by
  ``users`` consultants as fast as they are answered: every answer 201 or 409, no unit with two
  live subscriptions (read back from GET /subscriptions), p50/p99 and requests per second from
  locust's CSV stats.
- Morning sign-in wave (ATT-06 → REC-01): ``projects`` × ``consultants`` clock in, have their
  uniform attested and sign in, spread over ``seconds``; the time from each sign-in to the
  consultant's first appearance on reception's rotation sheet (attendance's ``signed_in``
  event, through the outbox and the broker), measured by polling the sheet of every project
  with someone pending.

Scale (env): BENCH_SCALE=quick (default, a few minutes here) or full (the issue's figures), and
per knob BENCH_RUSH_ATTEMPTS, BENCH_RUSH_UNITS, BENCH_RUSH_USERS, BENCH_RUSH_SECONDS,
BENCH_WAVE_PROJECTS, BENCH_WAVE_CONSULTANTS, BENCH_WAVE_SECONDS, BENCH_INSTANCES (``1,2``),
BENCH_SCENARIOS (``rush,wave``).
"""
import eventlet

eventlet.monkey_patch()

import contextlib  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

import sqlalchemy as sa  # noqa: E402

os.environ.setdefault("JWT_SECRET", "anchang-test-secret-0123456789abcdef")
os.environ.setdefault("PYTHONWARNINGS", "ignore")

from tests.helpers import PostgresDatabase, eventually, postgres_available, token  # noqa: E402
from tests.stack import ROOT, Stack  # noqa: E402

SCALES = {
    "quick": dict(RUSH_ATTEMPTS=400, RUSH_UNITS=60, RUSH_USERS=20, RUSH_SECONDS=30,
                  WAVE_PROJECTS=4, WAVE_CONSULTANTS=10, WAVE_SECONDS=30),
    "full": dict(RUSH_ATTEMPTS=2000, RUSH_UNITS=300, RUSH_USERS=50, RUSH_SECONDS=60,
                 WAVE_PROJECTS=30, WAVE_CONSULTANTS=30, WAVE_SECONDS=300),
}
SCALE = os.environ.get("BENCH_SCALE", "quick")
K = {k: int(os.environ.get(f"BENCH_{k}", v)) for k, v in SCALES[SCALE].items()}
INSTANCES = [int(n) for n in os.environ.get("BENCH_INSTANCES", "1,2").split(",")]
SCENARIOS = os.environ.get("BENCH_SCENARIOS", "rush,wave").split(",")
DAYS = ["2026-03-02", "2026-03-03", "2026-03-04"]   # one per run; the clock frozen at 08:00
OUT = ROOT / "var" / "bench"
SERVICES = ("attendance", "reception", "clients", "materials")
GRACE = 30                             # seconds after the wave for the last sheets to fill
POOL = eventlet.GreenPool(8)           # set-up requests in parallel (not measured)
SLOW_POOL = eventlet.GreenPool(2)      # staff creation hashes a password (argon2): two at a time


def ok(r, status=201):
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def call(stack, method, path, token, status=201, **kwargs):
    """A set-up request, sent again with the same Idempotency-Key while it is answered 503 (the
    machine is shared: a 503 means nothing was done, a repeat is answered once)."""
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    for _ in range(10):
        r = stack.api(method, path, token=token, headers=dict(headers), **kwargs)
        if r.status_code != 503:
            break
        eventlet.sleep(1)   # back-off before the repeat, not a wait for an event
    return ok(r, status)


def admin_token(stack):
    def login():
        try:
            return stack.login("admin")
        except AssertionError:   # 503 on a busy machine: nothing done, log in again
            return None
    return eventually(login, timeout=120, interval=1, message="admin could not log in")


def add_project(stack, lead):
    """A project with one ``lead`` (manager or supervisor): its id and the lead's token."""
    code = "b" + uuid.uuid4().hex[:8]
    pid = call(stack, "POST", "/v1/projects", admin_token(stack),
               json={"code": code, "name": f"Bench {code}"})["id"]
    return pid, add_people(stack, pid, code, lead, 1)[0]


def add_people(stack, project_id, code, role, count):
    """``count`` people with ``role`` in the project, each with a token of their own (signed with
    the stack's secret as the gateway's login would: the bench measures the work, not logins;
    password hashing makes creation the slow part of the set-up, so few at a time)."""
    admin = admin_token(stack)

    def add(i):
        person = call(stack, "POST", f"/v1/projects/{project_id}/staff", admin,
                      json={"username": f"{code}_{role}{i}", "name": f"{role}{i}-{code}",
                            "password": "password1", "roles": [role]})
        if i and i % 50 == 0:
            print(f"[load]     {i} of {count} people in project {project_id}", flush=True)
        return {"person_id": person["id"], "project_id": project_id,
                "token": token(person["id"], project_id, (role,), person["name"],
                               ttl=12 * 3600)}
    return list(SLOW_POOL.imap(add, range(count)))


class Population:
    """The people of both scenarios, made once and used by every run (each run on a day of its
    own, with units of its own)."""

    def __init__(self, stack):
        code = "r" + uuid.uuid4().hex[:8]
        self.rush_project, self.manager = add_project(stack, "manager")
        people = add_people(stack, self.rush_project, code, "consultant", K["RUSH_USERS"])

        def customer(person):
            c = call(stack, "POST", f"/v1/projects/{self.rush_project}/customers",
                     person["token"],
                     json={"phone": f"139{person['person_id']:08d}", "name": "bench"})
            return dict(person, customer_id=c["id"])
        self.subscribers = list(POOL.imap(customer, people))
        self.wave_projects = []
        rows = []
        for _ in range(K["WAVE_PROJECTS"]):
            pid, supervisor = add_project(stack, "supervisor")
            self.wave_projects.append((pid, supervisor["token"]))
            rows.append([dict(p, supervisor_token=supervisor["token"]) for p in add_people(
                stack, pid, "w" + uuid.uuid4().hex[:8], "consultant", K["WAVE_CONSULTANTS"])])
        # interleaved: the first of every project, then the second of every project, …
        self.consultants = [row[i] for i in range(K["WAVE_CONSULTANTS"]) for row in rows]


# ---------------------------------------------------------------------- opening-day rush
def rush(stack, pop, tag):
    manager = pop.manager["token"]
    base = f"/v1/projects/{pop.rush_project}"

    def unit(i):
        u = call(stack, "POST", base + "/units", manager, json={"code": f"{tag}-{i}"})
        call(stack, "POST", base + f"/units/{u['id']}/confirm", manager, 200)
        return u["id"]
    plan = {"project_id": pop.rush_project, "attempts": K["RUSH_ATTEMPTS"],
            "consultants": pop.subscribers, "units": list(POOL.imap(unit, range(K["RUSH_UNITS"])))}
    users = K["RUSH_USERS"]
    run = locust(stack, tag, plan, ["Subscriber"], users=users, rate=users,
                 seconds=K["RUSH_SECONDS"])
    units = set(plan["units"])
    subs = call(stack, "GET", base + "/subscriptions", manager, 200)
    live = Counter(s["unit_id"] for s in subs if s["state"] == "live" and s["unit_id"] in units)
    stats = run["stats"]["POST subscriptions"]
    record = run["record"]
    answers = record["answers"]
    seconds = (record["last"] - record["first"]) if record["first"] else None
    return {
        "attempts": record["attempts"], "answers": answers,
        "other_than_201_409": sum(v for k, v in answers.items() if k not in ("201", "409")),
        "double_sold": sum(1 for n in live.values() if n > 1),
        "live_subscriptions": sum(live.values()), "units_sold": len(live),
        "units": len(units), "created_201": answers.get("201", 0),
        "p50_ms": stats["50%"], "p99_ms": stats["99%"], "max_ms": stats["Max Response Time"],
        "rps": stats["Requests/s"], "seconds": seconds,
        "rps_wall": record["attempts"] / seconds if seconds else None,
        "within_s": K["RUSH_SECONDS"], "users": users, "cpu_busy": run["cpu_busy"],
        "failures": run["failures"]}


# ---------------------------------------------------------------------- morning sign-in wave
def wave(stack, pop, tag, day):
    plan = {"day": day, "people": pop.consultants,
            "watchers": {str(pid): t for pid, t in pop.wave_projects},
            "deadline": time.time() + K["WAVE_SECONDS"] + GRACE + 10}
    people = len(plan["people"])
    watchers = min(4, K["WAVE_PROJECTS"])
    began = datetime.now(timezone.utc)
    run = locust(stack, tag, plan, ["Consultant", "SheetWatcher"], users=people + watchers,
                 rate=people / K["WAVE_SECONDS"], seconds=K["WAVE_SECONDS"] + GRACE,
                 env={"BENCH_WATCHERS": str(watchers)})
    signins = run["record"]["signins"].values()
    ok_ = [s for s in signins if s["status"] == 201]
    seen = [s for s in ok_ if s["seen"]]
    to_sheet = sorted((s["seen"] - s["answered"]) * 1000 for s in seen)
    from_sent = sorted((s["seen"] - s["sent"]) * 1000 for s in seen)
    poll = run["stats"].get("GET rotation-sheet (poll)", {})
    sign = run["stats"]["POST sign-ins"]
    agg = run["stats"]["Aggregated"]
    span = (max(s["answered"] for s in signins) - min(s["sent"] for s in signins)) \
        if signins else None
    handled, relayed = pipeline(stack, began)
    return {
        "people": people, "signed_in_201": len(ok_), "answers": run["record"]["answers"],
        "events": len(handled), "event_handled_p50_ms": pct(handled, 50),
        "event_handled_p99_ms": pct(handled, 99), "event_handled_max_ms": pct(handled, 100),
        "outbox_relay_p50_ms": pct(relayed, 50), "outbox_relay_p99_ms": pct(relayed, 99),
        "seen_on_sheet": len(seen), "missing_from_sheet": len(ok_) - len(seen),
        "sheet_p50_ms": pct(to_sheet, 50), "sheet_p99_ms": pct(to_sheet, 99),
        "sheet_max_ms": to_sheet[-1] if to_sheet else None,
        "sheet_from_request_p99_ms": pct(from_sent, 99),
        "signin_p50_ms": sign["50%"], "signin_p99_ms": sign["99%"],
        "poll_p50_ms": poll.get("50%"), "polls": poll.get("Request Count"),
        "signins_per_s": len(ok_) / span if span else None, "span_s": span,
        "rps_all": agg["Requests/s"], "within_s": K["WAVE_SECONDS"],
        "cpu_busy": run["cpu_busy"], "failures": run["failures"]}


def pipeline(stack, since):
    """The same path without polling, from the databases' own instants (real time, not the
    frozen clock): attendance's outbox row of each ``signed_in`` (written with the sign-in) to
    reception's processed_events row of its handler (the sheet entry's transaction), and to the
    relay's ``sent_at``. Sorted milliseconds (handled, relayed)."""
    def rows(service, query):
        engine = sa.create_engine(stack.env[f"{service.upper()}_DATABASE_URL"])
        try:
            with engine.connect() as conn:
                # stored as naive UTC (services/common/types.py UtcDateTime)
                return conn.execute(sa.text(query), {"since": since.replace(tzinfo=None)}).all()
        finally:
            engine.dispose()
    out = {e: (c, s) for e, c, s in rows("attendance", "SELECT event_id, created_at, sent_at "
                                         "FROM outbox WHERE event_type = 'signed_in' "
                                         "AND created_at >= :since")}
    seen = dict(rows("reception", "SELECT event_id, processed_at FROM processed_events WHERE "
                                  "handler = 'ReceptionService.on_signed_in' "
                                  "AND processed_at >= :since"))
    ms = lambda a, b: (a - b).total_seconds() * 1000   # noqa: E731
    return (sorted(ms(seen[e], c) for e, (c, _) in out.items() if e in seen),
            sorted(ms(s, c) for c, s in out.values() if s))


def pct(values, p):
    if not values:
        return None
    return values[min(len(values) - 1, int(len(values) * p / 100))] if p < 100 else values[-1]


# ---------------------------------------------------------------------- locust, CPU
def cpu_times():
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def locust(stack, tag, plan, classes, users, rate, seconds, env=None):
    """Runs locust headless in a process of its own (gevent) and reads its CSV stats and the
    locustfile's own record back."""
    OUT.mkdir(parents=True, exist_ok=True)
    prefix = OUT / f"locust-{tag}"
    plan_path, record_path = OUT / f"plan-{tag}.json", OUT / f"record-{tag}.json"
    plan_path.write_text(json.dumps(plan))
    record_path.unlink(missing_ok=True)
    argv = [str(pathlib.Path(sys.executable).with_name("locust")), "-f",
            str(ROOT / "tests/bench/locustfile.py"), "--headless", "--only-summary",
            "-u", str(users), "-r", f"{rate:.3f}", "-t", f"{seconds}s", "--stop-timeout", "10",
            "--host", stack.url, "--csv", str(prefix), "--loglevel", "WARNING", *classes]
    before = cpu_times()
    with open(OUT / f"locust-{tag}.log", "wb") as log:
        subprocess.run(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                       env=dict(os.environ, BENCH_PLAN=str(plan_path),
                                BENCH_OUT=str(record_path), **(env or {})),
                       timeout=seconds + 120)
    after = cpu_times()
    total, idle = after[0] - before[0], after[1] - before[1]
    with open(f"{prefix}_stats.csv") as f:
        stats = {row["Name"]: {k: num(v) for k, v in row.items()} for row in csv.DictReader(f)}
    with open(f"{prefix}_failures.csv") as f:
        failures = [dict(row) for row in csv.DictReader(f)]
    return {"stats": stats, "record": json.loads(record_path.read_text()),
            "failures": failures, "cpu_busy": round(1 - idle / total, 3) if total else None}


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


# ---------------------------------------------------------------------- the run
def run_with(instances, urls, day, population):
    print(f"[load] {instances} instance(s) of each service on PostgreSQL, day {day}…", flush=True)
    # the production RPC deadline (10 s), not the tests' 4 s
    stack = Stack(database_urls=urls, instances=instances)
    stack.env["RPC_TIMEOUT"] = "10"
    stack.start()
    try:
        call(stack, "PUT", "/v1/admin/clock", admin_token(stack), 200,
             json={"now": f"{day}T08:00:00+08:00"})
        if population is None:
            print("[load]   setting up the people (once for every run)…", flush=True)
            population = Population(stack)
        results = {}
        if "rush" in SCENARIOS:
            print(f"[load]   opening-day rush with {instances} instance(s)…", flush=True)
            results["rush"] = rush(stack, population, f"rush{instances}")
        if "wave" in SCENARIOS:
            print(f"[load]   sign-in wave with {instances} instance(s)…", flush=True)
            results["wave"] = wave(stack, population, f"wave{instances}", day)
        results["errors_in_logs"] = errors_in_logs(stack)
        return results, population
    finally:
        stack.stop()


def errors_in_logs(stack):
    """ERROR lines (tracebacks, 5xx) in the processes' logs so far, per process."""
    counts = {}
    for name in stack.names:
        n = sum(1 for line in stack.log(name).splitlines() if '"level": "ERROR"' in line
                or line.startswith("Traceback"))
        if n:
            counts[name] = n
    return counts


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def report(results):
    lines = [f"load figures ({SCALE} scale; {os.cpu_count()} CPUs; gateway: one process)"]
    if any("rush" in r for r in results.values()):
        lines.append(f"\nopening-day rush: {K['RUSH_ATTEMPTS']} attempts on {K['RUSH_UNITS']} "
                     f"units by {K['RUSH_USERS']} consultants (closed loop, no think time)")
        lines.append(f"{'instances':>9} {'attempts':>8} {'201':>5} {'409':>5} {'other':>5} "
                     f"{'double':>6} {'p50 ms':>7} {'p99 ms':>7} {'req/s':>7} {'secs':>6} "
                     f"{'cpu':>5}")
        for n, r in results.items():
            if "rush" in r:
                x = r["rush"]
                lines.append(f"{n:>9} {x['attempts']:>8} {x['answers'].get('201', 0):>5} "
                             f"{x['answers'].get('409', 0):>5} {x['other_than_201_409']:>5} "
                             f"{x['double_sold']:>6} {x['p50_ms']:>7.0f} {x['p99_ms']:>7.0f} "
                             f"{x['rps_wall'] or 0:>7.1f} {x['seconds'] or 0:>6.1f} "
                             f"{x['cpu_busy'] or 0:>5.0%}")
    if any("wave" in r for r in results.values()):
        lines.append(f"\nmorning sign-in wave: {K['WAVE_PROJECTS']} projects x "
                     f"{K['WAVE_CONSULTANTS']} consultants over {K['WAVE_SECONDS']} s")
        lines.append("(sheet: sign-in answered -> first seen by polling, as fine as a poll; "
                     "event: attendance's outbox row -> reception's handler, from the databases)")
        lines.append(f"{'instances':>9} {'signed':>6} {'seen':>5} {'sheet p50':>9} "
                     f"{'sheet p99':>9} {'max':>7} {'event p50':>9} {'event p99':>9} "
                     f"{'sign-in p99':>11} {'signins/s':>9} {'cpu':>5}")
        for n, r in results.items():
            if "wave" in r:
                x = r["wave"]
                lines.append(f"{n:>9} {x['signed_in_201']:>6} {x['seen_on_sheet']:>5} "
                             f"{x['sheet_p50_ms'] or 0:>9.0f} {x['sheet_p99_ms'] or 0:>9.0f} "
                             f"{x['sheet_max_ms'] or 0:>7.0f} "
                             f"{x['event_handled_p50_ms'] or 0:>9.0f} "
                             f"{x['event_handled_p99_ms'] or 0:>9.0f} {x['signin_p99_ms']:>11.0f} "
                             f"{x['signins_per_s'] or 0:>9.2f} {x['cpu_busy'] or 0:>5.0%}")
    one, two = results.get(1, {}), results.get(2, {})
    ratios = {}
    if "rush" in one and "rush" in two:
        ratios["rush_throughput_2_to_1"] = ratio(two["rush"]["rps_wall"], one["rush"]["rps_wall"])
        ratios["rush_p99_2_to_1"] = ratio(two["rush"]["p99_ms"], one["rush"]["p99_ms"])
    if "wave" in one and "wave" in two:
        ratios["wave_sheet_p99_2_to_1"] = ratio(two["wave"]["sheet_p99_ms"],
                                                one["wave"]["sheet_p99_ms"])
        ratios["wave_event_p99_2_to_1"] = ratio(two["wave"]["event_handled_p99_ms"],
                                                one["wave"]["event_handled_p99_ms"])
        ratios["wave_signin_p99_2_to_1"] = ratio(two["wave"]["signin_p99_ms"],
                                                 one["wave"]["signin_p99_ms"])
    if ratios:
        lines.append("\nratios, two instances to one: " +
                     ", ".join(f"{k} {v}x" for k, v in ratios.items()))
    return "\n".join(lines), ratios


def main():
    if not postgres_available():
        print("[load] PostgreSQL does not answer at 127.0.0.1:5432: load figures skipped")
        return 0
    started = time.time()
    results, population = {}, None
    with contextlib.ExitStack() as dbs:   # one set of databases; each run a day of its own
        urls = {s: dbs.enter_context(PostgresDatabase()) for s in SERVICES}
        for i, n in enumerate(INSTANCES):
            results[n], population = run_with(n, urls, DAYS[i], population)
    text, ratios = report(results)
    print("\n" + text)
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"scale": SCALE, "knobs": K, "cpus": os.cpu_count(), "at": time.strftime("%FT%T%z"),
           "seconds": round(time.time() - started), "results": results, "ratios": ratios}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in ("load.json", f"load-{SCALE}-{stamp}.json"):
        (OUT / name).write_text(json.dumps(doc, indent=1))
    print(f"\n(written to var/bench/load.json; {doc['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
