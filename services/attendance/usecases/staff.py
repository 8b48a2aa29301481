"""The staff directory attendance owns (SYS-02): projects, people, roles, login. Its events
(project_created, staff_added, roles_changed) feed every other service's directory replica."""
from services.common.errors import Forbidden, Unauthorized

from .. import repo, rules
from ..models import Project


def authenticate(uow, username, password):
    person = repo.person_by_username(uow.session, username)
    d = rules.login(username, repo.password_matches(person, password),
                    bool(person and person.active))
    uow.decide(d, error=Unauthorized)
    return repo.person_view(person)


def create_project(uow, data):
    project = repo.add_unique(uow.session, Project(
        code=data["code"], name=data["name"], timezone=data["timezone"], created_at=uow.now),
        f"project code {data['code']!r} is taken", field="code")
    view = repo.project_view(project)
    uow.emit("project_created", project.id, "SYS-03", f"project {project.code} created",
             project=view)
    return view


def list_projects(uow):
    caller = uow.caller
    if caller.is_admin:
        return [repo.project_view(p) for p in repo.projects(uow.session)]
    own = caller.project_id is not None and uow.session.get(Project, caller.project_id)
    return [repo.project_view(own)] if own else []


def add_staff(uow, project_id, data):
    """A manager adds a person to a project (``project_id`` None: an admin login)."""
    uow.decide(rules.grant_roles(_granter_roles(uow), (), data["roles"]), error=Forbidden,
               field="roles")
    if project_id is not None:
        repo.project(uow.session, project_id)
    person = repo.add_unique(uow.session, repo.new_person(
        project_id, data["username"], data["name"], data["password"], data["roles"], uow.now),
        f"username {data['username']!r} is taken", field="username")
    view = repo.person_view(person)
    uow.emit("staff_added", project_id, "SYS-02",
             f"{person.name} added with roles {', '.join(person.role_names)}", person=view)
    return view


def set_roles(uow, person_id, data):
    person = _visible_person(uow, person_id)
    uow.caller.require_project(person.project_id).require("manager", action="set roles")
    uow.decide(rules.grant_roles(_granter_roles(uow), person.role_names, data["roles"]),
               error=Forbidden, field="roles")
    repo.set_roles(uow.session, person, data["roles"])
    view = repo.person_view(person)
    uow.emit("roles_changed", person.project_id, "SYS-02",
             f"{person.name} now holds {', '.join(person.role_names)}", person=view)
    return view


def _granter_roles(uow):
    # the CLI's bootstrap (no caller) acts as the admin who installs the platform
    return uow.caller.roles if uow.caller else {"admin"}


def list_staff(uow, project_id):
    repo.project(uow.session, project_id)
    return [repo.person_view(p) for p in repo.staff(uow.session, project_id)]


def get_staff(uow, person_id):
    person = _visible_person(uow, person_id)
    uow.caller.require_project(person.project_id)
    return repo.person_view(person)


def _visible_person(uow, person_id):
    """SYS-02: a person of the caller's own project (an admin: of any project); another
    project's person is 404 like an unknown id, so ids cannot be probed across projects."""
    caller = uow.caller
    scope = None if caller is None or caller.is_admin or caller.is_service else \
        caller.project_id
    return repo.person(uow.session, scope, person_id)
