"""Per-project policy values (SYS-03): each service keeps its own, with its rules' defaults."""
from sqlalchemy import select

from .errors import Unprocessable
from .timeutil import utcnow


def read(session, project_id, defaults):
    table = session.info["kit"].policy
    values = dict(defaults)
    rows = session.execute(select(table.c.key, table.c.value)
                           .where(table.c.project_id == project_id)).all()
    values.update({row.key: row.value for row in rows if row.key in defaults})
    return values


def change(session, project_id, defaults, changes, changed_by, reason=None):
    """Validate and store ``changes``; returns the whole policy after the change."""
    table = session.info["kit"].policy
    for key, value in changes.items():
        if key not in defaults:
            raise Unprocessable(f"unknown policy key {key!r}; known: {', '.join(sorted(defaults))}",
                                rule="SYS-03", field=key)
        want = type(defaults[key])
        ok = (isinstance(value, want) and not (want is int and isinstance(value, bool))) or \
             (want is float and isinstance(value, int) and not isinstance(value, bool))
        if not ok:
            raise Unprocessable(f"policy {key} must be a {want.__name__}", rule="SYS-03", field=key)
        existing = session.execute(select(table.c.key).where(
            table.c.project_id == project_id, table.c.key == key)).first()
        values = dict(value=value, changed_by=changed_by, changed_at=utcnow(), reason=reason)
        if existing:
            session.execute(table.update().where(table.c.project_id == project_id,
                                                 table.c.key == key).values(**values))
        else:
            session.execute(table.insert().values(project_id=project_id, key=key, **values))
    return read(session, project_id, defaults)
