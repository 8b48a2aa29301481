"""Attendance (考勤): the staff directory it owns (SYS-02) and the attendance rules ATT-01…13.

Nameko entrypoints only: the caller, the payload through its schema, one use case in a unit of
work (commits on success, rolls back on error), the answer through its ``Out`` schema. What
happens inside is in usecases/, repo.py and rules/.
"""
import logging

from nameko.events import event_handler
from nameko.timer import timer

from services.common import why
from services.common.clock import Clock
from services.common.config import env_float
from services.common.db import Database
from services.common.errors import Forbidden, refused
from services.common.inbox import once
from services.common.schemas import DecisionOut, dump, load
from services.common.service import ServiceKit, rpc

from . import events, repo, rules, schemas, usecases
from .models import KIT

log = logging.getLogger(__name__)

CLOSE_INTERVAL = env_float("DAY_CLOSE_INTERVAL", 1.0)


def loaded(schema, data):
    """The payload through its In schema; a 422 cites the rule the schema serves (``RULE``)."""
    return load(schema, data, rule=getattr(schema, "RULE", None))


def answer(schema, result, many=False):
    """The answer through its Out schema; a kept refusal (committed) is raised now."""
    if isinstance(result, usecases.Kept):
        result.raise_()
    return dump(schema, result, many=many)


