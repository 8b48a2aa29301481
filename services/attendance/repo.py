"""Attendance's rows: loading (404 for ids outside the caller's project), the database's
uniqueness turned into answers, row <-> rule-input mapping, and the views the Out schemas dump.

The uniqueness the rules rely on (one live punch of a kind a day, one valid sign-in, one closed
day, one ledger line per fact) is the database's (models.py): two instances cannot break it.
"""
from datetime import date, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool
from sqlalchemy import func, select, update

from services.common.db import inserted
from services.common.errors import Conflict, NotFound
from services.common.timeutil import iso

from . import rules
from .models import (
    BlackoutDay,
    ClosedDay,
    DayRecord,
    Finished,
    Leave,
    LedgerEntry,
    Lunch,
    MissingPunchNote,
    Person,
    PersonRole,
    Project,
    Punch,
    ReportSubmission,
    Revocation,
    RosterDay,
    SignIn,
    SignInDispute,
    StaffTerms,
    Swap,
    Uniform,
)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


# -- passwords (argon2) ----------------------------------------------------------------------
# Hashing takes tens of milliseconds of CPU: it runs in eventlet's thread pool so that a flood
# of logins never stalls the service's other requests (its event loop keeps running).
def hash_password(password):
    return tpool.execute(_hasher.hash, password)


def password_matches(person, password):
    """Checked against a dummy hash when the user is unknown, so timing does not tell."""
    try:
        return tpool.execute(_hasher.verify, person.password_hash if person else _DUMMY_HASH,
                             password) and person is not None
    except (VerificationError, InvalidHashError):
        return False


# -- writing under the database's uniqueness -------------------------------------------------
# the rule each unique constraint keeps (models.py), and the field a clash points at
UNIQUE_BY = {BlackoutDay: ("ATT-02", "day"), Punch: ("ATT-03", "kind"), SignIn: ("ATT-06", None),
             Lunch: ("ATT-11", None), ReportSubmission: ("ATT-12", "month")}


def add_unique(session, row, message, field=None):
    """Add ``row``; a unique constraint it breaks (another request or instance was first) is
    a 409 with ``message``, citing the rule that constraint keeps."""
    rule, default_field = UNIQUE_BY.get(type(row), (None, None))
    if not inserted(session, row):
        raise Conflict(message, rule=rule, field=field or default_field)
    return row


def claim_day(session, project_id, day, now, closed_by):
    """ATT-09: take ``day`` for closing; False when another worker or instance has it."""
    return inserted(session, ClosedDay(project_id=project_id, day=day, closed_at=now,
                                       closed_by=closed_by))


# -- projects and people ---------------------------------------------------------------------
def zone_of(session, project_id):
    """SYS-04: the project's zone, from attendance's own project table (404 when unknown)."""
    return project(session, project_id).timezone


def project(session, project_id):
    row = session.get(Project, project_id)
    if row is None:
        raise NotFound(f"no project {project_id}", field="project_id")
    return row


def projects(session):
    return list(session.scalars(select(Project).order_by(Project.id)))


def person(session, project_id, person_id, field="person_id"):
    """A staff member of ``project_id`` (``project_id`` None: of any project); a 404 naming
    ``field`` otherwise (SYS-02: ids never cross projects, and an unknown id and another
    project's id get the same answer)."""
    row = session.get(Person, person_id) if person_id else None
    if row is None or (project_id is not None and row.project_id != project_id):
        where = f" in project {project_id}" if project_id is not None else ""
        raise NotFound(f"no staff member {person_id}{where}", rule="SYS-02", field=field)
    return row


def person_by_username(session, username):
    return session.scalar(select(Person).where(Person.username == username))


def staff(session, project_id=None):
    query = select(Person).order_by(Person.id)
    if project_id is not None:
        query = query.where(Person.project_id == project_id)
    return list(session.scalars(query))


def directory_empty(session):
    return not session.scalar(select(func.count()).select_from(Person))


def new_person(project_id, username, name, password, roles, now):
    return Person(project_id=project_id, username=username, name=name,
                  password_hash=hash_password(password), active=True, created_at=now,
                  roles=[PersonRole(role=r) for r in sorted(set(roles))])


def set_roles(session, row, roles):
    wanted = sorted(set(roles))
    row.roles = [r for r in row.roles if r.role in wanted] + \
        [PersonRole(role=r) for r in wanted if r not in row.role_names]
    session.flush()
    return row


