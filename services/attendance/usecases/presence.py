"""ATT-03/04 punches, ATT-05 missing-punch notes, ATT-06 uniform, sign-in and its order."""
from dataclasses import replace

from services.common.errors import Unprocessable
from services.common.timeutil import parse_instant
from services.common.why import because

from .. import repo, rules
from ..models import MissingPunchNote, Punch, Revocation, SignIn, SignInDispute, Uniform
from .common import Kept, acting, book, book_attempt, check, office_staff, staff_member, today

READERS = ("supervisor", "manager", "clerk")


def punch(uow, project_id, data):
    """ATT-03: a punch in or out, always by the person themself; ATT-04 lateness."""
    office_staff(uow)
    now, tz, day = today(uow, project_id)
    subject_id = data["person_id"] or uow.actor_id
    kind = data["kind"]
    if subject_id != uow.actor_id:      # a colleague (SYS-02: never another project's id)
        repo.person(uow.session, project_id, subject_id)
    attempt = rules.check_punch(uow.actor_id or 0, subject_id, kind, now, uow.caller.name,
                                repo.name_in(uow.session, project_id, subject_id), tz)
    if not attempt.allowed:
        return book_attempt(uow, project_id, attempt, day)
    person = repo.person(uow.session, project_id, subject_id)
    policy = uow.policy(project_id)
    if kind == "in":
        d = rules.evaluate_clock_in(person.name, now, policy, tz)
    else:
        check(uow, rules.check_leaving_post(person.name, now, repo.revoked_until(
            uow.session, person.id, day), policy, tz), field="kind")
        d = rules.evaluate_clock_out(person.name, now, policy, tz)
    row = repo.add_unique(uow.session, Punch(
        project_id=project_id, person_id=person.id, day=day, kind=kind, at=now,
        outcome=d.outcome, rule=d.rule, reason=d.reason),
        f"{person.name} has already punched {kind} today")
    uow.record(d, "punch", row.id, project_id)
    entry = rules.entry_from_decision(d, person.id, person.name, day)
    if entry:
        book(uow, project_id, entry, source=f"punch:{row.id}")
    uow.emit("clocked_in" if kind == "in" else "clocked_out", project_id, d.rule, d.reason,
             person_id=person.id, name=person.name, day=day.isoformat(), at=now.isoformat(),
             outcome=d.outcome)
    return repo.punch_view(row)


def list_punches(uow, project_id, query):
    day = query.get("day") or today(uow, project_id)[2]
    mine = None if uow.caller.has(*READERS) else uow.actor_id
    return [repo.punch_view(p) for p in repo.punches(uow.session, project_id, day, mine)]


def report_proxy_punch(uow, project_id, data):
    """ATT-03: a supervisor/manager reports a punch made by someone else: void, eligibility
    lost for the day, violation slips for both."""
    s = uow.session
    row = repo.punch(s, project_id, data["punch_id"])
    maker = repo.person(s, project_id, data["made_by"], field="made_by")
    subject = repo.person(s, project_id, row.person_id)
    now, tz, _ = today(uow, project_id)
    c = rules.report_proxy_punch(*acting(uow), row.day, maker.id, maker.name, subject.id,
                                 subject.name, now, tz, already_void=row.voided_at is not None)
    d = check(uow, c.decision, field="made_by")
    row.voided_at, row.void_reason = now, d.reason
    for entry in c.entries:
        book(uow, project_id, entry, source=f"proxy:{row.id}:{entry.person_id}")
    uow.record(d, "punch", row.id, project_id)
    if d.data["eligibility_revoked"]:
        until = d.data["eligibility_until"]
        s.add(Revocation(project_id=project_id, person_id=subject.id, day=row.day,
                         until=parse_instant(until), reason=d.reason))
        uow.emit("eligibility_revoked", project_id, "ATT-03", d.reason, person_id=subject.id,
                 day=row.day.isoformat(), until=until)
    return d


def annotate_missing_punch(uow, project_id, data):
    """ATT-05: only a manager explains a missing punch, never their own."""
    person = staff_member(uow, project_id, data["person_id"], field="person_id", rule="ATT-05")
    punched = {p.kind for p in repo.punches(uow.session, project_id, data["day"], person.id)
               if p.voided_at is None}
    d = rules.annotate_missing_punch(*acting(uow), person.id, person.name, data["note"],
                                     [k for k in ("in", "out") if k not in punched],
                                     data["day"], today(uow, project_id)[2])
    if d.outcome == "blank":
        uow.decide(d, error=Unprocessable, field="note")
    check(uow, d, field="day" if d.outcome in ("nothing_missing", "future_day") else "person_id",
          forbidden=("forbidden", "self_annotation"))
    note = MissingPunchNote(project_id=project_id, person_id=person.id, day=data["day"],
                            note=d.data["note"], author_id=uow.actor_id, at=uow.now)
    uow.session.add(note)
    uow.flush()
    uow.record(d, "missing_punch", note.id, project_id)
    return repo.note_view(note, d)


def attest_uniform(uow, project_id, data):
    """ATT-06: a supervisor attests a consultant's uniform for today (once)."""
    person = staff_member(uow, project_id, data["person_id"], field="person_id", rule="ATT-06",
                          role="consultant", what="the person in uniform")
    now, tz, day = today(uow, project_id)
    d = rules.attest_uniform(*acting(uow), person.id, person.name, now, tz)
    check(uow, d, field="person_id", forbidden=("forbidden", "self_attest"))
    if not repo.uniform_attested(uow.session, person.id, day):
        uow.session.add(Uniform(project_id=project_id, person_id=person.id, day=day,
                                attested_by=uow.actor_id, at=now))
        uow.record(d, "sign_in_day", f"{person.id}-{day}", project_id)
    return d


