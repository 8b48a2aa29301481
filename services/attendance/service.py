"""Attendance (考勤): staff directory, roles, and (ATT-01…13) the attendance rules.

Entrypoints stay thin: verify the caller, load, call the rule (rules.py), store, emit. Every
rule decision is stored with ``why.record`` and its events go to the outbox in the same
transaction (SYS-01). Uniqueness the rules rely on (one live punch of a kind per day, one valid
sign-in, one closed day, one ledger line per fact) is enforced by the database (models.py).
"""
import logging
from datetime import date, timedelta

from nameko.events import event_handler
from nameko.timer import timer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common import export, outbox, why
from services.common.clock import Clock
from services.common.config import env_float
from services.common.db import Database
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable, refused
from services.common.inbox import once
from services.common.schemas import load
from services.common.service import ServiceKit, rpc
from services.common.timeutil import at as at_time
from services.common.timeutil import business_day, parse_instant

from . import directory, rules, schemas
from .models import (KIT, BlackoutDay, ClosedDay, DayRecord, Finished, LedgerEntry, Leave, Lunch,
                     MissingPunchNote, Person, Project, Punch, ReportSubmission, Revocation,
                     RosterDay, SignIn, Swap, Uniform)

log = logging.getLogger(__name__)

LEADS = ("supervisor", "manager")
READERS = ("supervisor", "manager", "clerk")
CLOSE_INTERVAL = env_float("DAY_CLOSE_INTERVAL", 1.0)
MAX_ROSTER_DAYS = 62
REPORT_COLUMNS = [(c, c) for c in rules.REPORT_COLUMNS]


def _iso(value):
    return value.isoformat() if value is not None else None


def punch_view(p):
    return {"id": p.id, "person_id": p.person_id, "day": p.day.isoformat(), "kind": p.kind,
            "at": p.at.isoformat(), "outcome": p.outcome, "rule": p.rule, "reason": p.reason,
            "voided": p.voided_at is not None}


def sign_in_view(s, name):
    return {"id": s.id, "person_id": s.person_id, "name": name, "day": s.day.isoformat(),
            "at": s.at.isoformat(), "valid": s.valid, "why": s.why,
            "placed_last": s.placed_last, "rule": "ATT-06", "reason": s.reason}


def leave_view(row):
    return {"id": row.id, "person_id": row.person_id, "leave_type": row.leave_type,
            "start_day": row.start_day.isoformat(), "end_day": row.end_day.isoformat(),
            "status": row.status, "rule": row.rule, "reason": row.reason,
            "emergency": row.emergency, "certificate_at": _iso(row.certificate_at)}


def ledger_view(e):
    return {"id": e.id, "person_id": e.person_id, "name": e.name, "day": e.day.isoformat(),
            "rule": e.rule, "offence": e.offence, "reason": e.reason, "fine": e.fine,
            "slip": e.slip, "absent": e.absent, "issued_by": e.issued_by,
            "suspended_until_day": _iso(e.suspended_until_day)}


