"""services.common.topology declares each service's event queues exactly as nameko's
EventHandler.setup would (a different flag would make the service's own declaration fail)."""
import pytest
from nameko.containers import ServiceContainer
from nameko.events import EventHandler

from services.common import topology


def as_nameko_declares(cls):
    container = ServiceContainer(cls, {"AMQP_URI": "memory://"})
    out = {}
    for entry in container.entrypoints:
        if isinstance(entry, EventHandler):
            entry.setup()
            q = entry.queue
            out[q.name] = (q.exchange.name, q.exchange.type, q.exchange.durable, q.routing_key,
                           q.durable, q.auto_delete, q.exclusive)
    return out


@pytest.mark.parametrize("name", list(topology.SERVICES))
def test_each_services_event_queues_match_nameko(name):
    cls = topology.service_class(topology.SERVICES[name])
    ours = {q.name: (q.exchange.name, q.exchange.type, q.exchange.durable, q.routing_key,
                     q.durable, q.auto_delete, q.exclusive) for q in topology.event_queues(cls)}
    assert ours == as_nameko_declares(cls)
    assert name == "attendance" or any(".on_staff_added" in q for q in ours)   # the replica


def test_an_unknown_service_is_refused_by_name(capsys):
    with pytest.raises(SystemExit):
        topology.main(["declare", "marketing"])
    assert "unknown service marketing" in capsys.readouterr().err