def name(session, person_id):
    row = session.get(Person, person_id) if person_id else None
    return row.name if row else f"person {person_id}"


def name_in(session, project_id, person_id):
    """A person's name when they are staff of ``project_id``, else "person <id>" (a name is
    never read across projects)."""
    row = session.get(Person, person_id) if person_id else None
    return row.name if row and row.project_id == project_id else f"person {person_id}"


def names(session, ids):
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


# -- ATT-01/02 roster and blackout days ------------------------------------------------------
def blackouts(session, project_id):
    return {r.day: r.kind for r in session.scalars(select(BlackoutDay).where(
        BlackoutDay.project_id == project_id).order_by(BlackoutDay.day))}


def blackout_rows(session, project_id):
    return list(session.scalars(select(BlackoutDay).where(BlackoutDay.project_id == project_id)
                                .order_by(BlackoutDay.day)))


def rest_days_near(session, person_id, start, end):
    """Rest days rostered within a week of the range: they count for their week (ATT-01)."""
    return set(session.scalars(select(RosterDay.day).where(
        RosterDay.person_id == person_id, RosterDay.kind == "rest",
        RosterDay.day >= start - timedelta(days=6), RosterDay.day <= end + timedelta(days=6))))


def store_roster(session, project_id, person_id, days, set_by):
    existing = {r.day: r for r in session.scalars(select(RosterDay).where(
        RosterDay.person_id == person_id, RosterDay.day.in_(list(days))))}
    for day, kind in days.items():
        row = existing.get(day)
        if row is None:
            session.add(RosterDay(project_id=project_id, person_id=person_id, day=day,
                                  kind=kind, set_by=set_by))
        else:
            row.kind, row.set_by = kind, set_by
    session.flush()


def roster(session, project_id, person_id, start, end):
    query = select(RosterDay).where(RosterDay.project_id == project_id,
                                    RosterDay.day >= start, RosterDay.day <= end)
    if person_id is not None:
        query = query.where(RosterDay.person_id == person_id)
    return list(session.scalars(query.order_by(RosterDay.person_id, RosterDay.day)))


def resting_on(session, project_id, day):
    return list(session.scalars(select(RosterDay.person_id).where(
        RosterDay.project_id == project_id, RosterDay.day == day, RosterDay.kind == "rest")))


def work_on(session, project_id, day, set_by):
    """ATT-02: everybody works on a blackout day: rest days rostered on it become work."""
    session.execute(update(RosterDay).where(
        RosterDay.project_id == project_id, RosterDay.day == day, RosterDay.kind == "rest")
        .values(kind="work", set_by=set_by))


def swap_rosters(session, a_id, b_id, days):
    """ATT-08: an approved swap exchanges the two people's kinds on each day both have."""
    rows = {(r.person_id, r.day): r for r in session.scalars(select(RosterDay).where(
        RosterDay.person_id.in_((a_id, b_id)), RosterDay.day.in_(days)))}
    for day in days:
        ra, rb = rows.get((a_id, day)), rows.get((b_id, day))
        if ra and rb:
            ra.kind, rb.kind = rb.kind, ra.kind


# -- ATT-03/04/06 punches, uniform, sign-ins -------------------------------------------------
def _in_project(session, model, project_id, row_id, what, field):
    """One row by id, a 404 when it is not the project's (SYS-02: ids never cross projects)."""
    row = session.get(model, row_id)
    if row is None or row.project_id != project_id:
        raise NotFound(f"no {what} {row_id}", rule="SYS-02", field=field)
    return row


def punch(session, project_id, punch_id):
    return _in_project(session, Punch, project_id, punch_id, "punch", "punch_id")


def punches(session, project_id, day, person_id=None):
    query = select(Punch).where(Punch.project_id == project_id, Punch.day == day)
    if person_id is not None:
        query = query.where(Punch.person_id == person_id)
    return list(session.scalars(query.order_by(Punch.at, Punch.id)))


def clock_in(session, person_id, day):
    return session.scalar(select(Punch.at).where(
        Punch.person_id == person_id, Punch.day == day, Punch.kind == "in",
        Punch.voided_at.is_(None)))


def clock_in_id(session, person_id, day):
    return session.scalar(select(Punch.id).where(
        Punch.person_id == person_id, Punch.day == day, Punch.kind == "in",
        Punch.voided_at.is_(None)))


