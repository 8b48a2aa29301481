"""The directory replica: projects and staff as attendance announces them, kept by every
service that needs names, roles or a project's time zone (SYS-04). One copy of the code for
all of them; attendance owns the originals and reads its own tables."""
from sqlalchemy import select

from .timeutil import DEFAULT_TZ


def apply_project(session, project):
    """Insert or update a project from a ``project_created`` / ``project_changed`` payload."""
    if not project or project.get("id") is None:
        return None
    table = session.info["kit"].projects
    row = dict(code=project.get("code"), name=project.get("name"),
               timezone=project.get("timezone") or DEFAULT_TZ)
    _upsert(session, table, table.c.project_id, project["id"], row)
    return project["id"]


def apply_person(session, person):
    """Insert or update a person from ``staff_added`` / ``roles_changed`` / ``staff_changed``:
    name, project, roles and whether they are active all follow the latest announcement."""
    if not person or person.get("id") is None:
        return None
    table = session.info["kit"].staff
    row = dict(project_id=person.get("project_id"), name=person.get("name") or "",
               roles=sorted(person.get("roles") or []), active=bool(person.get("active", True)))
    _upsert(session, table, table.c.person_id, person["id"], row)
    return person["id"]


def _upsert(session, table, key, value, row):
    if session.execute(select(key).where(key == value)).first():
        session.execute(table.update().where(key == value).values(**row))
    else:
        session.execute(table.insert().values({key.name: value, **row}))


def timezone(session, project_id):
    """The project's zone name; the default zone until attendance has announced the project."""
    table = session.info["kit"].projects
    return session.scalar(select(table.c.timezone).where(table.c.project_id == project_id)) \
        or DEFAULT_TZ


def person(session, person_id):
    """``{"id", "project_id", "name", "roles", "active"}`` or None."""
    table = session.info["kit"].staff
    row = session.execute(select(table).where(table.c.person_id == person_id)).first()
    if row is None:
        return None
    return {"id": row.person_id, "project_id": row.project_id, "name": row.name,
            "roles": list(row.roles or []), "active": row.active}


def names(session, project_id, person_ids):
    """``{person_id: name}`` for the given people of ``project_id``."""
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return {}
    table = session.info["kit"].staff
    return dict(session.execute(select(table.c.person_id, table.c.name).where(
        table.c.person_id.in_(ids), table.c.project_id == project_id)).all())


def reason_names(session, project_id, person_ids, caller=None):
    """``{person id: name}`` for the people a rule's reasons name (SYS-01: staff read reasons
    by name): the replica's non-empty names, and the caller's own (from their token) when the
    replica does not know them. Rules write "#<id>" for anyone left out (``decision.who``)."""
    ids = {i for i in person_ids if i is not None}
    found = {i: n for i, n in names(session, project_id, ids).items() if n}
    if caller is not None and caller.name and caller.person_id in ids:
        found.setdefault(caller.person_id, caller.name)
    return found


def staff(session, project_id, role=None, active_only=True):
    table = session.info["kit"].staff
    query = select(table).where(table.c.project_id == project_id).order_by(table.c.person_id)
    if active_only:
        query = query.where(table.c.active.is_(True))
    people = [{"id": r.person_id, "project_id": r.project_id, "name": r.name,
               "roles": list(r.roles or []), "active": r.active} for r in session.execute(query)]
    return [p for p in people if role is None or role in p["roles"]]
