"""OpenAPI 3 from the route table and the services' marshmallow schemas (apispec)."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .routes import ID_SCHEMA, is_id

ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "rule": {"type": "string", "nullable": True},
    "message": {"type": "string"}, "field": {"type": "string"}}}}}
STATUS_TEXT = {400: "Bad request", 401: "Not authenticated", 403: "Role may not act",
               404: "Not found", 409: "Conflict with a rule",
               422: "Invalid input or refused by a rule",
               429: "Too many attempts (login throttling)",
               503: "A service or the broker is unavailable"}
_cache = {}


def _openapi_path(path):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def _parameters(route):
    params = []
    for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", route.path):
        params.append({"name": name, "in": "path", "required": True,
                       "schema": dict(ID_SCHEMA) if conv == "int" else {"type": "string"}})
    for name in route.query:
        params.append({"name": name, "in": "query", "required": False,
                       "schema": dict(ID_SCHEMA) if is_id(name) else {"type": "string"}})
    return params


def _operation_id(route):
    return f"{route.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', route.path.lower()).strip('_')}"


def document(routes):
    if "doc" in _cache:
        return _cache["doc"]
    spec = APISpec(title="Anchang sales-office API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Every refusal cites its rule ID from the rulebook."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.schema("Error", ERROR)
    paths = {}
    for route in routes:
        op = {"summary": route.summary, "tags": [route.tag],
              "operationId": _operation_id(route),
              "parameters": _parameters(route), "responses": {}}
        if route.rules:
            op["description"] = "Rules: " + ", ".join(route.rules)
        if route.auth:
            op["security"] = [{"bearer": []}]
        if route.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": route.body}}}
        ok = {"description": "OK"}
        if route.download:
            ok["content"] = {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                             "spreadsheetml.sheet": {}}
        elif route.response is not None:
            schema = {"type": "array", "items": route.response} if route.many else route.response
            ok["content"] = {"application/json": {"schema": schema}}
        op["responses"][str(route.status)] = ok
        codes = {400, 422, 503, *route.answers} | ({401, 403, 404, 409} if route.auth else set())
        for code in sorted(codes):
            op["responses"][str(code)] = {"description": STATUS_TEXT[code], "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        paths.setdefault(_openapi_path(route.path), {})[route.method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    _cache["doc"] = spec.to_dict()
    return _cache["doc"]
