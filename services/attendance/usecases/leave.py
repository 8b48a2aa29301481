"""ATT-07 leave and ATT-08 shift and rest swaps."""
from datetime import date

from services.common.errors import Unprocessable

from .. import repo, rules
from ..models import Leave, Swap
from .common import Kept, acting, book, check, office_staff, staff_member, today

LEADS = ("supervisor", "manager")
# where a refused request's error points
LEAVE_FIELDS = {"no_handover": "handover_note", "blackout_day": "start_day"}
APPROVAL_FORBIDDEN = ("forbidden", "self_approval")


def request_leave(uow, project_id, data):
    """ATT-07: a person asks for leave for themself; the filing rules decide at once, and a
    refused request is kept (after-the-fact leave stays on record)."""
    office_staff(uow)
    person = repo.person(uow.session, project_id, uow.actor_id)
    span = uow.decide(rules.check_leave_span(data["start_day"], data["end_day"]),
                      error=Unprocessable, field="end_day")
    now, tz, _ = today(uow, project_id)
    req = rules.LeaveRequest(person.id, person.name, data["leave_type"], data["start_day"],
                             date.fromisoformat(span.data["end_day"]), now,
                             data["handover_note"], data["emergency"])
    d = rules.check_leave_request(req, repo.blackouts(uow.session, project_id),
                                  uow.policy(project_id), tz)
    status = "refused" if not d.allowed else "approved" if d.outcome == "notified" \
        else "requested"
    row = Leave(project_id=project_id, person_id=person.id, leave_type=req.leave_type,
                start_day=req.start_day, end_day=req.end_day, filed_at=now,
                handover_note=req.handover_note, emergency=req.emergency,
                status=status, rule=d.rule, reason=d.reason)
    uow.session.add(row)
    uow.flush()
    uow.record(d, "leave", row.id, project_id)
    if not d.allowed:
        return Kept(d, field=LEAVE_FIELDS.get(d.outcome, "start_day"))
    if status == "approved":          # sick leave notified in time counts at once
        _started_today(uow, project_id, row, d)
    return repo.leave_view(row)


def _started_today(uow, project_id, row, d):
    """Leave covering today takes the person off today's sheet at once (``leave_started``)."""
    current = today(uow, project_id)[2]
    if row.start_day <= current <= row.end_day:
        uow.emit("leave_started", project_id, "ATT-07", d.reason, person_id=row.person_id,
                 day=current.isoformat(), leave_type=row.leave_type)


def approve_leave(uow, project_id, leave_id):
    row = repo.leave(uow.session, project_id, leave_id)
    now, tz, _ = today(uow, project_id)
    req = repo.leave_request(row, repo.name(uow.session, row.person_id))
    d = rules.approve_leave(*acting(uow), req, now, repo.blackouts(uow.session, project_id),
                            uow.policy(project_id), tz, status=row.status)
    check(uow, d, field="leave_id", forbidden=APPROVAL_FORBIDDEN)
    row.status, row.decided_by, row.rule, row.reason = "approved", uow.actor_id, d.rule, \
        d.reason
    uow.record(d, "leave", row.id, project_id)
    _started_today(uow, project_id, row, d)
    return repo.leave_view(row)


def reject_leave(uow, project_id, leave_id, data):
    """ATT-07: a manager turns a request down with a reason (the applicant reads it)."""
    row = repo.leave(uow.session, project_id, leave_id)
    req = repo.leave_request(row, repo.name(uow.session, row.person_id))
    d = rules.reject_leave(*acting(uow), req, data["reason"], status=row.status)
    check(uow, d, field="leave_id", forbidden=APPROVAL_FORBIDDEN)
    row.status, row.decided_by, row.rule, row.reason = "rejected", uow.actor_id, d.rule, \
        d.reason
    uow.record(d, "leave", row.id, project_id)
    return repo.leave_view(row)


