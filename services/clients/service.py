"""Clients (客户归属): customers by phone, ownership and its history, channel reports, poaching,
change of consultant, disputes, units and subscriptions, registers and conversion (CLI-01…14).

nameko entrypoints only: the caller, the payload through its schema, one use case in a unit of
work (committed on success), the answer through its ``Out`` schema. What happens is in
usecases.py; what is decided in rules/.
"""
from nameko.events import event_handler
from nameko.timer import timer

from services.common.clock import Clock
from services.common.config import env_float
from services.common.db import Database
from services.common.errors import Conflict, refused
from services.common.inbox import once
from services.common.schemas import dump, load
from services.common.service import DirectoryReplica, ServiceKit, rpc

from . import events, rules, schemas, usecases
from .models import KIT

LEADS = ("supervisor", "manager")
DESK = ("receptionist", "supervisor", "manager")
LAPSE_INTERVAL = env_float("DEPOSIT_CHECK_INTERVAL", 1.0)


class ClientsService(DirectoryReplica, ServiceKit):
    name = "clients"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_spec = rules.POLICY
    catalogue = events.CATALOGUE

    # ================================================================ SYS-01 "why"
    def may_see_why(self, caller, record):
        """CLI-06: a channel report's reasons for the leads and its own agent only; the
        closer and the clerk read subscriptions' (rules.why_visible)."""
        if caller.is_admin or caller.is_service:
            return True
        subject, ident = record["subject_type"], record["subject_id"]
        agent = closer = None
        if subject == "channel_report":
            agent = usecases.report_agent(self.db, ident)
        elif subject == "subscription":
            closer = usecases.subscription_closer(self.db, ident)
        return rules.why_visible(caller.person_id, caller.acting_roles, record,
                                 super().may_see_why(caller, record), agent, closer)

    # ================================================================ reception's events
    @event_handler("reception", "reception_started")
    @once
    def on_reception_started(self, payload):
        usecases.reception_started(self.uow(), payload)

    @event_handler("reception", "reception_completed")
    @once
    def on_reception_completed(self, payload):
        usecases.reception_completed(self.uow(), payload)

    @event_handler("reception", "call_registered")
    @once
    def on_call_registered(self, payload):
        usecases.call_registered(self.uow(), payload)

    @event_handler("reception", "consultant_changed")
    @once
    def on_consultant_changed(self, payload):
        usecases.consultant_changed(self.uow(), payload)

    # ================================================================ CLI-01/02 for reception
    @rpc
    def owner_of(self, token, project_id, phone):
        """REC-07/CLI-02: who owns this phone, and is the protection live (indexed lookup)."""
        caller = self.caller(token, project_id)
        with self.uow(caller) as uow:
            return dump(schemas.OwnerOut, usecases.owner_of(uow, project_id, phone))

    @rpc
    def owner_of_query(self, token, project_id, query=None):
        """owner_of for people (the gateway's GET .../ownership?phone=); CLI-14: the roles
        and the per-hour limit are checked by the use case for both."""
        return self.owner_of(token, project_id, (query or {}).get("phone"))

    @rpc
    def register_customer(self, token, project_id, phone, name=None, source="walk_in"):
        """CLI-01: the customer of this phone, created when new (idempotent by phone)."""
        caller = self.caller(token, project_id, *DESK, "consultant",
                             action="register a customer")   # reception's service token too
        with self.uow(caller) as uow:
            result = usecases.register_customer(uow, project_id, phone, name, source)
        return dump(schemas.RegisteredOut, result)

    # ================================================================ customers (CLI-14 views)
    @rpc
    def create_customer(self, token, project_id, payload):
        caller = self.caller(token, project_id, *DESK, "consultant",
                             action="register a customer")
        data = load(schemas.CustomerIn, payload, rule="CLI-01")
        with self.uow(caller) as uow:
            return dump(schemas.CustomerOut, usecases.create_customer(uow, project_id, data))

    @rpc
    def import_customers(self, token, project_id, payload):
        """CLI-01: the admin CLI's import, a batch of CSV rows; refused rows come back with
        their line and the rule's reason."""
        caller = self.caller(token, project_id, "manager", action="import customers")
        data = load(schemas.ImportIn, payload, rule="CLI-01")
        with self.uow(caller) as uow:
            result = usecases.import_customers(uow, project_id, data["rows"])
        return dump(schemas.ImportOut, result)

    @rpc
    def list_customers(self, token, project_id, query=None):
        caller = self.caller(token, project_id, *rules.CUSTOMER_READERS,
                             action="read customers")
        q = load(schemas.CustomerQuery, query or {}, rule="CLI-01")
        with self.uow(caller) as uow:
            result = usecases.list_customers(uow, project_id, q)
        return dump(schemas.CustomerOut, result, many=True)

    @rpc
    def phone_access_log(self, token, project_id, query=None):
        """CLI-14: who saw which full phone number (managers; an admin acts as one)."""
        caller = self.caller(token, project_id, "manager", action="read the phone access log")
        q = load(schemas.AccessLogQuery, query or {}, rule="CLI-14")
        with self.uow(caller) as uow:
            result = usecases.phone_access_log(uow, project_id, q)
        return dump(schemas.PhoneAccessOut, result, many=True)

    @rpc
    def get_customer(self, token, project_id, customer_id):
        caller = self.caller(token, project_id, *rules.CUSTOMER_READERS,
                             action="read customers")
        with self.uow(caller) as uow:
            return dump(schemas.CustomerOut, usecases.get_customer(uow, project_id, customer_id))

    @rpc
    def customer_history(self, token, project_id, customer_id):
        """CLI-11/SYS-01: every ownership decision and registered contact, oldest first. An
        admin (the admin CLI) may ask without a project."""
        caller = self.caller(token, project_id, *(() if project_id else ("admin",)),
                             action="read a customer's history without a project")
        with self.uow(caller) as uow:
            result = usecases.customer_history(uow, project_id, customer_id)
        return dump(schemas.HistoryOut, result)

    # ================================================================ contacts (CLI-02/03/04/05/07)
    @rpc
    def record_follow_up(self, token, project_id, customer_id, payload=None):
        """CLI-03: the owner's follow-up renews protection and the no-follow-up clock."""
        caller = self.caller(token, project_id, "consultant", action="record a follow-up")
        load(schemas.FollowUpIn, payload or {}, rule="CLI-03")
        with self.uow(caller) as uow:
            result = usecases.record_follow_up(uow, project_id, customer_id)
        return dump(schemas.DecisionOut, result)

    @rpc
    def pre_register(self, token, project_id, payload):
        """CLI-04/05/07: a claim registered before the visit."""
        caller = self.caller(token, project_id)
        data = load(schemas.PreRegistrationIn, payload, rule="CLI-05")
        with self.uow(caller) as uow:
            return dump(schemas.ClaimOut, usecases.pre_register(uow, project_id, data))

    @rpc
    def record_evidence(self, token, project_id, claim_id, payload):
        """CLI-07: evidence of a phone-only staff referral (the referred consultant, leads)."""
        caller = self.caller(token, project_id, "consultant", *LEADS,
                             action="produce referral evidence")
        data = load(schemas.EvidenceIn, payload, rule="CLI-07")
        with self.uow(caller) as uow:
            result = usecases.record_evidence(uow, project_id, claim_id, data)
        return dump(schemas.ClaimRowOut, result)

    @rpc
    def start_price_talk(self, token, project_id, customer_id, payload=None):
        """CLI-07: price negotiation started (the receiving consultant, leads), once."""
        caller = self.caller(token, project_id, "consultant", *LEADS,
                             action="record price negotiation")
        with self.uow(caller) as uow:
            result = usecases.start_price_talk(uow, project_id, customer_id)
        return dump(schemas.DecisionOut, result)

    @rpc
    def re_register(self, token, project_id, customer_id, payload):
        """CLI-03: a lapsed owner re-registers with a supervisor's sign-off (the caller)."""
        caller = self.caller(token, project_id, "consultant", *LEADS,
                             action="re-register a lapsed customer")
        data = load(schemas.PersonIn, payload, rule="CLI-03")
        with self.uow(caller) as uow:
            result = usecases.re_register(uow, project_id, customer_id, data)
        return dump(schemas.DecisionOut, result)

    # ================================================================ CLI-06 channel reports
    @rpc
    def create_report(self, token, project_id, payload):
        """CLI-06: an agent reports a customer; refused (撞单) when a consultant owns them."""
        caller = self.caller(token, project_id, "channel_agent", action="report a customer")
        data = load(schemas.ReportIn, payload, rule="CLI-06")
        with self.uow(caller) as uow:
            return dump(schemas.ReportOut, usecases.create_report(uow, project_id, data))

    @rpc
    def list_reports(self, token, project_id, query=None):
        """CLI-06: an agent sees only their own reports; supervisors and managers all."""
        caller = self.caller(token, project_id, "channel_agent", *LEADS,
                             action="see channel reports")
        with self.uow(caller) as uow:
            return dump(schemas.ReportOut, usecases.list_reports(uow, project_id), many=True)

    @rpc
    def get_report(self, token, project_id, report_id):
        caller = self.caller(token, project_id)
        with self.uow(caller) as uow:
            return dump(schemas.ReportOut, usecases.get_report(uow, project_id, report_id))

    @rpc
    def match_visit(self, token, project_id, payload):
        """CLI-06 at the visit: the earliest valid matching report wins, else natural visit."""
        caller = self.caller(token, project_id, *DESK, action="match a visit to a report")
        data = load(schemas.MatchIn, payload, rule="CLI-06")
        with self.uow(caller) as uow:
            return dump(schemas.ClaimOut, usecases.match_visit(uow, project_id, data))

    @rpc
    def expire_reports(self, token, project_id):
        """CLI-06: reports past the policy's days become expired (the admin CLI asks)."""
        caller = self.caller(token, project_id, *LEADS, action="expire channel reports")
        with self.uow(caller) as uow:
            return dump(schemas.ExpiredOut, usecases.expire_reports(uow, project_id))

    # ================================================================ CLI-09/10/11
    @rpc
    def record_poaching(self, token, project_id, customer_id, payload):
        """CLI-09: the customer stays with (returns to) the owner; the poacher is fined."""
        caller = self.caller(token, project_id, *LEADS, action="record poaching (CLI-09)")
        data = load(schemas.PersonIn, payload, rule="CLI-09")
        with self.uow(caller) as uow:
            result = usecases.record_poaching(uow, project_id, customer_id, data)
        return dump(schemas.DecisionOut, result)

    @rpc
    def change_consultant(self, token, project_id, customer_id, payload):
        """CLI-10: at the customer's request; the credit is split (50:50 by default)."""
        caller = self.caller(token, project_id, *DESK, action="change a customer's consultant")
        data = load(schemas.PersonIn, payload, rule="CLI-10")
        with self.uow(caller) as uow:
            result = usecases.change_consultant(uow, project_id, customer_id, data)
        return dump(schemas.DecisionOut, result)

    @rpc
    def dispute(self, token, project_id, customer_id):
        """CLI-11: what the registration records say (以登记为准)."""
        caller = self.caller(token, project_id, *LEADS, "consultant", action="look at a dispute")
        with self.uow(caller) as uow:
            return dump(schemas.DisputeOut, usecases.dispute(uow, project_id, customer_id))

    @rpc
    def override_owner(self, token, project_id, customer_id, payload):
        """CLI-11: a supervisor or manager overrides the records with a written reason."""
        caller = self.caller(token, project_id)
        data = load(schemas.OverrideIn, payload, rule="CLI-11")
        with self.uow(caller) as uow:
            result = usecases.override_owner(uow, project_id, customer_id, data)
        return dump(schemas.DecisionOut, result)

    # ================================================================ CLI-12 units and deals
    @rpc
    def create_unit(self, token, project_id, payload):
        caller = self.caller(token, project_id, "manager", action="add units")
        data = load(schemas.UnitIn, payload, rule="CLI-12")
        with self.uow(caller) as uow:
            return dump(schemas.UnitOut, usecases.create_unit(uow, project_id, data))

    @rpc
    def confirm_unit(self, token, project_id, unit_id):
        """CLI-12: the manager confirms the unit is available (销控)."""
        caller = self.caller(token, project_id, "manager",
                             action="confirm a unit's availability (销控)")
        with self.uow(caller) as uow:
            return dump(schemas.UnitOut, usecases.confirm_unit(uow, project_id, unit_id))

    @rpc
    def list_units(self, token, project_id):
        caller = self.caller(token, project_id)
        with self.uow(caller) as uow:
            return dump(schemas.UnitOut, usecases.list_units(uow, project_id), many=True)

    @rpc
    def subscribe(self, token, project_id, payload):
        """CLI-12: a subscription on a confirmed unit with no live one."""
        caller = self.caller(token, project_id, "consultant", *LEADS,
                             action="register a subscription")
        data = load(schemas.SubscriptionIn, payload, rule="CLI-12")
        with self.uow(caller) as uow:
            return dump(schemas.SubscriptionOut, usecases.subscribe(uow, project_id, data))

    @rpc
    def pay_deposit(self, token, project_id, subscription_id):
        caller = self.caller(token, project_id, "consultant", *LEADS, "clerk",
                             action="record a deposit")
        with self.uow(caller) as uow:
            view, lapsed = usecases.pay_deposit(uow, project_id, subscription_id)
        if lapsed is not None:   # the lapse is committed, the late payment refused
            refused(lapsed, error=Conflict, field="subscription_id")
        return dump(schemas.SubscriptionOut, view)

    @rpc
    def withdraw(self, token, project_id, subscription_id, payload=None):
        """CLI-12: a withdrawal or refund needs the manager and is announced to all staff."""
        caller = self.caller(token, project_id)
        data = load(schemas.WithdrawIn, payload or {}, rule="CLI-12")
        with self.uow(caller) as uow:
            result = usecases.withdraw(uow, project_id, subscription_id, data)
        return dump(schemas.SubscriptionOut, result)

    @rpc
    def void(self, token, project_id, subscription_id, payload):
        """CLI-12: a voided form goes to the clerk and is kept (never deleted)."""
        caller = self.caller(token, project_id, *LEADS, "clerk", action="void a form")
        data = load(schemas.VoidIn, payload, rule="CLI-12")
        with self.uow(caller) as uow:
            result = usecases.void(uow, project_id, subscription_id, data)
        return dump(schemas.SubscriptionOut, result)

    @rpc
    def list_subscriptions(self, token, project_id):
        caller = self.caller(token, project_id, *rules.CUSTOMER_READERS,
                             action="read subscriptions")
        with self.uow(caller) as uow:
            result = usecases.list_subscriptions(uow, project_id)
        return dump(schemas.SubscriptionOut, result, many=True)

    @timer(interval=LAPSE_INTERVAL)
    def lapse_unpaid(self):
        """CLI-12 by the clock: unpaid subscriptions past their deadline lapse."""
        with self.uow() as uow:
            usecases.lapse_unpaid(uow)

    # ================================================================ CLI-13 conversion
    @rpc
    def conversion(self, token, project_id, query=None):
        """CLI-13: calls → visits → deals per consultant, media source or period."""
        caller = self.caller(token, project_id, *LEADS, "clerk",
                             action="read conversion figures")
        q = load(schemas.ConversionQuery, query or {}, rule="CLI-13")
        with self.uow(caller) as uow:
            result = usecases.conversion(uow, project_id, q)
        return result if q["format"] != "json" else dump(schemas.DecisionOut, result)

    @rpc
    def visit_register(self, token, project_id, query=None):
        """CLI-13: the visit register; ?complete=false lists the incomplete entries."""
        caller = self.caller(token, project_id, *LEADS, "clerk",
                             action="read the visit register")
        q = load(schemas.VisitQuery, query or {}, rule="CLI-13")
        with self.uow(caller) as uow:
            return dump(schemas.VisitOut, usecases.visit_register(uow, project_id, q), many=True)

    @rpc
    def set_target(self, token, project_id, payload):
        """CLI-13: a manager sets a consultant's deals target for a period."""
        caller = self.caller(token, project_id, "manager", action="set targets")
        data = load(schemas.TargetIn, payload, rule="CLI-13")
        with self.uow(caller) as uow:
            return dump(schemas.TargetOut, usecases.set_target(uow, project_id, data))

    @rpc
    def list_targets(self, token, project_id):
        caller = self.caller(token, project_id, *LEADS, "clerk", action="read targets")
        with self.uow(caller) as uow:
            return dump(schemas.TargetOut, usecases.list_targets(uow, project_id), many=True)

    @rpc
    def conversion_export(self, token, project_id, query=None):
        """CLI-13 as a file (csv by default, or xlsx)."""
        caller = self.caller(token, project_id, *LEADS, "clerk",
                             action="read conversion figures")
        q = load(schemas.ConversionExportQuery, query or {}, rule="CLI-13")
        with self.uow(caller) as uow:
            return usecases.conversion(uow, project_id, q)
