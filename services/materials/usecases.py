"""Materials use cases (MAT-01..08): one function per command and per event handler.

Each takes a ``UnitOfWork`` first, loads through ``repo``, asks the rule, applies the state the
rule decided, records the decision and emits, and never commits (the entrypoint does). Every
change to a balance goes through ``move``: a conditional UPDATE the database guards (CHECK
on_hand >= 0 and ``WHERE on_hand >= :q``), a ``stock_movement`` row, the "why" records and
``stock_moved`` / ``stock_low`` in the outbox, all in one transaction (SYS-01, MAT-04, MAT-08).
"""
import logging
from datetime import date, datetime

from services.common import directory, export
from services.common.db import inserted
from services.common.errors import Conflict, Forbidden, Unprocessable
from services.common.timeutil import business_day

from . import constants, models, repo, rules

log = logging.getLogger(__name__)

# a refusing rule's outcome -> the error it answers with (422 when not listed)
ERRORS = {"forbidden": Forbidden, "wrong_confirmer": Forbidden, "unconfirmed": Forbidden,
          "conflict": Conflict, "code_taken": Conflict, "insufficient_stock": Conflict,
          "insufficient_held": Conflict, "not_approved": Conflict, "over_basis": Conflict}

# the files (stock, movements, usage ledger): Chinese and English headers, money in yuan, each
# person id with the name beside it (the directory replica), each item code with its name
STOCK_COLUMNS = [("code", "编码 Code"), ("name", "名称 Name"), ("specification", "规格 Spec"),
                 ("model", "型号 Model"), ("unit", "单位 Unit"), ("category", "类别 Category"),
                 ("unit_price_cents", "单价 Unit price", "cents"),
                 ("reorder_level", "补货线 Reorder level", "int"),
                 ("on_hand", "可用 Available", "int"), ("held", "暂存 Temporary storage", "int"),
                 ("low", "低库存 Low", "bool")]
MOVEMENT_COLUMNS = [("id", "流水号 ID", "int"), ("at", "时间 At", "datetime"),
                    ("code", "编码 Code"), ("item_name", "名称 Item"), ("kind", "类型 Kind"),
                    ("quantity", "数量 Quantity", "int"), ("before", "变动前 Before", "int"),
                    ("after", "变动后 After", "int"),
                    ("held_before", "暂存变动前 Held before", "int"),
                    ("held_after", "暂存变动后 Held after", "int"), ("rule", "规则 Rule"),
                    ("reason", "原因 Reason"), ("actor_id", "经办人编号 Actor ID", "int"),
                    ("actor_name", "经办人 Actor"), ("ref_type", "单据类型 Ref type"),
                    ("ref_id", "单据号 Ref", "text")]
LEDGER_COLUMNS = [("id", "编号 ID", "int"), ("code", "编码 Code"), ("item_name", "名称 Item"),
                  ("quantity", "数量 Quantity", "int"), ("location", "存放地点 Location"),
                  ("responsible_id", "责任人编号 Responsible ID", "int"),
                  ("responsible_name", "责任人 Responsible"), ("state", "状态 State"),
                  ("disposal_reported", "已报废 Reported for disposal", "bool"),
                  ("disposal_reported_at", "报废上报时间 Reported at", "datetime"),
                  ("note", "备注 Note"), ("updated_at", "更新时间 Updated at", "datetime")]


def decide(uow, decision, subject_type=None, subject_id=None, project_id=None):
    """``uow.decide`` with the error a refusal of this kind answers with and its field."""
    return uow.decide(decision, subject_type, subject_id, project_id,
                      error=ERRORS.get(decision.outcome), field=decision.data.get("field"))


def _whole(query, key):
    value = (query or {}).get(key)
    if not value:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Unprocessable(f"{key} must be a whole number", field=key)


def _day(uow, project_id, value):
    """An ISO day, or today in the project's zone (SYS-04)."""
    if not value:
        return uow.today(project_id)
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Unprocessable(f"day must be an ISO date, got {value!r}", field="day")


def _file(uow, project_id, rows, columns, query, basename, title):
    query = query or {}
    return export.table_file(rows, columns, query.get("format") or "csv", basename,
                             tz=uow.tz(project_id), encoding=query.get("encoding"), title=title)


def _names(uow, project_id, *person_ids):
    """``{person id: name}`` of the people a reason names: the directory replica's names, and
    the caller's own (from their token) when the replica does not know them; the rules write
    "#<id>" for anyone left out (SYS-01: staff read reasons by name)."""
    return directory.reason_names(uow.session, project_id, person_ids, uow.caller)


