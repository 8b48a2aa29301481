"""Materials (物料管理): catalogue, needs plans and requests, receiving, issuing, usage ledger,
stocktakes, the desk kit and low stock (MAT-01…08).

Entrypoints stay thin: verify the caller, load, call the rule (rules.py), store, emit.
Every change to a balance goes through ``_move``: a conditional UPDATE guarded by the database
(CHECK on_hand >= 0 and ``WHERE on_hand >= :q``), a ``stock_movement`` row with rule, reason,
actor and before/after, a "why" record, and ``stock_moved`` / ``stock_low`` in the outbox, all in
one transaction (SYS-01, MAT-04, MAT-08)."""
import logging
from datetime import date

from nameko.events import event_handler
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from services.common import export, outbox, why
from services.common.clock import Clock
from services.common.db import Database
from services.common.decision import allow
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from services.common.inbox import once
from services.common.schemas import load
from services.common.service import ServiceKit, rpc
from services.common.timeutil import business_day

from . import rules, schemas
from .models import (KIT, Handout, IssueForm, Item, LedgerEntry, MaterialRequest, Plan, PlanLine,
                     Receipt, Shortage, StockMovement, Stocktake, StocktakeLine)

log = logging.getLogger(__name__)



MANAGE = ("storekeeper", "manager")          # catalogue, receipts, issue forms, stocktakes, ledger
PLANNERS = ("storekeeper", "supervisor", "manager")
APPROVERS = ("supervisor", "manager")        # plans; urgent requests: manager only (MAT-02)
DESK = ("supervisor", "manager")             # desk kit checks, day's shortages (MAT-07)


# ---------------------------------------------------------------- views

def item_view(item):
    return {"id": item.id, "code": item.code, "name": item.name,
            "specification": item.specification, "model": item.model, "unit": item.unit,
            "unit_price_cents": item.unit_price_cents, "category": item.category,
            "reorder_level": item.reorder_level, "on_hand": item.on_hand, "held": item.held,
            "low": item.on_hand <= item.reorder_level}


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
            "created_by": f.created_by, "confirmed_by": f.confirmed_by,
            "confirmed_at": f.confirmed_at.isoformat() if f.confirmed_at else None,
            "movement_id": f.movement_id, "balance": balance}


def ledger_view(e, code=None):
    return {"id": e.id, "item_id": e.item_id, "code": code, "quantity": e.quantity,
            "location": e.location, "responsible_id": e.responsible_id, "state": e.state,
            "note": e.note, "disposal_reported": e.disposal_reported_at is not None,
            "disposal_reported_at": (e.disposal_reported_at.isoformat()
                                     if e.disposal_reported_at else None),
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
            "reason": r.reason}


def shortage_view(s):
    return {"id": s.id, "day": s.day.isoformat(), "source": s.source, "item_id": s.item_id,
            "code": s.code, "person_id": s.person_id, "reception_id": s.reception_id,
            "wanted": s.wanted, "issued": s.issued, "missing": s.missing, "rule": s.rule,
            "reason": s.reason, "reported": s.reported_at is not None}


def label(item):
    return f"{item.name} ({item.specification}) [{item.code}]"


STOCK_COLUMNS = [("code", "code 编码"), ("name", "name 名称"), ("specification", "spec 规格"),
                 ("model", "model 型号"), ("unit", "unit 单位"), ("category", "category 类别"),
                 ("unit_price_cents", "unit price (cents) 单价(分)"),
                 ("reorder_level", "reorder level 补货线"), ("on_hand", "available 可用"),
                 ("held", "temporary storage 暂存"), ("low", "low 低库存")]
MOVEMENT_COLUMNS = [("id", "id"), ("at", "at"), ("code", "code"), ("kind", "kind"),
                    ("quantity", "quantity"), ("before", "before"), ("after", "after"),
                    ("held_before", "held before"), ("held_after", "held after"),
                    ("rule", "rule"), ("reason", "reason"), ("actor_id", "actor"),
                    ("ref_type", "ref type"), ("ref_id", "ref")]
LEDGER_COLUMNS = [("id", "id"), ("code", "code"), ("quantity", "quantity"),
                  ("location", "location 存放地点"), ("responsible_id", "responsible 责任人"),
                  ("state", "state 状态"), ("disposal_reported", "reported for disposal"),
                  ("note", "note"), ("updated_at", "updated at")]


# ---------------------------------------------------------------- catalogue (used by the CLI too)

def create_item(session, project_id, data, actor, now):
    """MAT-01: validate with the rule, refuse a taken code (409), store, record why."""
    d = rules.validate_item(data["name"], data["specification"], data.get("model", ""),
                            data["unit"], data["unit_price_cents"], data["category"],
                            data["reorder_level"])
    if not d.allowed:
        raise Unprocessable(d.reason, rule=d.rule, field=d.data.get("field"))
    taken = session.scalar(select(Item.id).where(Item.project_id == project_id,
                                                 Item.code == data["code"]))
    if taken:
        raise Conflict(f"item code {data['code']!r} is taken in this project", rule="MAT-01",
                       field="code")
    item = Item(project_id=project_id, code=data["code"], name=data["name"].strip(),
                specification=data["specification"].strip(), model=data.get("model", "").strip(),
                unit=data["unit"].strip(), unit_price_cents=data["unit_price_cents"],
                category=data["category"], reorder_level=data["reorder_level"], on_hand=0,
                held=0, created_at=now, created_by=actor.get("person_id"))
    session.add(item)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"item code {data['code']!r} is taken in this project", rule="MAT-01",
                       field="code")
    why.record(session, d, subject_type="item", subject_id=item.id, now=now,
               project_id=project_id, actor_id=actor.get("person_id"))
    return item


