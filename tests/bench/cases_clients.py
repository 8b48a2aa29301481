"""Clients benchmark cases: the ownership lookup reception makes for every walk-in with a phone
(``owner_of`` over nameko RPC, CLI-01/02/03) on a project of 10k customers and on one of 1M,
each as a ratio: 10k against the bare RPC round trip, 1M against 10k. An indexed lookup
should cost about the same at both sizes.

The customers are bulk-inserted straight into the stack's clients database (a benchmark
fixture, not a way to register customers), with progress, once per database."""
import itertools
import random
import sys
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from nameko.standalone.rpc import ClusterRpcProxy

from services.clients.models import Customer
from services.common.identity import issue_token
from tests.bench.cases import RPC

BATCH = 50_000
OWNER = 9                  # any person id: the lookup reads names from the directory replica
SIZES = {10_000: 9001, 1_000_000: 9002}   # customers → a project of their own


def phone(i):
    return f"13{i:09d}"    # 11 digits, 13x: a valid mainland mobile (CLI-01), unique per i


def populate(stack, project_id, count):
    url = f"sqlite:///{stack.var / 'clients.db'}"
    url = stack.env.get("CLIENTS_DATABASE_URL", url)
    engine = sa.create_engine(url)
    table = Customer.__table__
    try:
        with engine.begin() as conn:
            have = conn.scalar(sa.select(sa.func.count()).select_from(table)
                               .where(table.c.project_id == project_id))
        if have >= count:
            return
        now = datetime.now(timezone.utc)
        started = time.perf_counter()
        for start in range(have, count, BATCH):
            rows = [{"project_id": project_id, "phone": phone(i), "name": f"客户{i}",
                     "source": "walk_in", "media_source": None, "created_at": now,
                     "owner_id": OWNER, "owner_since": now - timedelta(days=3),
                     "last_contact_at": now - timedelta(days=1), "last_follow_up_at": None,
                     "owner_source": "visit", "shares": None, "owner_rule": "CLI-02"}
                    for i in range(start, min(start + BATCH, count))]
            with engine.begin() as conn:
                conn.execute(table.insert(), rows)
            done = min(start + BATCH, count)
            if count > BATCH:
                print(f"    … {done:,} / {count:,} customers in project {project_id} "
                      f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    finally:
        engine.dispose()


def owner_lookup(count):
    project_id = SIZES[count]

    def setup(stack):
        populate(stack, project_id, count)
        token = issue_token({"id": 1, "project_id": project_id, "roles": ["receptionist"],
                             "name": "bench desk"}, stack.env["JWT_SECRET"], 3600)
        proxy = ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=10)
        cluster = proxy.start()
        rng = random.Random(count)
        phones = itertools.cycle([phone(rng.randrange(count)) for _ in range(1000)])

        def call():
            answer = cluster.clients.owner_of(token, project_id, next(phones))
            assert answer["owner_id"] == OWNER and answer["protection_live"], answer
        return call, proxy.stop
    return setup


OWNER_10K = "clients owner_of, 10k customers"
BENCHES = [
    (OWNER_10K, RPC, owner_lookup(10_000)),
    ("clients owner_of, 1M customers", OWNER_10K, owner_lookup(1_000_000)),
]