def revoked_until(session, person_id, day):
    return session.scalar(select(Revocation.until).where(Revocation.person_id == person_id,
                                                         Revocation.day == day))


def uniform_attested(session, person_id, day):
    return session.scalar(select(Uniform.id).where(Uniform.person_id == person_id,
                                                   Uniform.day == day)) is not None


def sign_ins(session, project_id, day, person_id=None):
    query = select(SignIn).where(SignIn.project_id == project_id, SignIn.day == day)
    if person_id is not None:
        query = query.where(SignIn.person_id == person_id)
    return list(session.scalars(query))


def resolutions(session, project_id, day):
    """ATT-06: the day's stored dispute resolutions, oldest first."""
    return [rules.Resolution(r.id, tuple(r.order)) for r in session.scalars(
        select(SignInDispute).where(SignInDispute.project_id == project_id,
                                    SignInDispute.day == day).order_by(SignInDispute.id))]


def sign_in_attempts(rows, names_by_id):
    return [rules.SignInAttempt(r.person_id, names_by_id.get(r.person_id, ""), r.at, r.valid,
                                r.clock_in_at) for r in rows]


# -- ATT-07 leave ----------------------------------------------------------------------------
def leave(session, project_id, leave_id):
    return _in_project(session, Leave, project_id, leave_id, "leave request", "leave_id")


def _of_project(session, model, project_id, person_id=None):
    """A project's rows of ``model`` (one person's when given), oldest first."""
    query = select(model).where(model.project_id == project_id)
    if person_id is not None:
        query = query.where(model.person_id == person_id)
    return list(session.scalars(query.order_by(model.id)))


def leaves(session, project_id, person_id=None):
    return _of_project(session, Leave, project_id, person_id)


def swaps(session, project_id, person_id=None):
    query = select(Swap).where(Swap.project_id == project_id)
    if person_id is not None:
        query = query.where((Swap.a_id == person_id) | (Swap.b_id == person_id))
    return list(session.scalars(query.order_by(Swap.id)))


def swap_view(row):
    return {"id": row.id, "a_id": row.a_id, "b_id": row.b_id, "days": list(row.days),
            "status": row.status, "approved_by": row.approved_by, "rule": row.rule,
            "reason": row.reason}


def leaves_on(session, project_id, day):
    return list(session.scalars(select(Leave).where(
        Leave.project_id == project_id, Leave.status == "approved",
        Leave.start_day <= day, Leave.end_day >= day)))


def leave_request(row, person_name):
    return rules.LeaveRequest(row.person_id, person_name, row.leave_type, row.start_day,
                              row.end_day, row.filed_at, row.handover_note, row.emergency)


def sick_leave_back_on(session, project_id, day, lookback=31):
    """ATT-07: approved sick leave whose first day back (the first rostered work day after it)
    is ``day``; the certificate is due by that day's end."""
    out = []
    for row in session.scalars(select(Leave).where(
            Leave.project_id == project_id, Leave.status == "approved",
            Leave.leave_type == "sick", Leave.end_day < day,
            Leave.end_day >= day - timedelta(days=lookback))):
        work = session.scalars(select(RosterDay.day).where(
            RosterDay.person_id == row.person_id, RosterDay.kind == "work",
            RosterDay.day > row.end_day).order_by(RosterDay.day).limit(1))
        if rules.first_day_back(row.end_day, work) == day:
            out.append(row)
    return out


def annual_days_taken(session, person_id, year):
    """ATT-07: approved annual leave days of ``year`` (converted sick leave included)."""
    first, nxt = date(year, 1, 1), date(year + 1, 1, 1)
    return sum((min(r.end_day, nxt - timedelta(days=1)) - max(r.start_day, first)).days + 1
               for r in session.scalars(select(Leave).where(
                   Leave.person_id == person_id, Leave.status == "approved",
                   Leave.leave_type == "annual", Leave.start_day < nxt,
                   Leave.end_day >= first)))


def terms(session, person_id):
    """ATT-07/13: what a manager set for the person (None when nothing is)."""
    return session.get(StaffTerms, person_id)


def set_terms(session, project_id, person_id, values, set_by, now):
    row = terms(session, person_id)
    if row is None:
        row = StaffTerms(project_id=project_id, person_id=person_id, annual_leave_days=0)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.set_by, row.at = set_by, now
    session.flush()
    return row


