"""Reception's rows: locking a day's sheet, loading (404 for ids outside the caller's project),
the stored rows as the rules see them, and the answers (row → dict for the ``Out`` schemas).

Every change to a day's sheet first locks that day's ``day_sheet`` row (an UPDATE of its
version, then ``SELECT … FOR UPDATE``), so N instances on one PostgreSQL assign walk-ins one at
a time from the current sheet.
"""
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.common import directory
from services.common.db import is_postgres
from services.common.errors import NotFound
from services.common.timeutil import iso, local

from . import rules
from .constants import BOARD_GROUPS
from .models import Call, CallFault, DaySheet, Display, Reception, SheetEntry, Suspension, WalkIn

# ---------------------------------------------------------------- row ↔ rule input

def rule_entry(e):
    """The stored entry as the rules see it."""
    return rules.SheetEntry(
        person_id=e.person_id, name=e.name, signin_seq=e.signin_seq, marks=e.marks,
        state=e.state, pass_until=e.pass_until, last_finished_at=e.last_finished_at,
        received_today=e.received_today, receiving_kind=e.receiving_kind, groups=e.groups,
        suspended_until=e.suspended_until, off_reason=e.off_reason,
        lunch_pending=bool(e.lunch_pending))


def rule_entries(entries):
    return [rule_entry(e) for e in entries]


def find(entries, person_id):
    return next((e for e in entries if e.person_id == person_id), None)


def renumber(entries, start=1):
    """Sheet places ``start``.. in the given order."""
    for i, e in enumerate(entries, start):
        e.signin_seq = i


# ---------------------------------------------------------------- the day's sheet

def sheet(session, project_id, day):
    return session.scalar(select(DaySheet).where(DaySheet.project_id == project_id,
                                                 DaySheet.day == day))


def entries(session, sheet_row, populate=False):
    if sheet_row is None:
        return []
    query = select(SheetEntry).where(SheetEntry.sheet_id == sheet_row.id)
    if populate:
        query = query.execution_options(populate_existing=True)
    return list(session.scalars(query))


def lock_sheet(session, project_id, day, now, create=False, fresh=False):
    """Lock the (project, day) sheet row for this transaction and load it with its entries;
    ``(None, [])`` when there is none and ``create`` is false.

    The UPDATE takes PostgreSQL's row lock (and SQLite's write lock) before anything is read,
    so every instance assigns from the newest sheet. ``fresh`` first ends the read-only
    transaction so far (SQLite would refuse to upgrade a stale read snapshot to a write); it
    is only asked for before the unit of work has written anything."""
    if fresh:
        end_read(session)
    if create:
        insert = pg_insert if is_postgres(session.get_bind()) else sqlite_insert
        session.execute(insert(DaySheet).values(
            project_id=project_id, day=day, version=0, afternoon_done=False,
            created_at=now, updated_at=now).on_conflict_do_nothing(
            index_elements=["project_id", "day"]))
    locked = session.execute(update(DaySheet).where(DaySheet.project_id == project_id,
                                                    DaySheet.day == day)
                             .values(version=DaySheet.version + 1, updated_at=now))
    if locked.rowcount == 0:
        return None, []
    row = session.scalar(select(DaySheet).where(DaySheet.project_id == project_id,
                                                DaySheet.day == day)
                         .with_for_update().execution_options(populate_existing=True))
    return row, entries(session, row, populate=True)


def end_read(session):
    """End the read-only transaction so far (nothing is written yet): the next statement sees
    what other workers committed meanwhile, e.g. while this one waited on an RPC."""
    session.rollback()


def sheet_subject(sheet_row):
    """"why" answers decisions about a day's sheet under ``sheet/<project>-<day>``."""
    return "sheet", f"{sheet_row.project_id}-{sheet_row.day.isoformat()}"


def person_subject(sheet_row, person_id):
    """SYS-01: everything that moved one consultant's marks or place on one day's sheet
    (sign-in, passes, forfeits, completions, reorders) under ``consultant_day/<project>-<day>-
    <person>``; an assignment links these (``because``)."""
    return "consultant_day", f"{sheet_row.project_id}-{sheet_row.day.isoformat()}-{person_id}"


def open_slots(session, person_id, day):
    """REC-03: the slots (1 first group, 2 second) of the consultant's open receptions."""
    return set(session.scalars(select(Reception.slot).where(
        Reception.person_id == person_id, Reception.day == day, Reception.status == "open")))


def faults(session, project_id, call_id):
    return session.scalars(select(CallFault).where(CallFault.project_id == project_id,
                                                   CallFault.call_id == call_id)
                           .order_by(CallFault.id)).all()