def _named(uow, project_id, rows, id_key, name_key):
    """The rows with each item's name and ``name_key`` beside the person id ``id_key``
    (the directory replica; empty when the person is unknown to it)."""
    items = {i.id: i.name for i in repo.items(uow.session, project_id)}
    names = directory.names(uow.session, project_id, [r.get(id_key) for r in rows])
    return [dict(r, item_name=items.get(r.get("item_id")), **{name_key: names.get(r.get(id_key))})
            for r in rows]


# ---------------------------------------------------------------- SYS-01 the one way to move stock

def move(uow, item, kind, qty, *, ref_type, ref_id, note=None, rule=None, actor=None):
    """Change ``item``'s balances by one movement, guarded by the database (SYS-01)."""
    session, actor = uow.session, actor if actor is not None else uow.actor
    actor_id = (actor or {}).get("person_id")
    before = repo.shift_balances(session, item, kind, qty)
    if before is None:  # MAT-04: never below zero, whatever another instance did
        decide(uow, rules.movement_refused(kind, qty, item=repo.label(item), rule=rule,
                                           available=repo.available(session, item.id)))
    d = rules.applied_movement(kind, qty, *before, item=repo.label(item), rule=rule, note=note,
                               reorder_level=item.reorder_level)
    movement = repo.add(session, models.StockMovement(
        project_id=item.project_id, item_id=item.id, kind=kind, quantity=qty, before=before[0],
        after=item.on_hand, held_before=before[1], held_after=item.held, rule=d.rule,
        reason=d.reason, actor_id=actor_id, ref_type=ref_type,
        ref_id=None if ref_id is None else str(ref_id), at=uow.now))
    for subject_type, subject_id in (("movement", movement.id), ("item", item.id)):
        uow.record(d, subject_type, subject_id, item.project_id, actor_id=actor_id)
    uow.emit("stock_moved", item.project_id, d.rule, d.reason, actor=actor, item_id=item.id,
             code=item.code, kind=kind, quantity=qty, balance=item.on_hand, held=item.held,
             movement_id=movement.id, before=before[0])
    if d.data["low_stock"]:  # MAT-08: once per crossing of the reorder level
        low = rules.low_stock(repo.label(item), before[0], item.on_hand, item.reorder_level)
        uow.record(low, "item", item.id, item.project_id, actor_id=actor_id)
        uow.emit("stock_low", item.project_id, low.rule, low.reason, actor=actor,
                 item_id=item.id, code=item.code, balance=item.on_hand,
                 reorder_level=item.reorder_level, movement_id=movement.id)
    return movement


# ---------------------------------------------------------------- MAT-01 catalogue

def create_item(uow, project_id, data):
    session = uow.session
    d = decide(uow, rules.revise_item(data))
    decide(uow, rules.code_free(data["code"], repo.code_taken(session, project_id, data["code"])))
    item = models.Item(project_id=project_id, code=data["code"], **d.data["fields"], on_hand=0,
                       held=0, created_at=uow.now, created_by=uow.actor_id)
    if not inserted(session, item):  # the unique index: a simultaneous twin won
        decide(uow, rules.code_free(data["code"], taken=True))
    uow.record(d, "item", item.id, project_id)
    return repo.item_view(item)


def update_item(uow, project_id, item_id, changes):
    item = repo.item(uow.session, project_id, item_id)
    current = {k: getattr(item, k) for k in rules.ITEM_FIELDS}
    d = decide(uow, rules.revise_item(current, changes), "item", item.id, project_id)
    for key, value in d.data["fields"].items():  # balances are never patched: only movements
        setattr(item, key, value)
    return repo.item_view(item)


def list_items(uow, project_id):
    return [repo.item_view(i) for i in repo.items(uow.session, project_id)]


def get_item(uow, project_id, item_id):
    return repo.item_view(repo.item(uow.session, project_id, item_id))


def export_stock(uow, project_id, query=None):
    return _file(uow, project_id, list_items(uow, project_id), STOCK_COLUMNS, query,
                 f"stock-levels-project-{project_id}", "库存 Stock")


def list_movements(uow, project_id, query=None):
    return repo.movements(uow.session, project_id, _whole(query, "item_id"))


def export_movements(uow, project_id, query=None):
    rows = _named(uow, project_id, list_movements(uow, project_id, query), "actor_id",
                  "actor_name")
    return _file(uow, project_id, rows, MOVEMENT_COLUMNS, query,
                 f"stock-movements-project-{project_id}", "出入库流水 Movements")


