"""Who is calling (SYS-02). The gateway signs a JWT at login; every RPC carries that token and
each service verifies it itself, so a service never trusts that the gateway checked."""
from dataclasses import dataclass, field
from datetime import timedelta

import jwt
from nameko.extensions import DependencyProvider

from .config import jwt_secret
from .errors import Forbidden, Unauthorized
from .roles import ROLES, SERVICE, acting_roles  # noqa: F401 (ROLES re-exported)
from .timeutil import utcnow

ISSUER = "anchang"
ALGORITHM = "HS256"
DISPLAY = "display"   # the subject of a TV display login: "display:<id>"


@dataclass(frozen=True)
class Caller:
    person_id: int | None
    project_id: int | None
    roles: frozenset = field(default_factory=frozenset)
    name: str = ""
    display_id: int | None = None   # a TV's display login (REC-13): it reads the board only

    @property
    def is_admin(self):
        return "admin" in self.roles

    @property
    def is_service(self):
        return SERVICE in self.roles

    @property
    def is_display(self):
        return self.display_id is not None

    @property
    def acting_roles(self):
        """The roles the rules see (``services.common.roles``): an admin acts as a manager."""
        return acting_roles(self.roles)

    def has(self, *roles):
        return bool(self.acting_roles & set(roles)) or self.is_admin or self.is_service

    def require(self, *roles, action="do this"):
        if not self.has(*roles):
            raise Forbidden(f"only {' or '.join(roles)} may {action}", rule="SYS-02")
        return self

    def require_project(self, project_id):
        """Everyone but an admin (or a service) acts only inside their own project."""
        if self.is_admin or self.is_service:
            return self
        if project_id is None or int(project_id) != self.project_id:
            raise Forbidden("you act only inside your own project", rule="SYS-02")
        return self

    def require_self(self, person_id, *overriding_roles, action="act for someone else"):
        """A consultant acts only for themself; ``overriding_roles`` may act for others."""
        if person_id == self.person_id or self.has(*overriding_roles):
            return self
        raise Forbidden(f"you may not {action}", rule="SYS-02")

    def as_actor(self):
        return {"person_id": self.person_id, "name": self.name, "roles": sorted(self.roles)}


def issue_token(person, secret, ttl_seconds=3600, now=None):
    now = now or utcnow()
    claims = {"sub": str(person["id"]), "project_id": person.get("project_id"),
              "roles": sorted(person.get("roles", [])), "name": person.get("name", ""),
              "iss": ISSUER, "iat": now, "exp": now + timedelta(seconds=ttl_seconds)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token, secret):
    if not token:
        raise Unauthorized("a bearer token is required", rule="SYS-02")
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired: log in again", rule="SYS-02")
    except jwt.PyJWTError:
        raise Unauthorized("the token is not valid", rule="SYS-02")
    sub = claims["sub"]
    kind, _, number = sub.rpartition(":")
    if kind not in ("", "service", DISPLAY) or (kind != "service" and not number.isdigit()):
        raise Unauthorized("the token is not valid", rule="SYS-02")
    return Caller(person_id=int(number) if kind == "" else None,
                  project_id=claims.get("project_id"),
                  roles=frozenset(claims.get("roles", [])) if kind != DISPLAY else frozenset(),
                  name=claims.get("name", ""),
                  display_id=int(number) if kind == DISPLAY else None)


def display_token(display, secret, ttl_seconds):
    """REC-13: a TV's login: no roles, its project only, long-lived; revoked by reception."""
    return issue_token({"id": f"{DISPLAY}:{display['id']}", "project_id": display["project_id"],
                        "roles": [], "name": display["name"]}, secret, ttl_seconds)


def service_token(service_name, secret, ttl_seconds=3600):
    return issue_token({"id": f"service:{service_name}", "roles": ["service"],
                        "name": service_name}, secret, ttl_seconds)


class TokenSecret(DependencyProvider):
    """The JWT secret, read when the container starts: a process without a usable secret
    refuses to start (``config.MissingSecret``) instead of trusting a default."""

    def setup(self):
        self.secret = jwt_secret(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.secret


class Auth(TokenSecret):
    """``self.auth.caller(token)`` → Caller (or 401); ``self.auth.service_token()`` for the
    service's own RPCs to other services."""

    def get_dependency(self, worker_ctx):
        service = worker_ctx.service
        return _AuthApi(self.secret, self.container.service_name,
                        getattr(service, "person_now", None))


class _AuthApi:
    def __init__(self, secret, service_name, person_now=None):
        self.secret, self.service_name, self.person_now = secret, service_name, person_now

    def caller(self, token, display=False):
        """``display``: the one call a TV's display login may make (the board); every other
        call refuses it (403), so a display login can never do anything else."""
        caller = verify_token(token, self.secret)
        if caller.is_display and not display:
            raise Forbidden("a display login shows the board only", rule="SYS-02")
        if self.person_now is not None and caller.person_id is not None:
            still_current(caller, self.person_now(caller.person_id))
        return caller

    def service_token(self):
        return service_token(self.service_name, self.secret)


def still_current(caller, person):
    """A token stops working as soon as its person is deactivated or their roles change
    (``person``: the service's current copy, or None when it has not heard of them yet)."""
    if person is None or caller.is_service:
        return caller
    if not person["active"]:
        raise Unauthorized("this person is no longer active; the token is revoked",
                           rule="SYS-02")
    if frozenset(person["roles"]) != caller.roles:
        raise Unauthorized("your roles have changed since this token was issued: log in again",
                           rule="SYS-02")
    return caller
