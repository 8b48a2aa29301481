"""Whether the people a request names are real staff of the project (pure: the directory's
entries are passed in), the one check every service uses before it records someone's name."""
from collections.abc import Hashable, Mapping
from typing import Any

from .decision import Decision, allow, refuse


def project_staff(people: Mapping[Hashable, Mapping[str, Any] | None], project_id: Hashable,
                  *, field: str, rule: str, role: str | None = None,
                  what: str = "staff") -> Decision:
    """The people a record names are real: active staff of this project as the directory
    (attendance's announcements) knows them, holding ``role`` when one is asked. ``people``
    maps each named id to its directory entry (None: unknown); ``rule`` is the caller's (e.g.
    MAT-06 for stocktake counters, CLI-08 for the consultant a customer names)."""
    for person_id, person in people.items():
        if person is None or person.get("project_id") != project_id:
            return refuse(rule, f"{what} {person_id} is not staff of project {project_id}",
                          outcome="invalid", field=field, person_id=person_id)
        if not person.get("active", False):
            return refuse(rule, f"{what} {person_id} ({person.get('name')}) is no longer active "
                          "staff", outcome="invalid", field=field, person_id=person_id)
        if role is not None and role not in (person.get("roles") or ()):
            return refuse(rule, f"{what} {person_id} ({person.get('name')}) is not a {role}",
                          outcome="invalid", field=field, person_id=person_id)
    names = ", ".join(f"{p.get('name') or i}" for i, p in people.items())
    return allow(rule, f"{what}: active staff of project {project_id} ({names})",
                 outcome="staff", people=sorted(people, key=str))
