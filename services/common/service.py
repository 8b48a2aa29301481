"""What every nameko service has: health, clock control, policy, "why", the outbox relay and
the unit of work its use cases run in.

A service class inherits ``ServiceKit`` and declares ``db = Database(KIT)``,
``clock = Clock(KIT)``, ``policy_spec`` (its ``rules.POLICY``), ``catalogue`` (its
``events.CATALOGUE``) and, when it keeps the directory replica, inherits ``DirectoryReplica``
too; nameko finds the inherited entrypoints. An entrypoint is a few lines::

    @rpc
    def take_walk_in(self, token, project_id, payload):
        caller = self.caller(token, project_id)
        with self.uow(caller) as uow:
            result = usecases.take_walk_in(uow, project_id, load(schemas.WalkInIn, payload))
        return dump(schemas.ReceptionOut, result)
"""
import functools
import logging

from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.dependency_providers import Config
from nameko.events import EventDispatcher, event_handler
from nameko.rpc import rpc as nameko_rpc
from nameko.timer import timer
from sqlalchemy import text

# broker: imported for its effect, consumers reconnect within seconds of the broker's return
from . import broker, directory, idempotency, inbox, outbox, policy, why  # noqa: F401
from .config import env_float, relay_enabled, relay_interval
from .errors import AnchangError, NotFound
from .identity import Auth
from .inbox import once
from .metrics import Metrics
from .policyspec import PolicySpec
from .schemas import DeadLetterOut, ServiceHealthOut, WhyOut, dump
from .timeutil import parse_instant
from .uow import UnitOfWork

log = logging.getLogger(__name__)



def rolls_back(fn):
    """Roll back before an exception leaves the worker: on SQLite a refusal raised after a
    write would otherwise hold the write lock while nameko replies. A request with an
    Idempotency-Key is done once (services.common.idempotency)."""
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        try:
            return idempotency.run_once(self, fn, *args, **kwargs)
        except BaseException:
            self.db.rollback()
            raise
    return wrapper


def rpc(fn):
    """nameko's ``@rpc`` that rolls back on any exception. Refusals (AnchangError) are expected
    answers, not failures: nameko logs them at WARNING (which deploy/nameko.yml leaves out) and
    ``services.common.metrics`` logs one INFO line with the rule and status, no traceback.
    (``nameko_rpc(fn, expected_exceptions=…)`` would drop the keyword: nameko's decorator takes
    a lone function as the bare form, so the options must come first.)"""
    return nameko_rpc(expected_exceptions=AnchangError)(rolls_back(fn))

RELAY_INTERVAL = relay_interval()
RETRY_INTERVAL = env_float("EVENT_RETRY_INTERVAL", 1.0)


class EventRetries:
    """Failed events come back by themselves (``services.common.inbox``): a timer tries each one
    again when its back-off has passed; an admin lists the dead letters and replays them."""

    @timer(interval=RETRY_INTERVAL)
    def retry_failed_events(self):
        kit = self.db.info["kit"]
        for row in inbox.due(self.db, kit):
            method = getattr(self, row["handler"].rsplit(".", 1)[-1], None)
            if method is None:
                log.error("no handler %s for event %s", row["handler"], row["event_id"])
                continue
            method(dict(row["payload"]))

    @rpc
    def dead_letters(self, token):
        """Events whose handler failed every try (admin)."""
        self.auth.caller(token).require("admin", action="read dead letters")
        return dump(DeadLetterOut, inbox.dead_letters(self.db, self.db.info["kit"]), many=True)

    @rpc
    def replay_dead_letters(self, token, event_ids=None):
        """Give dead letters (all, or those named) a fresh set of tries, starting now (admin)."""
        self.auth.caller(token).require("admin", action="replay dead letters")
        return {"replayed": inbox.replay(self.db, self.db.info["kit"], event_ids)}


