"""Object-level authorisation for clients (SYS-02 with CLI-06, CLI-11, CLI-14), pure: who a
request may name, which customer records a caller may read, which "why" records they see.

A person named in a request (a staff referral's consultant, a poacher, a new owner, a closer)
must be someone of the caller's project: an id the project does not know is answered 404 with
SYS-02 (the same answer for "nobody" and "another project's person", so ids cannot be probed);
a person of the project who is inactive or lacks the role the rule needs is a 422 citing that
rule and naming the field (``services.common.staffing.project_staff``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.common.decision import Decision, allow, refuse
from services.common.staffing import project_staff

from .base import LEADS, _roles, _who

# SYS-02: the office roles that deal with customers read customer records (phones masked per
# CLI-14); a channel agent is external and sees only their own reports (CLI-06), a storekeeper
# keeps the store. An admin acts as a manager.
CUSTOMER_READERS = frozenset({"consultant", "receptionist", "clerk", "supervisor", "manager"})
# CLI-04/05/07: company staff register claims before the visit; never a channel agent (their
# way in is a channel report, CLI-06).
CLAIM_FILERS = frozenset({"consultant", "receptionist", "clerk", "supervisor", "manager",
                          "storekeeper"})
# CLI-12/13: the clerk keeps voided forms and makes the registers
RECORD_KEEPERS = frozenset({"clerk"})


def named_person(person: Mapping[str, Any] | None, person_id: int, project_id: int, *,
                 field: str, rule: str, role: str | None = "consultant",
                 what: str = "consultant") -> Decision:
    """SYS-02 then ``rule``: the person a request names is of this project (else refused with
    outcome ``unknown``: 404 SYS-02, whether nobody or another project's person), active and
    holding ``role`` (else ``invalid``: 422 citing ``rule``)."""
    if person is None or person.get("project_id") != project_id:
        return refuse("SYS-02", f"no {what} {person_id} in this project", "unknown",
                      field=field, person_id=person_id)
    return project_staff({person_id: person}, project_id, field=field, rule=rule, role=role,
                         what=what)


def may_read_customer_records(viewer_id: int | None, roles: Iterable[str],
                              owner_id: int | None, people_concerned: Iterable[int],
                              names: Mapping[int, str] | None = None) -> Decision:
    """CLI-11/CLI-14 with SYS-02: a customer's ownership history and dispute are read by
    supervisors and managers, and by a consultant they are about (the owner, or one whose
    contact is on record); a colleague's customer is not theirs to read."""
    if _roles(roles) & LEADS:
        return allow("CLI-11", "supervisors and managers read every customer's records",
                     "visible")
    if viewer_id is not None and (viewer_id == owner_id or viewer_id in set(people_concerned)):
        return allow("CLI-11", f"{_who(names, viewer_id)} owns or registered a contact with "
                     "this customer", "visible")
    return refuse("SYS-02", "this customer's records are read by their consultant, "
                  "supervisors and managers", "not_visible", field="customer_id")


def why_visible(viewer_id: int | None, roles: Iterable[str], record: Mapping[str, Any],
                by_default: bool, report_agent_id: int | None = None,
                closer_id: int | None = None) -> bool:
    """SYS-01 with SYS-02. ``by_default``: the kit's answer (leads all; anyone the records
    about themself). A channel report's reasons are read by the leads and the agent who filed
    it only (CLI-06: another agent's report is not theirs, even where a record names them);
    besides, the closer reads their subscription's reasons and the clerk those of
    subscriptions (voided forms come to them, CLI-12), visits and targets (the registers and
    figures they make, CLI-13)."""
    subject = record.get("subject_type")
    if subject == "channel_report":
        return bool(_roles(roles) & LEADS) or (viewer_id is not None
                                                and viewer_id == report_agent_id)
    if by_default:
        return True
    if subject == "subscription" and viewer_id is not None and viewer_id == closer_id:
        return True
    return subject in ("subscription", "visit", "target") and bool(_roles(roles) &
                                                                    RECORD_KEEPERS)
