"""Attendance (考勤): staff directory, roles, and (ATT-01…13) the attendance rules.
Entrypoints stay thin: verify the caller, load, call the rule, store, emit."""
from sqlalchemy import select

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import Forbidden
from services.common.schemas import load
from services.common.service import ServiceKit, rpc

from . import directory, schemas
from .models import KIT, Person


class AttendanceService(ServiceKit):
    name = "attendance"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_defaults = {}

    # -- staff directory -------------------------------------------------------------------
    @rpc
    def authenticate(self, username, password):
        data = load(schemas.LoginIn, {"username": username, "password": password})
        return directory.authenticate(self.db, data["username"], data["password"])

    @rpc
    def create_project(self, token, payload):
        caller = self.auth.caller(token).require("admin", action="create a project")
        data = load(schemas.ProjectIn, payload)
        project = directory.create_project(self.db, data, caller.as_actor(), self.clock.now())
        self.db.commit()
        return directory.project_view(project)

    @rpc
    def list_projects(self, token):
        caller = self.auth.caller(token)
        from .models import Project
        query = select(Project).order_by(Project.id)
        if not caller.is_admin:
            query = query.where(Project.id == caller.project_id)
        return [directory.project_view(p) for p in self.db.scalars(query)]

    @rpc
    def add_staff(self, token, project_id, payload):
        caller = self.auth.caller(token).require_project(project_id)
        caller.require("manager", action="add staff")
        data = load(schemas.StaffIn, payload)
        if "admin" in data["roles"] and not caller.is_admin:
            raise Forbidden("only an admin may grant the admin role", rule="SYS-02", field="roles")
        directory.get_project(self.db, project_id)
        person = directory.add_person(self.db, project_id, data, caller.as_actor(),
                                      self.clock.now())
        self.db.commit()
        return directory.person_view(person)

    @rpc
    def set_roles(self, token, person_id, payload):
        caller = self.auth.caller(token)
        person = directory.get_person(self.db, person_id)
        caller.require_project(person.project_id).require("manager", action="set roles")
        data = load(schemas.RolesIn, payload)
        if "admin" in set(data["roles"]) ^ set(person.role_names) and not caller.is_admin:
            raise Forbidden("only an admin may grant or remove the admin role", rule="SYS-02",
                            field="roles")
        directory.set_roles(self.db, person, data["roles"], caller.as_actor(), self.clock.now())
        self.db.commit()
        return directory.person_view(person)

    @rpc
    def list_staff(self, token, project_id):
        self.auth.caller(token).require_project(project_id)
        directory.get_project(self.db, project_id)
        people = self.db.scalars(select(Person).where(Person.project_id == project_id)
                                 .order_by(Person.id))
        return [directory.person_view(p) for p in people]

    @rpc
    def get_staff(self, token, person_id):
        caller = self.auth.caller(token)
        person = directory.get_person(self.db, person_id)
        caller.require_project(person.project_id)
        return directory.person_view(person)
