"""Reception's use cases: one function per command and per event handler (REC-01…13).

Each takes a ``UnitOfWork`` first, loads through ``repo``, asks ``rules``, applies the state the
rule decided, records the decision (SYS-01) and queues the events; the entrypoint commits.
Clients is reached through ``owners`` (``owner_of``, ``register_customer``), a port the service
fills with RPCs and a test with a fake.
"""
from dataclasses import replace
from datetime import date, timezone

from services.common import directory
from services.common.db import inserted
from services.common.errors import Conflict, NotFound, Unauthorized, Unprocessable
from services.common.timeutil import business_day, iso, local, parse_instant
from services.common.why import because

from . import repo, rules
from .constants import DESK_STAFF, LEADS
from .models import Call, CallFault, Display, Reception, SheetEntry, Suspension, WalkIn

OWNER_FIELDS = ("customer_id", "owner_id", "owner_name", "protection_live", "rule", "reason",
                "phone_masked")


# ---------------------------------------------------------------- shared steps

def _today(uow, project_id):
    return uow.today(project_id), uow.tz(project_id)


def _record(uow, decision, sheet, actor_id=None):
    """A decision about the day's sheet (``sheet/<project>-<day>``)."""
    subject_type, subject_id = repo.sheet_subject(sheet)
    return uow.record(decision, subject_type, subject_id, sheet.project_id, actor_id)


def _record_person(uow, decision, sheet, person_id, actor_id=None):
    """A decision that moved one consultant's marks or place: on the day's sheet and under
    the consultant's day (``consultant_day``), which assignments link (SYS-01)."""
    _record(uow, decision, sheet, actor_id)
    subject_type, subject_id = repo.person_subject(sheet, person_id)
    return uow.record(decision, subject_type, subject_id, sheet.project_id, actor_id)


def _decide(uow, decision, unprocessable=(), field=None):
    """A refusal is 409 (the sheet's state forbids it) unless its outcome is one of
    ``unprocessable`` (the request itself is wrong): 422 naming ``field``."""
    bad_input = decision.outcome in unprocessable
    return uow.decide(decision, error=Unprocessable if bad_input else Conflict,
                      field=field if bad_input else None)


def _lock(uow, project_id, day, **options):
    sheet, entries = repo.lock_sheet(uow.session, project_id, day, uow.now, **options)
    if sheet is not None:
        _afternoon(uow, sheet, entries)
    return sheet, entries


def _afternoon(uow, sheet, entries):
    """REC-10: once past noon on the sheet's own day, apply the afternoon policy once."""
    if sheet.afternoon_done or not entries:
        return
    tz = uow.tz(sheet.project_id)
    if business_day(uow.now, tz) != sheet.day:
        return
    decision = rules.afternoon_start(repo.rule_entries(entries), uow.now,
                                     uow.policy(sheet.project_id), tz)
    if not decision.allowed:
        return
    if decision.outcome == "fresh_round":
        for e in entries:
            e.marks = decision.data["marks"].get(str(e.person_id), e.marks)
    sheet.afternoon_done = True
    _record(uow, decision, sheet)


def _on_sheet(uow, entries, person_id):
    entry = repo.find(entries, person_id)
    uow.decide(rules.on_sheet(entry, person_id), error=NotFound, field="person_id")
    return entry


def _staff(uow, project_id, person_id, field, rule, role="consultant"):
    """SYS-02: a person a command names is of this project (404 SYS-02 otherwise, nobody and
    another project's person alike) and active in ``role`` (422 citing ``rule``); their name."""
    name = repo.name_in_project(uow.session, project_id, person_id, field, what=role)
    _decide(uow, rules.named_staff(directory.person(uow.session, person_id), person_id,
                                   project_id, field=field, rule=rule, role=role),
            unprocessable=("invalid",), field=field)
    return name


def _sheet_answer(uow, project_id, day, tz):
    return repo.sheet_view(uow.session, project_id, day, uow.now, uow.policy(project_id), tz)


# ---------------------------------------------------------------- attendance's events

