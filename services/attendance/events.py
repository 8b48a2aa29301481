"""What attendance announces and what it listens to (docs/events.md is generated from this).

The directory events (project_created, staff_added, roles_changed) keep their payload shapes:
every other service's directory replica reads them (services.common.directory).
"""
from services.common.events import Catalogue, Consumed, Event

PROJECT = "object: {id, code, name, timezone} (the whole project, SYS-04 zone)"
PERSON = "object: {id, project_id, username, name, roles, active} (the whole person)"
WHO = {"person_id": "int: the staff member", "name": "str: their display name",
       "day": "date: the project-local business day", "at": "datetime: when (ISO-8601)"}

CATALOGUE = Catalogue("attendance", emits=(
    Event("project_created", ("SYS-03", "SYS-04"), "An admin created a project (sales "
          "office): its policy and time zone start here.",
          {"project": PROJECT}),
    Event("staff_added", ("SYS-02",), "A manager added a staff member with their roles.",
          {"person": PERSON}),
    Event("roles_changed", ("SYS-02",), "A manager changed a person's roles (their tokens "
          "stop working).", {"person": PERSON}),
    Event("clocked_in", ("ATT-03", "ATT-04"), "A person clocked in for themself; the outcome "
          "says on time, late or absent.",
          {**WHO, "outcome": "str: on_time / late / absent (ATT-04)"}),
    Event("clocked_out", ("ATT-03", "ATT-04"), "A person clocked out; the outcome says on time, "
          "early leave or absent.",
          {**WHO, "outcome": "str: on_time / early_leave / absent (ATT-04)"}),
    Event("signed_in", ("ATT-06",), "A valid sign-in: the consultant joins today's reception "
          "order.", {**WHO, "clock_in_at": "datetime?: the day's clock-in",
                     "placed_last": "bool: after everyone who signed in correctly"}),
    Event("sign_in_invalid", ("ATT-06",), "A sign-in without clock-in or uniform, recorded; "
          "a later valid one is placed last.",
          {**WHO, "why": "str: no_clock_in / no_uniform"}),
    Event("eligibility_revoked", ("ATT-03",), "A proxy punch was reported: the punched-for "
          "consultant may not receive for the rest of the day.",
          {"person_id": "int: who lost eligibility", "day": "date: the business day",
           "until": "datetime: when eligibility returns"}),
    Event("leave_started", ("ATT-07",), "Approved leave covers today: off today's sheet.",
          {"person_id": "int: who is on leave", "day": "date: today",
           "leave_type": "str: personal / annual / sick / compensatory"}),
    Event("leave_ended", ("ATT-07", "REC-01"), "Back from leave today: joins the back of the "
          "current round.", {"person_id": "int: who is back", "day": "date: today",
                             "leave_type": "str: the leave that ended"}),
    Event("discipline_recorded", ("ATT-10",), "A ledger line: a fine, a slip or an absent day, "
          "citing its rule.", {"entry": "object: {id, person_id, kind, fine, rule, day}"}),
    Event("absence_recorded", ("ATT-09",), "A closed day made a person absent (with the "
          "month's count).", {"person_id": "int: who was absent", "day": "date: the closed day",
                              "absent_days_in_month": "int: absent days this month so far",
                              "dismissal_review": "bool: the count reached the review limit"}),
    Event("sign_in_order_changed", ("ATT-06", "REC-01"), "A supervisor resolved a sign-in "
          "dispute by clock-in times: the day's order changed.",
          {"day": "date: the business day",
           "order": "list[int]: person ids of the day's valid sign-ins in the resolved order",
           "dispute_id": "int: the stored resolution", "decided_by": "int: the supervisor"}),
    Event("lunch_started", ("ATT-11", "REC-10"), "A consultant went to lunch in their turn: "
          "off the desk until back.",
          {"person_id": "int: who is at lunch", "day": "date: the business day",
           "at": "datetime: when lunch began",
           "due_back_at": "datetime: when the lunch break ends (40 min, policy)"}),
    Event("lunch_ended", ("ATT-11", "REC-10"), "A consultant is back from lunch (overstay in "
          "whole minutes, 0 when on time).",
          {"person_id": "int: who is back", "day": "date: the business day",
           "at": "datetime: when they came back",
           "overstay_minutes": "int: minutes past due_back_at, any part a minute; 0 on time"}),
    Event("lunch_overstayed", ("ATT-11",), "The clock passed a consultant's due_back_at with "
          "no return: the overstay is recorded (once).",
          {"person_id": "int: who is still out", "day": "date: the business day",
           "due_back_at": "datetime: when they were due back",
           "at": "datetime: when the overstay was recorded"}),
    Event("day_closed", ("ATT-09", "ATT-11"), "A business day was closed (absences settled, "
          "open lunches ended); reception closes the day's open receptions and desk states.",
          {"day": "date: the closed business day", "rest": "int: people resting",
           "leave": "int: people on leave", "present": "int: people present",
           "absent": "int: people absent"}),
), consumes=(
    Consumed("reception", "reception_completed", "remember who last finished a reception, "
             "for the lunch rotation (ATT-11)"),
    Consumed("reception", "refusal_recorded", "book the refusal and its suspension in the "
             "discipline ledger, with a violation slip (REC-09 -> ATT-10)"),
    Consumed("reception", "call_fault_recorded", "book the desk-call fault's fine in the "
             "discipline ledger, once per event (REC-12 -> ATT-10)"),
    Consumed("clients", "poaching_recorded", "book the poacher's fine in the discipline "
             "ledger (CLI-09 -> ATT-10)"),
))
