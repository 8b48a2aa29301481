"""The event declarations are the contract: docs/events.md is generated from them, and every
handler a service has is declared (and every declared consumption has its handler)."""
import importlib

import pytest
from nameko.events import EventHandler

from tests import events_doc


def test_docs_events_md_is_generated_from_the_declarations():
    assert events_doc.DOC.read_text(encoding="utf-8") == events_doc.text(), (
        "docs/events.md is stale: run `.venv/bin/python -m tests.events_doc`")


def _handlers(service_cls):
    found = set()
    for name in dir(service_cls):
        for entrypoint in getattr(getattr(service_cls, name), "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler):
                found.add((entrypoint.source_service, entrypoint.event_type))
    return found


@pytest.mark.parametrize("name", events_doc.SERVICES)
def test_every_event_handler_is_declared_and_every_declaration_handled(name):
    module = importlib.import_module(f"services.{name}.service")
    service_cls = next(v for v in vars(module).values()
                       if isinstance(v, type) and getattr(v, "name", None) == name)
    catalogue = importlib.import_module(f"services.{name}.events").CATALOGUE
    assert service_cls.catalogue is catalogue
    declared = {(c.source, c.name) for c in catalogue.consumes}
    assert _handlers(service_cls) == declared


def test_every_consumed_event_is_emitted_by_its_source():
    emitted = {(c.service, e.name) for c in events_doc.catalogues() for e in c.emits}
    for catalogue in events_doc.catalogues():
        for consumed in catalogue.consumes:
            assert (consumed.source, consumed.name) in emitted, (catalogue.service, consumed)
