"""The gateway's one HTTP entrypoint under /v1/: every path reaches the gateway's own
dispatcher, which answers JSON (a 404 or 405 with the error body) - nameko's URL map would
answer some paths itself with an HTML page (a segment holding a newline: 404) or a redirect
(an empty segment, "//": 308), neither of them in the API's document."""
import json

from nameko.web.handlers import HttpRequestHandler
from werkzeug.routing import PathConverter, Rule

from services.common.errors import BadRequest

MAX_DEPTH = 32   # objects and lists inside each other; no request of the API needs more than 4


class _Everything(PathConverter):
    """Any rest of the path: empty, with slashes, with newlines."""
    regex = r"(?s:.*)"
    part_isolating = False   # spans segments (werkzeug infers True: the regex has no "/")


class _ApiRule(Rule):
    def get_converter(self, variable_name, converter_name, args, kwargs):
        if converter_name == "everything":
            return _Everything(self.map, *args, **kwargs)
        return super().get_converter(variable_name, converter_name, args, kwargs)


class ApiHandler(HttpRequestHandler):
    def get_url_rule(self):
        return _ApiRule(self.url, methods=self.method.split(","), merge_slashes=False)


api_http = ApiHandler.decorator


def read_body(raw):
    """The JSON object in a request body ({} when empty), or a 400 on the field "body": not JSON,
    not an object, or nested deeper than MAX_DEPTH (which would exhaust the parser's or the RPC
    serialiser's recursion)."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("the request body is not valid JSON (or is nested too deeply)",
                         field="body") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object", field="body")
    if _depth(body) > MAX_DEPTH:
        raise BadRequest(f"the request body is nested deeper than {MAX_DEPTH} levels",
                         field="body")
    return body


def _depth(value):
    """How deep objects and lists nest in ``value`` (without recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict)
                                                  else item))
    return deepest