def terms_view(row):
    return {"person_id": row.person_id, "monthly_salary": row.monthly_salary,
            "annual_leave_days": row.annual_leave_days, "set_by": row.set_by,
            "at": iso(row.at)}


def salaries(session, project_id):
    """ATT-13: person id -> monthly salary (set ones only)."""
    return {r.person_id: r.monthly_salary for r in session.scalars(select(StaffTerms).where(
        StaffTerms.project_id == project_id, StaffTerms.monthly_salary.is_not(None)))}


def month_work_days(session, project_id, first, nxt):
    """ATT-13: person id -> rostered work days in the month (the deduction's divisor)."""
    return dict(session.execute(select(RosterDay.person_id, func.count()).where(
        RosterDay.project_id == project_id, RosterDay.kind == "work", RosterDay.day >= first,
        RosterDay.day < nxt).group_by(RosterDay.person_id)).all())


# -- ATT-09/10 ledger and closing a day ------------------------------------------------------
def add_ledger_line(session, project_id, entry, issued_by, source, now):
    """One ledger line; with a ``source`` a fact is booked once (None when it already is)."""
    if source and session.scalar(select(LedgerEntry.id).where(LedgerEntry.source == source)):
        return None
    row = LedgerEntry(project_id=project_id, person_id=entry.person_id, name=entry.name,
                      day=entry.day, rule=entry.rule, offence=entry.offence, reason=entry.reason,
                      fine=entry.fine, slip=entry.slip, absent=entry.absent,
                      issued_by=entry.issued_by or issued_by,
                      suspended_until_day=entry.suspended_until_day, source=source, at=now)
    session.add(row)
    session.flush()
    return row


def ledger(session, project_id, person_id=None):
    return _of_project(session, LedgerEntry, project_id, person_id)


def days_to_close(session, project_id, today, limit=7):
    closed = select(ClosedDay.day).where(ClosedDay.project_id == project_id)
    return list(session.scalars(select(RosterDay.day).distinct().where(
        RosterDay.project_id == project_id, RosterDay.day < today,
        RosterDay.day.not_in(closed)).order_by(RosterDay.day).limit(limit)))


def closing_facts(session, project_id, day):
    """ATT-09: for each person rostered on ``day``: the rule's DayFacts, their other absent
    days this month, and whether their punches were late / early."""
    roster_rows = list(session.scalars(select(RosterDay).where(
        RosterDay.project_id == project_id, RosterDay.day == day)))
    names_by_id = names(session, {r.person_id for r in roster_rows})
    on_leave = {lv.person_id: lv.leave_type for lv in leaves_on(session, project_id, day)}
    out = []
    for r in roster_rows:
        kinds = {p.kind: p for p in session.scalars(select(Punch).where(
            Punch.person_id == r.person_id, Punch.day == day, Punch.voided_at.is_(None)))}
        absent_by = session.scalar(select(LedgerEntry.rule).where(
            LedgerEntry.person_id == r.person_id, LedgerEntry.day == day,
            LedgerEntry.absent.is_(True)).limit(1))
        earlier = absent_days_in_month(session, r.person_id, day) - {day}
        facts = rules.DayFacts(r.person_id, names_by_id.get(r.person_id, f"#{r.person_id}"),
                               day, r.kind == "work", _at(kinds.get("in")),
                               _at(kinds.get("out")), on_leave.get(r.person_id), absent_by)
        marks = {"late": _outcome(kinds.get("in")) == "late",
                 "early_leave": _outcome(kinds.get("out")) == "early_leave"}
        out.append((facts, earlier, marks))
    return out


def absent_days_in_month(session, person_id, day):
    """ATT-09: the person's absent days of ``day``'s month so far (through ``day``): closed
    days settled absent and ledger lines that make a day absent (ATT-04/08/10), each once."""
    first = day.replace(day=1)
    closed = session.scalars(select(DayRecord.day).where(
        DayRecord.person_id == person_id, DayRecord.status == "absent",
        DayRecord.day >= first, DayRecord.day <= day))
    booked = session.scalars(select(LedgerEntry.day).where(
        LedgerEntry.person_id == person_id, LedgerEntry.absent.is_(True),
        LedgerEntry.day >= first, LedgerEntry.day <= day))
    return set(closed) | set(booked)


def day_closed(session, project_id, day):
    return session.get(ClosedDay, (project_id, day)) is not None