def sign_in(uow, project_id, data):
    """ATT-06: the consultant signs in for themself, after clock-in and in uniform; an invalid
    sign-in is recorded (and announced) before it is refused."""
    s = uow.session
    now, tz, day = today(uow, project_id)
    subject_id = data["person_id"] or uow.actor_id
    if subject_id != uow.actor_id:      # a colleague (SYS-02: never another project's id)
        repo.person(s, project_id, subject_id)
        attempt = rules.check_sign_in(uow.actor_id or 0, subject_id,
                                      repo.name_in(s, project_id, subject_id), now, tz=tz)
        return book_attempt(uow, project_id, attempt, day)
    person = repo.person(s, project_id, subject_id)
    attempts = repo.sign_ins(s, project_id, day, person.id)
    clock_in = repo.clock_in(s, person.id, day)
    d = rules.check_sign_in(
        person.id, person.id, person.name, now, clock_in_at=clock_in,
        uniform_attested=repo.uniform_attested(s, person.id, day),
        invalid_earlier_today=any(not a.valid for a in attempts),
        already_signed_in=any(a.valid for a in attempts),
        eligibility_revoked_until=repo.revoked_until(s, person.id, day), tz=tz,
        consultant="consultant" in uow.caller.acting_roles)
    if d.outcome != "invalid":
        check(uow, d, field="person_id", forbidden=("not_a_consultant",))
    row = repo.add_unique(s, SignIn(
        project_id=project_id, person_id=person.id, day=day, at=now, valid=d.allowed,
        why=d.data.get("why"), placed_last=bool(d.data.get("placed_last")),
        clock_in_at=clock_in, reason=d.reason),
        f"{person.name} has already signed in today")
    uow.record(d, "sign_in_day", f"{person.id}-{day}", project_id)
    fact = dict(person_id=person.id, name=person.name, day=day.isoformat(), at=now.isoformat())
    if not d.allowed:
        uow.emit("sign_in_invalid", project_id, "ATT-06", d.reason, why=row.why, **fact)
        return Kept(d, field="person_id")
    uow.emit("signed_in", project_id, "ATT-06", d.reason, placed_last=row.placed_last,
             clock_in_at=clock_in.isoformat() if clock_in else None, **fact)
    return repo.sign_in_view(row, person.name)


def sign_in_order(uow, project_id, query):
    """ATT-06: valid sign-ins by time; those with an earlier invalid one after everyone who
    signed in correctly; resolved disputes reorder their disputants by clock-in time."""
    day = query.get("day") or today(uow, project_id)[2]
    rows = repo.sign_ins(uow.session, project_id, day)
    names = repo.names(uow.session, {r.person_id for r in rows})
    order = _order(uow, project_id, day, rows, names)
    return {"day": day.isoformat(),
            "order": [dict(d.data, name=names.get(d.data["person_id"]), rule=d.rule,
                           reason=d.reason) for d in order],
            "invalid": [repo.sign_in_view(r, names.get(r.person_id)) for r in rows
                        if not r.valid]}


def _order(uow, project_id, day, rows, names):
    return rules.sign_in_order(repo.sign_in_attempts(rows, names),
                               repo.resolutions(uow.session, project_id, day))


def resolve_dispute(uow, project_id, data):
    """ATT-06: a supervisor settles a sign-in order dispute by clock-in times: the resolution
    is stored (the day's order changes) and reception is told (``sign_in_order_changed``)."""
    s = uow.session
    current = today(uow, project_id)[2]
    day = data["day"] or current
    check(uow, rules.may_settle_dispute_on(day, current), field="day")
    rows = repo.sign_ins(s, project_id, day)
    names = repo.names(s, {r.person_id for r in rows})
    placed = {d.data["person_id"]: d.data["placed_last"]
              for d in _order(uow, project_id, day, rows, names)}
    disputants = [rules.Disputant(p.id, p.name, repo.clock_in(s, p.id, day),
                                  p.id in placed, placed.get(p.id, False))
                  for p in (staff_member(uow, project_id, pid, field="person_ids",
                                         rule="ATT-06", role="consultant",
                                         what="the disputant")
                            for pid in data["person_ids"])]
    d = rules.resolve_sign_in_dispute(*acting(uow), disputants, uow.tz(project_id))
    check(uow, d, field="person_ids", forbidden=("forbidden", "party_to_dispute"))
    # SYS-01: "why this order?" shows each disputant's sign-in and clock-in records too
    d = replace(d, data={**d.data, "because": because(
        *[("sign_in_day", f"{pid}-{day}") for pid in d.data["order"]],
        *[("punch", repo.clock_in_id(s, pid, day)) for pid in d.data["order"]])})
    row = SignInDispute(project_id=project_id, day=day, order=d.data["order"],
                        decided_by=uow.actor_id, at=uow.now, reason=d.reason)
    s.add(row)
    uow.flush()
    uow.record(d, "sign_in_dispute", row.id, project_id)
    order = [x.data["person_id"] for x in _order(uow, project_id, day, rows, names)]
    uow.emit("sign_in_order_changed", project_id, "ATT-06", d.reason, day=day.isoformat(),
             order=order, dispute_id=row.id, decided_by=uow.actor_id)
    return d
