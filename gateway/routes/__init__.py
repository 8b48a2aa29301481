"""The gateway's HTTP API as data: one ``Route`` per operation. The dispatcher, the OpenAPI
document and the docs page are all built from this one table, so they cannot disagree.

A route either forwards to a service RPC (``service`` + ``rpc``), called as
``rpc(token, *path_values, [body], [query])``, or is handled by the gateway itself
(``handler``: the name of a GatewayService method).
"""
from dataclasses import dataclass, field
from typing import Any


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
