"""What the attendance use cases share: kept refusals, booking a ledger line, the day."""
from dataclasses import dataclass, replace

from services.common.decision import Decision
from services.common.errors import Conflict, Forbidden, Unprocessable, refused
from services.common.why import because

from .. import repo, rules


@dataclass(frozen=True)
class Kept:
    """A refusal whose record must be kept (an attempt against the submitter, an invalid
    sign-in, a refused leave request): the entrypoint commits, then raises."""
    decision: Decision
    error: type = Conflict
    field: str | None = None

    def raise_(self):
        refused(self.decision, error=self.error, field=self.field)


def check(uow, decision, field=None, error=Conflict, forbidden=("forbidden",)):
    """Raise a refusing decision: 403 when its outcome is one of ``forbidden``, else ``error``."""
    return uow.decide(decision, error=Forbidden if decision.outcome in forbidden else error,
                      field=field)


def staff_member(uow, project_id, person_id, *, field, rule, role=None, what="staff member"):
    """SYS-02: a person the request names is of this project (else 404 naming ``field``: an
    unknown id and another project's id answer alike) and active office staff, holding
    ``role`` when one is asked (else 422 naming ``field`` and ``rule``)."""
    person = repo.person(uow.session, project_id, person_id, field=field)
    uow.decide(rules.named_staff(repo.person_view(person), project_id, field=field, rule=rule,
                                 role=role, what=what), error=Unprocessable, field=field)
    return person


def office_staff(uow):
    """SYS-02: the caller keeps attendance here (office staff; a channel agent is external)."""
    return uow.decide(rules.may_keep_attendance(uow.caller.roles), error=Forbidden)


def may_read(uow, person_id, what, rule="SYS-02"):
    """SYS-02: a named person's records are read by the leading roles and the clerk, or by the
    person themself (403 naming ``person_id`` otherwise)."""
    return uow.decide(rules.may_read_person(uow.actor_id, uow.caller.roles, person_id, what,
                                            rule), error=Forbidden, field="person_id")


def today(uow, project_id):
    """(now, zone, business day) of the project (SYS-04)."""
    return uow.now, uow.tz(project_id), uow.today(project_id)


def acting(uow):
    """(the caller's id or 0, the roles the rules see: ``Caller.acting_roles``)."""
    return uow.actor_id or 0, uow.caller.acting_roles


def book(uow, project_id, entry, source=None, closing=False):
    """ATT-10: one ledger line, its "why" and ``discipline_recorded``, in this unit of work.
    With a ``source`` the same fact is booked once, whoever sees it twice. An absent line for
    a day already closed (not by the closing itself) updates that day (ATT-09)."""
    row = repo.add_ledger_line(uow.session, project_id, entry, uow.actor_id, source, uow.now)
    if row is None:
        return None
    uow.record(rules.entry_decision(entry), "ledger", row.id, project_id, actor_id=row.issued_by)
    uow.emit("discipline_recorded", project_id, entry.rule, entry.reason,
             entry={"id": row.id, "person_id": row.person_id, "kind": row.slip or row.offence,
                    "fine": row.fine, "rule": row.rule, "day": row.day.isoformat()})
    if entry.absent and not closing and repo.day_closed(uow.session, project_id, entry.day):
        absent_after_close(uow, project_id, entry, row.id)
    return row


def absent_after_close(uow, project_id, entry, line_id):
    """ATT-09: a day already closed becomes absent by a later ledger line (an unapproved swap
    found afterwards, leaving the post booked the next morning): the day record says so and
    the month's count and dismissal flag are announced as at closing."""
    repo.mark_absent(uow.session, entry.person_id, entry.day, entry.reason)
    count = len(repo.absent_days_in_month(uow.session, entry.person_id, entry.day))
    review = rules.dismissal_review(entry.name, count, uow.policy(project_id))
    review = replace(review, data={**review.data, "because": because(("ledger", line_id))})
    uow.record(review, "day", f"{entry.person_id}-{entry.day}", project_id)
    uow.emit("absence_recorded", project_id, "ATT-09", review.reason,
             person_id=entry.person_id, day=entry.day.isoformat(),
             absent_days_in_month=review.data["absent_days_in_month"],
             dismissal_review=review.data["dismissal_review"])


def book_attempt(uow, project_id, refusal, day):
    """ATT-03/06: an attempt for someone else is booked against the submitter, and kept."""
    book(uow, project_id, rules.attempt_entry(refusal, uow.actor_id, uow.caller.name, day))
    return Kept(refusal, Forbidden, "person_id")
