"""SYS-02 in attendance: whom attendance keeps, the people a request names, and who reads whose
records (rosters, punches, leave, the ledger, "why").

Attendance keeps the office's staff: every role but ``channel_agent`` (渠道, external: an agent
has no roster, punches, leave, lunch or ledger lines here). Supervisors, managers and the clerk
(who compiles the monthly report, ATT-12) read everyone's attendance records; anyone else reads
their own. The blackout days and the settled sign-in order hang on the office wall.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from services.common.decision import Decision, allow, refuse
from services.common.roles import SERVICE, acting_roles
from services.common.staffing import project_staff

OFFICE_ROLES = frozenset({"consultant", "supervisor", "manager", "clerk", "receptionist",
                          "storekeeper"})
READ_ALL_ROLES = frozenset({"supervisor", "manager", "clerk"})
WHY_PUBLIC = frozenset({"blackout", "sign_in_dispute"})
# a subject whose why is readable only by the leading roles and the clerk, never "own"
WHY_READERS_ONLY = frozenset({"report"})


def named_staff(person: Mapping[str, Any] | None, project_id: int, *, field: str, rule: str,
                role: str | None = None, what: str = "staff member") -> Decision:
    """The person a request names (``person``: ``{"id", "project_id", "name", "roles",
    "active"}`` or None) is active staff of ``project_id`` holding ``role`` when one is asked,
    else one of the office's roles (a channel agent alone is external). Refused ``invalid``
    (422) naming ``field`` and ``rule``."""
    pid = person.get("id") if person else None
    d = project_staff({pid: person}, project_id, field=field, rule=rule, role=role, what=what)
    if not d.allowed or role is not None:
        return d
    if not acting_roles(person.get("roles") or ()) & OFFICE_ROLES:
        return refuse(rule, f"{what} {pid} ({person.get('name')}) is not office staff: "
                      "attendance keeps no records for a channel agent", outcome="invalid",
                      field=field, person_id=pid)
    return d


def may_keep_attendance(roles: Iterable[str]) -> Decision:
    """SYS-02: punches and leave are the office staff's own (a channel agent is external)."""
    if acting_roles(roles) & OFFICE_ROLES:
        return allow("SYS-02", "office staff keep their own attendance", "office_staff")
    return refuse("SYS-02", "attendance is kept by the office's staff: a channel agent does not "
                  "punch or take leave here", "forbidden")


def may_read_person(viewer_id: int | None, viewer_roles: Iterable[str], subject_id: int,
                    what: str = "records", rule: str = "SYS-02",
                    readers: Iterable[str] = READ_ALL_ROLES) -> Decision:
    """SYS-02: supervisors, managers and the clerk read anyone's ``what``; anyone else only
    their own (a consultant acts only for themself)."""
    if set(acting_roles(viewer_roles)) & set(readers):
        return allow(rule, f"{what} of everyone are readable", "visible")
    if viewer_id is not None and viewer_id == subject_id:
        return allow(rule, f"one's own {what}", "own")
    return refuse(rule, f"you may read only your own {what}", "forbidden")


def may_see_why(viewer_id: int | None, viewer_roles: Iterable[str], subject_type: str,
                owners: Iterable[int]) -> Decision:
    """SYS-01 with SYS-02: the reasons recorded about a subject are read by supervisors,
    managers and the clerk; by the people the subject is about (their roster, punch, sign-in,
    leave, lunch, ledger line, day, terms, swap); and by everyone for the office-wall subjects
    (blackout days, sign-in disputes). The report's submission is the readers' only."""
    if set(acting_roles(viewer_roles)) & READ_ALL_ROLES:
        return allow("SYS-02", "the leading roles and the clerk read every reason", "visible")
    if subject_type in WHY_PUBLIC:
        return allow("SYS-02", f"{subject_type} is posted in the office", "public")
    if subject_type not in WHY_READERS_ONLY and viewer_id is not None \
            and viewer_id in set(owners):
        return allow("SYS-02", "a record about oneself", "own")
    return refuse("SYS-02", "a record about someone else", "forbidden")


# Who may call a command at all (the roles its rule names), checked first: a role that may not
# act is 403 citing the rule before its body or ids are read, so it learns nothing from them.
# The rule itself still checks the roles with everything else it knows (an approved swap is a
# manager's only, a party to a dispute may not settle it, ...).
ISSUERS = frozenset({"supervisor", "manager"})
COMMAND_ROLES = {
    "declare_blackout": ("ATT-02", {"manager"}, "declare blackout days"),
    "punch": ("SYS-02", OFFICE_ROLES, "punch (a channel agent is external)"),
    "report_proxy_punch": ("ATT-03", ISSUERS, "report a proxy punch"),
    "annotate_missing_punch": ("ATT-05", {"manager"}, "explain a missing punch"),
    "attest_uniform": ("ATT-06", {"supervisor"}, "attest uniform"),
    "sign_in": ("ATT-06", {"consultant"}, "sign in (the order is the consultants' reception "
                "order)"),
    "resolve_dispute": ("ATT-06", {"supervisor"}, "resolve a sign-in order dispute"),
    "request_leave": ("SYS-02", OFFICE_ROLES, "ask for leave (a channel agent is external)"),
    "approve_leave": ("ATT-07", {"manager"}, "approve leave"),
    "reject_leave": ("ATT-07", {"manager"}, "turn leave down"),
    "record_swap": ("ATT-08", ISSUERS, "record a shift or rest swap"),
    "record_offence": ("ATT-10", ISSUERS, "issue fines and slips"),
    "set_terms": ("ATT-13", {"manager"}, "set a person's salary and annual days"),
    "submit_report": ("ATT-12", {"clerk"}, "submit the monthly report"),
}


def may_call(command: str, roles: Iterable[str]) -> Decision:
    """SYS-02: may a holder of ``roles`` call ``command`` at all (``COMMAND_ROLES``)? Refused
    ``forbidden`` citing the command's rule. A platform service acts for the platform."""
    rule, needed, action = COMMAND_ROLES[command]
    held = acting_roles(roles)
    if held & set(needed) or SERVICE in held:
        return allow(rule, f"may {action}", "may_call")
    return refuse(rule, f"only {' or '.join(sorted(needed))} may {action}", "forbidden")