def signed_in(uow, payload):
    """ATT-06/REC-01: a valid sign-in puts the consultant on the day's sheet."""
    pid, day = payload["project_id"], date.fromisoformat(payload["day"])
    person_id, name = payload["person_id"], payload.get("name") or f"#{payload['person_id']}"
    at = parse_instant(payload["at"]) if payload.get("at") else uow.now
    placed_last = bool(payload.get("placed_last"))
    sheet, entries = _lock(uow, pid, day, create=True)
    mine = repo.find(entries, person_id)
    if mine is not None:   # a duplicate sign-in changes nothing; after leave it rejoins
        _rejoin(uow, sheet, entries, mine, "signed in again after leave")
        return
    ordered = sorted(entries, key=lambda e: e.signin_seq)
    slot, decision = rules.signed_in(repo.rule_entries(ordered),
                                     [(e.signed_in_at, e.placed_last) for e in ordered],
                                     person_id, name, at, placed_last, uow.tz(pid))
    entry = SheetEntry(sheet_id=sheet.id, person_id=person_id, name=name, signin_seq=0,
                       marks=decision.data["marks"], state="free", signed_in_at=at,
                       placed_last=placed_last,
                       clock_in_at=parse_instant(payload["clock_in_at"])
                       if payload.get("clock_in_at") else None,
                       suspended_until=repo.suspended_until(uow.session, pid, person_id, day),
                       groups=0, received_today=0)
    ordered.insert(slot, entry)
    repo.renumber(ordered)
    uow.session.add(entry)
    _record_person(uow, decision, sheet, person_id, actor_id=person_id)


def _rejoin(uow, sheet, entries, mine, words):
    decision = rules.rejoin(repo.rule_entries(entries), repo.rule_entry(mine), words)
    if decision is None:
        return
    mine.marks, mine.signin_seq = decision.data["marks"], decision.data["signin_seq"]
    mine.state, mine.off_reason, mine.state_detail = "free", None, None
    mine.state_since = uow.now
    _record_person(uow, decision, sheet, mine.person_id, actor_id=mine.person_id)


def take_off_sheet(uow, payload, why_off):
    """REC-10 clocked out, REC-01 eligibility revoked (ATT-03) or leave started."""
    sheet, entries = _lock(uow, payload["project_id"], date.fromisoformat(payload["day"]))
    mine = repo.find(entries, payload["person_id"])
    decision = rules.take_off_sheet(repo.rule_entry(mine) if mine else None, why_off,
                                    until=payload.get("until"),
                                    leave_type=payload.get("leave_type"))
    if decision is None:
        return
    mine.off_reason, mine.state_since = why_off, uow.now
    if decision.data["leaves_now"]:   # still receiving: leaves when the reception completes
        mine.state, mine.pass_until = "off_duty", None
    _record(uow, decision, sheet, actor_id=mine.person_id)


def leave_ended(uow, payload):
    """REC-01: back from leave joins at the back of the current round."""
    sheet, entries = _lock(uow, payload["project_id"], date.fromisoformat(payload["day"]))
    mine = repo.find(entries, payload["person_id"])
    if mine is not None:
        _rejoin(uow, sheet, entries, mine, "back from leave")


def sign_in_order_changed(uow, payload):
    """ATT-06/REC-01: a supervisor resolved a sign-in dispute by clock-in times: the sheet's
    sign-in order (the tie-break) follows ``order`` for those people."""
    sheet, entries = _lock(uow, payload["project_id"], date.fromisoformat(payload["day"]))
    if sheet is None:
        return
    on = [e for e in entries if e.state != "off_duty"]
    decision = rules.sign_in_order_resolved(repo.rule_entries(on), payload["order"],
                                            payload["dispute_id"], payload.get("decided_by"))
    if decision is None:
        return
    for e in on:
        e.signin_seq = decision.data["signin_seq"].get(str(e.person_id), e.signin_seq)
    _record(uow, decision, sheet, actor_id=payload.get("decided_by"))
    for person_id in decision.data["order"]:
        subject_type, subject_id = repo.person_subject(sheet, person_id)
        uow.record(decision, subject_type, subject_id, sheet.project_id,
                   payload.get("decided_by"))


def lunch_started(uow, payload):
    """REC-10/ATT-11: attendance started the consultant's lunch: lunch on the sheet."""
    sheet, entries = _lock(uow, payload["project_id"], date.fromisoformat(payload["day"]))
    mine = repo.find(entries, payload["person_id"])
    tz = uow.tz(payload["project_id"])
    decision = rules.lunch_started(repo.rule_entry(mine) if mine else None,
                                   parse_instant(payload["at"]),
                                   parse_instant(payload["due_back_at"]), tz)
    if decision is None:
        return
    if decision.data["now"]:
        mine.state, mine.pass_until, mine.state_since = "lunch", None, uow.now
        mine.state_detail = "due back " + local(parse_instant(decision.data["due_back_at"]),
                                                tz).strftime("%H:%M")
    else:
        mine.lunch_pending = True
    _record_person(uow, decision, sheet, mine.person_id, actor_id=mine.person_id)


