"""SYS-01: store each rule decision against its subject, and answer "why?" with the chain."""
from sqlalchemy import select


def record(session, decision, *, subject_type, subject_id, now, project_id=None, actor_id=None):
    """Store a ``Decision`` (rule, outcome, reason, data) about one subject
    (e.g. "walk_in", 42). Call it in the same transaction as the change it explains."""
    session.execute(session.info["kit"].decisions.insert().values(
        project_id=project_id, subject_type=subject_type, subject_id=str(subject_id),
        rule=decision.rule, outcome=decision.outcome, reason=decision.reason,
        data=decision.data or None, actor_id=actor_id, at=now))


def chain(session, subject_type, subject_id, project_id=None):
    table = session.info["kit"].decisions
    query = (select(table).where(table.c.subject_type == subject_type,
                                 table.c.subject_id == str(subject_id))
             .order_by(table.c.id))
    if project_id is not None:
        query = query.where(table.c.project_id == project_id)
    return [{"rule": r.rule, "outcome": r.outcome, "reason": r.reason, "data": r.data,
             "actor_id": r.actor_id, "at": r.at.isoformat()}
            for r in session.execute(query)]