# ---------------------------------------------------------------- MAT-02 plans and requests

def create_plan(uow, project_id, data):
    session = uow.session
    found = [(repo.item(session, project_id, ln["item_id"]), ln["quantity"])
             for ln in data["lines"]]
    pairs = [(i.id, q) for i, q in found]
    d = decide(uow, rules.validate_plan(data["period"], data["starts"], data["milestone"], pairs,
                                        uow.policy(project_id),
                                        items={i.id: repo.label(i) for i, _ in found}))
    plan = repo.add(session, models.Plan(
        project_id=project_id, period=data["period"], starts=data["starts"],
        milestone=data["milestone"].strip(), status="draft", created_by=uow.actor_id,
        created_at=uow.now))
    lines = [models.PlanLine(plan_id=plan.id, item_id=i, quantity=q, requested=0)
             for i, q in d.data["lines"].items()]
    repo.add(session, *lines)
    uow.record(d, "plan", plan.id, project_id)
    return repo.plan_view(plan, lines)


def approve_plan(uow, project_id, plan_id):
    plan = repo.one(uow.session, models.Plan, project_id, plan_id, "plan", "plan_id")
    approver = rules.who(_names(uow, project_id, uow.actor_id), uow.actor_id)
    d = decide(uow, rules.approve_plan(plan.status, plan.id, plan.period, plan.milestone,
                                       approver), "plan", plan.id, project_id)
    plan.status, plan.approved_by, plan.approved_at = d.data["status"], uow.actor_id, uow.now
    return repo.plan_view(plan, repo.plan_lines(uow.session, plan.id))


def list_plans(uow, project_id):
    return repo.plans(uow.session, project_id)


def _draw_on_plan(uow, project_id, item, qty, ruling=None):
    """MAT-02: classify ``qty`` of ``item`` against the current approved plans (the project's
    business day, SYS-04) and, when a plan line has it left, claim it in the database.
    ``ruling`` turns the classification into the decision that is enforced (a request takes
    ``urgent`` as an answer; an issue form does not). Returns (decision, plan line id|None)."""
    session, policy, tz = uow.session, uow.policy(project_id), uow.tz(project_id)
    for _attempt in range(3):
        lines = repo.approved_plan_lines(session, project_id, item.id)
        c = decide(uow, rules.classify_request(item.id, qty, uow.now, [pl for _, pl in lines],
                                               policy, tz, item=repo.label(item)))
        d = decide(uow, ruling(c)) if ruling else c
        if c.outcome != "planned":
            return d, None
        chosen = next(ln for ln, pl in lines if pl.period == c.data["plan_period"]
                      and pl.starts.isoformat() == c.data["plan_starts"] and pl.remaining >= qty)
        if repo.claim_plan_line(session, chosen.id, qty):
            return d, chosen.id
    decide(uow, rules.plan_changed())


def create_request(uow, project_id, data):
    """MAT-02: within an approved current plan -> planned (approved at once, the plan line
    claimed in the database); otherwise urgent, pending a manager's approval."""
    session, qty = uow.session, data["quantity"]
    item = repo.item(session, project_id, data["item_id"])
    d, line_id = _draw_on_plan(uow, project_id, item, qty)
    request = repo.add(session, models.MaterialRequest(
        project_id=project_id, item_id=item.id, quantity=qty, purpose=data["purpose"],
        kind=d.outcome, status=d.data["status"], plan_line_id=line_id,
        requested_by=uow.actor_id, created_at=uow.now, rule=d.rule, reason=d.reason))
    uow.record(d, "request", request.id, project_id)
    return repo.request_view(request)


def decide_request(uow, project_id, request_id, data, approve):
    """MAT-02: a manager approves or rejects an urgent request."""
    request = repo.one(uow.session, models.MaterialRequest, project_id, request_id, "request",
                       "request_id")
    item = repo.item(uow.session, project_id, request.item_id)
    d = decide(uow, rules.decide_request(request.status, request.id, approve, uow.actor_id,
                                         uow.caller.acting_roles, data["reason"],
                                         names=_names(uow, project_id, uow.actor_id),
                                         item=repo.label(item), quantity=request.quantity),
               "request", request.id, project_id)
    request.status, request.decided_by, request.decided_at = \
        d.data["status"], uow.actor_id, uow.now
    request.rule, request.reason = d.rule, d.reason
    return repo.request_view(request)


def list_requests(uow, project_id):
    return repo.requests(uow.session, project_id)


# ---------------------------------------------------------------- MAT-03 receiving

