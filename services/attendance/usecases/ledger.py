"""ATT-10 the discipline ledger, and the facts other services report into it."""
from datetime import date

from services.common.errors import Forbidden

from .. import repo, rules
from .common import acting, book, staff_member, today

READERS = ("supervisor", "manager", "clerk")


def record_offence(uow, project_id, data):
    """ATT-10: a supervisor or manager books a catalogued offence (fine, slip, absent)."""
    person = staff_member(uow, project_id, data["person_id"], field="person_id", rule="ATT-10")
    day = data["day"] or today(uow, project_id)[2]
    c = rules.record_offence(data["offence"], person.id, person.name, day, *acting(uow),
                             uow.policy(project_id))
    uow.decide(c.decision, error=Forbidden, field="person_id")
    return [repo.ledger_view(book(uow, project_id, e)) for e in c.entries]


def ledger(uow, project_id, query):
    """ATT-10: supervisors, managers and the clerk see everyone's lines; others their own."""
    person_id = query.get("person_id")
    if person_id is not None:
        person_id = repo.person(uow.session, project_id, person_id).id   # SYS-02: this project
        uow.decide(rules.may_view_ledger(*acting(uow), person_id), error=Forbidden,
                   field="person_id")
    elif not uow.caller.has(*READERS):
        person_id = uow.actor_id
    return [repo.ledger_view(e) for e in repo.ledger(uow.session, project_id, person_id)]


def on_refusal_recorded(uow, payload):
    """REC-09 -> ATT-10: the refusal and its suspension go into the ledger, once."""
    entry = rules.refusal_ledger_entry(payload, repo.name(uow.session, payload["person_id"]))
    book(uow, payload["project_id"], entry, source=f"event:{payload['event_id']}")


def on_poaching_recorded(uow, payload):
    """CLI-09 -> ATT-10: the poacher's fine goes into the ledger, once."""
    project_id = payload["project_id"]
    day = (date.fromisoformat(payload["day"]) if payload.get("day")
           else today(uow, project_id)[2])
    entry = rules.poaching_ledger_entry(payload, repo.name(uow.session, payload["person_id"]),
                                        day)
    book(uow, project_id, entry, source=f"event:{payload['event_id']}")


def on_call_fault_recorded(uow, payload):
    """REC-12 -> ATT-10: a desk-call fault's fine goes into the ledger, once per event."""
    entry = rules.call_fault_ledger_entry(payload, repo.name(uow.session, payload["person_id"]))
    book(uow, payload["project_id"], entry, source=f"event:{payload['event_id']}")