def mark_absent(session, person_id, day, reason):
    """ATT-09: a closed day made absent afterwards (a ledger line booked later)."""
    session.execute(update(DayRecord).where(DayRecord.person_id == person_id,
                                            DayRecord.day == day)
                    .values(status="absent", reason=reason))


def retype_leave_days(session, person_id, start, end, leave_type):
    """ATT-07/12: closed days of a converted sick leave count as the leave it became."""
    session.execute(update(DayRecord).where(
        DayRecord.person_id == person_id, DayRecord.status == "leave",
        DayRecord.day >= start, DayRecord.day <= end).values(leave_type=leave_type))


def _at(row):
    return row.at if row is not None else None


def _outcome(row):
    return row.outcome if row is not None else None


def add_day_record(session, project_id, facts, closed, marks):
    session.add(DayRecord(project_id=project_id, person_id=facts.person_id, name=facts.name,
                          day=facts.day, status=closed.status, leave_type=facts.leave_type,
                          reason=closed.decision.reason, **marks))


# -- ATT-11 lunch ----------------------------------------------------------------------------
def lunch_state(session, project_id, day):
    """Who signed in validly today and is still here (not clocked out, not on leave since),
    when each last finished a reception, today's lunches."""
    gone_home = set(session.scalars(select(Punch.person_id).where(
        Punch.project_id == project_id, Punch.day == day, Punch.kind == "out",
        Punch.voided_at.is_(None))))
    on_leave = {lv.person_id for lv in leaves_on(session, project_id, day)}
    signed = [pid for pid in session.scalars(select(SignIn.person_id).where(
        SignIn.project_id == project_id, SignIn.day == day, SignIn.valid.is_(True)))
        if pid not in gone_home | on_leave]
    finished = {f.person_id: f.at for f in session.scalars(select(Finished).where(
        Finished.project_id == project_id, Finished.day == day))}
    lunches = {lu.person_id: lu for lu in session.scalars(select(Lunch).where(
        Lunch.project_id == project_id, Lunch.day == day))}
    return signed, finished, lunches


def overdue_lunches(session, now):
    """ATT-11: lunches still out past their due-back time whose overstay is not recorded."""
    return list(session.scalars(select(Lunch).where(
        Lunch.returned_at.is_(None), Lunch.overstay_recorded_at.is_(None),
        Lunch.due_back_at.is_not(None), Lunch.due_back_at < now).order_by(Lunch.id)))


def claim_overdue(session, lunch_id, now):
    """ATT-11: mark one lunch's overstay recorded; False when another worker did first."""
    done = session.execute(update(Lunch).where(
        Lunch.id == lunch_id, Lunch.overstay_recorded_at.is_(None), Lunch.returned_at.is_(None))
        .values(overstay_recorded_at=now))
    return done.rowcount == 1


def take_lunch_slot(session, project_id, person_id, day, now, due_back_at, free_slots):
    """ATT-11: the person's lunch on the first of ``free_slots`` still free in the database
    (the partial unique index: one holder per slot while out); None when every one was taken
    meanwhile, or the person already lunched today."""
    for slot in free_slots:
        row = Lunch(project_id=project_id, person_id=person_id, day=day, started_at=now,
                    overstay_seconds=0, slot=slot, due_back_at=due_back_at)
        if inserted(session, row):
            return row
        if lunch(session, person_id, day) is not None:
            return None
    return None


def lunch(session, person_id, day):
    return session.scalar(select(Lunch).where(Lunch.person_id == person_id, Lunch.day == day))


def note_finished(session, project_id, person_id, day, finished_at):
    """ATT-11: keep each consultant's latest finished reception of the day."""
    row = session.scalar(select(Finished).where(Finished.person_id == person_id,
                                                Finished.day == day))
    if row is None:
        session.add(Finished(project_id=project_id, person_id=person_id, day=day,
                             at=finished_at))
    elif finished_at > row.at:
        row.at = finished_at


# -- ATT-12 report ---------------------------------------------------------------------------
def month_days(session, project_id, first, nxt):
    return [rules.AttendanceDay(r.person_id, r.name, r.day, r.status, r.late, r.early_leave,
                                r.leave_type)
            for r in session.scalars(select(DayRecord).where(
                DayRecord.project_id == project_id, DayRecord.day >= first,
                DayRecord.day < nxt))]


