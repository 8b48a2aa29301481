"""ATT-11 lunch in rotation."""
from datetime import date

from services.common.errors import Conflict
from services.common.timeutil import parse_instant

from .. import repo, rules
from ..models import Lunch
from .common import check, today


def on_reception_completed(uow, payload):
    """ATT-11: who most recently finished a reception goes to lunch first (the event's own
    time, never the time it arrived)."""
    finished_at = parse_instant(payload["occurred_at"])     # when reception recorded it
    repo.note_finished(uow.session, payload["project_id"], payload["person_id"],
                       date.fromisoformat(payload["day"]), finished_at)


def lunch_order(uow, project_id):
    """Today's lunch rotation (without the rows ``start_lunch`` needs)."""
    return {k: v for k, v in _rotation(uow, project_id).items() if k != "lunches"}


def _rotation(uow, project_id):
    _, tz, day = today(uow, project_id)
    signed, finished, lunches = repo.lunch_state(uow.session, project_id, day)
    names = repo.names(uow.session, signed)
    order = rules.lunch_order([rules.LunchCandidate(pid, names.get(pid, ""), finished.get(pid))
                               for pid in signed], day, uow.policy(project_id), tz)

    def out(pid):
        return pid in lunches and lunches[pid].returned_at is None
    return {"day": day.isoformat(),
            "order": [dict(d.data, name=names.get(d.data["person_id"]), rule=d.rule,
                           reason=d.reason, allowed=d.allowed, at_lunch=out(d.data["person_id"]))
                      for d in order],
            "lunches": lunches}


def start_lunch(uow, project_id):
    """ATT-11: a consultant goes to lunch in their turn of the rotation, holding one of the
    group's slots (the database refuses a second holder: two instances cannot send more than
    the group); reception is told (``lunch_started``)."""
    person = repo.person(uow.session, project_id, uow.actor_id)
    now, tz, day = today(uow, project_id)
    state = _rotation(uow, project_id)
    lunches = state["lunches"]
    out = {pid: lu for pid, lu in lunches.items() if not lu.returned_at}
    d = rules.may_go_to_lunch(person.id, person.name, [o["person_id"] for o in state["order"]],
                              [pid for pid, lu in lunches.items() if lu.returned_at], list(out),
                              now, uow.policy(project_id), tz,
                              slots_taken=[lu.slot for lu in out.values() if lu.slot])
    check(uow, d)
    due = parse_instant(d.data["due_back_at"])
    row = repo.take_lunch_slot(uow.session, project_id, person.id, day, now, due,
                               d.data["free_slots"])
    if row is None:
        raise Conflict(f"{person.name} cannot start lunch now: already taken today, or the "
                       "lunch group filled up at the same moment", rule="ATT-11")
    d = rules.with_slot(d, row.slot)
    uow.emit("lunch_started", project_id, "ATT-11", d.reason, person_id=person.id,
             day=day.isoformat(), at=now.isoformat(), due_back_at=due.isoformat())
    return uow.record(d, "lunch", row.id, project_id)


def end_lunch(uow, project_id):
    """ATT-11: back from lunch; an overstay is recorded; reception is told (``lunch_ended``)."""
    person = repo.person(uow.session, project_id, uow.actor_id)
    now, tz, day = today(uow, project_id)
    row = repo.lunch(uow.session, person.id, day)
    d = check(uow, rules.end_lunch(person.name, row.started_at if row else None,
                                   bool(row and row.returned_at), now, uow.policy(project_id),
                                   tz, due_back_at=row.due_back_at if row else None))
    row.returned_at, row.overstay_seconds = now, int(d.data["overstay_seconds"])
    uow.emit("lunch_ended", project_id, "ATT-11", d.reason, person_id=person.id,
             day=day.isoformat(), at=now.isoformat(),
             overstay_minutes=d.data["overstay_minutes"])
    return uow.record(d, "lunch", row.id, project_id)


def overdue_lunches(uow):
    """ATT-11 by the clock: the ids of lunches past due back with no overstay recorded."""
    return [row.id for row in repo.overdue_lunches(uow.session, uow.now)]


def record_overstay(uow, lunch_id):
    """ATT-11: record one lunch's overstay once its due-back time has passed with no return
    (once: a second worker or instance finds it claimed)."""
    row = uow.session.get(Lunch, lunch_id)
    if row is None or row.returned_at is not None or row.due_back_at is None:
        return None
    tz = uow.tz(row.project_id)
    d = rules.lunch_overdue(repo.name(uow.session, row.person_id), row.due_back_at, uow.now, tz)
    if not d.allowed or not repo.claim_overdue(uow.session, row.id, uow.now):
        return None
    uow.record(d, "lunch", row.id, row.project_id, actor_id=None)
    uow.emit("lunch_overstayed", row.project_id, "ATT-11", d.reason,
             person_id=row.person_id, day=row.day.isoformat(),
             due_back_at=row.due_back_at.isoformat(), at=uow.now.isoformat())
    return d
