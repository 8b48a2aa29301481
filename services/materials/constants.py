"""Words the contract (schemas.py) and the rules share, so the gateway never imports rules."""
CATEGORIES = ("brochure", "floor_plan", "price_list", "bag", "gift", "laser_pointer", "other")
PERIODS = ("weekly", "monthly", "quarterly")
LEDGER_STATES = ("in_use", "stored", "damaged", "unusable")
HELD_ACTIONS = ("exchange", "return")

# who may do what (SYS-02; services.common.roles lets an admin act as all of them)
MANAGE = ("storekeeper", "manager")          # catalogue, receipts, issue forms, stocktakes, ledger
PLANNERS = ("storekeeper", "supervisor", "manager")
APPROVERS = ("supervisor", "manager")        # plans; urgent requests: manager only (MAT-02)
DESK = ("supervisor", "manager")             # desk kit checks, day's shortages (MAT-07)
STAFF = ("consultant", "supervisor", "manager", "clerk", "receptionist", "storekeeper")
