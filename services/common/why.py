"""SYS-01: store each rule decision against its subject, and answer "why?" with the chain.

A decision may name the records that made it: ``data["because"]`` is a list of
``[subject_type, subject_id]`` pairs (a pass, a sign-in order, a forfeited turn). ``chain``
returns the subject's own records, then those of every linked subject, followed recursively and
each subject once, so "why did B receive?" shows A's pass and the sign-in order too."""
from sqlalchemy import select

MAX_LINKED = 50  # subjects followed per question: a chain a person can read, never a crawl


def record(session, decision, *, subject_type, subject_id, now, project_id=None, actor_id=None):
    """Store a ``Decision`` (rule, outcome, reason, data) about one subject
    (e.g. "walk_in", 42). Call it in the same transaction as the change it explains."""
    session.execute(session.info["kit"].decisions.insert().values(
        project_id=project_id, subject_type=subject_type, subject_id=str(subject_id),
        rule=decision.rule, outcome=decision.outcome, reason=decision.reason,
        data=decision.data or None, actor_id=actor_id, at=now))


def because(*subjects):
    """The ``because`` links for a decision's data: ``because(("pass", 3), ("sheet", "1-d"))``."""
    return [[kind, str(ident)] for kind, ident in subjects if ident is not None]


def _records(session, subject_type, subject_id, project_id):
    table = session.info["kit"].decisions
    query = (select(table).where(table.c.subject_type == subject_type,
                                 table.c.subject_id == str(subject_id))
             .order_by(table.c.id))
    if project_id is not None:
        query = query.where(table.c.project_id == project_id)
    return [{"rule": r.rule, "outcome": r.outcome, "reason": r.reason, "data": r.data,
             "actor_id": r.actor_id, "at": r.at.isoformat(),
             "subject_type": r.subject_type, "subject_id": r.subject_id}
            for r in session.execute(query)]


def chain(session, subject_type, subject_id, project_id=None):
    """The subject's decisions oldest first, then the decisions they cite (``because``)."""
    seen, queue, out = set(), [(subject_type, str(subject_id))], []
    while queue and len(seen) < MAX_LINKED:
        subject = queue.pop(0)
        if subject in seen:
            continue
        seen.add(subject)
        for rec in _records(session, *subject, project_id):
            out.append(rec)
            for link in (rec["data"] or {}).get("because") or ():
                if isinstance(link, (list, tuple)) and len(link) == 2:
                    queue.append((str(link[0]), str(link[1])))
    return out


PERSON_KEYS = ("person_id", "consultant_id", "agent_id", "owner_id", "requested_by")


def concerns(record):
    """The people a record is about: a ``person`` subject, and the people its data names."""
    people = set()
    if record["subject_type"] == "person":
        people.add(_int(record["subject_id"]))
    for key in PERSON_KEYS:
        people.add(_int((record["data"] or {}).get(key)))
    people.discard(None)
    return people


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