def lunch_ended(uow, payload):
    """REC-10/ATT-11: back from lunch (attendance): back in the rotation."""
    sheet, entries = _lock(uow, payload["project_id"], date.fromisoformat(payload["day"]))
    mine = repo.find(entries, payload["person_id"])
    decision = rules.lunch_ended(repo.rule_entry(mine) if mine else None,
                                 parse_instant(payload["at"]),
                                 int(payload.get("overstay_minutes") or 0),
                                 uow.tz(payload["project_id"]))
    if decision is None:
        return
    mine.lunch_pending = False
    if decision.data["now"]:
        mine.state, mine.state_detail, mine.state_since = "free", None, uow.now
    _record_person(uow, decision, sheet, mine.person_id, actor_id=mine.person_id)


def directory_changed(uow, person):
    """A renamed person is renamed on every sheet they are on."""
    if person.get("name"):
        repo.rename(uow.session, person["id"], person["name"])


# ---------------------------------------------------------------- reads

def sheet(uow, project_id, day=None):
    """REC-01: the day's sheet in rotation order."""
    today, tz = _today(uow, project_id)
    return _sheet_answer(uow, project_id, day or today, tz)


def board(uow, project_id):
    """REC-13: the front-desk board of today."""
    day, tz = _today(uow, project_id)
    return repo.board(uow.session, project_id, day, uow.now, uow.policy(project_id), tz)


def list_receptions(uow, project_id, day=None):
    day = day or _today(uow, project_id)[0]
    return repo.receptions_view(uow.session, project_id,
                                repo.receptions(uow.session, project_id, day))


def get_reception(uow, project_id, reception_id):
    row = repo.reception(uow.session, project_id, reception_id)
    return repo.receptions_view(uow.session, project_id, [row])[0]


def list_calls(uow, project_id, day=None):
    day = day or _today(uow, project_id)[0]
    policy = uow.policy(project_id)
    return [repo.call_view(r, uow.now, policy)
            for r in repo.calls(uow.session, project_id, day)]


# ---------------------------------------------------------------- the sheet (REC-01)

def reorder_sheet(uow, project_id, data):
    """REC-01 指定顺序: a supervisor or manager sets the order with a reason (recorded)."""
    caller = uow.caller
    day, tz = _today(uow, project_id)
    sheet, entries = _lock(uow, project_id, day, fresh=True)
    uow.decide(rules.sheet_needed(entries, "to reorder"), error=NotFound)
    on = [e for e in entries if e.state != "off_duty"]
    decision = rules.reorder_sheet(repo.rule_entries(on), data["order"],
                                   caller.name or f"#{caller.person_id}", caller.acting_roles,
                                   data["reason"])
    uow.decide(decision, field="order" if decision.outcome == "bad_order" else "reason")
    seq = {int(p): s for p, s in decision.data["signin_seq"].items()}
    for e in on:
        e.signin_seq = seq[e.person_id]
    repo.renumber(sorted((e for e in entries if e.state == "off_duty"),
                         key=lambda e: e.signin_seq), start=len(on) + 1)
    _record(uow, decision, sheet)
    for e in on:
        subject_type, subject_id = repo.person_subject(sheet, e.person_id)
        uow.record(decision, subject_type, subject_id, project_id)
    return _sheet_answer(uow, project_id, sheet.day, tz)


# ---------------------------------------------------------------- walk-ins (REC-02/03/04/07/08)

def _named_consultant(uow, project_id, person_id):
    """CLI-08: the named consultant must be a consultant of this project (directory replica)."""
    if person_id is None:
        return None
    _decide(uow, rules.named_consultant(directory.person(uow.session, person_id), person_id,
                                        project_id), unprocessable=("invalid",),
            field="named_person_id")
    return person_id


def _because(sheet, entries, taker_id):
    """SYS-01: the records an assignment stands on — the day of the taker and of everyone who
    signed in ahead of them (sign-in, passes, forfeits, completions, reorders)."""
    taker = repo.find(entries, taker_id)
    ahead = sorted((e for e in entries if taker is None or e.signin_seq <= taker.signin_seq),
                   key=lambda e: e.signin_seq)
    return because(*(repo.person_subject(sheet, e.person_id) for e in ahead))


