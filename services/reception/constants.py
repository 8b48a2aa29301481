"""Words both the rules and the schemas (the contract the gateway publishes) use. No imports:
the gateway imports schemas, and schemas import no rules."""

# REC-08: visits that are not turns; "new" is an ordinary walk-in (REC-03)
NON_TURN_KINDS = ("returning_today", "already_bought", "supplementary_deposit", "industry_peer")
VISIT_KINDS = ("new",) + NON_TURN_KINDS
# REC-03/04/10: what a consultant may tell the desk; "back" returns to the rotation
DESK_STATES = ("lunch", "official_business", "away_announced", "away", "back")
# REC-09: what a supervisor or manager records
REFUSAL_KINDS = ("refusal", "picking", "excuse")
# REC-07: who takes a duty reception when the owner cannot
DUTY_CHOOSERS = ("last_finished", "head_of_rotation", "last_two_signed_in")
# SYS-02: who acts at the desk beyond themselves (services.common.roles resolves an admin)
DESK_STAFF = ("receptionist", "supervisor", "manager")   # walk-ins, calls, desk status of others
LEADS = ("supervisor", "manager")                       # reorder, refusals, others' receptions
# REC-13: who the board lists apart from the rotation
BOARD_GROUPS = ("receiving", "lunch", "official_business", "passing", "suspended")
