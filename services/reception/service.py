"""Reception (轮序接待): the day's rotation sheet, desk positions, walk-ins, receptions, passes,
desk status, refusals, change of consultant, calls and the board (REC-01…13).

Entrypoints only: the caller, the payload through its schema, one use case (usecases.py) in a
unit of work that commits on success, the answer through its ``Out`` schema.
"""
import logging

from nameko.events import event_handler
from nameko.timer import timer

from services.common.clock import Clock
from services.common.config import env_float, inner_rpc_timeout
from services.common.db import Database
from services.common.inbox import once
from services.common.rpc import call
from services.common.rpc import proxy as rpc_proxy
from services.common.schemas import DecisionOut, dump, load
from services.common.service import DirectoryReplica, ServiceKit, rpc

from . import events, rules, schemas, usecases
from .constants import DESK_STAFF, LEADS
from .models import KIT

log = logging.getLogger(__name__)
SMS_CHECK_INTERVAL = env_float("SMS_CHECK_INTERVAL", 1.0)   # seconds between REC-12 checks


class Clients:
    """The port the walk-in and call use cases ask about customers (REC-07, CLI-02): clients'
    RPCs with a deadline."""

    def __init__(self, proxy, token):
        self.proxy, self.token = proxy, token

    # Degraded, not wrong (docs/decisions/reception.md): while clients does not answer, a
    # walk-in with a phone is 503 naming clients and nothing is done; the owner decides who
    # receives (CLI-08), so the desk never guesses. Within half the gateway's deadline.
    def owner_of(self, project_id, phone):
        return call(self.proxy, "owner_of", self.token, project_id, phone,
                    timeout=inner_rpc_timeout())

    def register_customer(self, project_id, phone, name, source):
        answer = call(self.proxy, "register_customer", self.token, project_id, phone, name,
                      source, timeout=inner_rpc_timeout())
        return answer.get("customer_id")