def return_from_leave(uow, project_id, leave_id):
    """ATT-07 -> REC-01: back at the desk today (joins at the back of the current round)."""
    row, name = _own_leave(uow, project_id, leave_id, "end someone else's leave")
    current = today(uow, project_id)[2]
    d = check(uow, rules.return_from_leave(name, row.leave_type, row.status, row.start_day,
                                           row.end_day, current), field="leave_id")
    if d.outcome == "withdrawn":
        row.status = "withdrawn"
    else:
        row.end_day = date.fromisoformat(d.data["end_day"])
    row.rule, row.reason = d.rule, d.reason
    uow.record(d, "leave", row.id, project_id)
    uow.emit("leave_ended", project_id, "ATT-07", d.reason, person_id=row.person_id,
             day=current.isoformat(), leave_type=row.leave_type)
    return repo.leave_view(row)


def file_certificate(uow, project_id, leave_id):
    """ATT-07: a medical certificate for sick leave (by the end of the first day back)."""
    row, name = _own_leave(uow, project_id, leave_id, "file someone else's certificate")
    check(uow, rules.file_certificate(name, row.leave_type, row.certificate_at, uow.now),
          field="leave_id")
    row.certificate_at = uow.now
    return repo.leave_view(row)


def _own_leave(uow, project_id, leave_id, action):
    """The leave and its holder's name: the holder acts on it, or a supervisor or manager."""
    row = repo.leave(uow.session, project_id, leave_id)
    uow.caller.require_self(row.person_id, *LEADS, action=action)
    return row, repo.name(uow.session, row.person_id)


def list_leave(uow, project_id):
    mine = None if uow.caller.has("supervisor", "manager", "clerk") else uow.actor_id
    return [repo.leave_view(r) for r in repo.leaves(uow.session, project_id, mine)]


def list_swaps(uow, project_id):
    """ATT-08: supervisors, managers and the clerk see every swap; others those they are in."""
    mine = None if uow.caller.has("supervisor", "manager", "clerk") else uow.actor_id
    return [repo.swap_view(s) for s in repo.swaps(uow.session, project_id, mine)]


def record_swap(uow, project_id, data):
    """ATT-08: an approved swap exchanges the two rosters on those days; a swap found without
    approval makes both people absent."""
    a = staff_member(uow, project_id, data["a_id"], field="a_id", rule="ATT-08")
    b = staff_member(uow, project_id, data["b_id"], field="b_id", rule="ATT-08")
    now, tz, _ = today(uow, project_id)
    days = tuple(sorted(set(data["days"])))
    approved = data["approved"]
    if approved:
        d = rules.approve_swap(*acting(uow), rules.SwapRequest(a.id, a.name, b.id, b.name, days),
                               now, repo.blackouts(uow.session, project_id), tz)
        _check_swap(uow, d)
        repo.swap_rosters(uow.session, a.id, b.id, days)
        entries = ()
    else:
        c = rules.unapproved_swap_found(*acting(uow), a.id, a.name, b.id, b.name, days,
                                        today(uow, project_id)[2])
        d, entries = _check_swap(uow, c.decision), c.entries
    swap = Swap(project_id=project_id, a_id=a.id, b_id=b.id, days=[x.isoformat() for x in days],
                status="approved" if approved else "unapproved",
                approved_by=uow.actor_id if approved else None, rule=d.rule, reason=d.reason)
    uow.session.add(swap)
    uow.flush()
    for entry in entries:
        book(uow, project_id, entry, source=f"swap:{swap.id}:{entry.person_id}:{entry.day}")
    uow.record(d, "swap", swap.id, project_id)
    return dict(d.as_dict(), id=swap.id)


def _check_swap(uow, d):
    """A refused swap: two names for one person is the request's fault (422 on ``b_id``)."""
    if d.outcome == "same_person":
        uow.decide(d, error=Unprocessable, field="b_id")
    return check(uow, d, field="days", forbidden=APPROVAL_FORBIDDEN)
