"""Every service's event queues declared on the broker before any event is relayed.

An event published to an exchange with no queue bound is dropped. nameko declares a service's
event queues when that service starts, so on a fresh broker the events written before it first
starts (the demo seed, the first admin) were lost to it when attendance started first: its
directory replica never heard of the seeded staff and refused them as unknown. Declaring the
queues first, exactly as nameko declares them (same names, exchange, binding and flags), keeps
those events in the queues until each service starts.

    python -m services.common.topology declare     # after migrate, before the services start
"""
import argparse
import importlib
import inspect
import sys

from kombu import Connection, Queue
from nameko.events import BROADCAST, SERVICE_POOL, SINGLETON, EventHandler
from nameko.standalone.events import get_event_exchange

from .config import amqp_uri

# the process entrypoints, as deploy/supervisord.conf and `nameko run` name them
SERVICES = {
    "attendance": "services.attendance.service:AttendanceService",
    "reception": "services.reception.service:ReceptionService",
    "clients": "services.clients.service:ClientsService",
    "materials": "services.materials.service:MaterialsService",
}


def service_class(path):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def event_queues(cls, config=None):
    """The queues nameko's EventHandler.setup declares for ``cls`` (broadcast handlers have a
    per-instance queue of their own and are left to the instance)."""
    config = config or {}
    queues = []
    for method, fn in inspect.getmembers(cls, inspect.isfunction):
        for entry in getattr(fn, "nameko_entrypoints", ()):
            if not isinstance(entry, EventHandler) or entry.handler_type is BROADCAST:
                continue
            if entry.handler_type is SINGLETON:
                name = f"evt-{entry.source_service}-{entry.event_type}"
            else:
                assert entry.handler_type is SERVICE_POOL
                name = f"evt-{entry.source_service}-{entry.event_type}--{cls.name}.{method}"
            queues.append(Queue(name, exchange=get_event_exchange(entry.source_service, config),
                                routing_key=entry.event_type, durable=True,
                                auto_delete=entry.reliable_delivery is False, exclusive=False))
    return queues


def declare(names=None, uri=None):
    """Declare the event queues of the named services (all by default); their names."""
    declared = []
    with Connection(uri or amqp_uri(), connect_timeout=5) as conn:
        channel = conn.channel()
        for name in names or SERVICES:
            for queue in event_queues(service_class(SERVICES[name])):
                queue(channel).declare()
                declared.append(queue.name)
    return declared


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.common.topology",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("declare", help="declare every service's event queues (idempotent)")
    d.add_argument("services", nargs="*", metavar="SERVICE",
                   help=f"only these services (default: all of {', '.join(SERVICES)})")
    args = parser.parse_args(argv)
    unknown = [s for s in args.services if s not in SERVICES]
    if unknown:
        parser.error(f"unknown service {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    try:
        queues = declare(args.services or None)
    except OSError as exc:
        print(f"error: the broker at {amqp_uri()} does not answer: {exc}", file=sys.stderr)
        return 2
    print(f"declared {len(queues)} event queues")
    return 0


if __name__ == "__main__":
    sys.exit(main())
