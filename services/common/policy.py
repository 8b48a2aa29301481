"""Per-project policy values (SYS-03): stored per service, checked by its ``PolicySpec`` when
written, never silently replaced when read."""
import logging

from sqlalchemy import select

from .errors import Conflict, Unprocessable
from .policyspec import PolicyValueError
from .timeutil import utcnow

log = logging.getLogger(__name__)


def stored(session, project_id):
    table = session.info["kit"].policy
    return {row.key: row.value for row in session.execute(
        select(table.c.key, table.c.value).where(table.c.project_id == project_id))}


def read(session, project_id, spec):
    """The project's policy as the rules take it. A stored value the spec refuses (written
    before it was checked) is a 409 naming the key: a manager must set it again."""
    values = stored(session, project_id)
    try:
        return spec.with_defaults({k: v for k, v in values.items() if k in spec.keys})
    except PolicyValueError as exc:
        log.error("%s policy of project %s: stored %s", spec.service, project_id, exc)
        raise Conflict(f"the stored {spec.service} policy value {exc.key} is not valid "
                       f"({exc.message}): a manager must set it again", rule=exc.rule,
                       field=exc.key)


def described(session, project_id, spec):
    """SYS-03 for a form: each key with its value, default, the rule it tunes and what it
    means, in the spec's order (the screens show the rule beside each value)."""
    values = read(session, project_id, spec)
    return [{"key": name, "value": values[name], "default": key.default, "rule": key.rule,
             "doc": key.doc} for name, key in spec.keys.items()]


def change(session, project_id, spec, changes, changed_by, reason=None):
    """Check ``changes`` together with the stored values, store them, return the policy."""
    if not isinstance(changes, dict) or not changes:
        raise Unprocessable("changes must name at least one policy key", rule="SYS-03",
                            field="changes")
    current = {k: v for k, v in stored(session, project_id).items() if k in spec.keys}
    try:
        values = spec.with_defaults({**current, **changes})
    except PolicyValueError as exc:
        raise Unprocessable(f"policy {exc.key} {exc.message}", rule=exc.rule, field=exc.key)
    table = session.info["kit"].policy
    for key, value in changes.items():
        row = dict(value=value, changed_by=changed_by, changed_at=utcnow(), reason=reason)
        where = (table.c.project_id == project_id, table.c.key == key)
        if session.execute(select(table.c.key).where(*where)).first():
            session.execute(table.update().where(*where).values(**row))
        else:
            session.execute(table.insert().values(project_id=project_id, key=key, **row))
    return values
