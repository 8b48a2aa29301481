"""Platform routes: login, projects, staff and roles, policy, clock, health, API docs."""
from marshmallow import fields

from services.attendance import schemas as att
from services.common.schemas import (
    CLOCK_OUT,
    POLICY_OUT,
    HealthOut,
    Instant,
    PolicyKeyOut,
    Schema,
    ServiceHealthOut,
    WhyOut,
)

from . import Route


class ClockIn(Schema):
    now = Instant(required=True, metadata={"example": "2026-03-02T08:30:00+08:00"})


class PolicyChange(Schema):
    changes = fields.Dict(required=True)
    reason = fields.String(load_default=None)


SERVICE_NAMES = ("attendance", "reception", "clients", "materials")

ROUTES = [
    Route("POST", "/v1/auth/login", "Log in; returns a signed bearer token (JWT)", "auth",
          handler="login", body=att.LoginIn, response=att.LoginOut, auth=False,
          answers=(401, 429),
          rules=("SYS-02",)),
    Route("GET", "/v1/health", "Each service and the broker; 503 naming what is down", "platform",
          handler="health", response=HealthOut, auth=False),
    Route("GET", "/v1/health/live", "Liveness probe: the gateway answers HTTP (asks nothing else)",
          "platform", handler="live", response=HealthOut, auth=False),
    Route("GET", "/v1/health/ready", "Readiness probe: the broker answers; a backend that is down "
          "does not make the gateway unready (its routes answer 503)", "platform", handler="ready",
          response=HealthOut, auth=False),
    Route("GET", "/v1/ping", "One RPC round trip to attendance (latency baseline)", "platform",
          handler="ping", response=ServiceHealthOut, auth=False),
    Route("GET", "/v1/openapi.json", "This API as OpenAPI 3", "platform", handler="openapi",
          auth=False),
    Route("PUT", "/v1/admin/clock", "Freeze every service's clock (only with CLOCK_CONTROL=1)",
          "platform", handler="set_clock", body=ClockIn, response=CLOCK_OUT, rules=("SYS-04",)),
    Route("DELETE", "/v1/admin/clock", "Return every service to real time (CLOCK_CONTROL=1)",
          "platform", handler="clear_clock", response=CLOCK_OUT, rules=("SYS-04",)),
    Route("GET", "/v1/projects", "Projects the caller may see", "staff", service="attendance",
          rpc="list_projects", response=att.ProjectOut, many=True),
    Route("POST", "/v1/projects", "Create a project (admin)", "staff", service="attendance",
          rpc="create_project", body=att.ProjectIn, response=att.ProjectOut, status=201,
          rules=("SYS-02",)),
    Route("GET", "/v1/projects/<int:project_id>/staff", "List a project's staff", "staff",
          service="attendance", rpc="list_staff", response=att.StaffOut, many=True),
    Route("POST", "/v1/projects/<int:project_id>/staff", "Add a staff member (manager)", "staff",
          service="attendance", rpc="add_staff", body=att.StaffIn, response=att.StaffOut,
          status=201, rules=("SYS-02",)),
    Route("GET", "/v1/staff/<int:person_id>", "One staff member", "staff", service="attendance",
          rpc="get_staff", response=att.StaffOut),
    Route("PUT", "/v1/staff/<int:person_id>/roles", "Set a person's roles (manager)", "staff",
          service="attendance", rpc="set_roles", body=att.RolesIn, response=att.StaffOut,
          rules=("SYS-02",)),
]

# SYS-01: "why?" about any subject a service decided on
for _name in SERVICE_NAMES:
    ROUTES.append(Route("GET", f"/v1/why/{_name}/<subject_type>/<subject_id>",
                        f"Why: the chain of {_name} rule decisions about one subject", "why",
                        service=_name, rpc="why", response=WhyOut, rules=("SYS-01",)))

# SYS-03: every service's policy is read and changed the same way.
for _name in SERVICE_NAMES:
    ROUTES += [
        Route("GET", f"/v1/projects/<int:project_id>/policy/{_name}",
              f"The project's {_name} policy (defaults from the rulebook)", "policy",
              service=_name, rpc="get_policy", response=POLICY_OUT, rules=("SYS-03",)),
        Route("GET", f"/v1/projects/<int:project_id>/policy/{_name}/keys",
              f"The project's {_name} policy as a form shows it: each key's value, default, "
              "rule and meaning", "policy", service=_name, rpc="policy_keys",
              response=PolicyKeyOut, many=True, rules=("SYS-03",)),
        Route("PATCH", f"/v1/projects/<int:project_id>/policy/{_name}",
              f"Change {_name} policy values (manager)", "policy", service=_name,
              rpc="set_policy", body=PolicyChange, handler="change_policy", response=POLICY_OUT,
              rules=("SYS-03",)),
    ]