def register_walk_in(uow, project_id, data, owners):
    """The owner lookup (REC-07/CLI-02), then the assignment by the rules."""
    named_id = _named_consultant(uow, project_id, data.get("named_person_id"))
    owner, customer_id, masked = None, None, None
    if data.get("phone"):
        owner = owners.owner_of(project_id, data["phone"])
        customer_id = owner.get("customer_id")
        masked = owner.get("phone_masked") or rules.mask_phone(data["phone"])
        if customer_id is None:
            customer_id = owners.register_customer(project_id, data["phone"],
                                                   data.get("name"), "walk_in")
    day, tz = _today(uow, project_id)
    policy = uow.policy(project_id)
    sheet, entries = _lock(uow, project_id, day, fresh=True)
    uow.decide(rules.sheet_needed(entries, "to assign from (REC-01 no sign-in, no reception)"),
               error=Conflict)
    owner_id = owner.get("owner_id") if owner else None
    live = bool(owner and owner.get("protection_live"))
    assignment = rules.assign_walk_in(repo.rule_entries(entries), uow.now, policy,
                                      owner_id=owner_id, protection_live=live,
                                      visit_kind=data["visit_kind"], tz=tz,
                                      named_person_id=named_id)
    decision = uow.decide(assignment.decision, error=Conflict)
    decision = replace(decision, data=dict(
        decision.data, because=_because(sheet, entries, decision.data["person_id"])))
    walk = WalkIn(project_id=project_id, day=day, visit_kind=data["visit_kind"],
                  customer_name=data.get("name"), phone_masked=masked, customer_id=customer_id,
                  owner_id=owner_id, protection_live=live, note=data.get("note"),
                  registered_by=uow.actor_id, named_person_id=named_id, at=uow.now)
    uow.session.add(walk)
    uow.flush()
    by_id = {e.person_id: e for e in entries}
    for skip in assignment.skipped:
        _skip(uow, by_id[skip.data["person_id"]], skip, walk, sheet)
    taker = by_id[decision.data["person_id"]]
    rec = _start(uow, taker, decision, walk, customer_id, assignment.notice)
    uow.record(decision, "walk_in", walk.id, project_id)
    if assignment.notice:
        sheet.notice = assignment.notice.reason
        uow.record(assignment.notice, "walk_in", walk.id, project_id)
    uow.emit("reception_started", project_id, decision.rule, decision.reason,
             reception_id=rec.id, walk_in_id=walk.id, person_id=taker.person_id,
             customer_id=customer_id, kind=rec.kind, marks_delta=rec.marks_delta,
             second_group=rec.second_group, credit_owner_id=rec.credit_owner_id,
             day=day.isoformat(), arrived_at=iso(walk.at), named_person_id=named_id)
    decisions = [*assignment.skipped, decision] + \
        ([assignment.notice] if assignment.notice else [])
    return {"walk_in_id": walk.id, "phone_masked": masked,
            "reception": repo.reception_view(rec, taker.name, walk),
            "decisions": [d.as_dict() for d in decisions],
            "owner": {k: owner.get(k) for k in OWNER_FIELDS} if owner else None}


def _skip(uow, entry, skip, walk, sheet):
    """REC-04/07/10: a turn passed over on the way — forfeited (a mark, announced) or kept;
    recorded on the walk-in and on the consultant's day (an assignment later links it)."""
    delta = skip.data.get("marks_delta", 0)
    skip = replace(skip, data=dict(skip.data, walk_in_id=walk.id))
    if delta:
        entry.marks += delta
        uow.emit("turn_forfeited", walk.project_id, skip.rule, skip.reason,
                 person_id=entry.person_id, day=walk.day.isoformat(), why=skip.outcome,
                 state=skip.data.get("state"), walk_in_id=walk.id)
    uow.record(skip, "walk_in", walk.id, walk.project_id)
    subject_type, subject_id = repo.person_subject(sheet, entry.person_id)
    uow.record(skip, subject_type, subject_id, walk.project_id)