def overdue_sms_calls(session, now, limit=200):
    """REC-12: calls with no SMS and no SMS fault yet (the timer checks each one's deadline)."""
    fined = select(CallFault.call_id).where(CallFault.kind.in_(("no_sms", "late_sms")),
                                            CallFault.call_id.is_not(None))
    return session.scalars(select(Call).where(Call.sms_sent_at.is_(None),
                                              Call.ended_at <= now, Call.id.not_in(fined))
                           .order_by(Call.id).limit(limit)).all()


def suspended_until(session, project_id, person_id, day):
    """REC-09: the last day of a suspension still running on ``day``, or None."""
    return session.scalar(select(func.max(Suspension.until_day)).where(
        Suspension.project_id == project_id, Suspension.person_id == person_id,
        Suspension.until_day >= day))


def rename(session, person_id, name):
    """A person's new name on every sheet they are on."""
    session.execute(update(SheetEntry).where(SheetEntry.person_id == person_id)
                    .values(name=name))


# ---------------------------------------------------------------- loading

def names(session, project_id, person_ids):
    """Names of people of this project: the directory replica, else a sheet they were on."""
    ids = {i for i in person_ids if i is not None}
    found = directory.names(session, project_id, ids)
    missing = ids - set(found)
    if missing:
        rows = session.execute(select(SheetEntry.person_id, SheetEntry.name)
                               .join(DaySheet, DaySheet.id == SheetEntry.sheet_id)
                               .where(DaySheet.project_id == project_id,
                                      SheetEntry.person_id.in_(missing))).all()
        found.update({r.person_id: r.name for r in rows})
    return found


def name_in_project(session, project_id, person_id, field, what="consultant"):
    name = names(session, project_id, [person_id]).get(person_id)
    if name is None:
        raise NotFound(f"no {what} {person_id} in this project", rule="SYS-02", field=field)
    return name


def customer_seen(session, project_id, customer_id):
    """SYS-02: the customer came to this project's desk (a walk-in or a registered call);
    reception knows customers only by these."""
    for model in (WalkIn, Call):
        if session.scalar(select(model.id).where(model.project_id == project_id,
                                                 model.customer_id == customer_id).limit(1)):
            return True
    return False


def reception(session, project_id, reception_id, populate=False):
    query = select(Reception).where(Reception.id == reception_id)
    if populate:
        query = query.execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None or row.project_id != project_id:
        raise NotFound(f"no reception {reception_id}", field="reception_id")
    return row


def receptions(session, project_id, day):
    return session.scalars(select(Reception).where(Reception.project_id == project_id,
                                                   Reception.day == day)
                           .order_by(Reception.id)).all()


def open_receptions(session, project_id, day):
    return [r for r in receptions(session, project_id, day) if r.status == "open"]


def call(session, project_id, call_id):
    row = session.get(Call, call_id)
    if row is None or row.project_id != project_id:
        raise NotFound(f"no call {call_id}", field="call_id")
    return row


def calls(session, project_id, day):
    return session.scalars(select(Call).where(Call.project_id == project_id, Call.day == day)
                           .order_by(Call.id)).all()


# ---------------------------------------------------------------- answers

def reception_view(r, name=None, walk=None):
    return {"id": r.id, "walk_in_id": r.walk_in_id, "person_id": r.person_id, "name": name,
            "arrived_at": iso(walk.at) if walk else None,
            "named_person_id": walk.named_person_id if walk else None,
            "kind": r.kind, "second_group": r.second_group, "customer_id": r.customer_id,
            "credit_owner_id": r.credit_owner_id, "status": r.status, "rule": r.rule,
            "reason": r.reason, "notice": r.notice, "day": r.day.isoformat(),
            "started_at": iso(r.started_at), "completed_at": iso(r.completed_at),
            "outcome": r.outcome, "floor_plans": r.floor_plans}


def receptions_view(session, project_id, rows):
    people = names(session, project_id, [r.person_id for r in rows])
    walks = {w.id: w for w in session.scalars(select(WalkIn).where(
        WalkIn.id.in_([r.walk_in_id for r in rows])))} if rows else {}
    return [reception_view(r, people.get(r.person_id), walks.get(r.walk_in_id)) for r in rows]


def fault_view(f):
    return {"id": f.id, "person_id": f.person_id, "day": f.day.isoformat(),
            "call_id": f.call_id, "kind": f.kind, "missing": f.missing, "fine": f.fine,
            "occurred_at": iso(f.occurred_at), "recorded_by": f.recorded_by, "note": f.note,
            "rule": f.rule, "reason": f.reason}