def create_receipt(uow, project_id, data):
    session, qty, passed = uow.session, data["quantity"], data["inspection_passed"]
    item = repo.item(session, project_id, data["item_id"])
    price = item.unit_price_cents if data["unit_price_cents"] is None \
        else data["unit_price_cents"]
    model = item.model if data["model"] is None else data["model"]
    receiver = data["receiver_id"] or uow.actor_id
    d = decide(uow, rules.validate_receipt(
        item.name, item.specification, model, qty, price, receiver, data["inspector_id"],
        data["amount_cents"], names=_names(uow, project_id, receiver, data["inspector_id"])))
    # MAT-03: the two who count and inspect are real people: active staff of this project
    for field, who in (("receiver_id", receiver), ("inspector_id", data["inspector_id"])):
        decide(uow, rules.project_staff(repo.people(session, [who]), project_id, field=field,
                                        rule="MAT-03", what=field[:-3]))
    receipt = repo.add(session, models.Receipt(
        project_id=project_id, item_id=item.id, name=item.name,
        specification=item.specification, model=model, quantity=qty, unit_price_cents=price,
        amount_cents=d.data["amount_cents"], receiver_id=receiver,
        inspector_id=data["inspector_id"], deliverer=data["deliverer"],
        inspection_passed=passed, held_remaining=0 if passed else qty, note=data["note"],
        recorded_by=uow.actor_id, at=uow.now))
    uow.record(d, "receipt", receipt.id, project_id)
    kind, note = rules.receiving_movement(passed, receipt.id)
    move(uow, item, kind, qty, ref_type="receipt", ref_id=receipt.id, note=note)
    return repo.receipt_view(receipt)


def resolve_held(uow, project_id, receipt_id, data):
    """MAT-03: goods in temporary storage leave it by exchange (-> available) or return."""
    session, action = uow.session, data["action"]
    receipt = repo.one(session, models.Receipt, project_id, receipt_id, "receipt", "receipt_id")
    item = repo.item(session, project_id, receipt.item_id)
    qty = receipt.held_remaining if data["quantity"] is None else data["quantity"]
    decide(uow, rules.resolve_held(action, qty, item.on_hand, receipt.held_remaining,
                                   item=repo.label(item)))
    if not repo.claim_held(session, receipt, qty):
        decide(uow, rules.held_claim_lost(receipt.id, qty))
    move(uow, item, action, qty, ref_type="receipt", ref_id=receipt.id,
         note=f"held goods of receipt {receipt.id} {action}ed")
    return repo.receipt_view(receipt)


def list_receipts(uow, project_id):
    return [repo.receipt_view(r) for r in repo.rows(uow.session, models.Receipt, project_id)]


# ---------------------------------------------------------------- MAT-04 issuing

def _issue_basis(uow, project_id, item, qty, request_id):
    """MAT-02: what a form is issued against, claimed in the database: the named approved
    request (its undrawn quantity), else a current approved plan's line for the item.
    Returns (decision, request id|None, plan line id|None)."""
    session = uow.session
    if request_id is None:
        d, line_id = _draw_on_plan(uow, project_id, item, qty,
                                   lambda c: rules.issue_against_plan(c, item.id, qty,
                                                                      repo.label(item)))
        return d, None, line_id
    request = repo.one(session, models.MaterialRequest, project_id, request_id, "request",
                       "request_id")
    items = repo.item_labels(session, project_id, {item.id, request.item_id})
    d = decide(uow, rules.issue_against_request(repo.request_facts(request), item.id, qty,
                                                items))
    if not repo.claim_request(session, request.id, qty):  # another form drew on it meanwhile
        session.refresh(request)
        decide(uow, rules.issue_against_request(repo.request_facts(request), item.id, qty,
                                                items))
        decide(uow, rules.plan_changed())
    return d, request.id, None


def create_issue_form(uow, project_id, data):
    item = repo.item(uow.session, project_id, data["item_id"])
    form = rules.IssueForm(data["item_name"] or item.name,
                           data["specification"] or item.specification, data["quantity"],
                           data["recipient_id"])
    d = decide(uow, rules.new_issue_form(form, item.on_hand, catalogue_name=item.name,
                                         catalogue_spec=item.specification,
                                         names=_names(uow, project_id, form.recipient_id)))
    # MAT-04: the recipient confirms the form themself: a real person, active staff here
    decide(uow, rules.project_staff(repo.people(uow.session, [form.recipient_id]), project_id,
                                    field="recipient_id", rule="MAT-04", what="recipient"))
    basis, request_id, line_id = _issue_basis(uow, project_id, item, form.quantity,
                                              data.get("request_id"))
    row = repo.add(uow.session, models.IssueForm(
        project_id=project_id, item_id=item.id, item_name=form.item_name,
        specification=form.specification, quantity=form.quantity,
        recipient_id=form.recipient_id, purpose=data["purpose"], status=d.data["status"],
        created_by=uow.actor_id, created_at=uow.now, request_id=request_id,
        plan_line_id=line_id))
    uow.record(basis, "issue_form", row.id, project_id)
    uow.record(d, "issue_form", row.id, project_id)
    return repo.form_view(row)