def _start(uow, taker, decision, walk, customer_id, notice):
    """The taker starts receiving in a free slot: the database holds two per consultant and
    day (REC-03), so a race between instances ends in a 409, never a third group."""
    kind = decision.data["kind"]
    free = [s for s in (1, 2) if s not in repo.open_slots(uow.session, taker.person_id,
                                                          walk.day)]
    if taker.groups == 0:
        taker.receiving_kind, taker.state_since = kind, uow.now
    taker.groups += 1
    taker.state, taker.pass_until, taker.state_detail = "receiving", None, None
    taker.received_today += 1
    rec = Reception(project_id=walk.project_id, day=walk.day, walk_in_id=walk.id,
                    person_id=taker.person_id, kind=kind,
                    second_group=bool(decision.data.get("second_group")),
                    customer_id=customer_id, credit_owner_id=decision.data.get("credit_owner_id"),
                    marks_delta=decision.data.get("marks_delta", 0), status="open",
                    slot=free[0] if free else rules.MAX_GROUPS + 1,
                    rule=decision.rule, reason=decision.reason,
                    notice=notice.reason if notice else None, started_at=uow.now)
    if not free or not inserted(uow.session, rec):
        uow.decide(rules.one_group_at_a_time(taker.name), error=Conflict)
    return rec


# ---------------------------------------------------------------- receptions (REC-06)

def complete_reception(uow, project_id, reception_id, data):
    """REC-06: the customer left — outcome, floor plans handed out; back in the rotation."""
    rec = repo.reception(uow.session, project_id, reception_id)
    uow.caller.require_self(rec.person_id, *LEADS, action="complete someone else's reception")
    uow.decide(rules.still_open(rec.id, rec.status), error=Conflict, field="reception_id")
    sheet, entries = _lock(uow, project_id, rec.day, fresh=True)
    rec = repo.reception(uow.session, project_id, reception_id, populate=True)
    uow.decide(rules.still_open(rec.id, rec.status), error=Conflict, field="reception_id")
    entry = repo.find(entries, rec.person_id)
    as_rules = replace(repo.rule_entry(entry), state="receiving", groups=max(entry.groups, 1))
    decision = rules.complete_reception(as_rules, uow.now, rec.kind, data["floor_plans"],
                                        data["outcome"], rec.credit_owner_id)
    uow.decide(decision, field="floor_plans")
    entry.marks += decision.data["marks_delta"]
    entry.groups = max(entry.groups - 1, 0)
    entry.last_finished_at = uow.now
    entry.state = decision.data["state_after"]
    if entry.state != "receiving":
        entry.receiving_kind, entry.state_since = None, uow.now
    rec.status, rec.completed_at, rec.outcome = "completed", uow.now, data["outcome"]
    rec.floor_plans = decision.data["floor_plans"]
    rec.visit_registered = data["visit_registered"]
    rec.credit_owner_id = decision.data["credit_owner_id"]
    if entry.state == "lunch":
        entry.lunch_pending = False
    uow.record(decision, "reception", rec.id, project_id)
    if decision.data["marks_delta"]:
        subject_type, subject_id = repo.person_subject(sheet, rec.person_id)
        uow.record(decision, subject_type, subject_id, project_id)
    walk = uow.session.get(WalkIn, rec.walk_in_id)
    uow.emit("reception_completed", project_id, decision.rule, decision.reason,
             reception_id=rec.id, person_id=rec.person_id, customer_id=rec.customer_id,
             credit_owner_id=rec.credit_owner_id, kind=rec.kind, outcome=data["outcome"],
             floor_plans=rec.floor_plans, visit_registered=rec.visit_registered,
             marks_delta=rec.marks_delta, day=rec.day.isoformat(), arrived_at=iso(walk.at),
             named_person_id=walk.named_person_id)
    return repo.reception_view(rec, entry.name, walk)


# ---------------------------------------------------------------- pass (REC-05) and desk status

def voluntary_pass(uow, project_id, data):
    """REC-05: give up standing for at least the policy minutes: two marks at once."""
    person_id = data.get("person_id", uow.actor_id)
    uow.caller.require_self(person_id, *LEADS, action="pass for someone else")
    day, tz = _today(uow, project_id)
    sheet, entries = _lock(uow, project_id, day, fresh=True)
    entry = _on_sheet(uow, entries, person_id)
    decision = rules.voluntary_pass(repo.rule_entry(entry), uow.now, data["minutes"],
                                    uow.policy(project_id), tz)
    _decide(uow, decision, unprocessable=("too_short",), field="minutes")
    entry.marks += decision.data["marks_delta"]
    entry.state, entry.pass_until = "passing", parse_instant(decision.data["pass_until"])
    entry.state_since, entry.state_detail = uow.now, None
    _record_person(uow, decision, sheet, person_id)
    return dict(_sheet_answer(uow, project_id, sheet.day, tz), decision=decision.as_dict())