class ServiceKit(EventRetries):
    auth = Auth()
    config = Config()
    request_key = idempotency.IdempotencyKey()
    metrics = Metrics()      # counts and times every worker, logs refusals at INFO, /metrics
    dispatch = EventDispatcher()
    policy_spec: PolicySpec = PolicySpec("kit", {})   # each service: its rules.POLICY
    catalogue = None                                   # each service: its events.CATALOGUE
    zone_of = staticmethod(directory.timezone)

    def person_now(self, person_id):
        """The caller's current roles and active flag (the directory replica; attendance reads
        its own staff): a token whose person changed stops working (identity.still_current)."""
        return directory.person(self.db, person_id)

    def uow(self, caller=None):
        """A unit of work on this worker's session at the clock's now (see services.common.uow)."""
        return UnitOfWork(self.db, self.clock.now(), caller, policy_spec=self.policy_spec,
                          catalogue=self.catalogue, zone_of=self.zone_of,
                          request_key=self.request_key)

    def caller(self, token, project_id=None, *roles, action="do this", display=False):
        """SYS-02: the verified caller, of ``project_id`` when given, holding one of ``roles``
        (as ``services.common.roles`` resolves them) when given. A TV's display login is
        refused unless ``display`` (the board alone allows it)."""
        caller = self.auth.caller(token, display=display)
        if project_id is not None:
            caller.require_project(project_id)
        if roles:
            caller.require(*roles, action=action)
        return caller

    @rpc
    def health(self):
        self.db.execute(text("SELECT 1"))
        return dump(ServiceHealthOut, {"service": self.name, "status": "up",
                                       "now": self.clock.now().isoformat()})

    @rpc
    def set_clock(self, token, now=None):
        caller = self.auth.caller(token)
        if not self.clock.controlled:
            raise NotFound("clock control is off (CLOCK_CONTROL=1 turns it on)", rule="SYS-04")
        caller.require("admin", action="set the clock")   # every project's clock moves
        self.clock.set(parse_instant(now) if now else None)
        return {"service": self.name, "now": self.clock.now().isoformat()}

    @rpc
    def get_policy(self, token, project_id):
        self.caller(token, project_id)
        return policy.read(self.db, project_id, self.policy_spec)

    @rpc
    def policy_keys(self, token, project_id):
        self.caller(token, project_id)
        return policy.described(self.db, project_id, self.policy_spec)

    @rpc
    def set_policy(self, token, project_id, changes, reason=None):
        caller = self.caller(token, project_id, "manager", action="change policy (SYS-03)")
        with self.uow(caller) as uow:
            values = policy.change(uow.session, project_id, self.policy_spec, changes,
                                   caller.person_id, reason)
            uow.emit("policy_changed", project_id, "SYS-03",
                     reason or "policy changed by a manager", changes=changes)
        return values

    @rpc
    def why(self, token, subject_type, subject_id):
        """SYS-01: the chain of rule decisions about one subject, oldest first."""
        caller = self.auth.caller(token)
        records = why.chain(self.db, subject_type, subject_id,
                            None if caller.is_admin or caller.is_service else caller.project_id)
        records = [r for r in records if self.may_see_why(caller, r)]
        if not records:   # none, or none this caller may see: the same answer (no probing)
            raise NotFound(f"no decisions recorded about {subject_type} {subject_id}",
                           rule="SYS-01", field="subject_id")
        return dump(WhyOut, {"subject_type": subject_type, "subject_id": str(subject_id),
                             "decisions": records})

    # Subjects every member of the project may read the reasons of (the rotation sheet hangs
    # on the office wall): a service names its own.
    WHY_PUBLIC = frozenset()

    def may_see_why(self, caller, record):
        """SYS-01 with SYS-02: the office's leading roles read every reason; anyone else reads
        the reasons about themself (``why.concerns``) and those about a public subject.
        A service overrides this where its rulebook says more (an agent's own reports)."""
        if caller.has("manager", "supervisor"):
            return True
        return (record["subject_type"] in self.WHY_PUBLIC
                or caller.person_id in why.concerns(record))

    @timer(interval=RELAY_INTERVAL)
    def relay_outbox(self):
        if not relay_enabled(self.config):
            return
        try:
            outbox.relay(self.db.get_bind(), self.db.info["kit"], self.dispatch)
        except (KombuOperationalError, OSError) as exc:
            # the broker is away: the events wait in the outbox (the backlog metric shows
            # them) and go out, in order, on a later tick; a warning, not a traceback a tick
            log.warning("outbox: the broker is unreachable (%s); events wait in the outbox", exc)


class DirectoryReplica:
    """Keeps ``services.common.directory``'s copy of projects and staff from attendance's
    events. A service that must react to a person's change overrides ``directory_changed``."""

    @event_handler("attendance", "project_created")
    @once
    def on_project_created(self, payload):
        directory.apply_project(self.db, payload.get("project"))

    @event_handler("attendance", "staff_added")
    @once
    def on_staff_added(self, payload):
        self._apply_person(payload)

    @event_handler("attendance", "roles_changed")
    @once
    def on_roles_changed(self, payload):
        self._apply_person(payload)

    def _apply_person(self, payload):
        if directory.apply_person(self.db, payload.get("person")) is not None:
            self.directory_changed(self.uow(), payload["person"])

    def directory_changed(self, uow, person):
        """Hook: the replica has just taken ``person``'s latest name, roles and flag."""
