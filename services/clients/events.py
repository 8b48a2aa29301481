"""The events clients emits and consumes (docs/events.md is generated from this). Events
carry customer ids, never phone numbers (CLI-14)."""
from services.common.events import DIRECTORY_CONSUMES, Catalogue, Consumed, Event

OWNERSHIP_CHANGED = Event(
    "ownership_changed", ("CLI-02", "CLI-03", "CLI-10", "CLI-11"),
    "A customer's owner changed: first contact, a lapse taken over, a change of consultant or "
    "an override.",
    {"customer_id": "int: the customer (clients' id)",
     "owner_id": "int?: the new owner (null: nobody owns)",
     "previous_owner_id": "int?: the owner before (null: nobody owned)",
     "split": "list?: [{person_id, percent}] deal-credit split after the change (CLI-10)"})

CHANNEL_REPORT_DECIDED = Event(
    "channel_report_decided", ("CLI-06",),
    "At the visit, a channel agent's report won (channel visit) or the visit is natural.",
    {"report_id": "int?: the winning report (null: natural visit)",
     "agent_id": "int?: the winning report's agent (null: natural visit)",
     "customer_id": "int: the customer who visited",
     "outcome": "str: channel or natural_visit"})

SUBSCRIPTION_CHANGED = Event(
    "subscription_changed", ("CLI-12",),
    "A subscription (认购) was signed, lapsed without deposit, withdrawn, refunded or voided.",
    {"unit_id": "int: the unit",
     "subscription_id": "int: the subscription",
     "customer_id": "int: the subscribing customer",
     "state": "str: live, lapsed, withdrawn, refunded or voided",
     "announce_to_all": "bool: true for withdrawals and refunds, announced to all staff"})

POACHING_RECORDED = Event(
    "poaching_recorded", ("CLI-09",),
    "A supervisor recorded poaching: the customer stays with the owner, the poacher is fined.",
    {"customer_id": "int: the customer",
     "person_id": "int: the consultant who poached",
     "owner_id": "int: the owner the customer stays with",
     "fine": "int: the fine (policy poaching_fine)",
     "day": "str: the project-local business day, ISO date"})

CATALOGUE = Catalogue(
    "clients",
    emits=(OWNERSHIP_CHANGED, CHANNEL_REPORT_DECIDED, SUBSCRIPTION_CHANGED, POACHING_RECORDED),
    consumes=(
        Consumed("reception", "reception_started",
                 "the visit's arrival (arrived_at) and whom the customer named on arrival "
                 "(named_person_id) are stored for the claims (CLI-04/05/07) and call-to-visit "
                 "(CLI-08)"),
        Consumed("reception", "reception_completed",
                 "a received visit is a registered contact at its arrival (CLI-02); a duty "
                 "reception counts for the owner it was made for (REC-07); the visit-register "
                 "entry is checked for completeness (CLI-13)"),
        Consumed("reception", "call_registered",
                 "the answering consultant's registered call is a contact (CLI-02, REC-12)"),
        Consumed("reception", "consultant_changed",
                 "change of consultant at the customer's request, credit split (CLI-10)"),
        *DIRECTORY_CONSUMES,
    ))
