"""ATT-01/02 rosters and blackout days, ATT-09 closing a business day."""
from datetime import timedelta

from services.common.errors import Forbidden, Unprocessable

from .. import repo, rules
from ..models import BlackoutDay
from .common import book, check, may_read, staff_member, today


def set_roster(uow, project_id, data):
    """ATT-01: a manager rosters one person's days; rest days are checked (Mon-Fri only, one a
    week, never on a blackout day)."""
    person = staff_member(uow, project_id, data["person_id"], field="person_id", rule="ATT-01")
    start, end = data["start"], data["end"]
    plan = rules.plan_roster(person.name, start, end, data["rest"],
                             repo.rest_days_near(uow.session, person.id, start, end),
                             repo.blackouts(uow.session, project_id), uow.policy(project_id))
    d = plan.decision
    if d.outcome in ("bad_range", "rest_outside_range"):
        uow.decide(d, error=Unprocessable, field="end" if d.outcome == "bad_range" else "rest")
    check(uow, d, field="rest")
    repo.store_roster(uow.session, project_id, person.id, plan.days, uow.actor_id)
    for rest in plan.rest_decisions:
        uow.record(rest, "roster", f"{person.id}-{rest.data['day']}", project_id)
    return list_roster(uow, project_id, {"person_id": person.id, "start": start, "end": end})


def list_roster(uow, project_id, query):
    """The rostered days (a week from today by default): supervisors, managers and the clerk
    see anyone's, everyone else their own (SYS-02: ``?person_id=`` of a colleague is 403)."""
    start = query.get("start") or today(uow, project_id)[2]
    end = query.get("end") or start + timedelta(days=6)
    person_id = query.get("person_id")
    if person_id is not None:
        person_id = repo.person(uow.session, project_id, person_id).id
        may_read(uow, person_id, "roster", rule="ATT-01")
    elif not uow.caller.has(*rules.READ_ALL_ROLES):
        person_id = uow.actor_id
    return [repo.roster_view(r) for r in repo.roster(uow.session, project_id, person_id, start,
                                                     end)]


def declare_blackout(uow, project_id, data):
    """ATT-02: a manager declares a day everybody works; rest and leave on it are flagged."""
    s, day = uow.session, data["day"]
    resting = [repo.name(s, pid) for pid in repo.resting_on(s, project_id, day)]
    on_leave = [repo.name(s, r.person_id) for r in repo.leaves_on(s, project_id, day)]
    d = rules.declare_blackout(day, data["kind"], uow.caller.acting_roles, resting, on_leave)
    uow.decide(d, error=Forbidden)
    repo.add_unique(s, BlackoutDay(project_id=project_id, day=day, kind=data["kind"],
                                   declared_by=uow.actor_id, reason=data["reason"]),
                    f"{day} is already a blackout day")
    repo.work_on(s, project_id, day, uow.actor_id)     # everybody works: rest days cancelled
    return uow.record(d, "blackout", day.isoformat(), project_id)


def list_blackouts(uow, project_id):
    return [repo.blackout_view(r) for r in repo.blackout_rows(uow.session, project_id)]


def close_day(uow, project_id, data):
    """ATT-09: a manager settles an ended business day now (once)."""
    day, current = data["day"], today(uow, project_id)[2]
    check(uow, rules.may_close_day(day, current), field="day")
    summary = settle_day(uow, project_id, day)
    if summary is None:
        check(uow, rules.may_close_day(day, current, already_closed=True), field="day")
    return summary


def close_ended_days(uow):
    """ATT-09 by the clock: the ended rostered days of every project, oldest first. Yields
    (project id, day) for the caller to settle each in its own transaction."""
    for project in repo.projects(uow.session):
        current = today(uow, project.id)[2]
        for day in repo.days_to_close(uow.session, project.id, current):
            yield project.id, day


def settle_day(uow, project_id, day):
    """Settle ``day``: sick-leave certificates due, then each rostered person's day; None
    when another worker or instance closed it first."""
    if not repo.claim_day(uow.session, project_id, day, uow.now, uow.actor_id):
        return None
    policy, tz = uow.policy(project_id), uow.tz(project_id)
    _convert_sick_leave(uow, project_id, day, policy, tz)
    counts = {"rest": 0, "leave": 0, "present": 0, "absent": 0}
    for facts, earlier, marks in repo.closing_facts(uow.session, project_id, day):
        closed = rules.close_day(facts, earlier, policy)
        counts[closed.status] += 1
        repo.add_day_record(uow.session, project_id, facts, closed, marks)
        subject = f"{facts.person_id}-{day}"
        uow.record(closed.decision, "day", subject, project_id)
        for entry in closed.entries:
            book(uow, project_id, entry, source=f"close:{facts.person_id}:{day}", closing=True)
        if closed.absent:
            review = uow.record(closed.review, "day", subject, project_id)
            uow.emit("absence_recorded", project_id, "ATT-09", review.reason,
                     person_id=facts.person_id, day=day.isoformat(),
                     absent_days_in_month=review.data["absent_days_in_month"],
                     dismissal_review=review.data["dismissal_review"])
    _close_lunches(uow, project_id, day)
    # reception closes the day's open receptions and desk states when it hears this
    uow.emit("day_closed", project_id, "ATT-09", f"business day {day} closed",
             day=day.isoformat(), **counts)
    return {"day": day.isoformat(), "closed": True, **counts}


def _close_lunches(uow, project_id, day):
    """ATT-11: a lunch still open at the day close ends with it (its slot is freed)."""
    for lunch in repo.open_lunches(uow.session, project_id, day):
        decision = rules.lunch_closed_by_day_close(repo.name(uow.session, lunch.person_id), day)
        lunch.returned_at, lunch.slot = uow.now, None
        uow.record(decision, "lunch", lunch.id, project_id, actor_id=None)


def _convert_sick_leave(uow, project_id, day, policy, tz):
    """ATT-07: sick leave whose first day back is ``day`` and has no certificate by its end
    becomes annual leave (when the annual days left, as a manager set them, cover it) or
    personal leave."""
    for row in repo.sick_leave_back_on(uow.session, project_id, day):
        terms = repo.terms(uow.session, row.person_id)
        left = rules.annual_days_left(terms.annual_leave_days if terms else 0,
                                      repo.annual_days_taken(uow.session, row.person_id,
                                                             row.start_day.year))
        d = rules.sick_certificate_outcome(
            repo.name(uow.session, row.person_id), (row.end_day - row.start_day).days + 1, day,
            uow.now, row.certificate_at, left, policy, tz)
        if d.outcome == "converted":
            row.leave_type, row.rule, row.reason = d.data["leave_type"], d.rule, d.reason
            repo.retype_leave_days(uow.session, row.person_id, row.start_day, row.end_day,
                                   row.leave_type)
            uow.record(d, "leave", row.id, project_id, actor_id=None)