def confirm_issue_form(uow, project_id, form_id):
    """MAT-04: the recipient confirms with their own token; then stock moves, never below
    zero (the database decides between concurrent confirmations)."""
    session, me = uow.session, uow.actor_id
    row = repo.one(session, models.IssueForm, project_id, form_id, "issue form", "form_id")
    decide(uow, rules.pending_form(row.status, row.id))
    item = repo.item(session, project_id, row.item_id)
    form = rules.IssueForm(row.item_name, row.specification, row.quantity, row.recipient_id,
                           confirmed_by=me)
    names = _names(uow, project_id, row.recipient_id, me)
    decide(uow, rules.issue(form, item.on_hand, catalogue_name=item.name,
                            catalogue_spec=item.specification, reorder_level=item.reorder_level,
                            names=names))
    if not repo.claim_pending_form(session, row, status="issued", confirmed_by=me,
                                   confirmed_at=uow.now):
        decide(uow, rules.pending_form(row.status, row.id))
    movement = move(uow, item, "issue", row.quantity, ref_type="issue_form", ref_id=row.id,
                    note=f"issue form {row.id} confirmed by recipient {rules.who(names, me)}")
    row.movement_id = movement.id
    uow.record(rules.form_confirmed(row.id, me, movement.reason, names), "issue_form", row.id,
               project_id)
    return repo.form_view(row, balance=movement.after)


def cancel_issue_form(uow, project_id, form_id):
    row = repo.one(uow.session, models.IssueForm, project_id, form_id, "issue form", "form_id")
    if not repo.claim_pending_form(uow.session, row, status="cancelled"):
        decide(uow, rules.pending_form(row.status, row.id))
    uow.record(rules.form_cancelled(row.id), "issue_form", row.id, project_id)
    if row.request_id is not None:  # MAT-02: the quantity goes back to what it drew on
        repo.release_request(uow.session, row.request_id, row.quantity)
        uow.record(rules.basis_released(row.id, "request", row.request_id, row.quantity),
                   "issue_form", row.id, project_id)
    elif row.plan_line_id is not None:
        repo.release_plan_line(uow.session, row.plan_line_id, row.quantity)
        uow.record(rules.basis_released(row.id, "plan line", row.plan_line_id, row.quantity),
                   "issue_form", row.id, project_id)
    return repo.form_view(row)


def why_owners(session, subject_type, subject_id):
    """SYS-01 with SYS-02: whose a subject is: an issue form's recipient, a request's
    requester, a hand-out's consultant, a desk folder's consultant (``<person>:<day>``)."""
    if subject_type == "desk_kit":
        head = str(subject_id).split(":", 1)[0]
        return {int(head)} if head.isdigit() else set()
    model, column = {"issue_form": (models.IssueForm, "recipient_id"),
                     "request": (models.MaterialRequest, "requested_by"),
                     "handout": (models.Handout, "person_id")}.get(subject_type, (None, None))
    ident = str(subject_id)
    if model is None or not ident.isdigit() or int(ident) >= 2 ** 63:
        return set()
    row = session.get(model, int(ident))
    return {getattr(row, column)} - {None} if row is not None else set()


def list_issue_forms(uow, project_id):
    """Staff who manage stock see every form; anyone else sees the forms made out to them."""
    sees_all = uow.caller.has(*constants.MANAGE, "supervisor")
    return repo.issue_forms(uow.session, project_id, None if sees_all else uow.actor_id)


# ---------------------------------------------------------------- MAT-05 usage ledger