class ReceptionService(DirectoryReplica, ServiceKit):
    name = "reception"
    db = Database(KIT)
    clock = Clock(KIT)
    clients = rpc_proxy("clients", inner=True)   # expires at its deadline: never runs later
    policy_spec = rules.POLICY
    catalogue = events.CATALOGUE

    def _clients(self):
        return Clients(self.clients, self.auth.service_token())

    # ================================================================ SYS-01 "why"
    WHY_PUBLIC = rules.WHY_PUBLIC   # the sheet on the office wall (REC-13)

    def may_see_why(self, caller, record):
        return rules.why_visible(caller.person_id, caller.acting_roles, record,
                                 super().may_see_why(caller, record))

    # ================================================================ attendance's events
    def directory_changed(self, uow, person):
        usecases.directory_changed(uow, person)

    @event_handler("attendance", "signed_in")
    @once
    def on_signed_in(self, payload):
        usecases.signed_in(self.uow(), payload)

    @event_handler("attendance", "clocked_out")
    @once
    def on_clocked_out(self, payload):
        usecases.take_off_sheet(self.uow(), payload, "clocked_out")

    @event_handler("attendance", "eligibility_revoked")
    @once
    def on_eligibility_revoked(self, payload):
        usecases.take_off_sheet(self.uow(), payload, "eligibility_revoked")

    @event_handler("attendance", "leave_started")
    @once
    def on_leave_started(self, payload):
        usecases.take_off_sheet(self.uow(), payload, "leave")

    @event_handler("attendance", "leave_ended")
    @once
    def on_leave_ended(self, payload):
        usecases.leave_ended(self.uow(), payload)

    @event_handler("attendance", "sign_in_order_changed")
    @once
    def on_sign_in_order_changed(self, payload):
        usecases.sign_in_order_changed(self.uow(), payload)

    @event_handler("attendance", "lunch_started")
    @once
    def on_lunch_started(self, payload):
        usecases.lunch_started(self.uow(), payload)

    @event_handler("attendance", "day_closed")
    @once
    def on_day_closed(self, payload):
        usecases.close_day(self.uow(), payload)

    @event_handler("attendance", "lunch_ended")
    @once
    def on_lunch_ended(self, payload):
        usecases.lunch_ended(self.uow(), payload)

    # ================================================================ reads
    def _of_day(self, token, project_id, query, usecase, out, many=False, roles=()):
        """A read of one day (``?day=``, default the project's today); anyone in the project
        unless ``roles`` are given."""
        caller = self.caller(token, project_id, *roles, action="read the desk's records")
        day = load(schemas.SheetQuery, query).get("day")
        with self.uow(caller) as uow:
            return dump(out, usecase(uow, project_id, day), many=many)

    @rpc
    def sheet(self, token, project_id, query=None):
        """REC-01: the day's sheet in rotation order."""
        return self._of_day(token, project_id, query, usecases.sheet, schemas.SheetOut)

    @rpc
    def list_receptions(self, token, project_id, query=None):
        return self._of_day(token, project_id, query, usecases.list_receptions,
                            schemas.ReceptionOut, many=True, roles=rules.DESK_RECORD_READERS)

    @rpc
    def list_calls(self, token, project_id, query=None):
        return self._of_day(token, project_id, query, usecases.list_calls, schemas.CallOut,
                            many=True, roles=rules.DESK_RECORD_READERS)

    @rpc
    def board(self, token, project_id):
        """REC-13: the front-desk board (gateway/web/pages/board.html draws it); the one call a
        TV's display login may make, while its display is not revoked."""
        caller = self.caller(token, project_id, display=True)
        with self.uow(caller) as uow:
            if caller.is_display:
                usecases.check_display(uow, project_id, caller.display_id)
            result = usecases.board(uow, project_id)
        return dump(schemas.BoardOut, result)

    @rpc
    def create_display(self, token, project_id, data):
        """REC-13: a TV's display login (the gateway signs its token)."""
        caller = self.caller(token, project_id, "manager", action="add a board display")
        data = load(schemas.DisplayIn, data)
        with self.uow(caller) as uow:
            result = usecases.create_display(uow, project_id, data["name"])
        return dump(schemas.DisplayOut, result)

    @rpc
    def list_displays(self, token, project_id):
        caller = self.caller(token, project_id, "manager", action="list board displays")
        with self.uow(caller) as uow:
            result = usecases.list_displays(uow, project_id)
        return dump(schemas.DisplayOut, result, many=True)

    @rpc
    def revoke_display(self, token, project_id, display_id):
        caller = self.caller(token, project_id, "manager", action="revoke a board display")
        with self.uow(caller) as uow:
            result = usecases.revoke_display(uow, project_id, display_id)
        return dump(schemas.DisplayOut, result)

    @rpc
    def get_reception(self, token, project_id, reception_id):
        caller = self.caller(token, project_id, *rules.DESK_RECORD_READERS,
                             action="read the desk's records")
        with self.uow(caller) as uow:
            result = usecases.get_reception(uow, project_id, reception_id)
        return dump(schemas.ReceptionOut, result)

    # ================================================================ the sheet
    @rpc
    def reorder_sheet(self, token, project_id, payload):
        """REC-01 指定顺序: a supervisor or manager sets the order with a reason (recorded)."""
        caller = self.caller(token, project_id, *LEADS, action="reorder the sheet")
        data = load(schemas.ReorderIn, payload)
        with self.uow(caller) as uow:
            result = usecases.reorder_sheet(uow, project_id, data)
        return dump(schemas.SheetOut, result)

    # ================================================================ walk-ins and receptions
    @rpc
    def register_walk_in(self, token, project_id, payload):
        """The owner lookup (REC-07/CLI-02), then the assignment by the rotation."""
        caller = self.caller(token, project_id, *DESK_STAFF, action="register a walk-in")
        data = load(schemas.WalkInIn, payload)
        with self.uow(caller) as uow:
            result = usecases.register_walk_in(uow, project_id, data, self._clients())
        return dump(schemas.WalkInOut, result)

    @rpc
    def complete_reception(self, token, project_id, reception_id, payload):
        """REC-06: the customer left — outcome, floor plans handed out; back in the rotation."""
        caller = self.caller(token, project_id)
        data = load(schemas.CompleteIn, payload)
        with self.uow(caller) as uow:
            result = usecases.complete_reception(uow, project_id, reception_id, data)
        return dump(schemas.ReceptionOut, result)

    # ================================================================ pass and desk status
    @rpc
    def voluntary_pass(self, token, project_id, payload):
        """REC-05: give up standing for at least the policy minutes: two marks at once."""
        caller = self.caller(token, project_id)
        data = load(schemas.PassIn, payload)
        with self.uow(caller) as uow:
            result = usecases.voluntary_pass(uow, project_id, data)
        return dump(schemas.SheetOut, result)

    @rpc
    def set_desk_status(self, token, project_id, person_id, payload):
        """Lunch (REC-10), official business (REC-03), away (REC-04), back at the desk."""
        caller = self.caller(token, project_id)
        data = load(schemas.DeskStatusIn, payload)
        with self.uow(caller) as uow:
            result = usecases.set_desk_status(uow, project_id, person_id, data)
        return dump(schemas.SheetOut, result)

    # ================================================================ refusals, changes
    @rpc
    def record_refusal(self, token, project_id, payload):
        """REC-09: a refusal, picking or excuse suspends; attendance writes the ledger."""
        caller = self.caller(token, project_id, *LEADS, action="record a refusal")
        data = load(schemas.RefusalIn, payload)
        with self.uow(caller) as uow:
            result = usecases.record_refusal(uow, project_id, data)
        return dump(schemas.RefusalOut, result)

    @rpc
    def change_consultant(self, token, project_id, payload):
        """REC-11: at the customer's request a new consultant serves; clients splits credit."""
        caller = self.caller(token, project_id, *DESK_STAFF,
                             action="change a customer's consultant")
        data = load(schemas.ChangeConsultantIn, payload)
        with self.uow(caller) as uow:
            result = usecases.change_consultant(uow, project_id, data)
        return dump(DecisionOut, result)

    # ================================================================ calls (REC-12)
    @rpc
    def register_call(self, token, project_id, payload):
        """REC-12: every desk call is registered; blanks are fined missing entries."""
        caller = self.caller(token, project_id)
        data = load(schemas.CallIn, payload)
        with self.uow(caller) as uow:
            result = usecases.register_call(uow, project_id, data, self._clients())
        return dump(schemas.CallOut, result)

    @rpc
    def record_unregistered_call(self, token, project_id, payload):
        """REC-12: a supervisor or manager records a desk call never registered (fined)."""
        caller = self.caller(token, project_id, *LEADS, action="record an unregistered call")
        data = load(schemas.UnregisteredCallIn, payload)
        with self.uow(caller) as uow:
            result = usecases.record_unregistered_call(uow, project_id, data)
        return dump(schemas.CallFaultOut, result)

    @timer(interval=SMS_CHECK_INTERVAL)
    def record_overdue_sms(self):
        """REC-12 by the clock: an SMS deadline passed with no SMS is recorded (and fined)
        once; two instances collide on the fault's unique key."""
        try:
            with self.uow() as uow:
                usecases.record_overdue_sms(uow)
        except Exception:
            log.exception("reception: recording overdue SMS failed")

    @rpc
    def record_sms(self, token, project_id, call_id, payload):
        """REC-12: the standard SMS within the policy minutes of the call."""
        caller = self.caller(token, project_id)
        data = load(schemas.SmsIn, payload)
        with self.uow(caller) as uow:
            result = usecases.record_sms(uow, project_id, call_id, data)
        return dump(schemas.CallOut, result)
