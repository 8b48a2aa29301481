"""The route table is the API's contract: every JSON answer has an Out schema in the OpenAPI
document (tests/contract.py then holds the live answers to it), and the document is valid."""
from openapi_spec_validator import validate

from gateway.openapi import document
from gateway.routes import all_routes


def test_every_json_route_names_its_answer_schema():
    missing = [f"{r.method} {r.path}" for r in all_routes()
               if r.response is None and not r.download and r.path != "/v1/openapi.json"]
    assert missing == []


def test_the_openapi_document_is_valid_openapi_3():
    validate(document(all_routes()))
