"""Every malformed input is a 400/422 naming the field, decided before any service or database
sees it (issue 14): ids in paths and queries (gateway/routes), integers and instants in bodies
(services/common/schemas.py, timeutil)."""
import pytest
from marshmallow import fields, validate
from werkzeug.exceptions import NotFound as RouteNotFound

from gateway.openapi import document
from gateway.routes import ID_MAX, Route, all_routes, path_values, query_values, read_id, url_map
from services.common.errors import BadRequest, Unprocessable
from services.common.schemas import INT64_MAX, INT64_MIN, Instant, Schema, load
from services.common.timeutil import parse_instant

Body = Schema.from_dict({
    "n": fields.Integer(),
    "ids": fields.List(fields.Integer()),
    "line": fields.Nested(Schema.from_dict({"qty": fields.Integer(validate=validate.Range(min=1))},
                                           name="Line")),
    "at": Instant(),
}, name="Body")


def refused(data):
    with pytest.raises(Unprocessable) as exc:
        load(Body, data)
    return exc.value


# -- integers in bodies: 64 bits, whole ------------------------------------------------------

@pytest.mark.parametrize("value", [INT64_MAX, INT64_MIN, 0, "12", 3.0])
def test_an_integer_within_64_bits_is_read(value):
    assert load(Body, {"n": value})["n"] == int(value)


@pytest.mark.parametrize("value", [INT64_MAX + 1, INT64_MIN - 1, 2 ** 70, 1e30])
def test_an_integer_beyond_64_bits_is_a_422_naming_the_field(value):
    error = refused({"n": value})
    assert (error.status, error.field) == (422, "n")
    assert "64 bits" in error.message


@pytest.mark.parametrize("value", [2.5, 2.589e-42, "2.5", True, "abc", float("nan")])
def test_a_number_that_is_not_whole_is_refused_not_truncated(value):
    assert refused({"n": value}).field == "n"


def test_integers_inside_lists_and_nested_objects_are_bounded_too():
    assert refused({"ids": [1, INT64_MAX + 1]}).field == "ids"
    assert refused({"line": {"qty": INT64_MAX + 1}}).field == "line"
    assert load(Body, {"ids": [1, INT64_MAX], "line": {"qty": INT64_MAX}})["ids"] == [1, INT64_MAX]


def test_a_declared_range_still_holds_beside_the_64_bit_one():
    assert "greater than or equal to 1" in refused({"line": {"qty": 0}}).message


def test_the_64_bit_check_is_no_declared_range_of_the_field():
    # a field's own validate.Range is a rule (read by tests/e2e/test_role_matrix.py for a
    # plain value); the 64-bit bound is documented all the same (minimum and maximum)
    assert not any(isinstance(v, validate.Range) for v in Body().fields["n"].validators)
    quantity = document(all_routes())["components"]["schemas"]["IssueFormIn"]["properties"]
    assert (quantity["quantity"]["minimum"], quantity["quantity"]["maximum"]) == \
        (INT64_MIN, INT64_MAX)


def test_the_64_bit_check_is_added_once_however_many_times_a_schema_is_made():
    for _ in range(5):
        error = refused({"ids": [INT64_MAX + 1]})
    assert error.message.count("64 bits") == 1


# -- instants ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2026-03-02T08:30:00+08:00", "2026-03-02T00:30:00Z",
                                  "2026-03-02T08:30:00"])
def test_an_iso_instant_is_read(text):
    assert load(Body, {"at": text})["at"] == text
    assert parse_instant(text).tzinfo is not None


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-01T00:00:00", "08:30", "\x00"])
def test_an_unparsable_instant_is_a_422_naming_the_field(value):
    error = refused({"at": value})
    assert (error.status, error.field) == (422, "at")
    assert "ISO-8601" in error.message


@pytest.mark.parametrize("value", [None, 12, ["2026-03-02"]])
def test_parse_instant_refuses_what_is_not_text_with_a_value_error(value):
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_instant(value)


# -- ids in paths and queries (the gateway) ----------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("1", 1), ("007", 7), (str(ID_MAX), ID_MAX), (str(ID_MAX + 1), None), ("0", None),
    ("-1", None), ("1.0", None), ("1e3", None), (" 5", None), ("٥", None), ("abc", None),
    ("", None)])
def test_an_id_is_a_whole_number_from_1_to_2_63_minus_1(text, expected):
    assert read_id(text) == expected


MAP = url_map(all_routes())


def match(path, method="GET"):
    route, values = MAP.bind("localhost").match(path, method)
    return route, path_values(values)


def test_a_well_formed_id_reaches_the_route_as_an_int():
    route, values = match(f"/v1/projects/3/materials/items/{ID_MAX}")
    assert values == {"project_id": 3, "item_id": ID_MAX}
    assert route.rpc == "get_item"


