"""Materials routes (物料管理): catalogue, plans, requests, receipts, issue forms, usage ledger,
stocktakes, stock levels, movements, desk kit and the day's shortages (MAT-01…08)."""
from services.materials import schemas as mat

from . import Route

P = "/v1/projects/<int:project_id>/materials"
S = "materials"

ROUTES = [
    # MAT-01 catalogue and stock levels
    Route("GET", f"{P}/items", "The catalogue with balances", S, service=S, rpc="list_items",
          response=mat.CatalogueItemOut, many=True, rules=("MAT-01",)),
    Route("POST", f"{P}/items", "Add a catalogue item (storekeeper, manager)", S, service=S,
          rpc="create_item", body=mat.CatalogueItemIn, response=mat.CatalogueItemOut,
          status=201, rules=("MAT-01", "SYS-02")),
    Route("GET", f"{P}/items/<int:item_id>", "One catalogue item", S, service=S, rpc="get_item",
          response=mat.CatalogueItemOut, rules=("MAT-01",)),
    Route("PATCH", f"{P}/items/<int:item_id>", "Change a catalogue item (never its balances)",
          S, service=S, rpc="update_item", body=mat.CatalogueItemPatch,
          response=mat.CatalogueItemOut, rules=("MAT-01",)),
    Route("GET", f"{P}/stock", "Stock levels (JSON)", S, service=S, rpc="stock_levels",
          response=mat.CatalogueItemOut, many=True, rules=("MAT-01", "MAT-08")),
    Route("GET", f"{P}/stock/export", "Stock levels as a file (?format=csv|xlsx&encoding="
          "utf-8|gbk)", S, service=S, rpc="export_stock", download=True,
          query=("format", "encoding"), rules=("MAT-01",)),
    Route("GET", f"{P}/movements", "Every stock movement with its rule and reason (?item_id=)",
          S, service=S, rpc="list_movements", query=("item_id",), response=mat.MovementOut,
          many=True, rules=("SYS-01",)),
    Route("GET", f"{P}/movements/export", "Stock movements as a file (?format=csv|xlsx"
          "&encoding=utf-8|gbk)", S, service=S, rpc="export_movements", download=True,
          query=("format", "item_id", "encoding"),
          rules=("SYS-01",)),
    # MAT-02 plans and requests
    Route("GET", f"{P}/plans", "Needs plans", S, service=S, rpc="list_plans",
          response=mat.NeedsPlanOut, many=True, rules=("MAT-02",)),
    Route("POST", f"{P}/plans", "Draft a weekly/monthly/quarterly needs plan", S, service=S,
          rpc="create_plan", body=mat.NeedsPlanIn, response=mat.NeedsPlanOut, status=201,
          rules=("MAT-02",)),
    Route("POST", f"{P}/plans/<int:plan_id>/approve", "Approve a needs plan (supervisor, "
          "manager)", S, service=S, rpc="approve_plan", response=mat.NeedsPlanOut,
          rules=("MAT-02", "SYS-02")),
    Route("GET", f"{P}/requests", "Material requests", S, service=S, rpc="list_requests",
          response=mat.MaterialRequestOut, many=True, rules=("MAT-02",)),
    Route("POST", f"{P}/requests", "Request materials: planned, or urgent (needs a manager)", S,
          service=S, rpc="create_request", body=mat.MaterialRequestIn,
          response=mat.MaterialRequestOut, status=201, rules=("MAT-02",)),
    Route("POST", f"{P}/requests/<int:request_id>/approve", "Approve an urgent request "
          "(manager)", S, service=S, rpc="approve_request", body=mat.DecisionIn,
          response=mat.MaterialRequestOut, rules=("MAT-02",)),
    Route("POST", f"{P}/requests/<int:request_id>/reject", "Reject an urgent request (manager)",
          S, service=S, rpc="reject_request", body=mat.DecisionIn,
          response=mat.MaterialRequestOut, rules=("MAT-02",)),
    # MAT-03 receiving
    Route("GET", f"{P}/receipts", "Receipts", S, service=S, rpc="list_receipts",
          response=mat.ReceiptOut, many=True, rules=("MAT-03",)),
    Route("POST", f"{P}/receipts", "Record a receipt; failed inspection goes to temporary "
          "storage", S, service=S, rpc="create_receipt", body=mat.ReceiptIn,
          response=mat.ReceiptOut, status=201, rules=("MAT-03",)),
    Route("POST", f"{P}/receipts/<int:receipt_id>/resolve", "Exchange or return held goods",
          S, service=S, rpc="resolve_held", body=mat.HeldResolutionIn, response=mat.ReceiptOut,
          rules=("MAT-03",)),
    # MAT-04 issuing
    Route("GET", f"{P}/issue-forms", "Issue forms (a consultant sees their own)", S, service=S,
          rpc="list_issue_forms", response=mat.IssueFormOut, many=True, rules=("MAT-04",)),
    Route("POST", f"{P}/issue-forms", "Make out an issue form (storekeeper, manager)", S,
          service=S, rpc="create_issue_form", body=mat.IssueFormIn, response=mat.IssueFormOut,
          status=201, rules=("MAT-04",)),
    Route("POST", f"{P}/issue-forms/<int:form_id>/confirm", "The recipient confirms: stock is "
          "issued, never below zero", S, service=S, rpc="confirm_issue_form",
          response=mat.IssueFormOut, rules=("MAT-04", "SYS-02")),
    Route("POST", f"{P}/issue-forms/<int:form_id>/cancel", "Cancel an unconfirmed issue form",
          S, service=S, rpc="cancel_issue_form", response=mat.IssueFormOut, rules=("MAT-04",)),
    # MAT-05 usage ledger
    Route("GET", f"{P}/ledger", "The usage ledger", S, service=S, rpc="list_ledger",
          response=mat.UsageLedgerOut, many=True, rules=("MAT-05",)),
    Route("GET", f"{P}/ledger/export", "The usage ledger as a file (?format=csv|xlsx"
          "&encoding=utf-8|gbk)", S, service=S, rpc="export_ledger", download=True,
          query=("format", "encoding"), rules=("MAT-05",)),
    Route("POST", f"{P}/ledger", "Add a usage-ledger entry", S, service=S,
          rpc="create_ledger_entry", body=mat.UsageLedgerIn, response=mat.UsageLedgerOut,
          status=201, rules=("MAT-05",)),
    Route("PATCH", f"{P}/ledger/<int:entry_id>", "Change where it is, who answers for it, its "
          "state (unusable: reported for disposal)", S, service=S, rpc="update_ledger_entry",
          body=mat.UsageLedgerPatch, response=mat.UsageLedgerOut, rules=("MAT-05",)),
    # MAT-06 stocktake
    Route("POST", f"{P}/stocktakes", "Record a stocktake (two counters at least); adjusts "
          "stock", S, service=S, rpc="create_stocktake", body=mat.StocktakeIn,
          response=mat.StocktakeOut, status=201, rules=("MAT-06",)),
    Route("GET", f"{P}/stocktakes/months", "The year's monthly stocktakes: done, due, missed "
          "(?year=, default this year)", S, service=S, rpc="stocktake_months", query=("year",),
          response=mat.StocktakeMonthOut, many=True, rules=("MAT-06", "SYS-04")),
    # MAT-07 desk kit
    Route("POST", f"{P}/desk-kit/checks", "Record a desk consultant's folder (supervisor)", S,
          service=S, rpc="check_desk_kit", body=mat.DeskKitCheckIn, response=mat.DeskKitCheckOut,
          rules=("MAT-07",)),
    Route("GET", f"{P}/shortages", "The day's shortages (?day=YYYY-MM-DD, default today)", S,
          service=S, rpc="list_shortages", query=("day",), response=mat.ShortageDayOut,
          rules=("MAT-07",)),
    Route("POST", f"{P}/shortages/report", "Report the day's shortages to the manager", S,
          service=S, rpc="report_shortages", body=mat.ShortageReportIn,
          response=mat.ShortageReportOut, rules=("MAT-07",)),
]