def _ledger_change(uow, entry, item, previous_state):
    d = decide(uow, rules.ledger_entry(
        repo.label(item), entry.location, entry.responsible_id, entry.state, previous_state,
        names=_names(uow, entry.project_id, entry.responsible_id)))
    # MAT-05: who answers for it is a real person: active staff of this project
    decide(uow, rules.project_staff(repo.people(uow.session, [entry.responsible_id]),
                                    entry.project_id, field="responsible_id", rule="MAT-05",
                                    what="responsible person"))
    entry.updated_by, entry.updated_at = uow.actor_id, uow.now
    uow.flush()
    uow.record(d, "ledger_entry", entry.id, entry.project_id)
    if d.data.get("report_for_disposal"):
        entry.disposal_reported_at = uow.now
        uow.emit("disposal_reported", entry.project_id, d.rule, d.reason,
                 ledger_entry_id=entry.id, item_id=item.id, code=item.code,
                 quantity=entry.quantity, responsible_id=entry.responsible_id)
    return repo.ledger_view(entry, item.code)


def create_ledger_entry(uow, project_id, data):
    item = repo.item(uow.session, project_id, data["item_id"])
    entry = models.LedgerEntry(
        project_id=project_id, item_id=item.id, quantity=data["quantity"],
        location=data["location"].strip(), responsible_id=data["responsible_id"],
        state=data["state"], note=data["note"], updated_at=uow.now)
    uow.session.add(entry)
    return _ledger_change(uow, entry, item, None)


def update_ledger_entry(uow, project_id, entry_id, changes):
    entry = repo.one(uow.session, models.LedgerEntry, project_id, entry_id, "ledger entry",
                     "entry_id")
    item = repo.item(uow.session, project_id, entry.item_id)
    previous = entry.state
    for key, value in changes.items():
        setattr(entry, key, value)
    return _ledger_change(uow, entry, item, previous)


def list_ledger(uow, project_id):
    return repo.ledger(uow.session, project_id)


def export_ledger(uow, project_id, query=None):
    rows = _named(uow, project_id, list_ledger(uow, project_id), "responsible_id",
                  "responsible_name")
    return _file(uow, project_id, rows, LEDGER_COLUMNS, query,
                 f"usage-ledger-project-{project_id}", "使用台账 Usage ledger")


# ---------------------------------------------------------------- MAT-06 stocktake

LINE_FIGURES = ("item_id", "code", "book", "counted", "damaged", "surplus", "shortage",
                "new_balance")


def create_stocktake(uow, project_id, data):
    session, caller = uow.session, uow.caller
    d = decide(uow, rules.check_stocktake(data["counter_ids"], data["full"], uow.now,
                                          uow.policy(project_id), uow.tz(project_id)))
    # MAT-06: the counters are real people: active staff of this project (directory replica)
    staff = decide(uow, rules.project_staff(repo.people(session, d.data["counters"]),
                                            project_id, field="counter_ids", rule="MAT-06",
                                            what="counter"))
    ids = [line["item_id"] for line in data["lines"]]
    catalogue = repo.items(session, project_id)
    decide(uow, rules.stocktake_items(ids, [i.id for i in catalogue], data["full"],
                                      {i.id: repo.label(i) for i in catalogue}))
    # the storekeeper charged with losses is named, or is the caller by their own roles (an
    # admin acting as storekeeper is nobody's storekeeper); either way a storekeeper on the staff
    storekeeper = rules.stocktake_storekeeper(data["storekeeper_id"], caller.person_id,
                                              caller.roles)
    keeper = storekeeper is not None and decide(uow, rules.project_staff(
        repo.people(session, [storekeeper]), project_id, field="storekeeper_id",
        rule="MAT-06", role="storekeeper", what="storekeeper"))
    items = {i: repo.item(session, project_id, i, lock=True) for i in sorted(ids)}
    stocktake = repo.add(session, models.Stocktake(
        project_id=project_id, full=data["full"], counter_ids=d.data["counters"],
        storekeeper_id=storekeeper, recorded_by=uow.actor_id, at=uow.now, reason=d.reason,
        month=date.fromisoformat(d.data["month"])))
    for done in filter(None, (d, staff, keeper)):
        uow.record(done, "stocktake", stocktake.id, project_id)
    names = _names(uow, project_id, storekeeper)
    counted = [_count(uow, stocktake, items[c["item_id"]], c, names) for c in data["lines"]]
    lines = [line for line, _ in counted]
    losses = [loss for _, loss in counted if loss]
    # MAT-06: differences are reported (the event is the report)
    uow.emit("stocktake_recorded", project_id, "MAT-06", d.reason, stocktake_id=stocktake.id,
             full=data["full"], counter_ids=d.data["counters"], losses=losses,
             lines=[{k: ln[k] for k in LINE_FIGURES} for ln in lines])
    return {"id": stocktake.id, "full": stocktake.full, "counter_ids": stocktake.counter_ids,
            "month": d.data["month"],
            "storekeeper_id": storekeeper, "reason": d.reason, "lines": lines,
            "losses": losses}