class MaterialsService(ServiceKit):
    name = "materials"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_defaults = rules.POLICY_DEFAULTS
    policy_check = staticmethod(rules.policy_with_defaults)

    # ------------------------------------------------------------ helpers
    def _item(self, project_id, item_id, lock=False):
        query = select(Item).where(Item.id == item_id, Item.project_id == project_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        item = self.db.scalar(query)
        if item is None:
            raise NotFound(f"no item {item_id} in project {project_id}", rule="MAT-01",
                           field="item_id")
        return item

    def _get(self, model, project_id, obj_id, what, field):
        obj = self.db.get(model, obj_id)
        if obj is None or obj.project_id != project_id:
            raise NotFound(f"no {what} {obj_id} in project {project_id}", field=field)
        return obj

    def _move(self, item, kind, qty, *, actor, now, ref_type=None, ref_id=None, note=None,
              rule=None):
        """Change ``item``'s balances by one movement, guarded by the database (SYS-01)."""
        mv_rule, sign, held_sign = rules.MOVEMENTS[kind]
        table = Item.__table__
        guard = [table.c.id == item.id]
        if sign < 0:
            guard.append(table.c.on_hand >= qty)   # MAT-04: never below zero, two instances
        if held_sign < 0:
            guard.append(table.c.held >= qty)
        try:
            row = self.db.execute(
                update(table).where(*guard)
                .values(on_hand=table.c.on_hand + sign * qty, held=table.c.held + held_sign * qty)
                .returning(table.c.on_hand, table.c.held)).first()
        except IntegrityError:  # the CHECK constraint: same answer as the guard
            row = None
        if row is None:
            current = self.db.scalar(select(table.c.on_hand).where(table.c.id == item.id))
            where = "temporary storage" if held_sign < 0 and sign >= 0 else "stock"
            raise Conflict(f"{kind} {qty} of {label(item)}: not enough in {where} "
                           f"(available {current})", rule=rule or mv_rule, field="quantity")
        before, held_before = row.on_hand - sign * qty, row.held - held_sign * qty
        set_committed_value(item, "on_hand", row.on_hand)
        set_committed_value(item, "held", row.held)
        d = rules.stock_movement(kind, qty, before, held=held_before, item=label(item),
                                 reorder_level=item.reorder_level)
        reason = d.reason + (f" ({note})" if note else "")
        d = allow(rule or d.rule, reason, outcome=d.outcome, **d.data)
        actor_id = actor.get("person_id") if actor else None
        movement = StockMovement(project_id=item.project_id, item_id=item.id, kind=kind,
                                 quantity=qty, before=before, after=row.on_hand,
                                 held_before=held_before, held_after=row.held, rule=d.rule,
                                 reason=reason, actor_id=actor_id, ref_type=ref_type,
                                 ref_id=None if ref_id is None else str(ref_id), at=now)
        self.db.add(movement)
        self.db.flush()
        for subject_type, subject_id in (("movement", movement.id), ("item", item.id)):
            why.record(self.db, d, subject_type=subject_type, subject_id=subject_id, now=now,
                       project_id=item.project_id, actor_id=actor_id)
        outbox.emit(self.db, "stock_moved", now=now, project_id=item.project_id, actor=actor,
                    rule=d.rule, reason=reason, item_id=item.id, code=item.code, kind=kind,
                    quantity=qty, balance=row.on_hand, held=row.held, movement_id=movement.id,
                    before=before)
        if d.data.get("low_stock"):  # MAT-08: once per crossing of the reorder level
            low = rules.low_stock(label(item), before, row.on_hand, item.reorder_level)
            why.record(self.db, low, subject_type="item", subject_id=item.id, now=now,
                       project_id=item.project_id, actor_id=actor_id)
            outbox.emit(self.db, "stock_low", now=now, project_id=item.project_id, actor=actor,
                        rule=low.rule, reason=low.reason, item_id=item.id, code=item.code,
                        balance=row.on_hand, reorder_level=item.reorder_level,
                        movement_id=movement.id)
        return movement

    # ------------------------------------------------------------ outbox relay
    # ------------------------------------------------------------ SYS-03 policy
    @rpc
    def set_policy(self, token, project_id, changes, reason=None):
        """SYS-03 with the materials rules' own checks (e.g. never fewer than two counters)."""
        self._caller(token, project_id, "manager", action="change policy (SYS-03)")
        try:
            rules.policy_with_defaults({**self.policy(project_id), **(changes or {})})
        except ValueError as exc:
            raise Unprocessable(str(exc), rule="SYS-03", field=",".join(sorted(changes or {})))
        return ServiceKit.set_policy(self, token, project_id, changes, reason)

    # ------------------------------------------------------------ MAT-01 catalogue
    @rpc
    def create_item(self, token, project_id, payload):
        caller = self._caller(token, project_id, *MANAGE, action="manage the catalogue (MAT-01)")
        data = load(schemas.CatalogueItemIn, payload, rule="MAT-01")
        item = create_item(self.db, project_id, data, caller.as_actor(), self.clock.now())
        self.db.commit()
        return item_view(item)

    @rpc
    def update_item(self, token, project_id, item_id, payload):
        caller = self._caller(token, project_id, *MANAGE, action="manage the catalogue (MAT-01)")
        data = load(schemas.CatalogueItemPatch, payload, rule="MAT-01")
        item = self._item(project_id, item_id)
        merged = {k: data.get(k, getattr(item, k)) for k in
                  ("name", "specification", "model", "unit", "unit_price_cents", "category",
                   "reorder_level")}
        d = rules.validate_item(**merged)
        if not d.allowed:
            raise Unprocessable(d.reason, rule=d.rule, field=d.data.get("field"))
        for key, value in merged.items():  # balances are never patched: only movements
            setattr(item, key, value.strip() if isinstance(value, str) else value)
        why.record(self.db, d, subject_type="item", subject_id=item.id, now=self.clock.now(),
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return item_view(item)

    @rpc
    def list_items(self, token, project_id):
        self._caller(token, project_id)
        items = self.db.scalars(select(Item).where(Item.project_id == project_id)
                                .order_by(Item.code))
        return [item_view(i) for i in items]

    @rpc
    def get_item(self, token, project_id, item_id):
        self._caller(token, project_id)
        return item_view(self._item(project_id, item_id))

    @rpc
    def stock_levels(self, token, project_id):
        return self.list_items(token, project_id)

    @rpc
    def export_stock(self, token, project_id, query=None):
        rows = self.list_items(token, project_id)
        return export.table_file(rows, STOCK_COLUMNS, (query or {}).get("format", "csv"),
                                 f"stock-levels-project-{project_id}")

    # ------------------------------------------------------------ SYS-01 movements
    def _movements(self, project_id, query):
        q = (select(StockMovement, Item.code).join(Item, Item.id == StockMovement.item_id)
             .where(StockMovement.project_id == project_id).order_by(StockMovement.id))
        item_id = (query or {}).get("item_id")
        if item_id:
            try:
                q = q.where(StockMovement.item_id == int(item_id))
            except ValueError:
                raise Unprocessable("item_id must be a whole number", field="item_id")
        return [movement_view(m, code) for m, code in self.db.execute(q)]

    @rpc
    def list_movements(self, token, project_id, query=None):
        self._caller(token, project_id)
        return self._movements(project_id, query)

    @rpc
    def export_movements(self, token, project_id, query=None):
        self._caller(token, project_id)
        return export.table_file(self._movements(project_id, query), MOVEMENT_COLUMNS,
                                 (query or {}).get("format", "csv"),
                                 f"stock-movements-project-{project_id}")

    # ------------------------------------------------------------ MAT-02 plans and requests
    @rpc
    def create_plan(self, token, project_id, payload):
        caller = self._caller(token, project_id, *PLANNERS, action="draft a needs plan (MAT-02)")
        data = load(schemas.NeedsPlanIn, payload, rule="MAT-02")
        lines = {}
        for line in data["lines"]:
            self._item(project_id, line["item_id"])
            if line["item_id"] in lines:
                raise Unprocessable(f"item {line['item_id']} is listed twice", rule="MAT-02",
                                    field="lines")
            lines[line["item_id"]] = line["quantity"]
        d = rules.validate_plan(data["period"], data["starts"], data["milestone"], lines,
                                self._policy(project_id))
        if not d.allowed:
            raise Unprocessable(d.reason, rule=d.rule, field=d.data.get("field"))
        now = self.clock.now()
        plan = Plan(project_id=project_id, period=data["period"], starts=data["starts"],
                    milestone=data["milestone"].strip(), status="draft",
                    created_by=caller.person_id, created_at=now)
        self.db.add(plan)
        self.db.flush()
        rows = [PlanLine(plan_id=plan.id, item_id=i, quantity=q, requested=0)
                for i, q in lines.items()]
        self.db.add_all(rows)
        self.db.flush()
        why.record(self.db, d, subject_type="plan", subject_id=plan.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return plan_view(plan, rows)

    @rpc
    def approve_plan(self, token, project_id, plan_id):
        caller = self._caller(token, project_id, *APPROVERS, action="approve a needs plan "
                                                                     "(MAT-02)")
        plan = self._get(Plan, project_id, plan_id, "plan", "plan_id")
        if plan.status != "draft":
            raise Conflict(f"plan {plan_id} is already {plan.status}", rule="MAT-02")
        now = self.clock.now()
        plan.status, plan.approved_by, plan.approved_at = "approved", caller.person_id, now
        why.record(self.db, allow("MAT-02", f"{plan.period} plan for {plan.milestone} approved "
                                  f"by {caller.name or caller.person_id}", outcome="approved"),
                   subject_type="plan", subject_id=plan.id, now=now, project_id=project_id,
                   actor_id=caller.person_id)
        self.db.commit()
        return plan_view(plan, self._plan_lines(plan.id))

    def _plan_lines(self, plan_id):
        return list(self.db.scalars(select(PlanLine).where(PlanLine.plan_id == plan_id)
                                    .order_by(PlanLine.id)))

    @rpc
    def list_plans(self, token, project_id):
        self._caller(token, project_id)
        plans = self.db.scalars(select(Plan).where(Plan.project_id == project_id)
                                .order_by(Plan.starts, Plan.id))
        return [plan_view(p, self._plan_lines(p.id)) for p in plans]

    @rpc
    def create_request(self, token, project_id, payload):
        """MAT-02: within an approved current plan → planned (approved at once); otherwise
        urgent, pending a manager's approval."""
        caller = self._caller(token, project_id)
        data = load(schemas.MaterialRequestIn, payload, rule="MAT-02")
        item = self._item(project_id, data["item_id"])
        now = self.clock.now()
        policy, line_id = self._policy(project_id), None
        for _attempt in range(3):
            rows = self.db.execute(
                select(PlanLine, Plan).join(Plan, Plan.id == PlanLine.plan_id)
                .where(Plan.project_id == project_id, Plan.status == "approved",
                       PlanLine.item_id == item.id).order_by(Plan.starts, Plan.id)
                .execution_options(populate_existing=True)).all()
            lines = [(ln, rules.PlanLine(p.period, p.starts, p.milestone, item.id, ln.quantity,
                                         ln.requested)) for ln, p in rows]
            decision = rules.classify_request(item.id, data["quantity"], now,
                                              [pl for _, pl in lines], policy)
            if not decision.allowed:
                raise Unprocessable(decision.reason, rule=decision.rule,
                                    field=decision.data.get("field"))
            if decision.outcome != "planned":
                break
            chosen = next(ln for ln, pl in lines if pl.period == decision.data["plan_period"]
                          and pl.starts.isoformat() == decision.data["plan_starts"]
                          and pl.remaining >= data["quantity"])
            # the plan line is claimed in the database: two requests never overdraw a plan
            claimed = self.db.execute(
                update(PlanLine).where(PlanLine.id == chosen.id,
                                       PlanLine.quantity - PlanLine.requested
                                       >= data["quantity"])
                .values(requested=PlanLine.requested + data["quantity"])).rowcount
            if claimed:
                line_id = chosen.id
                break
        else:
            raise Conflict("the plan changed while this request was filed; file it again",
                           rule="MAT-02")
        planned = decision.outcome == "planned"
        request = MaterialRequest(project_id=project_id, item_id=item.id,
                                  quantity=data["quantity"], purpose=data["purpose"],
                                  kind="planned" if planned else "urgent",
                                  status="approved" if planned else "pending",
                                  plan_line_id=line_id, requested_by=caller.person_id,
                                  created_at=now, rule=decision.rule, reason=decision.reason)
        self.db.add(request)
        self.db.flush()
        why.record(self.db, decision, subject_type="request", subject_id=request.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return request_view(request)

    def _decide_request(self, token, project_id, request_id, payload, approve):
        caller = self._caller(token, project_id)
        data = load(schemas.DecisionIn, payload or {}, rule="MAT-02")
        request = self._get(MaterialRequest, project_id, request_id, "request", "request_id")
        d = rules.approve_urgent_request(caller.person_id, caller.roles)
        if not d.allowed:
            raise Forbidden(d.reason, rule=d.rule, field="approver_id")
        if request.status != "pending":
            raise Conflict(f"request {request_id} is already {request.status}", rule="MAT-02")
        now = self.clock.now()
        if not approve:
            d = allow("MAT-02", f"urgent request rejected by manager {caller.person_id}"
                      + (f": {data['reason']}" if data["reason"] else ""), outcome="rejected")
        request.status = "approved" if approve else "rejected"
        request.decided_by, request.decided_at = caller.person_id, now
        request.rule, request.reason = d.rule, d.reason
        why.record(self.db, d, subject_type="request", subject_id=request.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return request_view(request)

    @rpc
    def approve_request(self, token, project_id, request_id, payload=None):
        return self._decide_request(token, project_id, request_id, payload, approve=True)

    @rpc
    def reject_request(self, token, project_id, request_id, payload=None):
        return self._decide_request(token, project_id, request_id, payload, approve=False)

    @rpc
    def list_requests(self, token, project_id):
        self._caller(token, project_id)
        return [request_view(r) for r in self.db.scalars(
            select(MaterialRequest).where(MaterialRequest.project_id == project_id)
            .order_by(MaterialRequest.id))]

    # ------------------------------------------------------------ MAT-03 receiving
    @rpc
    def create_receipt(self, token, project_id, payload):
        caller = self._caller(token, project_id, *MANAGE, action="record a receipt (MAT-03)")
        data = load(schemas.ReceiptIn, payload, rule="MAT-03")
        item = self._item(project_id, data["item_id"])
        price = item.unit_price_cents if data["unit_price_cents"] is None \
            else data["unit_price_cents"]
        model = item.model if data["model"] is None else data["model"]
        receiver = data["receiver_id"] or caller.person_id
        d = rules.validate_receipt(item.name, item.specification, model, data["quantity"], price,
                                   receiver, data["inspector_id"], data["amount_cents"])
        if not d.allowed:
            raise Unprocessable(d.reason, rule=d.rule, field=d.data.get("field"))
        now, passed = self.clock.now(), data["inspection_passed"]
        receipt = Receipt(project_id=project_id, item_id=item.id, name=item.name,
                          specification=item.specification, model=model,
                          quantity=data["quantity"], unit_price_cents=price,
                          amount_cents=d.data["amount_cents"], receiver_id=receiver,
                          inspector_id=data["inspector_id"], deliverer=data["deliverer"],
                          inspection_passed=passed, held_remaining=0 if passed else data["quantity"],
                          note=data["note"], recorded_by=caller.person_id, at=now)
        self.db.add(receipt)
        self.db.flush()
        why.record(self.db, d, subject_type="receipt", subject_id=receipt.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        note = f"receipt {receipt.id}" + ("" if passed else ", failed inspection: recorded, "
                                          "not available until exchanged or returned")
        self._move(item, "receive" if passed else "hold", data["quantity"],
                   actor=caller.as_actor(), now=now, ref_type="receipt", ref_id=receipt.id,
                   note=note)
        self.db.commit()
        return receipt_view(receipt)

    @rpc
    def resolve_held(self, token, project_id, receipt_id, payload):
        """MAT-03: goods in temporary storage leave it by exchange (→ available) or return."""
        caller = self._caller(token, project_id, *MANAGE, action="resolve held goods (MAT-03)")
        data = load(schemas.HeldResolutionIn, payload, rule="MAT-03")
        receipt = self._get(Receipt, project_id, receipt_id, "receipt", "receipt_id")
        item = self._item(project_id, receipt.item_id)
        quantity = receipt.held_remaining if data["quantity"] is None else data["quantity"]
        d = rules.resolve_held(data["action"], quantity, item.on_hand, receipt.held_remaining,
                               item=label(item))
        if not d.allowed:
            error = Conflict if d.outcome == "insufficient_held" else Unprocessable
            raise error(d.reason, rule=d.rule, field=d.data.get("field"))
        claimed = self.db.execute(update(Receipt).where(
            Receipt.id == receipt.id, Receipt.held_remaining >= quantity)
            .values(held_remaining=Receipt.held_remaining - quantity)).rowcount
        if not claimed:
            raise Conflict(f"receipt {receipt_id} no longer holds {quantity}", rule="MAT-03",
                           field="quantity")
        now = self.clock.now()
        self._move(item, data["action"], quantity, actor=caller.as_actor(), now=now,
                   ref_type="receipt", ref_id=receipt.id,
                   note=f"held goods of receipt {receipt.id} {data['action']}ed")
        self.db.commit()
        self.db.refresh(receipt)
        return receipt_view(receipt)

    @rpc
    def list_receipts(self, token, project_id):
        self._caller(token, project_id)
        return [receipt_view(r) for r in self.db.scalars(
            select(Receipt).where(Receipt.project_id == project_id).order_by(Receipt.id))]

    # ------------------------------------------------------------ MAT-04 issuing
    @rpc
    def create_issue_form(self, token, project_id, payload):
        caller = self._caller(token, project_id, *MANAGE, action="make out an issue form "
                                                                  "(MAT-04)")
        data = load(schemas.IssueFormIn, payload, rule="MAT-04")
        item = self._item(project_id, data["item_id"])
        form = rules.IssueForm(data["item_name"] or item.name,
                               data["specification"] or item.specification, data["quantity"],
                               data["recipient_id"])
        d = rules.issue(form, item.on_hand, catalogue_name=item.name,
                        catalogue_spec=item.specification)
        if not d.allowed and d.outcome != "unconfirmed":  # unconfirmed is what a new form is
            raise Unprocessable(d.reason, rule=d.rule, field=d.data.get("field"))
        now = self.clock.now()
        row = IssueForm(project_id=project_id, item_id=item.id, item_name=form.item_name,
                        specification=form.specification, quantity=form.quantity,
                        recipient_id=form.recipient_id, purpose=data["purpose"], status="pending",
                        created_by=caller.person_id, created_at=now)
        self.db.add(row)
        self.db.flush()
        why.record(self.db, d, subject_type="issue_form", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return form_view(row)

    @rpc
    def confirm_issue_form(self, token, project_id, form_id):
        """MAT-04: the recipient confirms with their own token; then stock moves, never below
        zero (the database decides between concurrent confirmations)."""
        caller = self._caller(token, project_id)
        row = self._get(IssueForm, project_id, form_id, "issue form", "form_id")
        if row.status != "pending":
            raise Conflict(f"issue form {form_id} is already {row.status}", rule="MAT-04")
        item = self._item(project_id, row.item_id)
        form = rules.IssueForm(row.item_name, row.specification, row.quantity, row.recipient_id,
                               confirmed_by=caller.person_id)
        d = rules.issue(form, item.on_hand, catalogue_name=item.name,
                        catalogue_spec=item.specification, reorder_level=item.reorder_level)
        if not d.allowed:
            error = {"wrong_confirmer": Forbidden, "unconfirmed": Forbidden,
                     "insufficient_stock": Conflict}.get(d.outcome, Unprocessable)
            raise error(d.reason, rule=d.rule, field=d.data.get("field"))
        now = self.clock.now()
        claimed = self.db.execute(update(IssueForm).where(
            IssueForm.id == row.id, IssueForm.status == "pending")
            .values(status="issued", confirmed_by=caller.person_id, confirmed_at=now)).rowcount
        if not claimed:
            raise Conflict(f"issue form {form_id} was confirmed meanwhile", rule="MAT-04")
        movement = self._move(item, "issue", row.quantity, actor=caller.as_actor(), now=now,
                              ref_type="issue_form", ref_id=row.id,
                              note=f"issue form {row.id} confirmed by recipient "
                                   f"{caller.person_id}")
        self.db.execute(update(IssueForm).where(IssueForm.id == row.id)
                        .values(movement_id=movement.id))
        why.record(self.db, allow("MAT-04", f"issue form {row.id} confirmed by its recipient "
                                  f"{caller.person_id}; {movement.reason}", outcome="issued"),
                   subject_type="issue_form", subject_id=row.id, now=now, project_id=project_id,
                   actor_id=caller.person_id)
        self.db.commit()
        self.db.refresh(row)
        return form_view(row, balance=movement.after)

    @rpc
    def cancel_issue_form(self, token, project_id, form_id):
        caller = self._caller(token, project_id, *MANAGE, action="cancel an issue form")
        row = self._get(IssueForm, project_id, form_id, "issue form", "form_id")
        claimed = self.db.execute(update(IssueForm).where(
            IssueForm.id == row.id, IssueForm.status == "pending")
            .values(status="cancelled")).rowcount
        if not claimed:
            raise Conflict(f"issue form {form_id} is already {row.status}", rule="MAT-04")
        why.record(self.db, allow("MAT-04", f"issue form {row.id} cancelled before confirmation",
                                  outcome="cancelled"), subject_type="issue_form",
                   subject_id=row.id, now=self.clock.now(), project_id=project_id,
                   actor_id=caller.person_id)
        self.db.commit()
        self.db.refresh(row)
        return form_view(row)

    @rpc
    def list_issue_forms(self, token, project_id):
        """Staff who manage stock see every form; anyone else sees the forms made out to them."""
        caller = self._caller(token, project_id)
        query = select(IssueForm).where(IssueForm.project_id == project_id)
        if not caller.has(*MANAGE, "supervisor"):
            query = query.where(IssueForm.recipient_id == caller.person_id)
        return [form_view(f) for f in self.db.scalars(query.order_by(IssueForm.id))]

    # ------------------------------------------------------------ MAT-05 usage ledger
    def _ledger(self, project_id):
        rows = self.db.execute(select(LedgerEntry, Item.code)
                               .join(Item, Item.id == LedgerEntry.item_id)
                               .where(LedgerEntry.project_id == project_id)
                               .order_by(LedgerEntry.id))
        return [ledger_view(e, code) for e, code in rows]

    def _ledger_change(self, caller, entry, item, previous_state, now):
        d = rules.ledger_entry(label(item), entry.location, entry.responsible_id, entry.state,
                               previous_state)
        if not d.allowed:
            raise Unprocessable(d.reason, rule=d.rule, field=d.data.get("field"))
        entry.updated_by, entry.updated_at = caller.person_id, now
        self.db.flush()
        why.record(self.db, d, subject_type="ledger_entry", subject_id=entry.id, now=now,
                   project_id=entry.project_id, actor_id=caller.person_id)
        if d.data.get("report_for_disposal"):
            entry.disposal_reported_at = now
            outbox.emit(self.db, "disposal_reported", now=now, project_id=entry.project_id,
                        actor=caller.as_actor(), rule=d.rule, reason=d.reason,
                        ledger_entry_id=entry.id, item_id=item.id, code=item.code,
                        quantity=entry.quantity, responsible_id=entry.responsible_id)

    @rpc
    def create_ledger_entry(self, token, project_id, payload):
        caller = self._caller(token, project_id, *MANAGE, action="keep the usage ledger "
                                                                  "(MAT-05)")
        data = load(schemas.UsageLedgerIn, payload, rule="MAT-05")
        item = self._item(project_id, data["item_id"])
        now = self.clock.now()
        entry = LedgerEntry(project_id=project_id, item_id=item.id, quantity=data["quantity"],
                            location=data["location"].strip(),
                            responsible_id=data["responsible_id"], state=data["state"],
                            note=data["note"], updated_at=now)
        self.db.add(entry)
        self._ledger_change(caller, entry, item, None, now)
        self.db.commit()
        return ledger_view(entry, item.code)

    @rpc
    def update_ledger_entry(self, token, project_id, entry_id, payload):
        caller = self._caller(token, project_id, *MANAGE, action="keep the usage ledger "
                                                                  "(MAT-05)")
        data = load(schemas.UsageLedgerPatch, payload, rule="MAT-05")
        entry = self._get(LedgerEntry, project_id, entry_id, "ledger entry", "entry_id")
        item = self._item(project_id, entry.item_id)
        previous = entry.state
        for key, value in data.items():
            setattr(entry, key, value)
        self._ledger_change(caller, entry, item, previous, self.clock.now())
        self.db.commit()
        return ledger_view(entry, item.code)

    @rpc
    def list_ledger(self, token, project_id):
        self._caller(token, project_id)
        return self._ledger(project_id)

    @rpc
    def export_ledger(self, token, project_id, query=None):
        self._caller(token, project_id)
        return export.table_file(self._ledger(project_id), LEDGER_COLUMNS,
                                 (query or {}).get("format", "csv"),
                                 f"usage-ledger-project-{project_id}")

    # ------------------------------------------------------------ MAT-06 stocktake
    @rpc
    def create_stocktake(self, token, project_id, payload):
        caller = self._caller(token, project_id, *MANAGE, action="record a stocktake (MAT-06)")
        data = load(schemas.StocktakeIn, payload, rule="MAT-06")
        now, policy = self.clock.now(), self._policy(project_id)
        d = rules.check_stocktake(data["counter_ids"], data["full"], now, policy)
        if not d.allowed:
            raise Unprocessable(d.reason, rule=d.rule, field=d.data.get("field"))
        ids = [line["item_id"] for line in data["lines"]]
        if len(set(ids)) != len(ids):
            raise Unprocessable("an item is counted twice in one stocktake", rule="MAT-06",
                                field="lines")
        if data["full"]:
            known = set(self.db.scalars(select(Item.id).where(Item.project_id == project_id)))
            if known - set(ids):
                raise Unprocessable(f"a full count covers every item; missing "
                                    f"{sorted(known - set(ids))}", rule="MAT-06", field="lines")
        storekeeper = data["storekeeper_id"] or (caller.person_id
                                                 if "storekeeper" in caller.roles else None)
        items = {i: self._item(project_id, i, lock=True) for i in sorted(ids)}
        stocktake = Stocktake(project_id=project_id, full=data["full"],
                              counter_ids=d.data["counters"], storekeeper_id=storekeeper,
                              recorded_by=caller.person_id, at=now, reason=d.reason)
        self.db.add(stocktake)
        self.db.flush()
        why.record(self.db, d, subject_type="stocktake", subject_id=stocktake.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        out_lines, losses = [], []
        for count in data["lines"]:
            item = items[count["item_id"]]
            result = rules.stocktake_line(label(item), item.on_hand, count["counted"],
                                          damaged_qty=count["damaged"], reasons=count["reasons"],
                                          unit_price_cents=item.unit_price_cents,
                                          storekeeper_id=storekeeper,
                                          loss_cause=count["loss_cause"])
            if not result.decision.allowed:
                raise Unprocessable(result.decision.reason, rule=result.decision.rule,
                                    field=result.decision.data.get("field"))
            book = item.on_hand
            for m in result.movements:
                self._move(item, m.data["kind"], m.data["qty"], actor=caller.as_actor(),
                           now=now, ref_type="stocktake", ref_id=stocktake.id,
                           note=f"stocktake {stocktake.id}: {m.data['reason_given']}")
            attribution = result.attribution
            line = StocktakeLine(stocktake_id=stocktake.id, item_id=item.id, book=book,
                                 counted=count["counted"], damaged=count["damaged"],
                                 surplus=result.surplus, shortage=result.shortage,
                                 new_balance=result.new_balance, reasons=count["reasons"],
                                 loss_cause=count["loss_cause"] if attribution else None,
                                 loss_cents=attribution.data["amount_cents"] if attribution else 0,
                                 attributed_to=(attribution.data["attributed_to"]
                                                if attribution else None),
                                 reason=result.decision.reason)
            self.db.add(line)
            for dec in filter(None, (result.decision, attribution)):
                why.record(self.db, dec, subject_type="stocktake", subject_id=stocktake.id,
                           now=now, project_id=project_id, actor_id=caller.person_id)
            if attribution:
                losses.append({"item_id": item.id, "code": item.code,
                               "quantity": attribution.data["qty"],
                               "amount_cents": attribution.data["amount_cents"],
                               "cause": attribution.data["cause"],
                               "attributed_to": attribution.data["attributed_to"],
                               "reason": attribution.reason})
            out_lines.append({"item_id": item.id, "code": item.code, "book": book,
                              "counted": count["counted"], "damaged": count["damaged"],
                              "surplus": result.surplus, "shortage": result.shortage,
                              "new_balance": result.new_balance, "outcome":
                              result.decision.outcome, "reason": result.decision.reason,
                              "attributed_to": line.attributed_to,
                              "loss_cents": line.loss_cents})
        # MAT-06: differences are reported (the event is the report)
        outbox.emit(self.db, "stocktake_recorded", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule="MAT-06", reason=d.reason,
                    stocktake_id=stocktake.id, full=data["full"], counter_ids=d.data["counters"],
                    lines=[{k: ln[k] for k in ("item_id", "code", "book", "counted", "damaged",
                                               "surplus", "shortage", "new_balance")}
                           for ln in out_lines], losses=losses)
        self.db.commit()
        return {"id": stocktake.id, "full": stocktake.full, "counter_ids": stocktake.counter_ids,
                "storekeeper_id": storekeeper, "reason": d.reason, "lines": out_lines,
                "losses": losses}

    # ------------------------------------------------------------ MAT-07 desk kit
    @event_handler("reception", "reception_completed")
    @once
    def on_reception_completed(self, payload):
        """REC-06 → MAT-07: floor plans handed out in a reception are issued from stock to the
        consultant, once per reception; what stock cannot cover is a shortage of the day."""
        project_id, reception_id = payload.get("project_id"), payload.get("reception_id")
        handed = payload.get("floor_plans") or []
        if project_id is None or reception_id is None:
            log.warning("reception_completed %s without project or reception: ignored",
                        payload.get("event_id"))
            return
        reception_id = str(reception_id)
        done = self.db.scalar(select(Handout.id).where(Handout.project_id == project_id,
                                                       Handout.reception_id == reception_id))
        if done:
            log.info("reception %s: floor plans already issued (handout %s)", reception_id, done)
            return
        now = self.clock.now()
        person_id = payload.get("person_id")
        try:
            day = date.fromisoformat(payload["day"]) if payload.get("day") else business_day(now)
        except (TypeError, ValueError):
            day = business_day(now)
        pairs = [(str(p.get("code")), p.get("quantity")) for p in handed if isinstance(p, dict)]
        codes = sorted({code for code, _ in pairs})
        items = {i.code: i for i in self.db.scalars(
            select(Item).where(Item.project_id == project_id, Item.code.in_(codes))
            .order_by(Item.id).with_for_update().execution_options(populate_existing=True))}
        result = rules.handout_issue_lines(
            pairs, {c: i.on_hand for c, i in items.items()}, person_id,
            names={c: label(i) for c, i in items.items()},
            specs={c: i.specification for c, i in items.items()},
            reorder_levels={c: i.reorder_level for c, i in items.items()})
        actor = payload.get("actor") or {"person_id": person_id, "name": "", "roles": []}
        for line in result.lines:
            self._move(items[line.item_id], "issue", line.quantity, actor=actor, now=now,
                       ref_type="reception", ref_id=reception_id, rule="MAT-07",
                       note=f"floor plans handed out in reception {reception_id} by consultant "
                            f"{person_id} (REC-06); completing the reception is their "
                            f"confirmation")
        handout = Handout(project_id=project_id, reception_id=reception_id, person_id=person_id,
                          day=day, issued=result.decision.data["issued"],
                          missing=result.decision.data["missing"], event_id=payload["event_id"],
                          at=now)
        self.db.add(handout)
        self.db.flush()
        why.record(self.db, result.decision, subject_type="handout", subject_id=handout.id,
                   now=now, project_id=project_id, actor_id=person_id)
        for s in result.shortages:
            why.record(self.db, s.decision, subject_type="handout", subject_id=handout.id,
                       now=now, project_id=project_id, actor_id=person_id)
            if s.missing:
                item = items.get(s.item_id)
                self.db.add(Shortage(project_id=project_id, day=day, source="handout",
                                     item_id=item.id if item else None, code=str(s.item_id)[:40],
                                     person_id=person_id, reception_id=reception_id,
                                     wanted=s.wanted, issued=s.issued, missing=s.missing,
                                     rule=s.decision.rule, reason=s.decision.reason,
                                     recorded_by=None, at=now))

    @rpc
    def check_desk_kit(self, token, project_id, payload):
        """MAT-07: the supervisor records a desk consultant's folder; shortages of the day."""
        caller = self._caller(token, project_id, *DESK, action="check desk folders (MAT-07)")
        data = load(schemas.DeskKitCheckIn, payload, rule="MAT-07")
        floor_plans = {i.code: i for i in self.db.scalars(
            select(Item).where(Item.project_id == project_id, Item.category == "floor_plan")
            .order_by(Item.code))}
        unknown = sorted(set(data["folder"]) - set(floor_plans))
        if unknown:
            raise Unprocessable(f"not floor-plan sheets of this project: {', '.join(unknown)}",
                                rule="MAT-07", field="folder")
        if any(n < 0 for n in data["folder"].values()):
            raise Unprocessable("folder counts are whole numbers >= 0", rule="MAT-07",
                                field="folder")
        d = rules.desk_kit_shortages(data["folder"], list(floor_plans), self._policy(project_id),
                                     consultant_id=data["consultant_id"])
        now = self.clock.now()
        day = business_day(now)
        need = d.data["minimum"]
        for code, missing in d.data["shortages"].items():
            self.db.add(Shortage(project_id=project_id, day=day, source="folder",
                                 item_id=floor_plans[code].id, code=code,
                                 person_id=data["consultant_id"], wanted=need,
                                 issued=need - missing, missing=missing, rule=d.rule,
                                 reason=d.reason, recorded_by=caller.person_id, at=now))
        why.record(self.db, d, subject_type="desk_kit",
                   subject_id=f"{data['consultant_id']}:{day.isoformat()}", now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return {"consultant_id": data["consultant_id"], "day": day.isoformat(),
                "complete": d.allowed, "minimum": need, "shortages": d.data["shortages"],
                "rule": d.rule, "reason": d.reason}

    def _day(self, value):
        if not value:
            return business_day(self.clock.now())
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise Unprocessable(f"day must be an ISO date, got {value!r}", field="day")

    @rpc
    def list_shortages(self, token, project_id, query=None):
        """MAT-07: the day's shortages (hand-outs stock could not cover, short folders)."""
        self._caller(token, project_id, *DESK, "storekeeper", action="see the day's shortages")
        day = self._day((query or {}).get("day"))
        rows = self.db.scalars(select(Shortage).where(Shortage.project_id == project_id,
                                                      Shortage.day == day).order_by(Shortage.id))
        lines = [shortage_view(s) for s in rows]
        return {"day": day.isoformat(), "missing": sum(s["missing"] for s in lines),
                "shortages": lines}

    @rpc
    def report_shortages(self, token, project_id, payload):
        """MAT-07: the supervisor reports the day's shortages to the manager."""
        caller = self._caller(token, project_id, *DESK, action="report the day's shortages")
        data = load(schemas.ShortageReportIn, payload, rule="MAT-07")
        now = self.clock.now()
        rows = list(self.db.scalars(select(Shortage).where(
            Shortage.project_id == project_id, Shortage.day == data["day"],
            Shortage.reported_at.is_(None)).order_by(Shortage.id)))
        for s in rows:
            s.reported_at = now
        lines = [shortage_view(s) for s in rows]
        reason = (f"{len(lines)} shortage line(s) of {data['day']} ({sum(s.missing for s in rows)}"
                  f" sheet(s)) reported to the manager" + (f": {data['note']}"
                                                           if data["note"] else ""))
        d = allow("MAT-07", reason, outcome="reported", lines=len(lines))
        why.record(self.db, d, subject_type="shortage_day", subject_id=data["day"].isoformat(),
                   now=now, project_id=project_id, actor_id=caller.person_id)
        outbox.emit(self.db, "shortages_reported", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule="MAT-07", reason=reason,
                    day=data["day"].isoformat(), shortages=lines)
        self.db.commit()
        return {"day": data["day"].isoformat(), "reported": len(lines), "reason": reason,
                "shortages": lines}