class AttendanceService(ServiceKit):
    name = "attendance"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_spec = rules.POLICY
    catalogue = events.CATALOGUE
    zone_of = staticmethod(repo.zone_of)

    def person_now(self, person_id):
        """Attendance owns the staff: a token is checked against the person as they are now."""
        return repo.person_now(self.db, person_id)

    def caller_of(self, command, token, project_id):
        """SYS-02 first: the verified caller of ``project_id`` holding a role that may call
        ``command`` at all (``rules.may_call``: 403 citing the command's rule), before its body
        or ids are read."""
        caller = self.caller(token, project_id)
        refusal = rules.may_call(command, caller.roles)
        if not refusal.allowed:
            refused(refusal, error=Forbidden)
        return caller

    WHY_PUBLIC = rules.WHY_PUBLIC

    def may_see_why(self, caller, record):
        """SYS-01 with SYS-02 (``rules.may_see_why``): supervisors, managers and the clerk read
        every reason; anyone else the reasons about their own roster, punches, sign-ins, leave,
        lunch, ledger lines, days, terms and swaps, and the office-wall subjects."""
        if caller.is_service:
            return True
        owners = repo.why_owners(self.db, record["subject_type"], record["subject_id"]) \
            | why.concerns(record)
        return rules.may_see_why(caller.person_id, caller.roles, record["subject_type"],
                                 owners).allowed

    # ================================================================ staff directory (SYS-02)
    @rpc
    def authenticate(self, username, password):
        data = load(schemas.LoginIn, {"username": username, "password": password})
        with self.uow() as uow:
            result = usecases.authenticate(uow, data["username"], data["password"])
        return dump(schemas.StaffOut, result)

    @rpc
    def create_project(self, token, payload):
        caller = self.caller(token, None, "admin", action="create a project")
        with self.uow(caller) as uow:
            result = usecases.create_project(uow, loaded(schemas.ProjectIn, payload))
        return dump(schemas.ProjectOut, result)

    @rpc
    def list_projects(self, token):
        with self.uow(self.caller(token)) as uow:
            return dump(schemas.ProjectOut, usecases.list_projects(uow), many=True)

    @rpc
    def add_staff(self, token, project_id, payload):
        caller = self.caller(token, project_id, "manager", action="add staff")
        with self.uow(caller) as uow:
            result = usecases.add_staff(uow, project_id, loaded(schemas.StaffIn, payload))
        return dump(schemas.StaffOut, result)

    @rpc
    def set_roles(self, token, person_id, payload):
        caller = self.caller(token, None, "manager", action="set roles")
        with self.uow(caller) as uow:
            result = usecases.set_roles(uow, person_id, loaded(schemas.RolesIn, payload))
        return dump(schemas.StaffOut, result)

    @rpc
    def list_staff(self, token, project_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.StaffOut, usecases.list_staff(uow, project_id), many=True)

    @rpc
    def get_staff(self, token, person_id):
        with self.uow(self.caller(token)) as uow:
            return dump(schemas.StaffOut, usecases.get_staff(uow, person_id))

    # ================================================================ ATT-01/02 roster
    @rpc
    def set_roster(self, token, project_id, payload):
        caller = self.caller(token, project_id, "manager", action="roster staff (ATT-01)")
        with self.uow(caller) as uow:
            result = usecases.set_roster(uow, project_id,
                                         loaded(schemas.RosterIn, payload))
        return dump(schemas.RosterDayOut, result, many=True)

    @rpc
    def list_roster(self, token, project_id, query=None):
        with self.uow(self.caller(token, project_id)) as uow:
            result = usecases.list_roster(uow, project_id, loaded(schemas.RosterQueryIn, query))
        return dump(schemas.RosterDayOut, result, many=True)

    @rpc
    def declare_blackout(self, token, project_id, payload):
        with self.uow(self.caller_of("declare_blackout", token, project_id)) as uow:
            result = usecases.declare_blackout(uow, project_id,
                                               loaded(schemas.BlackoutIn, payload))
        return dump(DecisionOut, result)

    @rpc
    def list_blackouts(self, token, project_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.BlackoutOut, usecases.list_blackouts(uow, project_id), many=True)

    # ================================================================ ATT-03/04/05 punches
    @rpc
    def punch(self, token, project_id, payload):
        with self.uow(self.caller_of("punch", token, project_id)) as uow:
            result = usecases.punch(uow, project_id, loaded(schemas.PunchIn, payload))
        return answer(schemas.PunchOut, result)

    @rpc
    def list_punches(self, token, project_id, query=None):
        with self.uow(self.caller(token, project_id)) as uow:
            result = usecases.list_punches(uow, project_id, loaded(schemas.DayQueryIn, query))
        return dump(schemas.PunchOut, result, many=True)

    @rpc
    def report_proxy_punch(self, token, project_id, payload):
        with self.uow(self.caller_of("report_proxy_punch", token, project_id)) as uow:
            result = usecases.report_proxy_punch(
                uow, project_id, loaded(schemas.ProxyPunchIn, payload))
        return dump(DecisionOut, result)

    @rpc
    def annotate_missing_punch(self, token, project_id, payload):
        with self.uow(self.caller_of("annotate_missing_punch", token, project_id)) as uow:
            result = usecases.annotate_missing_punch(
                uow, project_id, loaded(schemas.MissingPunchIn, payload))
        return dump(schemas.MissingPunchNoteOut, result)

    # ================================================================ ATT-06 sign-in
    @rpc
    def attest_uniform(self, token, project_id, payload):
        with self.uow(self.caller_of("attest_uniform", token, project_id)) as uow:
            result = usecases.attest_uniform(uow, project_id,
                                             loaded(schemas.UniformIn, payload))
        return dump(DecisionOut, result)

    @rpc
    def sign_in(self, token, project_id, payload):
        with self.uow(self.caller_of("sign_in", token, project_id)) as uow:
            result = usecases.sign_in(uow, project_id,
                                      loaded(schemas.SignInIn, payload))
        return answer(schemas.SignInOut, result)

    @rpc
    def sign_in_order(self, token, project_id, query=None):
        with self.uow(self.caller(token, project_id)) as uow:
            result = usecases.sign_in_order(uow, project_id, loaded(schemas.DayQueryIn, query))
        return dump(schemas.OrderOut, result)

    @rpc
    def resolve_dispute(self, token, project_id, payload):
        with self.uow(self.caller_of("resolve_dispute", token, project_id)) as uow:
            result = usecases.resolve_dispute(uow, project_id,
                                              loaded(schemas.DisputeIn, payload))
        return dump(DecisionOut, result)

    # ================================================================ ATT-07/08 leave, swaps
    @rpc
    def request_leave(self, token, project_id, payload):
        with self.uow(self.caller_of("request_leave", token, project_id)) as uow:
            result = usecases.request_leave(uow, project_id,
                                            loaded(schemas.LeaveIn, payload))
        return answer(schemas.LeaveOut, result)

    @rpc
    def approve_leave(self, token, project_id, leave_id):
        with self.uow(self.caller_of("approve_leave", token, project_id)) as uow:
            return dump(schemas.LeaveOut, usecases.approve_leave(uow, project_id, leave_id))

    @rpc
    def reject_leave(self, token, project_id, leave_id, payload):
        with self.uow(self.caller_of("reject_leave", token, project_id)) as uow:
            return dump(schemas.LeaveOut, usecases.reject_leave(
                uow, project_id, leave_id, loaded(schemas.LeaveRejectIn, payload)))

    @rpc
    def list_swaps(self, token, project_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.SwapRecordOut, usecases.list_swaps(uow, project_id), many=True)

    @rpc
    def return_from_leave(self, token, project_id, leave_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.LeaveOut, usecases.return_from_leave(uow, project_id, leave_id))

    @rpc
    def file_certificate(self, token, project_id, leave_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.LeaveOut, usecases.file_certificate(uow, project_id, leave_id))

    @rpc
    def list_leave(self, token, project_id, query=None):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.LeaveOut, usecases.list_leave(uow, project_id), many=True)

    @rpc
    def record_swap(self, token, project_id, payload):
        with self.uow(self.caller_of("record_swap", token, project_id)) as uow:
            result = usecases.record_swap(uow, project_id,
                                          loaded(schemas.SwapIn, payload))
        return dump(schemas.SwapOut, result)

    # ================================================================ ATT-09/10 days, ledger
    @rpc
    def record_offence(self, token, project_id, payload):
        with self.uow(self.caller_of("record_offence", token, project_id)) as uow:
            result = usecases.record_offence(uow, project_id,
                                             loaded(schemas.OffenceIn, payload))
        return dump(schemas.LedgerOut, result, many=True)

    @rpc
    def ledger(self, token, project_id, query=None):
        with self.uow(self.caller(token, project_id)) as uow:
            result = usecases.ledger(uow, project_id, loaded(schemas.PersonQueryIn, query))
        return dump(schemas.LedgerOut, result, many=True)

    @event_handler("reception", "refusal_recorded")
    @once
    def on_refusal_recorded(self, payload):
        usecases.on_refusal_recorded(self.uow(), payload)

    @event_handler("reception", "call_fault_recorded")
    @once
    def on_call_fault_recorded(self, payload):
        usecases.on_call_fault_recorded(self.uow(), payload)

    @event_handler("clients", "poaching_recorded")
    @once
    def on_poaching_recorded(self, payload):
        usecases.on_poaching_recorded(self.uow(), payload)

    @rpc
    def close_day(self, token, project_id, payload):
        caller = self.caller(token, project_id, "manager", action="close a day (ATT-09)")
        with self.uow(caller) as uow:
            result = usecases.close_day(uow, project_id,
                                        loaded(schemas.CloseDayIn, payload))
        return dump(schemas.DayClosedOut, result)

    @timer(interval=CLOSE_INTERVAL)
    def close_ended_days(self):
        """ATT-09 by the clock: every rostered day that has ended is closed, once, each in its
        own transaction (one bad day must not stop the others)."""
        with self.uow() as uow:
            due = list(usecases.close_ended_days(uow))
        for project_id, day in due:
            try:
                with self.uow() as uow:
                    usecases.settle_day(uow, project_id, day)
            except Exception:
                log.exception("attendance: closing %s of project %s failed", day, project_id)

    # ================================================================ ATT-11 lunch
    @event_handler("reception", "reception_completed")
    @once
    def on_reception_completed(self, payload):
        usecases.on_reception_completed(self.uow(), payload)

    @rpc
    def lunch_order(self, token, project_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.LunchOrderOut, usecases.lunch_order(uow, project_id))

    @rpc
    def start_lunch(self, token, project_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(DecisionOut, usecases.start_lunch(uow, project_id))

    @rpc
    def end_lunch(self, token, project_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(DecisionOut, usecases.end_lunch(uow, project_id))

    @timer(interval=CLOSE_INTERVAL)
    def record_lunch_overstays(self):
        """ATT-11 by the clock: a lunch past its due-back time with no return gets its
        overstay recorded, once, each in its own transaction."""
        with self.uow() as uow:
            due = usecases.overdue_lunches(uow)
        for lunch_id in due:
            try:
                with self.uow() as uow:
                    usecases.record_overstay(uow, lunch_id)
            except Exception:
                log.exception("attendance: recording the overstay of lunch %s failed", lunch_id)

    # ================================================================ ATT-12/13 report
    @rpc
    def monthly_report(self, token, project_id, query=None):
        caller = self.caller(token, project_id, "supervisor", "manager", "clerk",
                             action="read the monthly report (ATT-12)")
        with self.uow(caller) as uow:
            result = usecases.monthly_report(uow, project_id, loaded(schemas.ReportQueryIn, query))
        return result if "content_b64" in result else dump(schemas.ReportOut, result)

    @rpc
    def export_monthly_report(self, token, project_id, query=None):
        """ATT-12: the monthly report as a file (CSV unless ?format=xlsx)."""
        caller = self.caller(token, project_id, "supervisor", "manager", "clerk",
                             action="read the monthly report (ATT-12)")
        with self.uow(caller) as uow:
            return usecases.monthly_report(uow, project_id, loaded(schemas.ExportQueryIn, query))

    @rpc
    def set_terms(self, token, project_id, person_id, payload):
        with self.uow(self.caller_of("set_terms", token, project_id)) as uow:
            result = usecases.set_terms(uow, project_id, person_id,
                                        loaded(schemas.TermsIn, payload))
        return dump(schemas.TermsOut, result)

    @rpc
    def get_terms(self, token, project_id, person_id):
        with self.uow(self.caller(token, project_id)) as uow:
            return dump(schemas.TermsOut, usecases.get_terms(uow, project_id, person_id))

    @rpc
    def submit_report(self, token, project_id, payload):
        with self.uow(self.caller_of("submit_report", token, project_id)) as uow:
            result = usecases.submit_report(uow, project_id,
                                            loaded(schemas.ReportSubmitIn, payload))
        return dump(DecisionOut, result)
