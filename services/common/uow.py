"""The unit of work a use case runs in: one session, the clock's "now", the caller, and what
every change needs beside its rows (SYS-01: the decision and its events), all committed in one
transaction or not at all.

A use case takes a ``UnitOfWork`` and never commits; the entrypoint does (``with uow:``), and
an event handler's ``inbox.once`` does. Unit tests build one on in-memory SQLite.
"""
from . import directory, outbox, policy, why
from .errors import refused
from .timeutil import business_day


class UnitOfWork:
    def __init__(self, session, now, caller=None, *, policy_spec=None, catalogue=None,
                 zone_of=None, request_key=None):
        self.session, self.now, self.caller = session, now, caller
        self.request_key = request_key     # written with the change (services.common.idempotency)
        self.policy_spec, self.catalogue = policy_spec, catalogue
        self._zone_of = zone_of or directory.timezone
        self._zones = {}   # a project's zone is read once per unit of work

    # -- transaction -----------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None:
            try:
                if self.request_key is not None:
                    self.request_key.mark(self.session, self.now)
                self.session.commit()
            except BaseException:
                self.session.rollback()
                raise
        else:
            self.session.rollback()
        return False

    def flush(self):
        self.session.flush()

    # -- who and where ---------------------------------------------------------------------
    @property
    def actor(self):
        return self.caller.as_actor() if self.caller else None

    @property
    def actor_id(self):
        return self.caller.person_id if self.caller else None

    def tz(self, project_id):
        """The project's time zone name (SYS-04): the one helper every service uses."""
        if project_id not in self._zones:
            self._zones[project_id] = self._zone_of(self.session, project_id)
        return self._zones[project_id]

    def today(self, project_id):
        """The project's business day at ``now`` (SYS-04)."""
        return business_day(self.now, self.tz(project_id))

    def policy(self, project_id):
        """The project's checked policy values (SYS-03)."""
        return policy.read(self.session, project_id, self.policy_spec)

    # -- the "why" and the events ----------------------------------------------------------
    def record(self, decision, subject_type, subject_id, project_id, actor_id=None):
        """Store ``decision`` about one subject (SYS-01), in this transaction."""
        why.record(self.session, decision, subject_type=subject_type, subject_id=subject_id,
                   now=self.now, project_id=project_id,
                   actor_id=actor_id if actor_id is not None else self.actor_id)
        return decision

    def decide(self, decision, subject_type=None, subject_id=None, project_id=None, *,
               error=None, field=None):
        """A refusing decision becomes its error (422 unless ``error``); an allowing one is
        recorded when a subject is given, and returned."""
        if not decision.allowed:
            refused(decision, **({"error": error} if error else {}), field=field)
        if subject_type is not None:
            self.record(decision, subject_type, subject_id, project_id)
        return decision

    def emit(self, event_type, project_id, rule, reason, actor=None, **fact):
        """Queue a declared event in this transaction (the outbox relays it after commit)."""
        if self.catalogue is not None:
            self.catalogue.event(event_type).check(fact)
        return outbox.emit(self.session, event_type, now=self.now, project_id=project_id,
                           actor=actor if actor is not None else self.actor, rule=rule,
                           reason=reason, **fact)