def set_desk_status(uow, project_id, person_id, data):
    """Lunch (REC-10), official business (REC-03), away / announced short absence (REC-04),
    back at the desk. A consultant changes only their own; desk staff anyone's."""
    uow.caller.require_self(person_id, *DESK_STAFF,
                            action="change someone else's desk status")
    day, tz = _today(uow, project_id)
    sheet, entries = _lock(uow, project_id, day, fresh=True)
    entry = _on_sheet(uow, entries, person_id)
    decision = rules.desk_status(repo.rule_entry(entry), uow.now, day, data["state"],
                                 data.get("detail"))
    if decision.outcome == "lunch_through_attendance":   # contract: 422 ATT-11, field status
        uow.decide(decision, error=Unprocessable, field="state")
    uow.decide(decision, error=Conflict, field="state")
    if decision.outcome != "unchanged":
        entry.state, entry.state_detail = decision.data["state"], decision.data["detail"]
        entry.state_since, entry.pass_until = uow.now, None
        _record_person(uow, decision, sheet, person_id)
    return dict(_sheet_answer(uow, project_id, day, tz), decision=decision.as_dict())


# ---------------------------------------------------------------- refusals (REC-09)

def record_refusal(uow, project_id, data):
    """REC-09: refusing to stand, picking customers or refusing with an excuse → suspended;
    attendance writes the ledger entry from ``refusal_recorded``."""
    person_id = data["person_id"]
    day, tz = _today(uow, project_id)
    policy = uow.policy(project_id)
    sheet, entries = _lock(uow, project_id, day, fresh=True)
    entry = repo.find(entries, person_id)
    name = _staff(uow, project_id, person_id, "person_id", "REC-09")
    name = entry.name if entry else name
    decision = rules.suspension(name, data["kind"], uow.caller.acting_roles, uow.now, policy, tz)
    uow.decide(decision, error=Conflict)
    until = date.fromisoformat(decision.data["suspended_until_day"])
    uow.session.add(Suspension(project_id=project_id, person_id=person_id, kind=data["kind"],
                               days=decision.data["days"], from_day=day, until_day=until,
                               recorded_by=uow.actor_id, note=data.get("note"),
                               rule=decision.rule, reason=decision.reason, at=uow.now))
    if entry is not None:
        entry.suspended_until = max(filter(None, (entry.suspended_until, until)))
        _record(uow, decision, sheet)
    else:
        uow.record(decision, "consultant", person_id, project_id)
    uow.emit("refusal_recorded", project_id, decision.rule, decision.reason,
             person_id=person_id, day=day.isoformat(), suspended_until_day=until.isoformat(),
             recorded_by=uow.actor_id, kind=data["kind"], days=decision.data["days"])
    return {"person_id": person_id, "name": name, "kind": data["kind"],
            "days": decision.data["days"], "suspended_until_day": until.isoformat(),
            "rule": decision.rule, "reason": decision.reason}


# ---------------------------------------------------------------- change of consultant (REC-11)

def change_consultant(uow, project_id, data):
    """REC-11: at the customer's request a new consultant serves; clients splits credit."""
    old, new = data["from_person_id"], data["to_person_id"]
    if not repo.customer_seen(uow.session, project_id, data["customer_id"]):
        raise NotFound(f"no customer {data['customer_id']} at this project's desk",
                       rule="SYS-02", field="customer_id")
    old_name = _staff(uow, project_id, old, "from_person_id", "REC-11")
    new_name = _staff(uow, project_id, new, "to_person_id", "REC-11")
    decision = uow.decide(rules.change_consultant(data["customer_id"], old, old_name, new,
                                                  new_name),
                          "customer", data["customer_id"], project_id, field="to_person_id")
    uow.emit("consultant_changed", project_id, decision.rule, decision.reason,
             customer_id=data["customer_id"], from_person_id=old, to_person_id=new,
             credit_split=decision.data["credit_split"])
    return decision.as_dict()


# ---------------------------------------------------------------- calls (REC-12)