def _entry_row(e, place, state, detail):
    return {"place": place, "person_id": e.person_id, "name": e.name, "marks": e.marks,
            "state": state, "detail": detail, "signin_seq": e.signin_seq,
            "signed_in_at": iso(e.signed_in_at), "suspended_until": iso(e.suspended_until)}


def sheet_view(session, project_id, day, now, policy, tz):
    """REC-01: the day's sheet in rotation order, those off duty last."""
    row = sheet(session, project_id, day)
    stored = entries(session, row)
    by_id = {e.person_id: e for e in stored}
    board = rules.board_view(rule_entries(stored), now, policy, tz) if stored \
        else {"marks": [], "desk": []}
    rows = [_entry_row(by_id[m["person_id"]], m["place"], m["state"],
                       by_id[m["person_id"]].state_detail) for m in board["marks"]]
    off = sorted((e for e in stored if e.state == "off_duty"), key=lambda e: e.signin_seq)
    rows += [_entry_row(e, None, "off_duty", e.off_reason) for e in off]
    return {"project_id": project_id, "day": day.isoformat(), "entries": rows,
            "desk": board["desk"], "notice": row.notice if row else None}


RECEIVING_WORDS = {"turn": "轮序 turn", "returning": "老客户 returning", "duty": "义务接待 duty",
                   "non_turn": "非轮序 non-turn"}


def _board_detail(e, state, tz):
    since = local(e.state_since, tz).strftime("%H:%M") if e.state_since else None
    if state == "receiving":
        text = RECEIVING_WORDS.get(e.receiving_kind, e.receiving_kind or "")
        if e.groups > 1:
            text += f" ×{e.groups}"
        return f"{text} · {since}" if since else text
    if state == "passing" and e.pass_until:
        return f"至 until {local(e.pass_until, tz).strftime('%H:%M')}"
    if state == "suspended" and e.suspended_until:
        return f"至 until {e.suspended_until.isoformat()}"
    bits = [b for b in (e.state_detail, since and f"since {since}") if b]
    return " · ".join(bits) or None


def board(session, project_id, day, now, policy, tz):
    """REC-13: desk positions 1–3, the rotation with marks, who is receiving, at lunch, on
    official business, passing, suspended — the shape gateway/static/board.html draws."""
    row = sheet(session, project_id, day)
    stored = entries(session, row)
    view = rules.board_view(rule_entries(stored), now, policy, tz)
    by_id = {e.person_id: e for e in stored}
    marks = {m["person_id"]: m["marks"] for m in view["marks"]}
    answer = {"project_id": project_id, "day": view["day"], "at": view["at"],
              "desk": [dict(d, marks=marks.get(d["person_id"], 0)) for d in view["desk"]],
              "rotation": [{k: m[k] for k in ("person_id", "name", "marks", "state", "place")}
                           for m in view["marks"]]}
    for group in BOARD_GROUPS:
        answer[group] = [{"person_id": p["person_id"], "name": p["name"],
                          "detail": _board_detail(by_id[p["person_id"]], group, tz),
                          "since": iso(by_id[p["person_id"]].state_since),
                          "until": iso(by_id[p["person_id"]].pass_until)}
                         for p in view[group]]
    answer["notice"] = row.notice if row else None
    return answer


def call_view(row, now, policy):
    sms = rules.check_sms(row.ended_at, row.sms_sent_at, now, policy)
    return {"id": row.id, "day": row.day.isoformat(), "caller": row.caller,
            "phone_masked": row.phone_masked, "need": row.need, "how_heard": row.how_heard,
            "media_source": row.media_source, "answered_by": row.answered_by,
            "customer_id": row.customer_id, "missing": row.missing, "fine": row.fine,
            "ended_at": iso(row.ended_at),
            "faults": [fault_view(f) for f in row.faults],
            "sms": {"status": sms.outcome, "rule": sms.rule, "reason": sms.reason,
                    "sent_at": iso(row.sms_sent_at), "deadline": sms.data["deadline"]}}


# ---------------------------------------------------------------- REC-13 display logins

def display_view(row):
    return {"id": row.id, "project_id": row.project_id, "name": row.name,
            "created_by": row.created_by, "created_at": iso(row.created_at),
            "revoked_at": iso(row.revoked_at)}


def display(session, display_id):
    return session.get(Display, display_id)


def displays(session, project_id):
    return session.scalars(select(Display).where(Display.project_id == project_id)
                           .order_by(Display.id)).all()
