"""What every nameko service has: health, clock control, policy, and the outbox relay.

A service class inherits ``ServiceKit`` and declares ``db = Database(KIT)``,
``clock = Clock(KIT)``, ``policy_defaults`` and, when its rules validate policy values,
``policy_check`` (``staticmethod(rules.policy_with_defaults)``); nameko finds the inherited
entrypoints.
"""
import logging

import functools

from nameko.dependency_providers import Config
from nameko.events import EventDispatcher
from nameko.rpc import rpc as nameko_rpc
from nameko.timer import timer
from sqlalchemy import text

from . import outbox, policy, why
from .config import relay_enabled, relay_interval
from .errors import AnchangError, NotFound
from .identity import Auth
from .timeutil import parse_instant

log = logging.getLogger(__name__)



def rolls_back(fn):
    """Roll back before an exception leaves the worker: on SQLite a refusal raised after a
    write would otherwise hold the write lock while nameko replies."""
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except BaseException:
            self.db.rollback()
            raise
    return wrapper


def rpc(fn):
    """nameko's ``@rpc`` that rolls back on any exception; refusals (AnchangError) are expected
    answers, not failures, so nameko logs them as warnings."""
    return nameko_rpc(rolls_back(fn), expected_exceptions=AnchangError)

RELAY_INTERVAL = relay_interval()


class ServiceKit:
    auth = Auth()
    config = Config()
    dispatch = EventDispatcher()
    policy_defaults: dict = {}

    @rpc
    def health(self):
        self.db.execute(text("SELECT 1"))
        return {"service": self.name, "status": "up", "now": self.clock.now().isoformat()}

    @rpc
    def set_clock(self, token, now=None):
        caller = self.auth.caller(token)
        if not self.clock.controlled:
            raise NotFound("clock control is off (CLOCK_CONTROL=1 turns it on)", rule="SYS-04")
        caller.require("admin", "manager", action="set the clock")
        self.clock.set(parse_instant(now) if now else None)
        return {"service": self.name, "now": self.clock.now().isoformat()}

    @rpc
    def get_policy(self, token, project_id):
        self.auth.caller(token).require_project(project_id)
        return policy.read(self.db, project_id, self.policy_defaults)

    @rpc
    def set_policy(self, token, project_id, changes, reason=None):
        caller = self.auth.caller(token).require_project(project_id)
        caller.require("manager", action="change policy (SYS-03)")
        values = policy.change(self.db, project_id, self.policy_defaults, changes,
                               caller.person_id, reason)
        outbox.emit(self.db, "policy_changed", now=self.clock.now(), project_id=project_id,
                    actor=caller.as_actor(), rule="SYS-03",
                    reason=reason or "policy changed by a manager", changes=changes)
        self.db.commit()
        return values

    @rpc
    def why(self, token, subject_type, subject_id):
        """SYS-01: the chain of rule decisions about one subject, oldest first."""
        caller = self.auth.caller(token)
        records = why.chain(self.db, subject_type, subject_id,
                            None if caller.is_admin or caller.is_service else caller.project_id)
        if not records:
            raise NotFound(f"no decisions recorded about {subject_type} {subject_id}",
                           rule="SYS-01", field="subject_id")
        return {"subject_type": subject_type, "subject_id": str(subject_id),
                "decisions": records}

    def policy(self, project_id):
        return policy.read(self.db, project_id, self.policy_defaults)

    policy_check = None

    def _policy(self, project_id):
        """The project's policy as the rules take it (SYS-03). A stored value the rules refuse
        falls back to the defaults, and the log says so, rather than failing every call."""
        if self.policy_check is None:
            return self.policy(project_id)
        try:
            return self.policy_check(self.policy(project_id))
        except ValueError as exc:
            log.warning("%s policy of project %s refused (%s): defaults used", self.name,
                        project_id, exc)
            return self.policy_check()

    def _caller(self, token, project_id, *roles, action="do this"):
        """SYS-02: the verified caller, of this project, holding one of ``roles`` if given."""
        caller = self.auth.caller(token).require_project(project_id)
        if roles:
            caller.require(*roles, action=action)
        return caller

    @timer(interval=RELAY_INTERVAL)
    def relay_outbox(self):
        if relay_enabled(self.config):
            outbox.relay(self.db.get_bind(), self.db.info["kit"], self.dispatch)
