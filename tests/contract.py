"""The OpenAPI document and the answers cannot disagree: every answer the end-to-end suite
receives is validated against the live ``/v1/openapi.json`` (openapi-core)."""
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound


class ResponseContract:
    def __init__(self, base_url):
        self.base_url = base_url
        self._openapi = None
        self.validated = 0
        self.operations = set()

    @property
    def openapi(self):
        if self._openapi is None:
            doc = requests.get(self.base_url + "/v1/openapi.json", timeout=10).json()
            self._openapi = OpenAPI.from_dict(doc)
        return self._openapi

    def check(self, response):
        """Raise AssertionError naming the route and what differs; skip what the document
        cannot describe (a path it does not have, which the gateway answers 404/405, and file
        downloads, whose bytes are not JSON)."""
        path = response.request.path_url.split("?")[0]
        if not path.startswith("/v1/") or path == "/v1/openapi.json":
            return response
        if not response.headers.get("Content-Type", "").startswith("application/json"):
            return response
        request = RequestsOpenAPIRequest(response.request)
        errors = list(self.openapi.iter_response_errors(request,
                                                        RequestsOpenAPIResponse(response)))
        if any(isinstance(e, (PathNotFound, OperationNotFound)) for e in errors):
            if response.status_code in (404, 405):
                return response
            raise AssertionError(f"{response.request.method} {path} answered "
                                 f"{response.status_code} but is not in /v1/openapi.json")
        if errors:
            detail = "; ".join(_explain(e) for e in errors)
            raise AssertionError(f"{response.request.method} {path} -> {response.status_code} "
                                 f"does not match /v1/openapi.json: {detail}\n"
                                 f"body: {response.text[:600]}")
        self.validated += 1
        self.operations.add((response.request.method, response.status_code, _template(request)))
        return response


def _explain(error):
    inner = getattr(error, "__cause__", None)
    schema_errors = getattr(inner, "schema_errors", None) or getattr(error, "schema_errors", None)
    if schema_errors:
        return "; ".join(f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
                         for e in schema_errors)
    return f"{type(error).__name__}: {error}{f' ({inner})' if inner else ''}"


def _template(request):
    return request.path
