"""The gateway's HTTP API as data: one ``Route`` per operation. The dispatcher, the OpenAPI
document and the docs page are all built from this one table, so they cannot disagree.

A route either forwards to a service RPC (``service`` + ``rpc``), called as
``rpc(token, *path_values, [body], [query])``, or is handled by the gateway itself
(``handler``: the name of a GatewayService method).

Ids are read here, before any service sees them: a path or query id that is not a whole number
from 1 to 2**63-1 is a 400 naming the parameter (never a 404 "no route", never a database error).
"""
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import BaseConverter, Map, Rule

from services.common.errors import BadRequest

ID_MAX = 2 ** 63 - 1   # the largest id an integer column holds
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
_DIGITS = re.compile(r"[0-9]+")   # ASCII only: int() would also read "٥" and " 5"


@dataclass(frozen=True, eq=False)  # routes are compared by identity (a Map key)
class Route:
    method: str
    path: str                      # werkzeug syntax: /v1/projects/<int:project_id>/staff
    summary: str
    tag: str
    service: str | None = None
    rpc: str | None = None
    handler: str | None = None
    body: Any = None               # marshmallow schema class of the JSON body
    response: Any = None           # marshmallow schema class of the answer (for OpenAPI)
    many: bool = False             # the answer is a list of ``response``
    query: tuple = ()              # query parameters passed on as a dict
    auth: bool = True
    status: int = 200
    download: bool = False         # the RPC returns {filename, content_type, content_b64}
    rules: tuple = ()              # rule IDs the operation enforces (shown in the docs)
    answers: tuple = ()            # error statuses beyond the usual ones (login: 401)
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def sends_body(self):
        return self.body is not None


def all_routes():
    from . import platform
    routes = list(platform.ROUTES)
    for name in ("attendance", "reception", "clients", "materials"):
        try:
            module = __import__(f"gateway.routes.{name}", fromlist=["ROUTES"])
        except ModuleNotFoundError:
            continue
        routes.extend(module.ROUTES)
    return routes


def is_id(name):
    """Path values declared ``<int:...>`` and query parameters named ``*_id`` are ids."""
    return name == "id" or name.endswith("_id")


class _Malformed(str):
    """A path segment where an id belongs that is not one (reported by ``path_values``)."""


def read_id(text):
    """The id in ``text``, or None when it is not a whole number from 1 to ID_MAX."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= ID_MAX else None


def _id_error(name, text):
    return BadRequest(f"{name} must be a whole number from 1 to {ID_MAX}, got {text[:40]!r}",
                      field=name)


class IdConverter(BaseConverter):
    """``<int:name>``: any one segment matches, so a malformed id is told apart from a path
    that does not exist."""
    regex = r"[^/]+"
    weight = 50   # as werkzeug's own int converter: literal segments are tried first
    part_isolating = True

    def to_python(self, value):
        parsed = read_id(value)
        return _Malformed(value) if parsed is None else parsed

    def to_url(self, value):
        return str(value)


def url_map(routes):
    """The dispatcher's map. Slashes are not merged: "//" is no route (404), not a redirect."""
    return Map([Rule(r.path, endpoint=r, methods=[r.method]) for r in routes],
               converters={"int": IdConverter}, merge_slashes=False)


def path_values(values):
    """The matched path values, or a 400 naming the first id that is malformed."""
    for name, value in values.items():
        if isinstance(value, _Malformed):
            raise _id_error(name, value)
    return values


def query_values(route, args):
    """The route's query parameters as sent; ids are checked (an empty one counts as absent)."""
    query = {}
    for name in route.query:
        if name not in args:
            continue
        text = args.get(name)
        if is_id(name):
            if text == "":
                continue
            if read_id(text) is None:
                raise _id_error(name, text)
        query[name] = text
    return query
