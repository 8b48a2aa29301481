"""What reception announces and what it listens to (docs/events.md is generated from this)."""
from services.common.events import DIRECTORY_CONSUMES, Catalogue, Consumed, Event

PERSON = "int: the consultant's person id"
DAY = "date: the project-local business day (YYYY-MM-DD)"
# what every event about one reception says
RECEPTION = {"reception_id": "int", "person_id": PERSON,
             "customer_id": "int?: clients' customer, when a phone was given",
             "kind": "str: turn / returning / duty / non_turn",
             "marks_delta": "int: marks the reception counts (a turn adds one on completion)",
             "credit_owner_id": "int?: who the deal credit goes to (REC-07)", "day": DAY,
             "arrived_at": "datetime: when the receptionist registered the walk-in (the visit's "
                           "time, CLI-03/04/05/07)",
             "named_person_id": "int?: the consultant the customer named on arrival or was "
                                "identified from the SMS (CLI-04, CLI-08)"}

EMITS = (
    Event("turn_forfeited", ("REC-04", "REC-10"),
          "A consultant not free at the desk when their turn came forfeited it (one mark).",
          {"person_id": PERSON, "day": DAY,
           "why": "str: forfeited (the rule's outcome)",
           "state": "str: where they were (away, lunch, ...)",
           "walk_in_id": "int: the walk-in whose turn it was"}),
    Event("reception_started", ("REC-03", "REC-07", "REC-08", "CLI-08"),
          "A walk-in was assigned to a consultant by the rotation, the owner or a duty reception.",
          {**RECEPTION, "walk_in_id": "int",
           "second_group": "bool: taken while already receiving (REC-03)"}),
    Event("reception_completed", ("REC-06",),
          "The customer left: the outcome and the floor plans handed out (materials issues them).",
          {**RECEPTION, "outcome": "str: what came of the visit",
           "floor_plans": "list: [{code, quantity}] handed out",
           "visit_registered": "bool: clients registers the visit"}),
    Event("refusal_recorded", ("REC-09",),
          "A refusal, picking or excuse suspended a consultant; attendance writes the ledger.",
          {"person_id": PERSON, "day": DAY, "suspended_until_day": "date: last day suspended",
           "recorded_by": "int: the supervisor or manager",
           "kind": "str: refusal / picking / excuse", "days": "int: days suspended"}),
    Event("consultant_changed", ("REC-11",),
          "At the customer's request another consultant serves; clients splits the credit.",
          {"customer_id": "int", "from_person_id": "int", "to_person_id": "int",
           "credit_split": "list: [{person_id, percent}]"}),
    Event("call_registered", ("REC-12",),
          "A desk call was registered; blanks are fined, the answerer owns a new caller.",
          {"call_id": "int", "customer_id": "int?: clients' customer, when a phone was given",
           "answered_by": "int: who answered", "media_source": "str?: how they heard (media)",
           "day": DAY, "missing": "list: blank fields", "fine": "int: fine for the blanks"}),
    Event("call_fault_recorded", ("REC-12", "ATT-10"),
          "A desk-call fault that carries a fine; attendance books one ledger line per event.",
          {"person_id": "int: who is fined (the answerer)", "day": DAY,
           "call_id": "int?: the call (null for an unregistered call)",
           "kind": "str: missing_entry / late_sms / no_sms / unregistered_call",
           "missing": "list: blank fields ([] otherwise)", "fine": "int: yuan"}),
)

CONSUMES = DIRECTORY_CONSUMES + (
    Consumed("attendance", "signed_in", "REC-01: a valid sign-in puts the consultant on the "
             "day's sheet (placed last when ATT-06 says so)"),
    Consumed("attendance", "clocked_out", "REC-10: off the sheet"),
    Consumed("attendance", "eligibility_revoked", "REC-01 (ATT-03): off the sheet for the day"),
    Consumed("attendance", "leave_started", "REC-01: off the sheet until back"),
    Consumed("attendance", "leave_ended", "REC-01: rejoins at the back of the current round"),
    Consumed("attendance", "sign_in_order_changed", "ATT-06/REC-01: a resolved sign-in dispute "
             "re-sorts the sheet's sign-in order for those people"),
    Consumed("attendance", "lunch_started", "REC-10/ATT-11: the desk state is lunch"),
    Consumed("attendance", "lunch_ended", "REC-10/ATT-11: back in the rotation"),
    Consumed("attendance", "day_closed", "REC-04/05/06/10: the day's open receptions and desk "
             "states are closed, each with its rule and reason"),
)

CATALOGUE = Catalogue("reception", emits=EMITS, consumes=CONSUMES)
