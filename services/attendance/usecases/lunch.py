"""ATT-11 lunch in rotation."""
from datetime import date

from services.common.timeutil import parse_instant

from .. import repo, rules
from ..models import Lunch
from .common import check, today


def on_reception_completed(uow, payload):
    """ATT-11: who most recently finished a reception goes to lunch first."""
    finished_at = parse_instant(payload["occurred_at"]) if payload.get("occurred_at") \
        else uow.now
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
    """ATT-11: a consultant goes to lunch in their turn of the rotation."""
    person = repo.person(uow.session, project_id, uow.actor_id)
    now, tz, day = today(uow, project_id)
    state = _rotation(uow, project_id)
    lunches = state["lunches"]
    d = rules.may_go_to_lunch(person.id, person.name, [o["person_id"] for o in state["order"]],
                              [pid for pid, lu in lunches.items() if lu.returned_at],
                              [pid for pid, lu in lunches.items() if not lu.returned_at],
                              now, uow.policy(project_id), tz)
    check(uow, d)
    row = repo.add_unique(uow.session, Lunch(project_id=project_id, person_id=person.id,
                                             day=day, started_at=now, overstay_seconds=0),
                          f"{person.name} has already taken lunch today")
    return uow.record(d, "lunch", row.id, project_id)


def end_lunch(uow, project_id):
    """ATT-11: back from lunch; an overstay is recorded."""
    person = repo.person(uow.session, project_id, uow.actor_id)
    now, tz, day = today(uow, project_id)
    row = repo.lunch(uow.session, person.id, day)
    d = check(uow, rules.end_lunch(person.name, row.started_at if row else None,
                                   bool(row and row.returned_at), now, uow.policy(project_id),
                                   tz))
    row.returned_at, row.overstay_seconds = now, int(d.data["overstay_seconds"])
    return uow.record(d, "lunch", row.id, project_id)
