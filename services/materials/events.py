"""The events materials emits and consumes (docs/events.md is generated from this)."""
from services.common.events import DIRECTORY_CONSUMES, Catalogue, Consumed, Event

ITEM = {"item_id": "int: the catalogue item", "code": "str: the item's code"}

STOCK_MOVED = Event(
    "stock_moved", ("SYS-01", "MAT-03", "MAT-04", "MAT-06", "MAT-07"),
    "A balance changed by one movement (receipt, hold, exchange, return, issue, stocktake).",
    {**ITEM, "kind": "str: receive, hold, exchange, return, issue, surplus, shortage or damage",
     "quantity": "int: units moved", "balance": "int: available stock after the movement",
     "held": "int: temporary storage (暂存) after the movement",
     "before": "int: available stock before the movement",
     "movement_id": "int: the stock_movement row (GET /v1/why/movement/<id>)"})

STOCK_LOW = Event(
    "stock_low", ("MAT-08",),
    "Available stock fell to or below the reorder level (once per crossing), for supervisors.",
    {**ITEM, "balance": "int: available stock now",
     "reorder_level": "int: the item's reorder level",
     "movement_id": "int: the movement that crossed the level"})

STOCKTAKE_RECORDED = Event(
    "stocktake_recorded", ("MAT-06",),
    "A stocktake by two counters or more was recorded; its differences adjusted stock.",
    {"stocktake_id": "int: the stocktake", "full": "bool: a full count (June, December)",
     "counter_ids": "list[int]: the people who counted",
     "lines": "list: {item_id, code, book, counted, damaged, surplus, shortage, new_balance}",
     "losses": "list: {item_id, code, quantity, amount_cents, cause, attributed_to, reason}"})

DISPOSAL_REPORTED = Event(
    "disposal_reported", ("MAT-05",),
    "A usage-ledger item became unusable and is reported for disposal (once).",
    {"ledger_entry_id": "int: the usage-ledger entry", **ITEM,
     "quantity": "int: units on the entry",
     "responsible_id": "int: the person who answers for it"})

SHORTAGES_REPORTED = Event(
    "shortages_reported", ("MAT-07",),
    "A supervisor reported the day's desk-kit shortages to the manager.",
    {"day": "date: the business day", "shortages": "list: the shortage lines reported"})

CATALOGUE = Catalogue(
    "materials",
    emits=(STOCK_MOVED, STOCK_LOW, STOCKTAKE_RECORDED, DISPOSAL_REPORTED, SHORTAGES_REPORTED),
    consumes=(Consumed("reception", "reception_completed",
                       "issue the floor plans handed out to the consultant; record what stock "
                       "could not cover as the day's shortage (MAT-07)"),
              *DIRECTORY_CONSUMES))