def stocktake_months(uow, project_id, query=None):
    """MAT-06: the year's months (project-local, SYS-04): counted, due, missed, or to come."""
    today = uow.today(project_id)
    year = _whole(query, "year") or today.year
    if not 2000 <= year <= 2100:   # as the monthly report's year (a fuzzed 10^29 overflowed)
        raise Unprocessable("year must be from 2000 to 2100", rule="MAT-06", field="year")
    policy, by_month = uow.policy(project_id), {}
    for month, sid, full in repo.stocktakes_of_year(uow.session, project_id, year):
        by_month.setdefault(month, []).append((sid, full))
    answer = []
    for m in range(1, 13):
        month = date(year, m, 1)
        d = rules.month_status(month, today, by_month.get(month, []), policy)
        answer.append({"month": f"{month:%Y-%m}", "status": d.outcome,
                       "full_required": d.data["full_required"],
                       "stocktakes": d.data["stocktakes"], "rule": d.rule, "reason": d.reason})
    return answer


def _count(uow, stocktake, item, count, names=None):
    """One item's count: adjust stock by the rule's movements, store the line, attribute loss."""
    result = rules.stocktake_line(repo.label(item), item.on_hand, count["counted"],
                                  damaged_qty=count["damaged"], reasons=count["reasons"],
                                  unit_price_cents=item.unit_price_cents,
                                  storekeeper_id=stocktake.storekeeper_id,
                                  loss_cause=count["loss_cause"], names=names)
    decide(uow, result.decision)
    book = item.on_hand
    for m in result.movements:
        move(uow, item, m.data["kind"], m.data["qty"], ref_type="stocktake", ref_id=stocktake.id,
             note=f"stocktake {stocktake.id}: {m.data['reason_given']}")
    blame = result.attribution.data if result.attribution else {}
    line = repo.add(uow.session, models.StocktakeLine(
        stocktake_id=stocktake.id, item_id=item.id, book=book, counted=count["counted"],
        damaged=count["damaged"], surplus=result.surplus, shortage=result.shortage,
        new_balance=result.new_balance, reasons=count["reasons"],
        loss_cause=count["loss_cause"] if blame else None,
        loss_cents=blame.get("amount_cents", 0), attributed_to=blame.get("attributed_to"),
        reason=result.decision.reason))
    for dec in filter(None, (result.decision, result.attribution)):
        uow.record(dec, "stocktake", stocktake.id, stocktake.project_id)
    loss = blame and {"item_id": item.id, "code": item.code, "quantity": blame["qty"],
                      "amount_cents": blame["amount_cents"], "cause": blame["cause"],
                      "attributed_to": blame["attributed_to"],
                      "reason": result.attribution.reason}
    return {"item_id": item.id, "code": item.code, "book": book, "counted": count["counted"],
            "damaged": count["damaged"], "surplus": result.surplus, "shortage": result.shortage,
            "new_balance": result.new_balance, "outcome": result.decision.outcome,
            "reason": result.decision.reason, "attributed_to": line.attributed_to,
            "loss_cents": line.loss_cents}, loss


# ---------------------------------------------------------------- MAT-07 desk kit

