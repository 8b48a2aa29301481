"""The gateway's one HTTP entrypoint under /v1/: every path reaches the gateway's own
dispatcher, which answers JSON (a 404 or 405 with the error body) - nameko's URL map would
answer some paths itself with an HTML page (a segment holding a newline: 404) or a redirect
(an empty segment, "//": 308), neither of them in the API's document."""
from nameko.web.handlers import HttpRequestHandler
from werkzeug.routing import PathConverter, Rule


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