class AttendanceService(ServiceKit):
    name = "attendance"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_defaults = rules.POLICY_DEFAULTS
    policy_check = staticmethod(rules.policy_with_defaults)

    # ================================================================ staff directory
    @rpc
    def authenticate(self, username, password):
        data = load(schemas.LoginIn, {"username": username, "password": password})
        return directory.authenticate(self.db, data["username"], data["password"])

    @rpc
    def create_project(self, token, payload):
        caller = self.auth.caller(token).require("admin", action="create a project")
        data = load(schemas.ProjectIn, payload)
        project = directory.create_project(self.db, data, caller.as_actor(), self.clock.now())
        self.db.commit()
        return directory.project_view(project)

    @rpc
    def list_projects(self, token):
        caller = self.auth.caller(token)
        query = select(Project).order_by(Project.id)
        if not caller.is_admin:
            query = query.where(Project.id == caller.project_id)
        return [directory.project_view(p) for p in self.db.scalars(query)]

    @rpc
    def add_staff(self, token, project_id, payload):
        caller = self.auth.caller(token).require_project(project_id)
        caller.require("manager", action="add staff")
        data = load(schemas.StaffIn, payload)
        if "admin" in data["roles"] and not caller.is_admin:
            raise Forbidden("only an admin may grant the admin role", rule="SYS-02", field="roles")
        directory.get_project(self.db, project_id)
        person = directory.add_person(self.db, project_id, data, caller.as_actor(),
                                      self.clock.now())
        self.db.commit()
        return directory.person_view(person)

    @rpc
    def set_roles(self, token, person_id, payload):
        caller = self.auth.caller(token)
        person = directory.get_person(self.db, person_id)
        caller.require_project(person.project_id).require("manager", action="set roles")
        data = load(schemas.RolesIn, payload)
        if "admin" in set(data["roles"]) ^ set(person.role_names) and not caller.is_admin:
            raise Forbidden("only an admin may grant or remove the admin role", rule="SYS-02",
                            field="roles")
        directory.set_roles(self.db, person, data["roles"], caller.as_actor(), self.clock.now())
        self.db.commit()
        return directory.person_view(person)

    @rpc
    def list_staff(self, token, project_id):
        self.auth.caller(token).require_project(project_id)
        directory.get_project(self.db, project_id)
        people = self.db.scalars(select(Person).where(Person.project_id == project_id)
                                 .order_by(Person.id))
        return [directory.person_view(p) for p in people]

    @rpc
    def get_staff(self, token, person_id):
        caller = self.auth.caller(token)
        person = directory.get_person(self.db, person_id)
        caller.require_project(person.project_id)
        return directory.person_view(person)

    # ================================================================ ATT-01/02 roster
    @rpc
    def set_roster(self, token, project_id, payload):
        """ATT-01: a manager rosters one person's days; rest days are checked (Mon–Fri only,
        one a week, never on a blackout day)."""
        caller = self._caller(token, project_id, "manager", action="roster staff (ATT-01)")
        data = load(schemas.RosterIn, payload, rule="ATT-01")
        if data["end"] < data["start"] or (data["end"] - data["start"]).days >= MAX_ROSTER_DAYS:
            raise Unprocessable(f"end must be on or after start, at most {MAX_ROSTER_DAYS} days",
                                rule="ATT-01", field="end")
        stray = [d for d in data["rest"] if not data["start"] <= d <= data["end"]]
        if stray:
            raise Unprocessable(f"rest day {stray[0]} is outside {data['start']}..{data['end']}",
                                rule="ATT-01", field="rest")
        person = self._person(project_id, data["person_id"])
        days = [data["start"] + timedelta(days=i)
                for i in range((data["end"] - data["start"]).days + 1)]
        policy, blackout = self._policy(project_id), self._blackouts(project_id)
        # rest days already rostered just outside the range count for their week
        outside = set(self.db.scalars(select(RosterDay.day).where(
            RosterDay.person_id == person.id, RosterDay.kind == "rest",
            RosterDay.day >= data["start"] - timedelta(days=6),
            RosterDay.day <= data["end"] + timedelta(days=6))))
        outside -= set(days)
        accepted, decisions = [], []
        for day in sorted(set(data["rest"])):
            d = rules.check_rest_day(person.name, day, accepted + sorted(outside), blackout,
                                     policy)
            if not d.allowed:
                refused(d, error=Conflict, field="rest")
            accepted.append(day)
            decisions.append(d)
        existing = {r.day: r for r in self.db.scalars(select(RosterDay).where(
            RosterDay.person_id == person.id, RosterDay.day.in_(days)))}
        for day in days:
            kind = "rest" if day in accepted else "work"
            row = existing.get(day)
            if row is None:
                self.db.add(RosterDay(project_id=project_id, person_id=person.id, day=day,
                                      kind=kind, set_by=caller.person_id))
            else:
                row.kind, row.set_by = kind, caller.person_id
        now = self.clock.now()
        for d in decisions:
            why.record(self.db, d, subject_type="roster", subject_id=f"{person.id}-{d.data['day']}",
                       now=now, project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return self._roster(project_id, person.id, data["start"], data["end"])

    @rpc
    def list_roster(self, token, project_id, query=None):
        caller = self._caller(token, project_id)
        q = query or {}
        start = self._date(q.get("start"), "start") or business_day(self.clock.now(),
                                                                    self._tz(project_id))
        end = self._date(q.get("end"), "end") or start + timedelta(days=6)
        person_id = int(q["person_id"]) if q.get("person_id") else None
        if person_id is None and not caller.has(*READERS):
            person_id = caller.person_id
        return self._roster(project_id, person_id, start, end)

    def _roster(self, project_id, person_id, start, end):
        query = select(RosterDay).where(RosterDay.project_id == project_id,
                                        RosterDay.day >= start, RosterDay.day <= end)
        if person_id is not None:
            query = query.where(RosterDay.person_id == person_id)
        rows = self.db.scalars(query.order_by(RosterDay.person_id, RosterDay.day))
        return [{"person_id": r.person_id, "day": r.day.isoformat(), "kind": r.kind}
                for r in rows]

    @rpc
    def declare_blackout(self, token, project_id, payload):
        """ATT-02: a manager declares a day everybody works."""
        caller = self._caller(token, project_id)
        data = load(schemas.BlackoutIn, payload, rule="ATT-02")
        resting = [self._name(pid) for pid in self.db.scalars(select(RosterDay.person_id).where(
            RosterDay.project_id == project_id, RosterDay.day == data["day"],
            RosterDay.kind == "rest"))]
        on_leave = [self._name(r.person_id) for r in self._leaves_on(project_id, data["day"])]
        d = rules.declare_blackout(data["day"], data["kind"], self._roles(caller), resting,
                                   on_leave)
        if not d.allowed:
            refused(d, error=Forbidden)
        self.db.add(BlackoutDay(project_id=project_id, day=data["day"], kind=data["kind"],
                                declared_by=caller.person_id, reason=data["reason"]))
        try:
            self.db.flush()
        except IntegrityError:
            raise Conflict(f"{data['day']} is already a blackout day", rule="ATT-02", field="day")
        why.record(self.db, d, subject_type="blackout", subject_id=data["day"].isoformat(),
                   now=self.clock.now(), project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return d.as_dict()

    @rpc
    def list_blackouts(self, token, project_id):
        self._caller(token, project_id)
        rows = self.db.scalars(select(BlackoutDay).where(BlackoutDay.project_id == project_id)
                               .order_by(BlackoutDay.day))
        return [{"day": r.day.isoformat(), "kind": r.kind, "reason": r.reason} for r in rows]

    # ================================================================ ATT-03/04 punches
    @rpc
    def punch(self, token, project_id, payload):
        """ATT-03: a punch in or out, always by the person themself; ATT-04 lateness."""
        caller = self._caller(token, project_id)
        data = load(schemas.PunchIn, payload, rule="ATT-03")
        subject_id = data["person_id"] or caller.person_id
        now, tz = self.clock.now(), self._tz(project_id)
        day = business_day(now, tz)
        check = rules.check_punch(caller.person_id or 0, subject_id, data["kind"], now,
                                  caller.name, self._name(subject_id), tz)
        if not check.allowed:
            # the attempt is recorded against the submitter, then refused
            self._book(project_id, rules.LedgerEntry(
                caller.person_id, caller.name, day, "ATT-03", "proxy_attempt", check.reason),
                now, source=None, actor=caller)
            self.db.commit()
            refused(check, error=Forbidden, field="person_id")
        person = self._person(project_id, subject_id)
        policy = self._policy(project_id)
        if data["kind"] == "in":
            d = rules.evaluate_clock_in(person.name, now, policy, tz)
        else:
            revoked = self._revocation(person.id, day)
            if revoked and now < at_time(day, policy["work_end"], tz):
                raise Conflict(f"{person.name} lost reception eligibility today (ATT-03 proxy "
                               "punch) and may not leave the post before the end of the shift",
                               rule="ATT-03", field="kind")
            d = rules.evaluate_clock_out(person.name, now, policy, tz)
        row = Punch(project_id=project_id, person_id=person.id, day=day, kind=data["kind"],
                    at=now, outcome=d.outcome, rule=d.rule, reason=d.reason)
        self.db.add(row)
        try:
            self.db.flush()
        except IntegrityError:
            raise Conflict(f"{person.name} has already punched {data['kind']} today",
                           rule="ATT-03", field="kind")
        why.record(self.db, d, subject_type="punch", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        entry = rules.entry_from_decision(d, person.id, person.name, day)
        if entry:
            self._book(project_id, entry, now, source=f"punch:{row.id}", actor=caller)
        event = "clocked_in" if data["kind"] == "in" else "clocked_out"
        outbox.emit(self.db, event, now=now, project_id=project_id, actor=caller.as_actor(),
                    rule=d.rule, reason=d.reason, person_id=person.id, name=person.name,
                    day=day.isoformat(), at=now.isoformat(), outcome=d.outcome)
        self.db.commit()
        return punch_view(row)

    @rpc
    def list_punches(self, token, project_id, query=None):
        caller = self._caller(token, project_id)
        q = query or {}
        day = self._date(q.get("day"), "day") or business_day(self.clock.now(),
                                                              self._tz(project_id))
        rows = select(Punch).where(Punch.project_id == project_id, Punch.day == day)
        if not caller.has(*READERS):
            rows = rows.where(Punch.person_id == caller.person_id)
        return [punch_view(p) for p in self.db.scalars(rows.order_by(Punch.at, Punch.id))]

    @rpc
    def report_proxy_punch(self, token, project_id, payload):
        """ATT-03: a supervisor/manager reports a punch made by someone else: void, eligibility
        lost for the day, violation slips for both."""
        caller = self._caller(token, project_id)
        data = load(schemas.ProxyPunchIn, payload, rule="ATT-03")
        row = self.db.get(Punch, data["punch_id"])
        if row is None or row.project_id != project_id:
            raise NotFound(f"no punch {data['punch_id']}", rule="ATT-03", field="punch_id")
        if row.voided_at is not None:
            raise Conflict(f"punch {row.id} is already void", rule="ATT-03", field="punch_id")
        maker, subject = self._person(project_id, data["made_by"]), self._person(project_id,
                                                                                 row.person_id)
        now, tz = self.clock.now(), self._tz(project_id)
        c = rules.report_proxy_punch(caller.person_id or 0, self._roles(caller), row.day,
                                     maker.id, maker.name, subject.id, subject.name, now, tz)
        if not c.decision.allowed:
            refused(c.decision, error=Forbidden if c.decision.outcome == "forbidden"
                    else Conflict, field="made_by")
        d = c.decision
        row.voided_at, row.void_reason = now, d.reason
        for entry in c.entries:
            self._book(project_id, entry, now, source=f"proxy:{row.id}:{entry.person_id}",
                       actor=caller)
        why.record(self.db, d, subject_type="punch", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        if d.data["eligibility_revoked"]:
            until = d.data["eligibility_until"]
            self.db.add(Revocation(project_id=project_id, person_id=subject.id, day=row.day,
                                   until=parse_instant(until), reason=d.reason))
            outbox.emit(self.db, "eligibility_revoked", now=now, project_id=project_id,
                        actor=caller.as_actor(), rule="ATT-03", reason=d.reason,
                        person_id=subject.id, day=row.day.isoformat(), until=until)
        self.db.commit()
        return d.as_dict()

    # ================================================================ ATT-05 missing punches
    @rpc
    def annotate_missing_punch(self, token, project_id, payload):
        caller = self._caller(token, project_id)
        data = load(schemas.MissingPunchIn, payload, rule="ATT-05")
        person = self._person(project_id, data["person_id"])
        d = rules.annotate_missing_punch(caller.person_id or 0, self._roles(caller), person.id,
                                         person.name, data["note"])
        if not d.allowed:
            refused(d, error=Unprocessable if d.outcome == "blank" else Forbidden,
                    field="note" if d.outcome == "blank" else "person_id")
        now = self.clock.now()
        note = MissingPunchNote(project_id=project_id, person_id=person.id, day=data["day"],
                                note=d.data["note"], author_id=caller.person_id, at=now)
        self.db.add(note)
        self.db.flush()
        why.record(self.db, d, subject_type="missing_punch", subject_id=note.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return {"id": note.id, "person_id": person.id, "day": data["day"].isoformat(),
                "note": note.note, "rule": d.rule, "reason": d.reason}

    # ================================================================ ATT-06 sign-in
    @rpc
    def attest_uniform(self, token, project_id, payload):
        caller = self._caller(token, project_id)
        data = load(schemas.UniformIn, payload, rule="ATT-06")
        person = self._person(project_id, data["person_id"])
        now, tz = self.clock.now(), self._tz(project_id)
        d = rules.attest_uniform(caller.person_id or 0, self._roles(caller), person.id,
                                 person.name, now, tz)
        if not d.allowed:
            refused(d, error=Forbidden, field="person_id")
        day = business_day(now, tz)
        if self.db.scalar(select(Uniform.id).where(Uniform.person_id == person.id,
                                                   Uniform.day == day)) is None:
            self.db.add(Uniform(project_id=project_id, person_id=person.id, day=day,
                                attested_by=caller.person_id, at=now))
            why.record(self.db, d, subject_type="sign_in_day", subject_id=f"{person.id}-{day}",
                       now=now, project_id=project_id, actor_id=caller.person_id)
            self.db.commit()
        return d.as_dict()

    @rpc
    def sign_in(self, token, project_id, payload):
        """ATT-06: the consultant signs in for themself, after clock-in and in uniform."""
        caller = self._caller(token, project_id)
        data = load(schemas.SignInIn, payload or {}, rule="ATT-06")
        subject_id = data["person_id"] or caller.person_id
        now, tz = self.clock.now(), self._tz(project_id)
        day = business_day(now, tz)
        if subject_id != caller.person_id:
            d = rules.check_sign_in(caller.person_id or 0, subject_id, self._name(subject_id),
                                    now, tz=tz)
            self._book(project_id, rules.LedgerEntry(caller.person_id, caller.name, day,
                                                     "ATT-06", "proxy_attempt", d.reason),
                       now, source=None, actor=caller)
            self.db.commit()
            refused(d, error=Forbidden, field="person_id")
        person = self._person(project_id, subject_id)
        attempts = list(self.db.scalars(select(SignIn).where(SignIn.person_id == person.id,
                                                             SignIn.day == day)))
        revoked = self._revocation(person.id, day)
        d = rules.check_sign_in(
            person.id, person.id, person.name, now, clock_in_at=self._clock_in(person.id, day),
            uniform_attested=self.db.scalar(select(Uniform.id).where(
                Uniform.person_id == person.id, Uniform.day == day)) is not None,
            invalid_earlier_today=any(not a.valid for a in attempts),
            already_signed_in=any(a.valid for a in attempts),
            eligibility_revoked_until=revoked.until if revoked else None, tz=tz)
        if not d.allowed and d.outcome != "invalid":
            refused(d, error=Conflict, field="person_id")
        row = SignIn(project_id=project_id, person_id=person.id, day=day, at=now,
                     valid=d.allowed, why=d.data.get("why"),
                     placed_last=bool(d.data.get("placed_last")),
                     clock_in_at=self._clock_in(person.id, day), reason=d.reason)
        self.db.add(row)
        try:
            self.db.flush()
        except IntegrityError:
            raise Conflict(f"{person.name} has already signed in today", rule="ATT-06")
        why.record(self.db, d, subject_type="sign_in_day", subject_id=f"{person.id}-{day}",
                   now=now, project_id=project_id, actor_id=caller.person_id)
        common = dict(now=now, project_id=project_id, actor=caller.as_actor(), rule="ATT-06",
                      reason=d.reason, person_id=person.id, name=person.name,
                      day=day.isoformat(), at=now.isoformat())
        if d.allowed:
            outbox.emit(self.db, "signed_in", clock_in_at=_iso(row.clock_in_at),
                        placed_last=row.placed_last, **common)
        else:
            outbox.emit(self.db, "sign_in_invalid", why=row.why, **common)
        self.db.commit()
        if not d.allowed:  # recorded (committed), and the person is told why
            refused(d, error=Conflict, field="person_id")
        return sign_in_view(row, person.name)

    @rpc
    def sign_in_order(self, token, project_id, query=None):
        """ATT-06: the day's order: valid sign-ins by time, those with an earlier invalid one
        after everyone who signed in correctly."""
        self._caller(token, project_id)
        day = self._date((query or {}).get("day"), "day") or business_day(
            self.clock.now(), self._tz(project_id))
        rows = list(self.db.scalars(select(SignIn).where(SignIn.project_id == project_id,
                                                         SignIn.day == day)))
        names = self._names({r.person_id for r in rows})
        attempts = [rules.SignInAttempt(r.person_id, names.get(r.person_id, ""), r.at, r.valid,
                                        r.clock_in_at) for r in rows]
        return {"day": day.isoformat(),
                "order": [dict(d.data, name=names.get(d.data["person_id"]), rule=d.rule,
                               reason=d.reason) for d in rules.sign_in_order(attempts)],
                "invalid": [sign_in_view(r, names.get(r.person_id)) for r in rows
                            if not r.valid]}

    @rpc
    def resolve_dispute(self, token, project_id, payload):
        """ATT-06: a supervisor settles a sign-in order dispute by clock-in times."""
        caller = self._caller(token, project_id)
        data = load(schemas.DisputeIn, payload, rule="ATT-06")
        now, tz = self.clock.now(), self._tz(project_id)
        day = data["day"] or business_day(now, tz)
        disputants = []
        for pid in data["person_ids"]:
            person = self._person(project_id, pid)
            clock_in = self._clock_in(pid, day)
            if clock_in is None:
                raise Conflict(f"{person.name} has no clock-in on {day}", rule="ATT-06",
                               field="person_ids")
            disputants.append(rules.Disputant(pid, person.name, clock_in))
        d = rules.resolve_sign_in_dispute(caller.person_id or 0, self._roles(caller), disputants,
                                          tz)
        if not d.allowed:
            refused(d, error=Forbidden, field="person_ids")
        why.record(self.db, d, subject_type="sign_in_dispute", subject_id=day.isoformat(),
                   now=now, project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return d.as_dict()

    # ================================================================ ATT-07 leave
    @rpc
    def request_leave(self, token, project_id, payload):
        """ATT-07: a person asks for leave for themself; the filing rules decide at once."""
        caller = self._caller(token, project_id)
        data = load(schemas.LeaveIn, payload, rule="ATT-07")
        person = self._person(project_id, caller.person_id)
        now, tz = self.clock.now(), self._tz(project_id)
        end = data["end_day"] or data["start_day"]
        if end < data["start_day"]:
            raise Unprocessable("end_day is before start_day", rule="ATT-07", field="end_day")
        req = rules.LeaveRequest(person.id, person.name, data["leave_type"], data["start_day"],
                                 end, now, data["handover_note"], data["emergency"])
        d = rules.check_leave_request(req, self._blackouts(project_id), self._policy(project_id),
                                      tz)
        row = Leave(project_id=project_id, person_id=person.id, leave_type=req.leave_type,
                    start_day=req.start_day, end_day=req.end_day, filed_at=now,
                    handover_note=req.handover_note, emergency=req.emergency,
                    status="requested" if d.allowed else "refused", rule=d.rule,
                    reason=d.reason)
        self.db.add(row)
        self.db.flush()
        why.record(self.db, d, subject_type="leave", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()  # a refused request is kept: after-the-fact leave stays on record
        if not d.allowed:
            field = {"no_handover": "handover_note", "blackout_day": "start_day"}.get(
                d.outcome, "start_day")
            refused(d, error=Conflict, field=field)
        return leave_view(row)

    @rpc
    def approve_leave(self, token, project_id, leave_id):
        caller = self._caller(token, project_id)
        row = self._leave(project_id, leave_id)
        if row.status != "requested":
            raise Conflict(f"leave {row.id} is {row.status}", rule="ATT-07", field="leave_id")
        now, tz = self.clock.now(), self._tz(project_id)
        req = rules.LeaveRequest(row.person_id, self._name(row.person_id), row.leave_type,
                                 row.start_day, row.end_day, row.filed_at, row.handover_note,
                                 row.emergency)
        d = rules.approve_leave(caller.person_id or 0, self._roles(caller), req, now,
                                self._blackouts(project_id), self._policy(project_id), tz)
        if not d.allowed:
            refused(d, error=Forbidden if d.outcome in ("forbidden", "self_approval")
                    else Conflict, field="leave_id")
        row.status, row.decided_by, row.rule, row.reason = "approved", caller.person_id, d.rule, \
            d.reason
        why.record(self.db, d, subject_type="leave", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        today = business_day(now, tz)
        if row.start_day <= today <= row.end_day:   # off today's sheet at once
            outbox.emit(self.db, "leave_started", now=now, project_id=project_id,
                        actor=caller.as_actor(), rule="ATT-07", reason=d.reason,
                        person_id=row.person_id, day=today.isoformat(),
                        leave_type=row.leave_type)
        self.db.commit()
        return leave_view(row)

    @rpc
    def return_from_leave(self, token, project_id, leave_id):
        """ATT-07 → REC-01: back at the desk today (joins at the back of the current round)."""
        caller = self._caller(token, project_id)
        row = self._leave(project_id, leave_id)
        caller.require_self(row.person_id, *LEADS, action="end someone else's leave")
        now, tz = self.clock.now(), self._tz(project_id)
        today = business_day(now, tz)
        if row.status != "approved" or not row.start_day <= today <= row.end_day:
            raise Conflict(f"leave {row.id} is not running today", rule="ATT-07",
                           field="leave_id")
        row.end_day = today
        reason = f"{self._name(row.person_id)} back from {row.leave_type} leave on {today}"
        outbox.emit(self.db, "leave_ended", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule="ATT-07", reason=reason,
                    person_id=row.person_id, day=today.isoformat(), leave_type=row.leave_type)
        self.db.commit()
        return leave_view(row)

    @rpc
    def file_certificate(self, token, project_id, leave_id):
        """ATT-07: a medical certificate for sick leave (by the end of the first day back)."""
        caller = self._caller(token, project_id)
        row = self._leave(project_id, leave_id)
        caller.require_self(row.person_id, *LEADS, action="file someone else's certificate")
        if row.leave_type != "sick" and row.certificate_at is None:
            raise Conflict(f"leave {row.id} is {row.leave_type} leave, not sick leave",
                           rule="ATT-07", field="leave_id")
        row.certificate_at = self.clock.now()
        self.db.commit()
        return leave_view(row)

    @rpc
    def list_leave(self, token, project_id, query=None):
        caller = self._caller(token, project_id)
        rows = select(Leave).where(Leave.project_id == project_id)
        if not caller.has(*READERS):
            rows = rows.where(Leave.person_id == caller.person_id)
        return [leave_view(r) for r in self.db.scalars(rows.order_by(Leave.id))]

    # ================================================================ ATT-08 swaps
    @rpc
    def record_swap(self, token, project_id, payload):
        """ATT-08: an approved swap exchanges the two rosters on those days; a swap found
        without approval makes both people absent."""
        caller = self._caller(token, project_id)
        data = load(schemas.SwapIn, payload, rule="ATT-08")
        a, b = self._person(project_id, data["a_id"]), self._person(project_id, data["b_id"])
        now, tz = self.clock.now(), self._tz(project_id)
        days = tuple(sorted(set(data["days"])))
        if data["approved"]:
            d = rules.approve_swap(caller.person_id or 0, self._roles(caller),
                                   rules.SwapRequest(a.id, a.name, b.id, b.name, days), now,
                                   self._blackouts(project_id), tz)
            if not d.allowed:
                refused(d, error=Forbidden if d.outcome in ("forbidden", "self_approval")
                        else Conflict, field="days")
            rows = {(r.person_id, r.day): r for r in self.db.scalars(select(RosterDay).where(
                RosterDay.person_id.in_((a.id, b.id)), RosterDay.day.in_(days)))}
            for day in days:
                ra, rb = rows.get((a.id, day)), rows.get((b.id, day))
                if ra and rb:
                    ra.kind, rb.kind = rb.kind, ra.kind
            entries = ()
        else:
            c = rules.unapproved_swap_found(caller.person_id or 0, self._roles(caller), a.id,
                                            a.name, b.id, b.name, days[0])
            d, entries = c.decision, c.entries
            if not d.allowed:
                refused(d, error=Forbidden, field="approved")
        swap = Swap(project_id=project_id, a_id=a.id, b_id=b.id,
                    days=[x.isoformat() for x in days],
                    status="approved" if data["approved"] else "unapproved",
                    approved_by=caller.person_id if data["approved"] else None, rule=d.rule,
                    reason=d.reason)
        self.db.add(swap)
        self.db.flush()
        for entry in entries:
            self._book(project_id, entry, now, source=f"swap:{swap.id}:{entry.person_id}",
                       actor=caller)
        why.record(self.db, d, subject_type="swap", subject_id=swap.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return dict(d.as_dict(), id=swap.id)

    # ================================================================ ATT-10 ledger
    @rpc
    def record_offence(self, token, project_id, payload):
        caller = self._caller(token, project_id)
        data = load(schemas.OffenceIn, payload, rule="ATT-10")
        person = self._person(project_id, data["person_id"])
        now, tz = self.clock.now(), self._tz(project_id)
        day = data["day"] or business_day(now, tz)
        c = rules.record_offence(data["offence"], person.id, person.name, day,
                                 caller.person_id or 0, self._roles(caller),
                                 self._policy(project_id))
        if not c.decision.allowed:
            refused(c.decision, error=Forbidden, field="person_id")
        rows = [self._book(project_id, e, now, source=None, actor=caller) for e in c.entries]
        self.db.commit()
        return [ledger_view(r) for r in rows]

    @rpc
    def ledger(self, token, project_id, query=None):
        """ATT-10: supervisors, managers and the clerk see everyone's lines; others their own."""
        caller = self._caller(token, project_id)
        q = query or {}
        person_id = int(q["person_id"]) if q.get("person_id") else None
        if person_id is not None:
            d = rules.may_view_ledger(caller.person_id or 0, self._roles(caller), person_id)
            if not d.allowed:
                refused(d, error=Forbidden, field="person_id")
        elif not caller.has(*READERS):
            person_id = caller.person_id
        rows = select(LedgerEntry).where(LedgerEntry.project_id == project_id)
        if person_id is not None:
            rows = rows.where(LedgerEntry.person_id == person_id)
        return [ledger_view(e) for e in self.db.scalars(rows.order_by(LedgerEntry.id))]

    @event_handler("reception", "refusal_recorded")
    @once
    def on_refusal_recorded(self, payload):
        """REC-09 → ATT-10: the refusal and its suspension go into the ledger, once."""
        entry = rules.refusal_ledger_entry(payload, self._name(payload["person_id"]))
        self._book(payload["project_id"], entry, self.clock.now(),
                   source=f"event:{payload['event_id']}")

    @event_handler("clients", "poaching_recorded")
    @once
    def on_poaching_recorded(self, payload):
        """CLI-09 → ATT-10: the poacher's fine goes into the ledger, once."""
        name = self._name(payload["person_id"])
        day = date.fromisoformat(payload["day"]) if payload.get("day") else business_day(
            self.clock.now(), self._tz(payload["project_id"]))
        entry = rules.LedgerEntry(
            int(payload["person_id"]), name, day, "CLI-09", "poaching",
            payload.get("reason") or f"{name} received a customer of another consultant",
            fine=int(payload.get("fine") or 0), issued_by=(payload.get("actor") or {}).get(
                "person_id"))
        self._book(payload["project_id"], entry, self.clock.now(),
                   source=f"event:{payload['event_id']}")

    # ================================================================ ATT-09 closing a day
    @rpc
    def close_day(self, token, project_id, payload):
        """ATT-09: settle a business day now (the timer does this by itself after midnight)."""
        caller = self._caller(token, project_id, "manager", action="close a day (ATT-09)")
        data = load(schemas.CloseDayIn, payload, rule="ATT-09")
        today = business_day(self.clock.now(), self._tz(project_id))
        if data["day"] >= today:
            raise Conflict(f"{data['day']} has not ended yet (today is {today})", rule="ATT-09",
                           field="day")
        summary = self._close_day(project_id, data["day"], caller.person_id)
        if summary is None:
            raise Conflict(f"{data['day']} is already closed", rule="ATT-09", field="day")
        return summary

    @timer(interval=CLOSE_INTERVAL)
    def close_ended_days(self):
        """ATT-09 by the clock: every rostered day that has ended is closed, once."""
        now = self.clock.now()
        for project in list(self.db.scalars(select(Project))):
            today = business_day(now, project.timezone)
            closed = select(ClosedDay.day).where(ClosedDay.project_id == project.id)
            days = self.db.scalars(select(RosterDay.day).distinct().where(
                RosterDay.project_id == project.id, RosterDay.day < today,
                RosterDay.day.not_in(closed)).order_by(RosterDay.day).limit(7)).all()
            for day in days:
                try:
                    self._close_day(project.id, day, None)
                except Exception:  # one bad day must not stop the others
                    self.db.rollback()
                    log.exception("attendance: closing %s of project %s failed", day,
                                  project.id)

    def _close_day(self, project_id, day, closed_by):
        """Settle ``day``; None when another worker or instance closed it first."""
        now = self.clock.now()
        self.db.add(ClosedDay(project_id=project_id, day=day, closed_at=now, closed_by=closed_by))
        try:
            self.db.flush()
        except IntegrityError:
            self.db.rollback()
            return None
        policy, tz = self._policy(project_id), self._tz(project_id)
        self._convert_sick_leave(project_id, day, now, policy, tz)
        roster = list(self.db.scalars(select(RosterDay).where(RosterDay.project_id == project_id,
                                                              RosterDay.day == day)))
        names = self._names({r.person_id for r in roster})
        counts = {"rest": 0, "leave": 0, "present": 0, "absent": 0}
        for r in roster:
            name = names.get(r.person_id, f"#{r.person_id}")
            punches = {p.kind: p for p in self.db.scalars(select(Punch).where(
                Punch.person_id == r.person_id, Punch.day == day, Punch.voided_at.is_(None)))}
            leave = next((lv for lv in self._leaves_on(project_id, day)
                          if lv.person_id == r.person_id), None)
            absent_by = self.db.scalar(select(LedgerEntry.rule).where(
                LedgerEntry.person_id == r.person_id, LedgerEntry.day == day,
                LedgerEntry.absent.is_(True)).limit(1))
            month_start = day.replace(day=1)
            earlier = set(self.db.scalars(select(DayRecord.day).where(
                DayRecord.person_id == r.person_id, DayRecord.status == "absent",
                DayRecord.day >= month_start, DayRecord.day < day)))
            facts = rules.DayFacts(r.person_id, name, day, r.kind == "work",
                                   punches["in"].at if "in" in punches else None,
                                   punches["out"].at if "out" in punches else None,
                                   leave.leave_type if leave else None, absent_by)
            closed = rules.close_day(facts, earlier, policy)
            counts[closed.status] += 1
            self.db.add(DayRecord(
                project_id=project_id, person_id=r.person_id, name=name, day=day,
                status=closed.status,
                late="in" in punches and punches["in"].outcome == "late",
                early_leave="out" in punches and punches["out"].outcome == "early_leave",
                leave_type=leave.leave_type if leave else None, reason=closed.decision.reason))
            why.record(self.db, closed.decision, subject_type="day",
                       subject_id=f"{r.person_id}-{day}", now=now, project_id=project_id,
                       actor_id=closed_by)
            for entry in closed.entries:
                self._book(project_id, entry, now, source=f"close:{r.person_id}:{day}")
            if closed.absent:
                review = closed.review
                why.record(self.db, review, subject_type="day",
                           subject_id=f"{r.person_id}-{day}", now=now, project_id=project_id,
                           actor_id=closed_by)
                outbox.emit(self.db, "absence_recorded", now=now, project_id=project_id,
                            actor=None, rule="ATT-09", reason=review.reason,
                            person_id=r.person_id, day=day.isoformat(),
                            absent_days_in_month=review.data["absent_days_in_month"],
                            dismissal_review=review.data["dismissal_review"])
        self.db.commit()
        return {"day": day.isoformat(), "closed": True, **counts}

    def _convert_sick_leave(self, project_id, day, now, policy, tz):
        """ATT-07: sick leave whose first day back is ``day`` and has no certificate by its end
        becomes annual or personal leave."""
        for row in self.db.scalars(select(Leave).where(
                Leave.project_id == project_id, Leave.status == "approved",
                Leave.leave_type == "sick", Leave.end_day == day - timedelta(days=1))):
            d = rules.sick_certificate_outcome(
                self._name(row.person_id), (row.end_day - row.start_day).days + 1, day,
                now, row.certificate_at, 0, policy, tz)
            if d.outcome == "converted":
                row.leave_type, row.rule, row.reason = d.data["leave_type"], d.rule, d.reason
                why.record(self.db, d, subject_type="leave", subject_id=row.id, now=now,
                           project_id=project_id)

    # ================================================================ ATT-11 lunch
    @event_handler("reception", "reception_completed")
    @once
    def on_reception_completed(self, payload):
        """ATT-11: who most recently finished a reception goes to lunch first."""
        day = date.fromisoformat(payload["day"])
        finished_at = self.clock.now()
        if payload.get("occurred_at"):
            finished_at = parse_instant(payload["occurred_at"])
        row = self.db.scalar(select(Finished).where(Finished.person_id == payload["person_id"],
                                                    Finished.day == day))
        if row is None:
            self.db.add(Finished(project_id=payload["project_id"],
                                 person_id=payload["person_id"], day=day, at=finished_at))
        elif finished_at > row.at:
            row.at = finished_at

    @rpc
    def lunch_order(self, token, project_id):
        self._caller(token, project_id)
        return {k: v for k, v in self._lunch_order(project_id).items() if k != "lunches"}

    def _lunch_order(self, project_id):
        now, tz = self.clock.now(), self._tz(project_id)
        day = business_day(now, tz)
        signed = self.db.scalars(select(SignIn.person_id).where(
            SignIn.project_id == project_id, SignIn.day == day, SignIn.valid.is_(True))).all()
        names = self._names(set(signed))
        finished = {f.person_id: f.at for f in self.db.scalars(select(Finished).where(
            Finished.project_id == project_id, Finished.day == day))}
        lunches = {lu.person_id: lu for lu in self.db.scalars(select(Lunch).where(
            Lunch.project_id == project_id, Lunch.day == day))}
        order = rules.lunch_order([rules.LunchCandidate(pid, names.get(pid, ""),
                                                        finished.get(pid)) for pid in signed],
                                  day, self._policy(project_id), tz)
        return {"day": day.isoformat(),
                "order": [dict(d.data, name=names.get(d.data.get("person_id")), rule=d.rule,
                               reason=d.reason, allowed=d.allowed,
                               at_lunch=bool(lunches.get(d.data.get("person_id"))
                                             and not lunches[d.data["person_id"]].returned_at))
                          for d in order],
                "lunches": lunches}

    @rpc
    def start_lunch(self, token, project_id):
        """ATT-11: a consultant goes to lunch in their turn of the rotation."""
        caller = self._caller(token, project_id)
        person = self._person(project_id, caller.person_id)
        now, tz = self.clock.now(), self._tz(project_id)
        state = self._lunch_order(project_id)
        lunches = state["lunches"]
        d = rules.may_go_to_lunch(person.id, person.name,
                                  [o["person_id"] for o in state["order"] if "person_id" in o],
                                  [pid for pid, lu in lunches.items() if lu.returned_at],
                                  [pid for pid, lu in lunches.items() if not lu.returned_at],
                                  now, self._policy(project_id), tz)
        if not d.allowed:
            refused(d, error=Conflict)
        row = Lunch(project_id=project_id, person_id=person.id, day=business_day(now, tz),
                    started_at=now, overstay_seconds=0)
        self.db.add(row)
        try:
            self.db.flush()
        except IntegrityError:
            raise Conflict(f"{person.name} has already taken lunch today", rule="ATT-11")
        why.record(self.db, d, subject_type="lunch", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return d.as_dict()

    @rpc
    def end_lunch(self, token, project_id):
        """ATT-11: back from lunch; an overstay is recorded."""
        caller = self._caller(token, project_id)
        person = self._person(project_id, caller.person_id)
        now, tz = self.clock.now(), self._tz(project_id)
        row = self.db.scalar(select(Lunch).where(Lunch.person_id == person.id,
                                                 Lunch.day == business_day(now, tz)))
        if row is None or row.returned_at is not None:
            raise Conflict(f"{person.name} is not at lunch", rule="ATT-11")
        d = rules.check_lunch_return(person.name, row.started_at, now, self._policy(project_id),
                                     tz)
        row.returned_at, row.overstay_seconds = now, int(d.data["overstay_seconds"])
        why.record(self.db, d, subject_type="lunch", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return d.as_dict()

    # ================================================================ ATT-12/13 report
    @rpc
    def monthly_report(self, token, project_id, query=None):
        """ATT-12: per person, from closed days and the ledger; ?format=json|csv|xlsx."""
        self._caller(token, project_id, *READERS, action="read the monthly report (ATT-12)")
        q = query or {}
        today = business_day(self.clock.now(), self._tz(project_id))
        try:
            year, month = int(q.get("year") or today.year), int(q.get("month") or today.month)
            first = date(year, month, 1)
        except ValueError:
            raise Unprocessable("year and month must name a month", rule="ATT-12", field="month")
        nxt = (first + timedelta(days=32)).replace(day=1)
        days = [rules.AttendanceDay(r.person_id, r.name, r.day, r.status, r.late, r.early_leave,
                                    r.leave_type)
                for r in self.db.scalars(select(DayRecord).where(
                    DayRecord.project_id == project_id, DayRecord.day >= first,
                    DayRecord.day < nxt))]
        entries = [rules.LedgerEntry(e.person_id, e.name, e.day, e.rule, e.offence, e.reason,
                                     e.fine, e.slip, e.absent)
                   for e in self.db.scalars(select(LedgerEntry).where(
                       LedgerEntry.project_id == project_id, LedgerEntry.day >= first,
                       LedgerEntry.day < nxt))]
        report = rules.monthly_report(year, month, days, entries)
        policy = self._policy(project_id)
        rows = []
        for r in report:
            row = r.as_dict()
            row.update({f"leave_{t}": r.leave_days.get(t, 0) for t in rules.LEAVE_TYPES})
            if policy["pay_effects_enabled"] and month % 3 == 0:   # ATT-13, paid per quarter
                bonus = rules.full_attendance_bonus(r.name, year, month // 3,
                                                    self._person_rows(report, r.person_id),
                                                    policy)
                row["full_attendance_bonus"] = bonus.data["amount"]
                row["bonus_reason"] = bonus.reason
            rows.append(row)
        fmt = q.get("format") or "json"
        if fmt != "json":
            return export.table_file(rows, REPORT_COLUMNS, fmt,
                                     f"attendance-{year}-{month:02d}-project-{project_id}")
        sub = self.db.scalar(select(ReportSubmission).where(
            ReportSubmission.project_id == project_id, ReportSubmission.year == year,
            ReportSubmission.month == month))
        return {"year": year, "month": month, "rows": rows,
                "submission": None if sub is None else {
                    "submitted_by": sub.submitted_by, "at": sub.at.isoformat(),
                    "outcome": sub.outcome, "reason": sub.reason}}

    @rpc
    def export_monthly_report(self, token, project_id, query=None):
        """ATT-12: the monthly report as a file (CSV unless ?format=xlsx)."""
        query = dict(query or {})
        query["format"] = query.get("format") or "csv"
        if query["format"] == "json":
            raise Unprocessable("format must be csv or xlsx", rule="ATT-12", field="format")
        return self.monthly_report(token, project_id, query)

    @staticmethod
    def _person_rows(report, person_id):
        return [r for r in report if r.person_id == person_id]

    @rpc
    def submit_report(self, token, project_id, payload):
        """ATT-12: the clerk submits the month's report before the 30th (late is marked)."""
        caller = self._caller(token, project_id)
        data = load(schemas.ReportSubmitIn, payload, rule="ATT-12")
        now = self.clock.now()
        d = rules.check_report_submission(self._roles(caller), data["year"], data["month"], now,
                                          self._policy(project_id), self._tz(project_id))
        if not d.allowed:
            refused(d, error=Forbidden if d.outcome == "forbidden" else Conflict, field="month")
        self.db.add(ReportSubmission(project_id=project_id, year=data["year"],
                                     month=data["month"], submitted_by=caller.person_id,
                                     at=now, outcome=d.outcome, reason=d.reason))
        try:
            self.db.flush()
        except IntegrityError:
            raise Conflict(f"the report for {data['year']}-{data['month']:02d} is already "
                           "submitted", rule="ATT-12", field="month")
        why.record(self.db, d, subject_type="report",
                   subject_id=f"{data['year']}-{data['month']:02d}", now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return d.as_dict()

    # ================================================================ helpers
    @staticmethod
    def _roles(caller):
        """The caller's roles as the rules see them: an admin may act as a manager."""
        roles = set(caller.roles)
        if caller.is_admin:
            roles |= {"manager", "supervisor", "clerk"}
        return roles

    def _tz(self, project_id):
        project = self.db.get(Project, project_id)
        if project is None:
            raise NotFound(f"no project {project_id}", field="project_id")
        return project.timezone

    def _person(self, project_id, person_id):
        person = self.db.get(Person, person_id) if person_id else None
        if person is None or person.project_id != project_id:
            raise NotFound(f"no staff member {person_id} in project {project_id}",
                           field="person_id")
        return person

    def _name(self, person_id):
        person = self.db.get(Person, person_id) if person_id else None
        return person.name if person else f"person {person_id}"

    def _names(self, ids):
        if not ids:
            return {}
        return dict(self.db.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())

    def _date(self, value, field):
        if not value:
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise Unprocessable(f"{field} must be a date YYYY-MM-DD", field=field)

    def _blackouts(self, project_id):
        return {r.day: r.kind for r in self.db.scalars(select(BlackoutDay).where(
            BlackoutDay.project_id == project_id))}

    def _leaves_on(self, project_id, day):
        return list(self.db.scalars(select(Leave).where(
            Leave.project_id == project_id, Leave.status == "approved",
            Leave.start_day <= day, Leave.end_day >= day)))

    def _leave(self, project_id, leave_id):
        row = self.db.get(Leave, leave_id)
        if row is None or row.project_id != project_id:
            raise NotFound(f"no leave request {leave_id}", rule="ATT-07", field="leave_id")
        return row

    def _clock_in(self, person_id, day):
        return self.db.scalar(select(Punch.at).where(
            Punch.person_id == person_id, Punch.day == day, Punch.kind == "in",
            Punch.voided_at.is_(None)))

    def _revocation(self, person_id, day):
        return self.db.scalar(select(Revocation).where(Revocation.person_id == person_id,
                                                       Revocation.day == day))

    def _book(self, project_id, entry, now, source=None, actor=None):
        """ATT-10: one ledger line, its "why" and ``discipline_recorded``, in this transaction.
        With a ``source`` the same fact is booked once (a unique key), whoever sees it twice."""
        if source and self.db.scalar(select(LedgerEntry.id).where(LedgerEntry.source == source)):
            return None
        row = LedgerEntry(project_id=project_id, person_id=entry.person_id, name=entry.name,
                          day=entry.day, rule=entry.rule, offence=entry.offence,
                          reason=entry.reason, fine=entry.fine, slip=entry.slip,
                          absent=entry.absent,
                          issued_by=entry.issued_by or (actor.person_id if actor else None),
                          suspended_until_day=entry.suspended_until_day, source=source, at=now)
        self.db.add(row)
        self.db.flush()
        decision = rules.allow(entry.rule, entry.reason, entry.offence, fine=entry.fine,
                               slip=entry.slip, absent=entry.absent)
        why.record(self.db, decision, subject_type="ledger", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=row.issued_by)
        outbox.emit(self.db, "discipline_recorded", now=now, project_id=project_id,
                    actor=actor.as_actor() if actor else None, rule=entry.rule,
                    reason=entry.reason, entry={"id": row.id, "person_id": row.person_id,
                                                "kind": row.slip or row.offence,
                                                "fine": row.fine, "rule": row.rule,
                                                "day": row.day.isoformat()})
        return row