def register_call(uow, project_id, data, owners):
    """REC-12: every desk call is registered; blanks are missing entries (fined); the
    answerer owns a new caller (clients, from ``call_registered``)."""
    caller = uow.caller
    if not caller.has(*DESK_STAFF):
        caller.require("consultant", action="register a call")
        caller.require_self(data["answered_by"],
                            action="register a call answered by someone else")
    _staff(uow, project_id, data["answered_by"], "answered_by", "REC-12")
    customer_id = (owners.register_customer(project_id, data["phone"], data.get("caller"),
                                            "call") if data.get("phone") else None)
    repo.end_read(uow.session)   # the RPC above let other workers run
    now, tz = uow.now, uow.tz(project_id)
    policy = uow.policy(project_id)
    ended = parse_instant(data["ended_at"]) if data.get("ended_at") else now
    _decide(uow, rules.call_ended_gate(ended, now), unprocessable=("in_future",),
            field="ended_at")
    check = rules.check_call_registration(data, policy)
    row = Call(project_id=project_id, day=business_day(ended, tz), caller=data.get("caller"),
               phone_masked=rules.mask_phone(data.get("phone")), need=data.get("need"),
               how_heard=data.get("how_heard"), media_source=data.get("media_source"),
               answered_by=data["answered_by"], customer_id=customer_id,
               registered_by=uow.actor_id, ended_at=ended, missing=check.data["missing"],
               fine=check.data["fine"], rule=check.rule, reason=check.reason, at=now)
    uow.session.add(row)
    uow.flush()
    uow.record(check, "call", row.id, project_id)
    uow.emit("call_registered", project_id, check.rule, check.reason, call_id=row.id,
             customer_id=customer_id, answered_by=row.answered_by,
             media_source=row.media_source, day=row.day.isoformat(),
             missing=check.data["missing"], fine=check.data["fine"])
    if check.data["missing"]:
        _fault(uow, row, "missing_entry", policy, occurred_at=now,
               missing=check.data["missing"])
    return repo.call_view(row, now, policy)


def _fault(uow, row, kind, policy, occurred_at, missing=(), took=None, recorded_by=None,
           note=None, person_id=None, day=None, project_id=None):
    """REC-12 → ATT-10: store a fined call fault once (per call and kind: a unique key, so a
    timer on two instances fines once), record why and announce it for the ledger."""
    project_id = row.project_id if row is not None else project_id
    person_id = row.answered_by if row is not None else person_id
    day = row.day if row is not None else day
    name = repo.names(uow.session, project_id, [person_id]).get(person_id, f"#{person_id}")
    decision = rules.call_fault(kind, person_id, name, policy, missing, took)
    if decision is None:
        return None
    fault = CallFault(project_id=project_id, day=day, person_id=person_id,
                      call_id=row.id if row is not None else None, kind=kind,
                      missing=list(missing), fine=decision.data["fine"],
                      occurred_at=occurred_at, recorded_by=recorded_by, note=note,
                      rule=decision.rule, reason=decision.reason, at=uow.now)
    if not inserted(uow.session, fault):
        return None   # already recorded (another worker or instance)
    subject = ("call", row.id) if row is not None else ("call_fault", fault.id)
    uow.record(decision, *subject, project_id, recorded_by)
    uow.emit("call_fault_recorded", project_id, decision.rule, decision.reason,
             person_id=person_id, day=day.isoformat(), call_id=fault.call_id, kind=kind,
             missing=list(missing), fine=decision.data["fine"])
    return fault


def record_overdue_sms(uow):
    """REC-12 by the clock: each call whose SMS deadline passed with no SMS is recorded once
    (no_sms, fined) — a fact stored when it happens, not only computed when read."""
    recorded = 0
    for row in repo.overdue_sms_calls(uow.session, uow.now):
        policy = uow.policy(row.project_id)
        if not rules.sms_overdue(row.ended_at, row.sms_sent_at, uow.now, policy):
            continue
        check = rules.check_sms(row.ended_at, None, uow.now, policy)
        row.sms_status = check.outcome
        uow.record(check, "call", row.id, row.project_id)
        deadline = parse_instant(check.data["deadline"])
        if _fault(uow, row, "no_sms", policy, occurred_at=deadline) is not None:
            recorded += 1
    return recorded


