"""Materials (物料管理): catalogue, needs plans and requests, receiving, issuing, usage ledger,
stocktakes, the desk kit and low stock (MAT-01…08).

Entrypoints only: the caller (SYS-02), the payload through its schema, one use case in a unit
of work (usecases.py; it commits or rolls back), the answer through its ``Out`` schema."""
from nameko.events import event_handler

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import AnchangError
from services.common.inbox import once
from services.common.schemas import dump, load
from services.common.service import DirectoryReplica, ServiceKit, rpc

from . import events, rules, schemas, usecases
from .constants import APPROVERS, DESK, MANAGE, PLANNERS, STAFF
from .models import KIT

CATALOGUE_ACTION = "manage the catalogue (MAT-01)"
LEDGER_ACTION = "keep the usage ledger (MAT-05)"


class MaterialsService(DirectoryReplica, ServiceKit):
    name = "materials"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_spec = rules.POLICY
    catalogue = events.CATALOGUE

    def _staff(self, token, project_id):
        """SYS-02: the store is the office's: every role but a channel agent (external)."""
        return self.caller(token, project_id, *STAFF, action="use the materials store")

    # SYS-01: stock matters are the office's (items, movements, plans, receipts, stocktakes,
    # the usage ledger); the storekeeper reads every reason; a channel agent only their own
    WHY_PUBLIC = rules.WHY_PUBLIC

    def may_see_why(self, caller, record):
        owners = usecases.why_owners(self.db, record["subject_type"], record["subject_id"])
        return rules.why_visible(caller.person_id, caller.acting_roles, record,
                                 super().may_see_why(caller, record), owners)

    # ------------------------------------------------------------ MAT-01 catalogue
    @rpc
    def create_item(self, token, project_id, payload):
        caller = self.caller(token, project_id, *MANAGE, action=CATALOGUE_ACTION)
        data = load(schemas.CatalogueItemIn, payload, rule="MAT-01")
        with self.uow(caller) as uow:
            item = usecases.create_item(uow, project_id, data)
        return dump(schemas.CatalogueItemOut, item)

    @rpc
    def import_items(self, token, project_id, payloads):
        """MAT-01 for the admin CLI: each row is its own transaction; the answer holds, per
        row, None (stored) or the refusal ``{field, message, rule}``."""
        caller = self.caller(token, project_id, *MANAGE, action=CATALOGUE_ACTION)
        return [self._import_one(caller, project_id, payload) for payload in payloads]

    def _import_one(self, caller, project_id, payload):
        try:
            data = load(schemas.CatalogueItemIn, payload, rule="MAT-01")
            with self.uow(caller) as uow:
                usecases.create_item(uow, project_id, data)
        except AnchangError as exc:
            return {"field": exc.field, "message": exc.message, "rule": exc.rule}
        return None

    @rpc
    def update_item(self, token, project_id, item_id, payload):
        caller = self.caller(token, project_id, *MANAGE, action=CATALOGUE_ACTION)
        data = load(schemas.CatalogueItemPatch, payload, rule="MAT-01")
        with self.uow(caller) as uow:
            item = usecases.update_item(uow, project_id, item_id, data)
        return dump(schemas.CatalogueItemOut, item)

    @rpc
    def list_items(self, token, project_id):
        with self.uow(self._staff(token, project_id)) as uow:
            items = usecases.list_items(uow, project_id)
        return dump(schemas.CatalogueItemOut, items, many=True)

    stock_levels = list_items

    @rpc
    def get_item(self, token, project_id, item_id):
        with self.uow(self._staff(token, project_id)) as uow:
            item = usecases.get_item(uow, project_id, item_id)
        return dump(schemas.CatalogueItemOut, item)

    @rpc
    def export_stock(self, token, project_id, query=None):
        with self.uow(self._staff(token, project_id)) as uow:
            return usecases.export_stock(uow, project_id, query)

    # ------------------------------------------------------------ SYS-01 movements
    @rpc
    def list_movements(self, token, project_id, query=None):
        with self.uow(self._staff(token, project_id)) as uow:
            moves = usecases.list_movements(uow, project_id, query)
        return dump(schemas.MovementOut, moves, many=True)

    @rpc
    def export_movements(self, token, project_id, query=None):
        with self.uow(self._staff(token, project_id)) as uow:
            return usecases.export_movements(uow, project_id, query)

    # ------------------------------------------------------------ MAT-02 plans and requests
    @rpc
    def create_plan(self, token, project_id, payload):
        caller = self.caller(token, project_id, *PLANNERS, action="draft a needs plan (MAT-02)")
        data = load(schemas.NeedsPlanIn, payload, rule="MAT-02")
        with self.uow(caller) as uow:
            plan = usecases.create_plan(uow, project_id, data)
        return dump(schemas.NeedsPlanOut, plan)

    @rpc
    def approve_plan(self, token, project_id, plan_id):
        caller = self.caller(token, project_id, *APPROVERS,
                             action="approve a needs plan (MAT-02)")
        with self.uow(caller) as uow:
            plan = usecases.approve_plan(uow, project_id, plan_id)
        return dump(schemas.NeedsPlanOut, plan)

    @rpc
    def list_plans(self, token, project_id):
        with self.uow(self._staff(token, project_id)) as uow:
            plans = usecases.list_plans(uow, project_id)
        return dump(schemas.NeedsPlanOut, plans, many=True)

    @rpc
    def create_request(self, token, project_id, payload):
        caller = self._staff(token, project_id)
        data = load(schemas.MaterialRequestIn, payload, rule="MAT-02")
        with self.uow(caller) as uow:
            request = usecases.create_request(uow, project_id, data)
        return dump(schemas.MaterialRequestOut, request)

    @rpc
    def approve_request(self, token, project_id, request_id, payload=None):
        return self._decide_request(token, project_id, request_id, payload, approve=True)

    @rpc
    def reject_request(self, token, project_id, request_id, payload=None):
        return self._decide_request(token, project_id, request_id, payload, approve=False)

    def _decide_request(self, token, project_id, request_id, payload, approve):
        caller = self._staff(token, project_id)
        data = load(schemas.DecisionIn, payload or {}, rule="MAT-02")
        with self.uow(caller) as uow:
            request = usecases.decide_request(uow, project_id, request_id, data, approve)
        return dump(schemas.MaterialRequestOut, request)

    @rpc
    def list_requests(self, token, project_id):
        with self.uow(self._staff(token, project_id)) as uow:
            requests = usecases.list_requests(uow, project_id)
        return dump(schemas.MaterialRequestOut, requests, many=True)

    # ------------------------------------------------------------ MAT-03 receiving
    @rpc
    def create_receipt(self, token, project_id, payload):
        caller = self.caller(token, project_id, *MANAGE, action="record a receipt (MAT-03)")
        data = load(schemas.ReceiptIn, payload, rule="MAT-03")
        with self.uow(caller) as uow:
            receipt = usecases.create_receipt(uow, project_id, data)
        return dump(schemas.ReceiptOut, receipt)

    @rpc
    def resolve_held(self, token, project_id, receipt_id, payload):
        caller = self.caller(token, project_id, *MANAGE, action="resolve held goods (MAT-03)")
        data = load(schemas.HeldResolutionIn, payload, rule="MAT-03")
        with self.uow(caller) as uow:
            receipt = usecases.resolve_held(uow, project_id, receipt_id, data)
        return dump(schemas.ReceiptOut, receipt)

    @rpc
    def list_receipts(self, token, project_id):
        with self.uow(self._staff(token, project_id)) as uow:
            receipts = usecases.list_receipts(uow, project_id)
        return dump(schemas.ReceiptOut, receipts, many=True)

    # ------------------------------------------------------------ MAT-04 issuing
    @rpc
    def create_issue_form(self, token, project_id, payload):
        caller = self.caller(token, project_id, *MANAGE,
                             action="make out an issue form (MAT-04)")
        data = load(schemas.IssueFormIn, payload, rule="MAT-04")
        with self.uow(caller) as uow:
            form = usecases.create_issue_form(uow, project_id, data)
        return dump(schemas.IssueFormOut, form)

    @rpc
    def confirm_issue_form(self, token, project_id, form_id):
        with self.uow(self._staff(token, project_id)) as uow:
            form = usecases.confirm_issue_form(uow, project_id, form_id)
        return dump(schemas.IssueFormOut, form)

    @rpc
    def cancel_issue_form(self, token, project_id, form_id):
        caller = self.caller(token, project_id, *MANAGE, action="cancel an issue form")
        with self.uow(caller) as uow:
            form = usecases.cancel_issue_form(uow, project_id, form_id)
        return dump(schemas.IssueFormOut, form)

    @rpc
    def list_issue_forms(self, token, project_id):
        with self.uow(self._staff(token, project_id)) as uow:
            forms = usecases.list_issue_forms(uow, project_id)
        return dump(schemas.IssueFormOut, forms, many=True)

    # ------------------------------------------------------------ MAT-05 usage ledger
    @rpc
    def create_ledger_entry(self, token, project_id, payload):
        caller = self.caller(token, project_id, *MANAGE, action=LEDGER_ACTION)
        data = load(schemas.UsageLedgerIn, payload, rule="MAT-05")
        with self.uow(caller) as uow:
            entry = usecases.create_ledger_entry(uow, project_id, data)
        return dump(schemas.UsageLedgerOut, entry)

    @rpc
    def update_ledger_entry(self, token, project_id, entry_id, payload):
        caller = self.caller(token, project_id, *MANAGE, action=LEDGER_ACTION)
        data = load(schemas.UsageLedgerPatch, payload, rule="MAT-05")
        with self.uow(caller) as uow:
            entry = usecases.update_ledger_entry(uow, project_id, entry_id, data)
        return dump(schemas.UsageLedgerOut, entry)

    @rpc
    def list_ledger(self, token, project_id):
        with self.uow(self._staff(token, project_id)) as uow:
            entries = usecases.list_ledger(uow, project_id)
        return dump(schemas.UsageLedgerOut, entries, many=True)

    @rpc
    def export_ledger(self, token, project_id, query=None):
        with self.uow(self._staff(token, project_id)) as uow:
            return usecases.export_ledger(uow, project_id, query)

    # ------------------------------------------------------------ MAT-06 stocktake
    @rpc
    def create_stocktake(self, token, project_id, payload):
        caller = self.caller(token, project_id, *MANAGE, action="record a stocktake (MAT-06)")
        data = load(schemas.StocktakeIn, payload, rule="MAT-06")
        with self.uow(caller) as uow:
            stocktake = usecases.create_stocktake(uow, project_id, data)
        return dump(schemas.StocktakeOut, stocktake)

    @rpc
    def stocktake_months(self, token, project_id, query=None):
        with self.uow(self._staff(token, project_id)) as uow:
            months = usecases.stocktake_months(uow, project_id, query)
        return dump(schemas.StocktakeMonthOut, months, many=True)

    # ------------------------------------------------------------ MAT-07 desk kit
    @event_handler("reception", "reception_completed")
    @once
    def on_reception_completed(self, payload):
        usecases.issue_handed_out_plans(self.uow(), payload)

    @rpc
    def check_desk_kit(self, token, project_id, payload):
        caller = self.caller(token, project_id, *DESK, action="check desk folders (MAT-07)")
        data = load(schemas.DeskKitCheckIn, payload, rule="MAT-07")
        with self.uow(caller) as uow:
            check = usecases.check_desk_kit(uow, project_id, data)
        return dump(schemas.DeskKitCheckOut, check)

    @rpc
    def list_shortages(self, token, project_id, query=None):
        caller = self.caller(token, project_id, *DESK, "storekeeper",
                             action="see the day's shortages")
        with self.uow(caller) as uow:
            day = usecases.list_shortages(uow, project_id, query)
        return dump(schemas.ShortageDayOut, day)

    @rpc
    def report_shortages(self, token, project_id, payload):
        caller = self.caller(token, project_id, *DESK, action="report the day's shortages")
        data = load(schemas.ShortageReportIn, payload, rule="MAT-07")
        with self.uow(caller) as uow:
            report = usecases.report_shortages(uow, project_id, data)
        return dump(schemas.ShortageReportOut, report)
