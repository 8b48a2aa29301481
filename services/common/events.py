"""Events as typed declarations. Each service's ``events.py`` declares what it emits and
consumes; ``UnitOfWork.emit`` refuses an undeclared event or a fact that does not match its
declaration, and ``tools/events_doc.py`` writes docs/events.md from the declarations.

Every event also carries the envelope ``outbox.emit`` adds: event_id, event_type, source,
occurred_at, project_id, actor, rule, reason. No event carries a full phone number (CLI-14).
"""
from dataclasses import dataclass, field
from typing import Mapping

ENVELOPE = ("event_id", "event_type", "source", "occurred_at", "project_id", "actor", "rule",
            "reason")


@dataclass(frozen=True)
class Event:
    """An event a service emits. ``fields``: fact name → type and meaning; a type ending in
    ``?`` marks a field that may be absent."""
    name: str
    rules: tuple[str, ...]
    doc: str
    fields: Mapping[str, str] = field(default_factory=dict)

    def check(self, fact):
        required = {k for k, v in self.fields.items() if not v.split(" ")[0].endswith("?")}
        missing = required - set(fact)
        extra = set(fact) - set(self.fields)
        if missing or extra:
            raise ValueError(f"event {self.name}: missing {sorted(missing)}, "
                             f"undeclared {sorted(extra)} (declare it in events.py)")


@dataclass(frozen=True)
class Consumed:
    """An event a service handles: whose, which, and what the handler does."""
    source: str
    name: str
    doc: str


@dataclass(frozen=True)
class Catalogue:
    service: str
    emits: tuple[Event, ...]
    consumes: tuple[Consumed, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "emits", tuple(self.emits) + KIT_EMITS)

    def event(self, name):
        for event in self.emits:
            if event.name == name:
                return event
        raise ValueError(f"{self.service} does not declare the event {name!r} in its events.py")


# what ServiceKit itself emits, for every service
KIT_EMITS = (
    Event("policy_changed", ("SYS-03",), "A manager changed the project's policy values.",
          {"changes": "object: key → new value"}),
)

# what the directory replica consumes (services.common.directory), in every service but attendance
DIRECTORY_CONSUMES = (
    Consumed("attendance", "project_created", "keep the project's name and time zone (SYS-04)"),
    Consumed("attendance", "staff_added", "keep the person's name, roles and active flag"),
    Consumed("attendance", "roles_changed", "keep the person's new roles and active flag"),
)


def render(catalogues, rpc_notes=""):
    """docs/events.md from the catalogues (generated: edit the events.py files instead)."""
    out = ["# Events", "",
           "Generated from `services/*/events.py` by `python tools/events_doc.py`; "
           "a test fails when this file is stale. Edit the declarations, not this file.", "",
           "Every event carries the envelope: " + ", ".join(f"`{n}`" for n in ENVELOPE) + ". "
           "Events go out through the transactional outbox (committed with the change they "
           "announce) and every handler is idempotent by `event_id`. No event carries a full "
           "phone number (CLI-14).", ""]
    consumers = {}
    for cat in catalogues:
        for c in cat.consumes:
            consumers.setdefault((c.source, c.name), []).append(f"{cat.service} ({c.doc})")
    for cat in catalogues:
        out += [f"## {cat.service}", "", "| event | rules | fact fields | consumed by |",
                "|---|---|---|---|"]
        for e in cat.emits:
            facts = "<br>".join(f"`{k}`: {v}" for k, v in e.fields.items()) or "—"
            users = "<br>".join(consumers.get((cat.service, e.name), [])) or "—"
            out.append(f"| `{e.name}`<br>{e.doc} | {', '.join(e.rules)} | {facts} | {users} |")
        out.append("")
    if rpc_notes:
        out += [rpc_notes.strip(), ""]
    return "\n".join(out)