def record_unregistered_call(uow, project_id, data):
    """REC-12: a supervisor or manager who finds a desk call that was never registered (the
    phone log against the register) records it: the answerer is fined once, with the rule."""
    person_id = data["answered_by"]
    _staff(uow, project_id, person_id, "answered_by", "REC-12")
    happened = parse_instant(data["at"]).astimezone(timezone.utc)   # answered as stored: UTC
    _decide(uow, rules.call_ended_gate(happened, uow.now), unprocessable=("in_future",),
            field="at")
    policy, tz = uow.policy(project_id), uow.tz(project_id)
    fault = _fault(uow, None, "unregistered_call", policy, occurred_at=happened,
                   recorded_by=uow.actor_id, note=data["note"], person_id=person_id,
                   day=business_day(happened, tz), project_id=project_id)
    if fault is None:
        raise Unprocessable("the unregistered-call fine is 0 in this project's policy: "
                            "nothing to record", rule="REC-12", field="answered_by")
    return repo.fault_view(fault)


def record_sms(uow, project_id, call_id, data):
    """REC-12: the standard SMS within the policy minutes of the call."""
    row = repo.call(uow.session, project_id, call_id)
    uow.caller.require_self(row.answered_by, *DESK_STAFF, action="record someone else's SMS")
    policy = uow.policy(project_id)
    sent = parse_instant(data["sent_at"]) if data.get("sent_at") else uow.now
    _decide(uow, rules.sms_gate(call_id, row.sms_sent_at, sent, uow.now),
            unprocessable=("in_future",), field="sent_at")
    decision = rules.check_sms(row.ended_at, sent, uow.now, policy)
    row.sms_sent_at, row.sms_status = sent, decision.outcome
    uow.record(decision, "call", row.id, project_id)
    if decision.outcome == "late" and not any(
            f.kind == "no_sms" for f in repo.faults(uow.session, project_id, row.id)):
        _fault(uow, row, "late_sms", policy, occurred_at=sent, took=decision.data["took"])
    return repo.call_view(row, uow.now, policy)


def close_day(uow, payload):
    """Issue 13, the day close (attendance's ``day_closed``): the day's receptions still open
    are closed and every desk state left open ends (off duty, reason ``day_closed``), each with
    its rule and reason, so nothing of one day holds a slot or a state into the next."""
    project_id, day = payload["project_id"], date.fromisoformat(payload["day"])
    sheet, entries = repo.lock_sheet(uow.session, project_id, day, uow.now)
    closed = {"receptions": 0, "states": 0}
    for rec in repo.open_receptions(uow.session, project_id, day):
        decision = rules.reception_closed_by_day_close(rec.id, day)
        rec.status, rec.completed_at = "closed", uow.now
        rec.outcome = decision.outcome
        uow.record(decision, "reception", rec.id, project_id)
        closed["receptions"] += 1
    for entry in entries if sheet is not None else ():
        decision = rules.desk_state_closed(repo.rule_entry(entry), day)
        if decision is None:
            continue
        entry.state, entry.off_reason, entry.state_since = "off_duty", "day_closed", uow.now
        entry.pass_until, entry.state_detail, entry.groups = None, None, 0
        entry.receiving_kind, entry.lunch_pending = None, False
        _record_person(uow, decision, sheet, entry.person_id)
        closed["states"] += 1
    return closed


# ---------------------------------------------------------------- REC-13 display logins

def create_display(uow, project_id, name):
    row = Display(project_id=project_id, name=name, created_by=uow.actor_id, created_at=uow.now)
    uow.session.add(row)
    uow.session.flush()
    uow.record(rules.display_created(name), "display", row.id, project_id)
    return repo.display_view(row)


def list_displays(uow, project_id):
    return [repo.display_view(row) for row in repo.displays(uow.session, project_id)]


def revoke_display(uow, project_id, display_id):
    row = repo.display(uow.session, display_id)
    if row is None or row.project_id != project_id:
        raise NotFound(f"no display {display_id} in this project", rule="REC-13",
                       field="display_id")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = uow.now, uow.actor_id
        uow.record(rules.display_revoked(row.name), "display", row.id, project_id)
    return repo.display_view(row)


def check_display(uow, project_id, display_id):
    """REC-13: a display login shows the board while its display is live (else 401)."""
    row = repo.display(uow.session, display_id)
    d = rules.display_may_show(project_id, row and repo.display_view(row))
    if not d.allowed:
        raise Unauthorized(d.reason, rule=d.rule)
