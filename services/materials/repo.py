"""Loading, locking and the conditional writes the database decides (SYS-01, MAT-02..04), the
row <-> rule-input mapping, and the view dicts the ``*Out`` schemas dump.

Loads refuse ids of another project with a 404, so nobody learns another office's ids.
"""
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from services.common import directory
from services.common.db import inserted, savepoint
from services.common.errors import NotFound
from services.common.timeutil import iso

from . import rules
from .models import (
    Handout,
    IssueForm,
    Item,
    LedgerEntry,
    MaterialRequest,
    Plan,
    PlanLine,
    Receipt,
    Shortage,
    StockMovement,
    Stocktake,
)

# ---------------------------------------------------------------- loading

def item(session, project_id, item_id, lock=False):
    query = select(Item).where(Item.id == item_id, Item.project_id == project_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = session.scalar(query)
    if found is None:
        raise NotFound(f"no item {item_id} in project {project_id}", rule="MAT-01",
                       field="item_id")
    return found


def one(session, model, project_id, obj_id, what, field):
    """A plan, request, receipt, issue form or ledger entry of ``project_id`` (404 otherwise)."""
    obj = session.get(model, obj_id)
    if obj is None or obj.project_id != project_id:
        raise NotFound(f"no {what} {obj_id} in project {project_id}", field=field)
    return obj


def rows(session, model, project_id, *order):
    return list(session.scalars(select(model).where(model.project_id == project_id)
                                .order_by(*(order or (model.id,)))))


def items(session, project_id, category=None):
    query = select(Item).where(Item.project_id == project_id).order_by(Item.code)
    if category:
        query = query.where(Item.category == category)
    return list(session.scalars(query))


def items_by_code(session, project_id, codes):
    """The items of ``codes``, locked in id order (two hand-outs never deadlock)."""
    found = session.scalars(
        select(Item).where(Item.project_id == project_id, Item.code.in_(sorted(codes)))
        .order_by(Item.id).with_for_update().execution_options(populate_existing=True))
    return {i.code: i for i in found}


def code_taken(session, project_id, code):
    return session.scalar(select(Item.id).where(Item.project_id == project_id,
                                                Item.code == code)) is not None


def add(session, *objs):
    session.add_all(objs)
    session.flush()
    return objs[0]


# ---------------------------------------------------------------- balances (SYS-01, MAT-04)

def shift_balances(session, item_row, kind, qty):
    """Apply one movement as a conditional UPDATE: the database, not process memory, keeps
    balances >= 0 across instances. Returns (on_hand, held) before, or None when refused."""
    _rule, sign, held_sign = rules.MOVEMENTS[kind]
    table = Item.__table__
    guard = [table.c.id == item_row.id]
    if sign < 0:
        guard.append(table.c.on_hand >= qty)
    if held_sign < 0:
        guard.append(table.c.held >= qty)
    try:
        row = session.execute(
            update(table).where(*guard)
            .values(on_hand=table.c.on_hand + sign * qty, held=table.c.held + held_sign * qty)
            .returning(table.c.on_hand, table.c.held)).first()
    except IntegrityError:  # the CHECK constraint: same answer as the guard
        row = None
    if row is None:
        return None
    set_committed_value(item_row, "on_hand", row.on_hand)
    set_committed_value(item_row, "held", row.held)
    return row.on_hand - sign * qty, row.held - held_sign * qty


def available(session, item_id):
    return session.scalar(select(Item.on_hand).where(Item.id == item_id))


def claim(session, model, obj_id, condition, **values):
    """A conditional UPDATE of one row; True when this transaction won it."""
    return bool(session.execute(update(model).where(model.id == obj_id, condition)
                                .values(**values)).rowcount)


def claim_plan_line(session, line_id, qty):
    """MAT-02: two requests never overdraw a plan line."""
    return claim(session, PlanLine, line_id, PlanLine.quantity - PlanLine.requested >= qty,
                 requested=PlanLine.requested + qty)


def release_plan_line(session, line_id, qty):
    """MAT-02: a cancelled form gives back what it drew on a plan line."""
    return claim(session, PlanLine, line_id, PlanLine.requested >= qty,
                 requested=PlanLine.requested - qty)


def claim_request(session, request_id, qty):
    """MAT-02: forms never draw more than an approved request holds (CHECK and guard)."""
    try:
        with savepoint(session):
            return claim(session, MaterialRequest, request_id,
                         (MaterialRequest.status == "approved")
                         & (MaterialRequest.quantity - MaterialRequest.issued >= qty),
                         issued=MaterialRequest.issued + qty)
    except IntegrityError:
        return False


def release_request(session, request_id, qty):
    return claim(session, MaterialRequest, request_id, MaterialRequest.issued >= qty,
                 issued=MaterialRequest.issued - qty)


def request_facts(r):
    return rules.RequestFacts(r.id, r.item_id, r.kind, r.status, r.quantity, r.issued or 0)


def claim_held(session, receipt, qty):
    """MAT-03: held goods leave temporary storage once, whoever resolves them."""
    won = claim(session, Receipt, receipt.id, Receipt.held_remaining >= qty,
                held_remaining=Receipt.held_remaining - qty)
    session.refresh(receipt)
    return won


def claim_pending_form(session, form, **values):
    """MAT-04: a pending form is confirmed or cancelled by one transaction only."""
    won = claim(session, IssueForm, form.id, IssueForm.status == "pending", **values)
    session.refresh(form)
    return won


# ---------------------------------------------------------------- plans and requests (MAT-02)

def plan_lines(session, plan_id):
    return list(session.scalars(select(PlanLine).where(PlanLine.plan_id == plan_id)
                                .order_by(PlanLine.id)))


def approved_plan_lines(session, project_id, item_id):
    """Rows and their rule inputs: the approved plans' lines for ``item_id``, fresh."""
    found = session.execute(
        select(PlanLine, Plan).join(Plan, Plan.id == PlanLine.plan_id)
        .where(Plan.project_id == project_id, Plan.status == "approved",
               PlanLine.item_id == item_id).order_by(Plan.starts, Plan.id)
        .execution_options(populate_existing=True)).all()
    return [(ln, rules.PlanLine(p.period, p.starts, p.milestone, item_id, ln.quantity,
                                ln.requested)) for ln, p in found]


# ---------------------------------------------------------------- desk kit (MAT-07)

def handout_of(session, project_id, reception_id):
    return session.scalar(select(Handout.id).where(Handout.project_id == project_id,
                                                   Handout.reception_id == reception_id))


def handout_inputs(items_by_code):
    """The rule's view of the items a hand-out names: balance, label, spec, reorder level."""
    return dict(on_hand={c: i.on_hand for c, i in items_by_code.items()},
                names={c: label(i) for c, i in items_by_code.items()},
                specs={c: i.specification for c, i in items_by_code.items()},
                reorder_levels={c: i.reorder_level for c, i in items_by_code.items()})


def put_shortage(session, row):
    """MAT-07: one line per (project, day, key): a new line, or the day's line for the same
    key brought up to date (the unique key decides between two instances). A changed line is
    unreported again, so the manager hears the new figure. Returns the stored row or None."""
    query = (select(Shortage).where(Shortage.project_id == row.project_id,
                                    Shortage.day == row.day, Shortage.key == row.key)
             .with_for_update().execution_options(populate_existing=True))
    found = session.scalar(query)
    if found is None:
        if not row.missing:
            return None
        if inserted(session, row):
            return row
        found = session.scalar(query)
    if found.missing != row.missing:
        found.reported_at = None
    for name in ("wanted", "issued", "missing", "reason", "recorded_by", "at", "item_id"):
        setattr(found, name, getattr(row, name))
    return found


def item_labels(session, project_id, item_ids):
    """``{item_id: label}`` of this project's items (name, spec and code, as reasons say)."""
    ids = {i for i in item_ids if i is not None}
    if not ids:
        return {}
    found = session.scalars(select(Item).where(Item.project_id == project_id,
                                               Item.id.in_(ids)))
    return {i.id: label(i) for i in found}


def people(session, person_ids):
    """MAT-06/07: the directory replica's entry (or None) for each id, in the given order."""
    return {i: directory.person(session, i) for i in person_ids}


def stocktakes_of_year(session, project_id, year):
    """MAT-06: (month, id, full) of the project's stocktakes counted in ``year``."""
    found = session.execute(
        select(Stocktake.month, Stocktake.id, Stocktake.full)
        .where(Stocktake.project_id == project_id, Stocktake.month >= date(year, 1, 1),
               Stocktake.month < date(year + 1, 1, 1)).order_by(Stocktake.id))
    return list(found)


def shortages(session, project_id, day, unreported=False):
    query = select(Shortage).where(Shortage.project_id == project_id, Shortage.day == day,
                                   Shortage.missing > 0)
    if unreported:
        query = query.where(Shortage.reported_at.is_(None))
    return list(session.scalars(query.order_by(Shortage.id)))


# ---------------------------------------------------------------- views (the Out schemas)

def label(item_row):
    return f"{item_row.name} ({item_row.specification}) [{item_row.code}]"


def item_view(i):
    return {"id": i.id, "code": i.code, "name": i.name, "specification": i.specification,
            "model": i.model, "unit": i.unit, "unit_price_cents": i.unit_price_cents,
            "category": i.category, "reorder_level": i.reorder_level, "on_hand": i.on_hand,
            "held": i.held, "low": i.on_hand <= i.reorder_level}


def movement_view(m, code=None):
    return {"id": m.id, "item_id": m.item_id, "code": code, "kind": m.kind,
            "quantity": m.quantity, "before": m.before, "after": m.after,
            "held_before": m.held_before, "held_after": m.held_after, "rule": m.rule,
            "reason": m.reason, "actor_id": m.actor_id, "ref_type": m.ref_type,
            "ref_id": m.ref_id, "at": m.at.isoformat()}


def receipt_view(r):
    return {"id": r.id, "item_id": r.item_id, "name": r.name, "specification": r.specification,
            "model": r.model, "quantity": r.quantity, "unit_price_cents": r.unit_price_cents,
            "amount_cents": r.amount_cents, "receiver_id": r.receiver_id,
            "inspector_id": r.inspector_id, "deliverer": r.deliverer,
            "inspection_passed": r.inspection_passed, "held_remaining": r.held_remaining,
            "note": r.note, "at": r.at.isoformat()}


def form_view(f, balance=None):
    return {"id": f.id, "item_id": f.item_id, "item_name": f.item_name,
            "specification": f.specification, "quantity": f.quantity,
            "recipient_id": f.recipient_id, "purpose": f.purpose, "status": f.status,
            "request_id": f.request_id, "plan_line_id": f.plan_line_id,
            "created_by": f.created_by, "confirmed_by": f.confirmed_by,
            "confirmed_at": iso(f.confirmed_at), "movement_id": f.movement_id,
            "balance": balance}


def ledger_view(e, code=None):
    return {"id": e.id, "item_id": e.item_id, "code": code, "quantity": e.quantity,
            "location": e.location, "responsible_id": e.responsible_id, "state": e.state,
            "note": e.note, "disposal_reported": e.disposal_reported_at is not None,
            "disposal_reported_at": iso(e.disposal_reported_at),
            "updated_at": e.updated_at.isoformat()}


def plan_view(plan, lines):
    return {"id": plan.id, "period": plan.period, "starts": plan.starts.isoformat(),
            "ends": rules.period_end(plan.period, plan.starts).isoformat(),
            "milestone": plan.milestone, "status": plan.status, "approved_by": plan.approved_by,
            "lines": [{"id": ln.id, "item_id": ln.item_id, "quantity": ln.quantity,
                       "requested": ln.requested, "remaining": max(ln.quantity - ln.requested, 0)}
                      for ln in lines]}


def request_view(r):
    return {"id": r.id, "item_id": r.item_id, "quantity": r.quantity, "purpose": r.purpose,
            "kind": r.kind, "status": r.status, "plan_line_id": r.plan_line_id,
            "requested_by": r.requested_by, "decided_by": r.decided_by, "rule": r.rule,
            "issued": r.issued or 0,
            "reason": r.reason}


def shortage_view(s):
    return {"id": s.id, "day": s.day.isoformat(), "source": s.source, "item_id": s.item_id,
            "code": s.code, "person_id": s.person_id, "reception_id": s.reception_id,
            "wanted": s.wanted, "issued": s.issued, "missing": s.missing, "rule": s.rule,
            "reason": s.reason, "reported": s.reported_at is not None}


def plans(session, project_id):
    return [plan_view(p, plan_lines(session, p.id))
            for p in rows(session, Plan, project_id, Plan.starts, Plan.id)]


def movements(session, project_id, item_id=None):
    query = (select(StockMovement, Item.code).join(Item, Item.id == StockMovement.item_id)
             .where(StockMovement.project_id == project_id).order_by(StockMovement.id))
    if item_id is not None:
        query = query.where(StockMovement.item_id == item_id)
    return [movement_view(m, code) for m, code in session.execute(query)]


def ledger(session, project_id):
    found = session.execute(select(LedgerEntry, Item.code)
                            .join(Item, Item.id == LedgerEntry.item_id)
                            .where(LedgerEntry.project_id == project_id)
                            .order_by(LedgerEntry.id))
    return [ledger_view(e, code) for e, code in found]


def issue_forms(session, project_id, recipient_id=None):
    query = select(IssueForm).where(IssueForm.project_id == project_id)
    if recipient_id is not None:
        query = query.where(IssueForm.recipient_id == recipient_id)
    return [form_view(f) for f in session.scalars(query.order_by(IssueForm.id))]


def requests(session, project_id):
    return [request_view(r) for r in rows(session, MaterialRequest, project_id)]
