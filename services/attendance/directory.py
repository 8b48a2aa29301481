"""The staff directory: projects, people, roles, passwords (argon2 via argon2-cffi)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common import outbox
from services.common.errors import Conflict, NotFound, Unauthorized

from .models import Person, PersonRole, Project

hasher = PasswordHasher()


def person_view(person):
    return {"id": person.id, "project_id": person.project_id, "username": person.username,
            "name": person.name, "roles": person.role_names, "active": person.active}


def project_view(project):
    return {"id": project.id, "code": project.code, "name": project.name,
            "timezone": project.timezone}


def authenticate(session, username, password):
    person = session.scalar(select(Person).where(Person.username == username))
    # verify against a dummy hash when the user is unknown so timing does not tell
    stored = person.password_hash if person else hasher.hash("not-a-real-password")
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        person = None
    if person is None or not person.active:
        raise Unauthorized("unknown username or wrong password", rule="SYS-02")
    return person_view(person)


def get_project(session, project_id):
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}", field="project_id")
    return project


def get_person(session, person_id):
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no staff member {person_id}", field="person_id")
    return person


def create_project(session, data, actor, now):
    project = Project(code=data["code"], name=data["name"], timezone=data["timezone"],
                      created_at=now)
    session.add(project)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"project code {data['code']!r} is taken", field="code")
    outbox.emit(session, "project_created", now=now, project_id=project.id, actor=actor,
                rule="SYS-03", reason=f"project {project.code} created",
                project=project_view(project))
    return project


def add_person(session, project_id, data, actor, now):
    person = Person(project_id=project_id, username=data["username"], name=data["name"],
                    password_hash=hasher.hash(data["password"]), active=True, created_at=now,
                    roles=[PersonRole(role=r) for r in sorted(set(data["roles"]))])
    session.add(person)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"username {data['username']!r} is taken", field="username")
    outbox.emit(session, "staff_added", now=now, project_id=project_id, actor=actor,
                rule="SYS-02", reason=f"{person.name} added with roles {', '.join(person.role_names)}",
                person=person_view(person))
    return person


def set_roles(session, person, roles, actor, now):
    wanted = sorted(set(roles))
    person.roles = [r for r in person.roles if r.role in wanted] + \
        [PersonRole(role=r) for r in wanted if r not in person.role_names]
    session.flush()
    outbox.emit(session, "roles_changed", now=now, project_id=person.project_id, actor=actor,
                rule="SYS-02", reason=f"{person.name} now holds {', '.join(wanted)}",
                person=person_view(person))
    return person
