"""The visit as reception reports it (contract 4): CLI-08 call-to-visit (the consultant the
customer names on arrival owns only through a registration made before the arrival) and
CLI-13 visit-register completeness (the required fields of a 来访登记 entry)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.common.decision import Decision, allow

from .base import _blank, _stamp, _who

# CLI-13: what a complete visit-register entry holds (docs/decisions/clients.md)
VISIT_REQUIRED = ("customer_phone", "customer_name", "received_by", "arrived_at",
                  "media_source")


@dataclass(frozen=True)
class VisitFact:
    """A visit as stored from reception's events: when the customer arrived, whom they named
    on arrival (None: nobody) and who received them."""
    arrived_at: datetime
    named_person_id: int | None = None
    person_id: int | None = None


def call_to_visit(named_person_id: int | None, arrived_at: datetime,
                  registrations: Iterable[tuple[int, str, datetime]],
                  tz: str | None = None, names: Mapping[int, str] | None = None) -> Decision:
    """CLI-08: ``registrations`` are the customer's registered contacts (person, kind, at).
    The named consultant counts only through a registration strictly before the arrival; a
    call made a minute before walking in with no registration makes no owner (natural
    visit); a customer who names nobody is a natural visit. ``names``: person id -> name."""
    when, named = _stamp(arrived_at, tz), _who(names, named_person_id)
    if named_person_id is None:
        return allow("CLI-08", f"the customer named no consultant on arrival at {when}: "
                     "natural visit", "natural_visit", named_person_id=None)
    earlier = sorted((at, kind) for pid, kind, at in registrations
                     if pid == named_person_id and at < arrived_at)
    if earlier:
        at, kind = earlier[0]
        return allow("CLI-08", f"consultant {named}, named on arrival at {when}, has "
                     f"a registered {kind} at {_stamp(at, tz)}: notified, receives, and the "
                     "registration decides ownership (CLI-02)", "named_registered",
                     named_person_id=named_person_id, registered_at=at.isoformat())
    return allow("CLI-08", f"consultant {named} named on arrival at {when} has no "
                 "registration before the arrival: a call without registration makes no "
                 "owner; natural visit", "natural_visit", named_person_id=named_person_id)


def visit_register_entry(entry: Mapping[str, Any], tz: str | None = None) -> Decision:
    """CLI-13: a visit-register entry is complete when every field of VISIT_REQUIRED holds a
    value; an incomplete entry is kept, with the blank fields named."""
    missing = [f for f in VISIT_REQUIRED if _blank(entry.get(f))]
    if missing:
        return allow("CLI-13", f"visit-register entry incomplete: {', '.join(missing)} "
                     "missing", "incomplete", complete=False, missing=missing)
    return allow("CLI-13", "visit-register entry complete ("
                 f"arrived {_stamp(entry['arrived_at'], tz)})", "complete", complete=True,
                 missing=[])