def month_entries(session, project_id, first, nxt):
    return [rules.LedgerEntry(e.person_id, e.name, e.day, e.rule, e.offence, e.reason, e.fine,
                              e.slip, e.absent)
            for e in ledger(session, project_id) if first <= e.day < nxt]


def submission(session, project_id, year, month):
    return session.scalar(select(ReportSubmission).where(
        ReportSubmission.project_id == project_id, ReportSubmission.year == year,
        ReportSubmission.month == month))


# -- SYS-01/02: whom a recorded reason is about ---------------------------------------------
# subjects stored by row id, and the row's person
_ROW_SUBJECTS = {"ledger": LedgerEntry, "punch": Punch, "leave": Leave, "lunch": Lunch,
                 "missing_punch": MissingPunchNote}
# subjects stored as "<person id>-<day>" or as the person id
_PERSON_DAY_SUBJECTS = ("day", "roster", "sign_in_day")


def why_owners(session, subject_type, subject_id):
    """The people a "why" subject is about (empty when it is nobody's own: a blackout day,
    a report, an unknown subject)."""
    sid = str(subject_id)
    if subject_type in _PERSON_DAY_SUBJECTS or subject_type == "staff_terms":
        head = sid.split("-", 1)[0]
        return {int(head)} if head.isdigit() else set()
    if not sid.isdigit():
        return set()
    if subject_type == "swap":
        row = session.get(Swap, int(sid))
        return {row.a_id, row.b_id} if row else set()
    model = _ROW_SUBJECTS.get(subject_type)
    row = session.get(model, int(sid)) if model is not None else None
    return {row.person_id} if row else set()


# -- views (row -> dict for the Out schemas) -------------------------------------------------
def person_now(session, person_id):
    """``person_view`` of a person by id, or None (for the token check, SYS-02)."""
    found = session.get(Person, person_id)
    return person_view(found) if found else None


def person_view(p):
    return {"id": p.id, "project_id": p.project_id, "username": p.username, "name": p.name,
            "roles": p.role_names, "active": p.active}


def project_view(p):
    return {"id": p.id, "code": p.code, "name": p.name, "timezone": p.timezone}


def roster_view(r):
    return {"person_id": r.person_id, "day": r.day.isoformat(), "kind": r.kind}


def blackout_view(r):
    return {"day": r.day.isoformat(), "kind": r.kind, "reason": r.reason}


def punch_view(p):
    return {"id": p.id, "person_id": p.person_id, "day": p.day.isoformat(), "kind": p.kind,
            "at": p.at.isoformat(), "outcome": p.outcome, "rule": p.rule, "reason": p.reason,
            "voided": p.voided_at is not None}


def sign_in_view(s, person_name):
    return {"id": s.id, "person_id": s.person_id, "name": person_name, "day": s.day.isoformat(),
            "at": s.at.isoformat(), "valid": s.valid, "why": s.why,
            "placed_last": s.placed_last, "rule": "ATT-06", "reason": s.reason}


def leave_view(row):
    return {"id": row.id, "person_id": row.person_id, "leave_type": row.leave_type,
            "start_day": row.start_day.isoformat(), "end_day": row.end_day.isoformat(),
            "status": row.status, "rule": row.rule, "reason": row.reason,
            "emergency": row.emergency, "certificate_at": iso(row.certificate_at)}


def ledger_view(e):
    return {"id": e.id, "person_id": e.person_id, "name": e.name, "day": e.day.isoformat(),
            "rule": e.rule, "offence": e.offence, "reason": e.reason, "fine": e.fine,
            "slip": e.slip, "absent": e.absent, "issued_by": e.issued_by,
            "suspended_until_day": iso(e.suspended_until_day)}


def note_view(note, decision):
    return {"id": note.id, "person_id": note.person_id, "day": note.day.isoformat(),
            "note": note.note, "rule": decision.rule, "reason": decision.reason}


def submission_view(sub):
    if sub is None:
        return None
    return {"submitted_by": sub.submitted_by, "at": sub.at.isoformat(), "outcome": sub.outcome,
            "reason": sub.reason}


def first_of_month(year, month):
    first = date(year, month, 1)
    return first, (first + timedelta(days=32)).replace(day=1)


def open_lunches(session, project_id, day):
    """ATT-11: the day's lunches nobody ended (closed with the day)."""
    return list(session.scalars(select(Lunch).where(
        Lunch.project_id == project_id, Lunch.day == day, Lunch.returned_at.is_(None))
        .order_by(Lunch.id)))
