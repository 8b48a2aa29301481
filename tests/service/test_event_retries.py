"""Events are never dropped (issue 13): a handler that fails is retried with back-off by the
service's timer; one that keeps failing becomes a dead letter that the operator lists and replays
with ``python -m services.common.deadletters`` once the cause is fixed; every effect happens once.
Real broker, real consumer container, its own SQLite database."""
import os
import subprocess
import sys

import pytest
from nameko.dependency_providers import Config
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from sqlalchemy import Column, Integer, String, Table, create_engine, select
from sqlalchemy.orm import DeclarativeBase

from services.common.db import Database
from services.common.identity import Auth
from services.common.inbox import backoff, once
from services.common.kit import install_kit
from services.common.service import EventRetries
from tests.helpers import SECRET, eventually, token
from tests.stack import ROOT

ADMIN = token(person_id=1, project_id=None, roles=("admin",), name="root")
FAILURES = {}          # username -> failures still to come (-1: until fixed)


class Base(DeclarativeBase):
    pass


KIT = install_kit(Base.metadata)
effects = Table("effects", Base.metadata, Column("id", Integer, primary_key=True),
                Column("username", String(80), nullable=False))


class Flaky(EventRetries):
    """A consumer whose handler fails as ``FAILURES`` says (named "materials" so that the
    operator CLI, which asks one of the four services, reaches it on the test vhost)."""
    name = "materials"
    db = Database(KIT)
    auth = Auth()
    config = Config()

    @event_handler("attendance", "staff_added")
    @once
    def on_staff_added(self, payload):
        username = payload["person"]["username"]
        self.db.execute(effects.insert().values(username=username))   # rolled back on failure
        left = FAILURES.get(username, 0)
        if left:
            FAILURES[username] = left - 1 if left > 0 else left
            raise RuntimeError(f"transient failure for {username}")


@pytest.fixture
def flaky(start_service, tmp_path):
    url = f"sqlite:///{tmp_path / 'flaky.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    start_service(Flaky, database_url=url, migrate=False, EVENT_MAX_ATTEMPTS="3",
                  EVENT_RETRY_SECONDS="0.05")

    def done(username):
        with engine.connect() as conn:
            return conn.execute(select(effects.c.username)
                                .where(effects.c.username == username)).all()
    return done


def publish(rabbit_config, username, event_id):
    dispatch = event_dispatcher(dict(rabbit_config))
    dispatch("attendance", "staff_added", {"event_id": event_id, "event_type": "staff_added",
                                           "person": {"username": username}})


def test_backoff_doubles_up_to_a_minute():
    assert [backoff(n, 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff(20, 1.0) == 60.0


def test_a_handler_that_fails_twice_then_succeeds_has_its_effect_once(flaky, rabbit_config,
                                                                      rpc_proxy):
    FAILURES["twice"] = 2
    publish(rabbit_config, "twice", "ev-twice")
    eventually(lambda: flaky("twice"), timeout=15, message="the retried event had no effect")
    publish(rabbit_config, "twice", "ev-twice")            # a redelivery changes nothing
    eventually(lambda: FAILURES["twice"] == 0, timeout=5)
    assert len(flaky("twice")) == 1
    assert rpc_proxy("materials").dead_letters(ADMIN) == []


def test_a_handler_that_always_fails_is_a_dead_letter_replayed_by_the_cli(flaky, rabbit_config,
                                                                          rpc_proxy):
    FAILURES["always"] = -1
    publish(rabbit_config, "always", "ev-always")
    service = rpc_proxy("materials")
    [letter] = eventually(lambda: service.dead_letters(ADMIN), timeout=15,
                          message="the failing event did not become a dead letter")
    assert (letter["event_id"], letter["attempts"]) == ("ev-always", 3)
    assert "transient failure for always" in letter["last_error"]
    assert flaky("always") == []                          # nothing half-done

    env = dict(os.environ, AMQP_URI=rabbit_config["AMQP_URI"], JWT_SECRET=SECRET,
               RPC_TIMEOUT="10", PYTHONWARNINGS="ignore")

    def cli(*argv):
        return subprocess.run([sys.executable, "-m", "services.common.deadletters", *argv],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    listed = cli("list", "--service", "materials")
    assert listed.returncode == 0, listed.stderr
    assert "ev-always" in listed.stdout and "1 dead letter" in listed.stdout

    FAILURES["always"] = 0                                # the operator fixed the cause
    replayed = cli("replay", "--service", "materials", "--event-id", "ev-always")
    assert replayed.returncode == 0 and "1 dead letter(s) replayed" in replayed.stdout
    eventually(lambda: flaky("always"), timeout=15, message="the replayed event had no effect")
    assert len(flaky("always")) == 1
    assert service.dead_letters(ADMIN) == []