def issue_handed_out_plans(uow, payload):
    """REC-06 -> MAT-07: floor plans handed out in a reception are issued from stock to the
    consultant, once per reception; what stock cannot cover is a shortage of the day."""
    session = uow.session
    project_id, reception_id = payload.get("project_id"), payload.get("reception_id")
    if project_id is None or reception_id is None:
        log.warning("reception_completed %s without project or reception: ignored",
                    payload.get("event_id"))
        return None
    reception_id = str(reception_id)
    done = repo.handout_of(session, project_id, reception_id)
    if done:
        log.info("reception %s: floor plans already issued (handout %s)", reception_id, done)
        return None
    person_id = payload.get("person_id")
    day = _fact_day(uow, project_id, payload)
    pairs = [(str(p.get("code")), p.get("quantity")) for p in payload.get("floor_plans") or []
             if isinstance(p, dict)]
    items = repo.items_by_code(session, project_id, {code for code, _ in pairs})
    consultant = rules.who(_names(uow, project_id, person_id), person_id)
    result = rules.handout_issue_lines(pairs, consultant_id=person_id, consultant=consultant,
                                       **repo.handout_inputs(items))
    actor = payload.get("actor") or {"person_id": person_id, "name": "", "roles": []}
    for line in result.lines:
        move(uow, items[line.item_id], "issue", line.quantity, actor=actor,
             ref_type="reception", ref_id=reception_id, rule="MAT-07",
             note=f"floor plans handed out in reception {reception_id} by consultant "
                  f"{consultant} (REC-06); completing the reception is their confirmation")
    handout = repo.add(session, models.Handout(
        project_id=project_id, reception_id=reception_id, person_id=person_id, day=day,
        issued=result.decision.data["issued"], missing=result.decision.data["missing"],
        event_id=payload["event_id"], at=uow.now))
    for d in (result.decision, *(s.decision for s in result.shortages)):
        uow.record(d, "handout", handout.id, project_id, actor_id=person_id)
    for s in result.shortages:
        if s.missing:
            item, code = items.get(s.item_id), str(s.item_id)[:40]
            repo.put_shortage(session, models.Shortage(
                project_id=project_id, day=day, source="handout",
                item_id=item.id if item else None, code=code,
                person_id=person_id, reception_id=reception_id, wanted=s.wanted,
                issued=s.issued, missing=s.missing, rule=s.decision.rule,
                reason=s.decision.reason, recorded_by=None, at=uow.now,
                key=f"handout:{reception_id}:{code}"[:160]))
    return handout.id


def _fact_day(uow, project_id, payload):
    """SYS-04: the business day a reception happened on: its ``day`` fact, else the day in the
    project's zone of when the event occurred, else today (a fact, never an invented time)."""
    try:
        if payload.get("day"):
            return date.fromisoformat(payload["day"])
        if payload.get("occurred_at"):
            return business_day(datetime.fromisoformat(payload["occurred_at"]),
                                uow.tz(project_id))
    except (TypeError, ValueError):
        pass
    return uow.today(project_id)


def check_desk_kit(uow, project_id, data):
    """MAT-07: the supervisor records a desk consultant's folder; shortages of the day."""
    session = uow.session
    plans = {i.code: i for i in repo.items(session, project_id, category="floor_plan")}
    decide(uow, rules.check_folder(data["folder"], plans))
    consultant = data["consultant_id"]
    who = decide(uow, rules.project_staff(repo.people(session, [consultant]), project_id,
                                          field="consultant_id", rule="MAT-07",
                                          role="consultant", what="desk consultant"))
    d = rules.desk_kit_shortages(data["folder"], list(plans), uow.policy(project_id),
                                 consultant_id=consultant,
                                 consultant=_names(uow, project_id, consultant).get(consultant))
    day, need = uow.today(project_id), d.data["minimum"]
    # one line per consultant, plan and day: a second check of the day updates it (MAT-07)
    for code, item in plans.items():
        missing = d.data["shortages"].get(code, 0)
        repo.put_shortage(session, models.Shortage(
            project_id=project_id, day=day, source="folder", item_id=item.id, code=code,
            person_id=consultant, wanted=need, issued=need - missing, missing=missing,
            rule=d.rule, reason=d.reason, recorded_by=uow.actor_id, at=uow.now,
            key=f"folder:{consultant}:{code}"[:160]))
    for done in (who, d):
        uow.record(done, "desk_kit", f"{consultant}:{day.isoformat()}", project_id)
    return {"consultant_id": consultant, "day": day.isoformat(), "complete": d.allowed,
            "minimum": need, "shortages": d.data["shortages"], "rule": d.rule,
            "reason": d.reason}


def list_shortages(uow, project_id, query=None):
    """MAT-07: the day's shortages (hand-outs stock could not cover, short folders)."""
    day = _day(uow, project_id, (query or {}).get("day"))
    lines = [repo.shortage_view(s) for s in repo.shortages(uow.session, project_id, day)]
    return {"day": day.isoformat(), "missing": sum(s["missing"] for s in lines),
            "shortages": lines}


def report_shortages(uow, project_id, data):
    """MAT-07: the supervisor reports the day's shortages to the manager."""
    day = data["day"].isoformat()
    found = repo.shortages(uow.session, project_id, data["day"], unreported=True)
    for s in found:
        s.reported_at = uow.now
    lines = [repo.shortage_view(s) for s in found]
    d = rules.shortage_report(day, len(lines), sum(s.missing for s in found), data["note"])
    uow.record(d, "shortage_day", day, project_id)
    uow.emit("shortages_reported", project_id, d.rule, d.reason, day=day, shortages=lines)
    return {"day": day, "reported": len(lines), "reason": d.reason, "shortages": lines}