@pytest.mark.parametrize("segment", [str(ID_MAX + 1), "abc", "0", "-4", "1.5", "%C3%A9"])
def test_a_malformed_path_id_is_a_400_naming_it(segment):
    with pytest.raises(BadRequest) as exc:
        match(f"/v1/projects/2/materials/items/{segment}")
    assert (exc.value.status, exc.value.field) == (400, "item_id")


def test_a_malformed_project_id_is_named_before_the_rest_of_the_path():
    with pytest.raises(BadRequest) as exc:
        match("/v1/projects/x/staff")
    assert exc.value.field == "project_id"


def test_literal_segments_still_win_over_ids():
    route, values = match("/v1/projects/2/materials/stocktakes/months")
    assert route.rpc == "stocktake_months"


def test_a_double_slash_is_no_route_not_a_redirect():
    with pytest.raises(RouteNotFound):
        match("/v1/projects/2//staff")


ROUTE = Route("GET", "/v1/x", "x", "x", query=("person_id", "day"))


def test_query_ids_are_checked_and_other_parameters_passed_as_sent():
    assert query_values(ROUTE, {"person_id": "12", "day": "whenever", "other": "1"}) == \
        {"person_id": "12", "day": "whenever"}
    assert query_values(ROUTE, {"person_id": ""}) == {}   # an empty form field: absent


@pytest.mark.parametrize("text", ["abc", str(ID_MAX + 1), "0", "-1", "1.5"])
def test_a_malformed_query_id_is_a_400_naming_it(text):
    with pytest.raises(BadRequest) as exc:
        query_values(ROUTE, {"person_id": text})
    assert (exc.value.status, exc.value.field) == (400, "person_id")


def test_the_document_gives_every_id_parameter_its_range():
    doc = document(all_routes())
    ids = [p for ops in doc["paths"].values() for op in ops.values()
           for p in op["parameters"] if p["name"].endswith("_id")]
    assert ids and all(p["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX}
                       for p in ids if p["name"] != "subject_id")
    assert any(p["in"] == "query" for p in ids)


# -- domain causes found by fuzzing ------------------------------------------------------------

def test_att07_one_leave_request_covers_at_most_366_days():
    from datetime import date, timedelta

    from services.attendance.rules.leave import MAX_LEAVE_DAYS, check_leave_span
    start = date(2026, 3, 2)
    assert check_leave_span(start, start + timedelta(days=MAX_LEAVE_DAYS - 1)).allowed
    longest = check_leave_span(start, start + timedelta(days=MAX_LEAVE_DAYS))
    assert (longest.allowed, longest.rule, longest.outcome) == (False, "ATT-07", "bad_span")
    assert not check_leave_span(date(409, 4, 18), date(9578, 3, 12)).allowed
    assert check_leave_span(start, None).allowed


# -- the HTTP entrypoint: every /v1/ path reaches the gateway's JSON answers -----------------

@pytest.mark.parametrize("path,rest", [
    ("/v1/projects/2/staff", "projects/2/staff"),
    ("/v1/why/reception/a\nb/c", "why/reception/a\nb/c"), ("/v1//health", "/health"),
    ("/v1/x//y/", "x//y/"), ("/v1/", "")])
def test_every_path_under_v1_reaches_the_gateway_not_an_html_page_or_a_redirect(path, rest):
    from werkzeug.routing import Map

    from gateway.entrypoint import ApiHandler
    rule = ApiHandler("GET", "/v1/<everything:path>").get_url_rule()
    rule.endpoint = "api"
    assert Map([rule]).bind("localhost").match(path, "GET") == ("api", {"path": rest})


# -- request bodies ----------------------------------------------------------------------------

def test_a_body_is_a_json_object_or_nothing():
    from gateway.entrypoint import read_body
    assert read_body("") == {} and read_body("  \n") == {}
    assert read_body('{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}


@pytest.mark.parametrize("raw", ["{", "[1]", '"text"', "\udcff",
                                 '{"a":' * 100000 + "1" + "}" * 100000],
                         ids=["unclosed", "list", "string", "surrogate", "100000-deep"])
def test_a_body_that_is_not_a_json_object_is_a_400_on_body(raw):
    from gateway.entrypoint import read_body
    with pytest.raises(BadRequest) as exc:
        read_body(raw)
    assert (exc.value.status, exc.value.field) == (400, "body")


def test_a_body_may_nest_32_levels_not_33():
    from gateway.entrypoint import MAX_DEPTH, read_body
    nested = lambda n: '{"a": ' * (n - 1) + "{}" + "}" * (n - 1)   # noqa: E731
    assert read_body(nested(MAX_DEPTH))
    with pytest.raises(BadRequest, match="nested deeper"):
        read_body(nested(MAX_DEPTH + 1))
