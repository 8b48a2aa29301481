"""Clients (客户归属): customers by phone, ownership and its history, channel reports, poaching,
change of consultant, disputes, units and subscriptions, registers and conversion (CLI-01…14).

Entrypoints stay thin: verify the caller, load, call the rule (rules.py), store, emit. Every
ownership decision is stored with ``why.record`` against ("customer", id) and announced as
``ownership_changed`` in the same transaction (SYS-01). A customer's row is locked (FOR UPDATE)
before its ownership changes, so two instances apply contacts one at a time; events carry
customer ids, never phones (CLI-14).
"""
import logging
from datetime import timedelta

from nameko.events import event_handler
from nameko.timer import timer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common import export, outbox, why
from services.common.clock import Clock
from services.common.config import env_float
from services.common.db import Database
from services.common.errors import Conflict, Forbidden, NotFound, Unprocessable, refused
from services.common.inbox import once
from services.common.schemas import load
from services.common.service import ServiceKit, rpc
from services.common.timeutil import business_day, parse_instant

from . import rules, schemas
from .models import KIT, ChannelReport, Contact, Customer, ProjectZone, Staff, Subscription, Unit

log = logging.getLogger(__name__)

LEADS = ("supervisor", "manager")
DESK = ("receptionist", "supervisor", "manager")
LAPSE_INTERVAL = env_float("DEPOSIT_CHECK_INTERVAL", 1.0)
CONVERSION_COLUMNS = [(k, k) for k in ("key", "calls", "visits", "deals", "call_to_visit",
                                       "visit_to_deal", "target", "target_achievement")]


def _iso(value):
    return value.isoformat() if value is not None else None


def ownership(c):
    """The customer's current ownership as the rules see it (None: nobody owns)."""
    if c.owner_id is None:
        return None
    return rules.Ownership(owner_id=c.owner_id, since=c.owner_since,
                           last_contact_at=c.last_contact_at,
                           last_follow_up_at=c.last_follow_up_at, source=c.owner_source,
                           shares=tuple(tuple(s) for s in (c.shares or ())))


def subscription_view(s):
    return {"id": s.id, "unit_id": s.unit_id, "customer_id": s.customer_id,
            "closer_id": s.closer_id, "state": s.state, "signed_at": s.signed_at.isoformat(),
            "deposit_paid_at": _iso(s.deposit_paid_at), "credit_split": s.credit_split,
            "rule": s.rule, "reason": s.reason}


class ClientsService(ServiceKit):
    name = "clients"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_defaults = rules.POLICY_DEFAULTS
    policy_check = staticmethod(rules.policy_with_defaults)

    # ================================================================ attendance's events
    @event_handler("attendance", "project_created")
    @once
    def on_project_created(self, payload):
        project = payload.get("project") or {}
        if project.get("id") is not None and self.db.get(ProjectZone, project["id"]) is None:
            self.db.add(ProjectZone(project_id=project["id"],
                                    timezone=project.get("timezone") or "Asia/Shanghai"))

    @event_handler("attendance", "staff_added")
    @once
    def on_staff_added(self, payload):
        self._upsert_staff(payload["person"])

    @event_handler("attendance", "roles_changed")
    @once
    def on_roles_changed(self, payload):
        self._upsert_staff(payload["person"])

    def _upsert_staff(self, person):
        row = self.db.get(Staff, person["id"])
        if row is None:
            self.db.add(Staff(person_id=person["id"], project_id=person.get("project_id"),
                              name=person["name"], roles=person.get("roles") or []))
        else:
            row.name, row.roles = person["name"], person.get("roles") or []

    # ================================================================ CLI-01/02 for reception
    @rpc
    def owner_of(self, token, project_id, phone):
        """REC-07/CLI-02: who owns this phone, and is the protection live (indexed lookup)."""
        self._caller(token, project_id)
        phone = self._phone(phone)
        c = self.db.scalar(select(Customer).where(Customer.project_id == project_id,
                                                  Customer.phone == phone))
        masked = rules.mask_phone(phone)
        if c is None or c.owner_id is None:
            return {"customer_id": c.id if c else None, "owner_id": None, "owner_name": None,
                    "protection_live": False, "rule": "CLI-02",
                    "reason": "no registered contact for this phone", "phone_masked": masked}
        status = rules.protection_status(ownership(c), self.clock.now(),
                                         self._policy(project_id), self._tz(project_id))
        return {"customer_id": c.id, "owner_id": c.owner_id, "owner_name": self._name(c.owner_id),
                "protection_live": bool(status.data["live"]), "rule": status.rule,
                "reason": status.reason, "phone_masked": masked}

    @rpc
    def owner_of_query(self, token, project_id, query=None):
        """owner_of for people (the gateway's GET .../ownership?phone=)."""
        self._caller(token, project_id, *DESK, "consultant", action="look up an owner")
        return self.owner_of(token, project_id, (query or {}).get("phone"))

    @rpc
    def register_customer(self, token, project_id, phone, name=None, source="walk_in"):
        """CLI-01: the customer of this phone, created when new (idempotent by phone)."""
        caller = self._caller(token, project_id)
        if not caller.is_service:
            caller.require(*DESK, "consultant", action="register a customer")
        c, created = self._customer(project_id, self._phone(phone), name,
                                    source if source in rules.SOURCES else "walk_in")
        self.db.commit()
        return {"customer_id": c.id, "created": created}

    # ================================================================ customers (CLI-14 views)
    @rpc
    def create_customer(self, token, project_id, payload):
        caller = self._caller(token, project_id, *DESK, "consultant",
                              action="register a customer")
        data = load(schemas.CustomerIn, payload, rule="CLI-01")
        c, created = self._customer(project_id, self._phone(data["phone"]), data["name"],
                                    data["source"], data["media_source"])
        if not created:
            raise Conflict(f"customer {rules.mask_phone(c.phone)} is already registered "
                           f"(customer {c.id})", rule="CLI-01", field="phone")
        self.db.commit()
        return self._view(c, caller)

    @rpc
    def list_customers(self, token, project_id, query=None):
        caller = self._caller(token, project_id)
        q = query or {}
        rows = select(Customer).where(Customer.project_id == project_id)
        if q.get("phone"):
            rows = rows.where(Customer.phone == self._phone(q["phone"]))
        if q.get("owner_id"):
            rows = rows.where(Customer.owner_id == int(q["owner_id"]))
        return [self._view(c, caller) for c in self.db.scalars(rows.order_by(Customer.id)
                                                               .limit(500))]

    @rpc
    def get_customer(self, token, project_id, customer_id):
        caller = self._caller(token, project_id)
        return self._view(self._get_customer(project_id, customer_id), caller)

    @rpc
    def customer_history(self, token, project_id, customer_id):
        """CLI-11/SYS-01: every ownership decision and registered contact, oldest first."""
        caller = self._caller(token, project_id)
        c = self._get_customer(project_id, customer_id)
        contacts = self.db.scalars(select(Contact).where(Contact.customer_id == c.id)
                                   .order_by(Contact.at, Contact.id))
        return {"customer": self._view(c, caller),
                "decisions": why.chain(self.db, "customer", c.id),
                "contacts": [{"id": x.id, "person_id": x.person_id, "kind": x.kind,
                              "at": x.at.isoformat(), "rule": x.rule, "reason": x.reason}
                             for x in contacts]}

    # ================================================================ contacts (CLI-02/03)
    @event_handler("reception", "reception_completed")
    @once
    def on_reception_completed(self, payload):
        """CLI-02: a received visit is a registered contact. A duty reception (REC-07) is
        recorded for the owner it was made for; the credit stays with them."""
        if not payload.get("customer_id"):
            return
        c = self._lock(payload["customer_id"])
        if c is None:
            log.warning("clients: reception_completed for unknown customer %s",
                        payload["customer_id"])
            return
        person = payload["person_id"]
        if payload.get("kind") == "duty" and payload.get("credit_owner_id"):
            person = payload["credit_owner_id"]
        self._contact(c, person, "visit", parse_instant(payload["occurred_at"]),
                      key=payload["event_id"])

    @event_handler("reception", "call_registered")
    @once
    def on_call_registered(self, payload):
        """CLI-02/REC-12: the consultant who answers a new caller owns them."""
        if not payload.get("customer_id") or not payload.get("answered_by"):
            return
        c = self._lock(payload["customer_id"])
        if c is None:
            return
        if payload.get("media_source") and not c.media_source:
            c.media_source = payload["media_source"]
        self._contact(c, payload["answered_by"], "call", parse_instant(payload["occurred_at"]),
                      key=payload["event_id"], media_source=payload.get("media_source"))

    @event_handler("reception", "consultant_changed")
    @once
    def on_consultant_changed(self, payload):
        """REC-11 → CLI-10: the new consultant owns; the deal credit is split."""
        c = self._lock(payload["customer_id"]) if payload.get("customer_id") else None
        if c is not None:
            self._change_consultant(c, payload["to_person_id"], None)

    @rpc
    def record_follow_up(self, token, project_id, customer_id, payload=None):
        """CLI-03: the owner's follow-up renews protection and the no-follow-up clock."""
        caller = self._caller(token, project_id, "consultant", action="record a follow-up")
        load(schemas.FollowUpIn, payload or {}, rule="CLI-03")
        c = self._lock(customer_id, project_id)
        if c.owner_id != caller.person_id:
            raise Forbidden("only the owning consultant records follow-ups on a customer",
                            rule="CLI-03", field="customer_id")
        d = self._contact(c, caller.person_id, "follow_up", self.clock.now())
        self.db.commit()
        return d.as_dict()

    @rpc
    def pre_register(self, token, project_id, payload):
        """CLI-04/05/07: a relative or friend, a customer's referral or a staff referral,
        registered before the visit, is a registered contact of the claiming consultant."""
        caller = self._caller(token, project_id)
        data = load(schemas.PreRegistrationIn, payload, rule="CLI-05")
        now = self.clock.now()
        if data["kind"] == "relative":
            caller.require("consultant", action="pre-register a relative or friend (CLI-05)")
            consultant, kind, source = caller.person_id, "pre_registration", "relative"
        elif data["kind"] == "staff_referral":
            if not data["consultant_id"]:
                raise Unprocessable("a staff referral names the consultant", rule="CLI-07",
                                    field="consultant_id")
            consultant, kind, source = data["consultant_id"], "referral", "staff_referral"
        else:
            referrer = self._get_customer(project_id, data["referrer_customer_id"])
            d = rules.referral_chain_claim(ownership(referrer), now + timedelta(seconds=1), now,
                                           policy=self._policy(project_id),
                                           tz=self._tz(project_id))
            if d.outcome != "referral_chain":
                refused(d, error=Conflict, field="referrer_customer_id")
            consultant, kind, source = d.data["owner_id"], "referral", "customer_referral"
        c, _ = self._customer(project_id, self._phone(data["phone"]), data["name"], source)
        c = self._lock(c.id)
        d = self._contact(c, consultant, kind, now, actor_id=caller.person_id)
        self.db.commit()
        return dict(d.as_dict(), customer_id=c.id)

    # ================================================================ CLI-06 channel reports
    @rpc
    def create_report(self, token, project_id, payload):
        """CLI-06: an agent reports a customer; refused (撞单) when a consultant owns them."""
        caller = self._caller(token, project_id, "channel_agent", action="report a customer")
        data = load(schemas.ReportIn, payload, rule="CLI-06")
        now, tz = self.clock.now(), self._tz(project_id)
        check = rules.check_phone(data["phone"])
        current = None
        if check.allowed:
            c = self.db.scalar(select(Customer).where(Customer.project_id == project_id,
                                                      Customer.phone == check.data["phone"]))
            current = ownership(c) if c else None
        d = rules.check_report(data["name"], data["phone"], now, current,
                               self._policy(project_id), tz)
        if not d.allowed:
            refused(d, error=Conflict if d.outcome == "conflict" else Unprocessable,
                    field=d.data.get("field") or "phone")
        row = ChannelReport(project_id=project_id, agent_id=caller.person_id,
                            name=data["name"].strip(), phone=check.data["phone"],
                            reported_at=now, status="reported", rule=d.rule, reason=d.reason)
        self.db.add(row)
        self.db.flush()
        why.record(self.db, d, subject_type="channel_report", subject_id=row.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        self.db.commit()
        return self._report_view(row, caller)

    @rpc
    def list_reports(self, token, project_id, query=None):
        """CLI-06: an agent sees only their own reports; supervisors and managers all."""
        caller = self._caller(token, project_id, "channel_agent", *LEADS,
                              action="see channel reports")
        rows = select(ChannelReport).where(ChannelReport.project_id == project_id)
        if not caller.has(*LEADS):
            rows = rows.where(ChannelReport.agent_id == caller.person_id)
        return [self._report_view(r, caller)
                for r in self.db.scalars(rows.order_by(ChannelReport.id))]

    @rpc
    def get_report(self, token, project_id, report_id):
        caller = self._caller(token, project_id)
        row = self.db.get(ChannelReport, report_id)
        if row is None or row.project_id != project_id:
            raise NotFound(f"no channel report {report_id}", rule="CLI-06", field="report_id")
        d = rules.may_see_report(self._rule_report(row), caller.person_id or 0,
                                 self._roles(caller))
        if not d.allowed:
            refused(d, error=Forbidden, field="report_id")
        return self._report_view(row, caller)

    @rpc
    def match_visit(self, token, project_id, payload):
        """CLI-06 at the visit: the earliest valid matching report wins, else natural visit."""
        caller = self._caller(token, project_id, *DESK, action="match a visit to a report")
        data = load(schemas.MatchIn, payload, rule="CLI-06")
        now, tz = self.clock.now(), self._tz(project_id)
        phone = self._phone(data["phone"])
        rows = list(self.db.scalars(select(ChannelReport).where(
            ChannelReport.project_id == project_id, ChannelReport.phone == phone,
            ChannelReport.status == "reported")))
        d = rules.channel_attribution([self._rule_report(r) for r in rows], data["name"], phone,
                                      now, now if data["mentioned"] else None,
                                      data["reception_started_at"], self._policy(project_id), tz)
        c, _ = self._customer(project_id, phone, data["name"],
                              "channel" if d.outcome == "channel" else "walk_in")
        for r in rows:
            r.customer_id = c.id
            r.status = "channel" if r.id == d.data.get("report_id") else "passed_over"
            why.record(self.db, d, subject_type="channel_report", subject_id=r.id, now=now,
                       project_id=project_id, actor_id=caller.person_id)
        if d.outcome == "channel":
            c.source = "channel"
        why.record(self.db, d, subject_type="customer", subject_id=c.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        outbox.emit(self.db, "channel_report_decided", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule=d.rule, reason=d.reason,
                    report_id=d.data.get("report_id"), agent_id=d.data.get("agent_id"),
                    customer_id=c.id, outcome=d.outcome)
        self.db.commit()
        return dict(d.as_dict(), customer_id=c.id)

    def expire_reports(self, project_id):
        """CLI-06: reports past the policy's days become expired (the admin CLI runs this)."""
        now, policy, tz = self.clock.now(), self._policy(project_id), self._tz(project_id)
        count = 0
        for r in self.db.scalars(select(ChannelReport).where(
                ChannelReport.project_id == project_id, ChannelReport.status == "reported")):
            d = rules.report_expired(self._rule_report(r), now, policy, tz)
            if d.data["expired"]:
                r.status, r.rule, r.reason = "expired", d.rule, d.reason
                count += 1
        self.db.commit()
        return count

    # ================================================================ CLI-09/10/11
    @rpc
    def record_poaching(self, token, project_id, customer_id, payload):
        """CLI-09: the customer stays with (returns to) the owner; the poacher is fined."""
        caller = self._caller(token, project_id, *LEADS, action="record poaching (CLI-09)")
        data = load(schemas.PersonIn, payload, rule="CLI-09")
        c = self._lock(customer_id, project_id)
        now, tz = self.clock.now(), self._tz(project_id)
        d = rules.check_poaching(ownership(c), data["person_id"], now,
                                 policy=self._policy(project_id), tz=tz)
        if d.outcome != "poaching":
            refused(rules.refuse("CLI-09", f"not poaching: {d.reason}", d.outcome),
                    error=Conflict, field="person_id")
        why.record(self.db, d, subject_type="customer", subject_id=c.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        outbox.emit(self.db, "poaching_recorded", now=now, project_id=project_id,
                    actor=caller.as_actor(), rule=d.rule, reason=d.reason, customer_id=c.id,
                    person_id=data["person_id"], owner_id=c.owner_id, fine=d.data["fine"],
                    day=business_day(now, tz).isoformat())
        self.db.commit()
        return d.as_dict()

    @rpc
    def change_consultant(self, token, project_id, customer_id, payload):
        """CLI-10: at the customer's request; the credit is split (50:50 by default)."""
        caller = self._caller(token, project_id, *DESK, action="change a customer's consultant")
        data = load(schemas.PersonIn, payload, rule="CLI-10")
        c = self._lock(customer_id, project_id)
        d = self._change_consultant(c, data["person_id"], caller.person_id)
        if not d.allowed:
            refused(d, error=Conflict, field="person_id")
        self.db.commit()
        return d.as_dict()

    @rpc
    def dispute(self, token, project_id, customer_id):
        """CLI-11: what the registration records say (以登记为准)."""
        self._caller(token, project_id, *LEADS, "consultant", action="look at a dispute")
        c = self._get_customer(project_id, customer_id)
        contacts = [rules.Contact(x.person_id, x.at, x.kind, x.id) for x in self.db.scalars(
            select(Contact).where(Contact.customer_id == c.id))]
        history = rules.resolve_dispute(contacts, self._policy(project_id),
                                        self._tz(project_id))
        return {"customer_id": c.id, "owner_id": c.owner_id,
                "by_records": history.decisions[-1].as_dict(),
                "steps": [d.as_dict() for d in history.decisions]}

    @rpc
    def override_owner(self, token, project_id, customer_id, payload):
        """CLI-11: a supervisor or manager overrides the records with a written reason."""
        caller = self._caller(token, project_id)
        data = load(schemas.OverrideIn, payload, rule="CLI-11")
        c = self._lock(customer_id, project_id)
        change = rules.override_ownership(ownership(c), data["owner_id"], caller.person_id or 0,
                                          self._roles(caller), data["reason"], self.clock.now())
        if not change.decision.allowed:
            refused(change.decision, error=Forbidden if change.decision.outcome == "forbidden"
                    else Unprocessable, field="reason")
        self._apply(c, change, caller.person_id)
        self.db.commit()
        return change.decision.as_dict()

    # ================================================================ CLI-12 units and deals
    @rpc
    def create_unit(self, token, project_id, payload):
        caller = self._caller(token, project_id, "manager", action="add units")
        data = load(schemas.UnitIn, payload, rule="CLI-12")
        unit = Unit(project_id=project_id, code=data["code"])
        self.db.add(unit)
        try:
            self.db.flush()
        except IntegrityError:
            raise Conflict(f"unit {data['code']} exists", rule="CLI-12", field="code")
        self.db.commit()
        log.info("clients: unit %s added by %s", unit.code, caller.person_id)
        return self._unit_view(unit)

    @rpc
    def confirm_unit(self, token, project_id, unit_id):
        """CLI-12: the manager confirms the unit is available (销控)."""
        caller = self._caller(token, project_id, "manager",
                              action="confirm a unit's availability (销控)")
        unit = self._unit(project_id, unit_id)
        unit.confirmed_by, unit.confirmed_at = caller.person_id, self.clock.now()
        self.db.commit()
        return self._unit_view(unit)

    @rpc
    def list_units(self, token, project_id):
        self._caller(token, project_id)
        return [self._unit_view(u) for u in self.db.scalars(
            select(Unit).where(Unit.project_id == project_id).order_by(Unit.code))]

    @rpc
    def subscribe(self, token, project_id, payload):
        """CLI-12: a subscription on a confirmed unit with no live one (the partial unique
        index makes the second of two simultaneous subscriptions fail)."""
        caller = self._caller(token, project_id, "consultant", *LEADS,
                              action="register a subscription")
        data = load(schemas.SubscriptionIn, payload, rule="CLI-12")
        closer = data["closer_id"] or caller.person_id
        if closer != caller.person_id and not caller.has(*LEADS):
            raise Forbidden("a consultant registers subscriptions they close themself",
                            rule="SYS-02", field="closer_id")
        unit = self._unit(project_id, data["unit_id"], lock=True)
        c = self._get_customer(project_id, data["customer_id"])
        now, policy, tz = self.clock.now(), self._policy(project_id), self._tz(project_id)
        self._lapse(unit.id, now, policy)
        live = [self._rule_sub(s) for s in self.db.scalars(select(Subscription).where(
            Subscription.unit_id == unit.id, Subscription.state == "live"))]
        d = rules.check_subscription(unit.code, unit.confirmed_by,
                                     ("manager",) if unit.confirmed_by else (), live, now, policy)
        if not d.allowed:
            refused(d, error=Conflict, field="unit_id")
        credit = rules.deal_credit(ownership(c), closer, now, policy, tz)
        sub = Subscription(project_id=project_id, unit_id=unit.id, customer_id=c.id,
                           closer_id=closer, state="live", signed_at=now,
                           credit_split=credit.data["credit_split"], rule=credit.rule,
                           reason=f"{d.reason}; {credit.reason}")
        self.db.add(sub)
        try:
            self.db.flush()
        except IntegrityError:
            self.db.rollback()
            raise Conflict(f"unit {unit.code} already has a live subscription (一房二卖)",
                           rule="CLI-12", field="unit_id")
        for decision in (d, credit):
            why.record(self.db, decision, subject_type="subscription", subject_id=sub.id,
                       now=now, project_id=project_id, actor_id=caller.person_id)
        self._announce(sub, "live", d.rule, sub.reason, caller)
        self.db.commit()
        return subscription_view(sub)

    @rpc
    def pay_deposit(self, token, project_id, subscription_id):
        caller = self._caller(token, project_id, "consultant", *LEADS, "clerk",
                              action="record a deposit")
        sub = self._subscription(project_id, subscription_id)
        now = self.clock.now()
        if sub.state != "live" or sub.deposit_paid_at is not None:
            raise Conflict(f"subscription {sub.id} is {sub.state}"
                           + (", deposit already paid" if sub.deposit_paid_at else ""),
                           rule="CLI-12", field="subscription_id")
        d = rules.deposit_status(replace_paid(self._rule_sub(sub), now), now,
                                 self._policy(project_id), self._tz(project_id))
        why.record(self.db, d, subject_type="subscription", subject_id=sub.id, now=now,
                   project_id=project_id, actor_id=caller.person_id)
        if not d.allowed:
            sub.state, sub.rule, sub.reason = "lapsed", d.rule, d.reason
            self._announce(sub, "lapsed", d.rule, d.reason, caller)
            self.db.commit()
            refused(d, error=Conflict, field="subscription_id")
        sub.deposit_paid_at = now
        self.db.commit()
        return subscription_view(sub)

    @rpc
    def withdraw(self, token, project_id, subscription_id, payload=None):
        """CLI-12: a withdrawal or refund needs the manager and is announced to all staff."""
        caller = self._caller(token, project_id)
        data = load(schemas.WithdrawIn, payload or {}, rule="CLI-12")
        sub = self._subscription(project_id, subscription_id)
        d = rules.check_withdrawal(self._rule_sub(sub), caller.person_id, self._roles(caller),
                                   data["kind"])
        if not d.allowed:
            refused(d, error=Forbidden if d.outcome == "approval_required" else Conflict,
                    field="subscription_id")
        sub.state, sub.rule, sub.reason, sub.announced = d.outcome, d.rule, d.reason, True
        why.record(self.db, d, subject_type="subscription", subject_id=sub.id,
                   now=self.clock.now(), project_id=project_id, actor_id=caller.person_id)
        self._announce(sub, d.outcome, d.rule, d.reason, caller, announce_to_all=True)
        self.db.commit()
        return subscription_view(sub)

    @rpc
    def void(self, token, project_id, subscription_id, payload):
        """CLI-12: a voided form goes to the clerk and is kept (never deleted)."""
        caller = self._caller(token, project_id, *LEADS, "clerk", action="void a form")
        data = load(schemas.VoidIn, payload, rule="CLI-12")
        sub = self._subscription(project_id, subscription_id)
        clerk = self.db.get(Staff, data["clerk_id"])
        d = rules.void_form(self._rule_sub(sub), data["clerk_id"],
                            clerk.roles if clerk else ())
        if not d.allowed:
            refused(d, error=Unprocessable, field="clerk_id")
        sub.state, sub.form_kept_by, sub.rule, sub.reason = "voided", data["clerk_id"], d.rule, \
            d.reason
        why.record(self.db, d, subject_type="subscription", subject_id=sub.id,
                   now=self.clock.now(), project_id=project_id, actor_id=caller.person_id)
        self._announce(sub, "voided", d.rule, d.reason, caller)
        self.db.commit()
        return subscription_view(sub)

    @rpc
    def list_subscriptions(self, token, project_id):
        self._caller(token, project_id)
        return [subscription_view(s) for s in self.db.scalars(
            select(Subscription).where(Subscription.project_id == project_id)
            .order_by(Subscription.id))]

    @timer(interval=LAPSE_INTERVAL)
    def lapse_unpaid(self):
        """CLI-12 by the clock: an unpaid subscription past its deadline lapses, the unit is
        released."""
        now = self.clock.now()
        for project_id in self.db.scalars(select(Subscription.project_id).distinct().where(
                Subscription.state == "live", Subscription.deposit_paid_at.is_(None))).all():
            policy = self._policy(project_id)
            deadline = now - timedelta(minutes=policy["deposit_minutes"])
            rows = self.db.scalars(select(Subscription).where(
                Subscription.project_id == project_id, Subscription.state == "live",
                Subscription.deposit_paid_at.is_(None), Subscription.signed_at < deadline)
                .with_for_update(skip_locked=True)).all()
            for sub in rows:
                self._lapse_one(sub, now, policy)
            self.db.commit()

    def _lapse(self, unit_id, now, policy):
        for sub in self.db.scalars(select(Subscription).where(
                Subscription.unit_id == unit_id, Subscription.state == "live",
                Subscription.deposit_paid_at.is_(None))):
            self._lapse_one(sub, now, policy)
        self.db.flush()

    def _lapse_one(self, sub, now, policy):
        d = rules.deposit_status(self._rule_sub(sub), now, policy)
        if d.outcome != "lapsed":
            return
        sub.state, sub.rule, sub.reason = "lapsed", d.rule, d.reason
        why.record(self.db, d, subject_type="subscription", subject_id=sub.id, now=now,
                   project_id=sub.project_id)
        self._announce(sub, "lapsed", d.rule, d.reason, None)

    # ================================================================ CLI-13 conversion
    @rpc
    def conversion(self, token, project_id, query=None):
        """CLI-13: calls → visits → deals per consultant, media source or period."""
        self._caller(token, project_id, *LEADS, "clerk", action="read conversion figures")
        q = load(schemas.ConversionQuery, query or {}, rule="CLI-13")
        media = dict(self.db.execute(select(Customer.id, Customer.media_source).where(
            Customer.project_id == project_id)).all())
        contacts = self.db.scalars(select(Contact).where(Contact.project_id == project_id,
                                                         Contact.kind.in_(("call", "visit"))))
        calls, visits = [], []
        for x in contacts:
            entry = {"consultant_id": x.person_id, "at": x.at,
                     "media_source": x.media_source or media.get(x.customer_id)}
            (calls if x.kind == "call" else visits).append(entry)
        deals = [{"consultant_id": s.closer_id, "at": s.signed_at,
                  "media_source": media.get(s.customer_id)}
                 for s in self.db.scalars(select(Subscription).where(
                     Subscription.project_id == project_id,
                     Subscription.state == "live"))]
        d = rules.conversion_figures(calls, visits, deals, q["by"], q["period"],
                                     tz=self._tz(project_id))
        if q["format"] != "json":
            return export.table_file(d.data["rows"], CONVERSION_COLUMNS, q["format"],
                                     f"conversion-by-{q['by']}-project-{project_id}")
        return d.as_dict()

    @rpc
    def conversion_export(self, token, project_id, query=None):
        query = dict(query or {})
        query["format"] = query.get("format") or "csv"
        if query["format"] == "json":
            raise Unprocessable("format must be csv or xlsx", rule="CLI-13", field="format")
        return self.conversion(token, project_id, query)

    # ================================================================ helpers
    @staticmethod
    def _roles(caller):
        roles = set(caller.roles)
        if caller.is_admin:
            roles |= {"manager", "supervisor"}
        return roles

    def _tz(self, project_id):
        row = self.db.get(ProjectZone, project_id)
        return row.timezone if row else "Asia/Shanghai"

    def _name(self, person_id):
        row = self.db.get(Staff, person_id) if person_id else None
        return row.name if row else None

    @staticmethod
    def _phone(text):
        d = rules.check_phone(text)
        if not d.allowed:
            refused(d, error=Unprocessable, field="phone")
        return d.data["phone"]

    def _customer(self, project_id, phone, name=None, source=None, media_source=None):
        """(customer, created): get or create by normalised phone; a racing insert by another
        instance is caught by the unique key and the winner's row returned."""
        query = select(Customer).where(Customer.project_id == project_id, Customer.phone == phone)
        c = self.db.scalar(query)
        if c is not None:
            return c, False
        c = Customer(project_id=project_id, phone=phone, name=name, source=source,
                     media_source=media_source, created_at=self.clock.now())
        try:
            with self.db.begin_nested():
                self.db.add(c)
                self.db.flush()
        except IntegrityError:
            return self.db.scalar(query), False
        return c, True

    def _get_customer(self, project_id, customer_id):
        c = self.db.get(Customer, customer_id) if customer_id else None
        if c is None or c.project_id != project_id:
            raise NotFound(f"no customer {customer_id}", rule="CLI-01", field="customer_id")
        return c

    def _lock(self, customer_id, project_id=None):
        """The customer row, locked until commit (FOR UPDATE on PostgreSQL)."""
        c = self.db.scalar(select(Customer).where(Customer.id == customer_id)
                           .with_for_update())
        if project_id is not None and (c is None or c.project_id != project_id):
            raise NotFound(f"no customer {customer_id}", rule="CLI-01", field="customer_id")
        return c

    def _contact(self, c, person_id, kind, at, key=None, media_source=None, actor_id=None):
        """CLI-02/03: register one contact and apply it to the ownership."""
        change = rules.first_contact(ownership(c), rules.Contact(person_id, at, kind,
                                                                 source=c.source),
                                     self._policy(c.project_id), self._tz(c.project_id))
        d = change.decision
        self.db.add(Contact(project_id=c.project_id, customer_id=c.id, person_id=person_id,
                            kind=kind, at=at, source_key=key, media_source=media_source,
                            rule=d.rule, reason=d.reason))
        if d.allowed:
            self._apply(c, change, actor_id)
        else:
            why.record(self.db, d, subject_type="customer", subject_id=c.id, now=at,
                       project_id=c.project_id, actor_id=actor_id)
        return d

    def _apply(self, c, change, actor_id):
        """Store the resulting ownership, its "why", and announce a change of owner."""
        d, o = change.decision, change.ownership
        previous = c.owner_id
        if o is not None:
            c.owner_id, c.owner_since = o.owner_id, o.since
            c.last_contact_at, c.last_follow_up_at = o.last_contact_at, o.last_follow_up_at
            c.owner_source, c.shares = o.source, [list(s) for s in o.shares] or None
            c.owner_rule = d.rule
        now = self.clock.now()
        why.record(self.db, d, subject_type="customer", subject_id=c.id, now=now,
                   project_id=c.project_id, actor_id=actor_id)
        if c.owner_id != previous or d.outcome in ("consultant_changed", "override"):
            outbox.emit(self.db, "ownership_changed", now=now, project_id=c.project_id,
                        actor=None, rule=d.rule, reason=d.reason, customer_id=c.id,
                        owner_id=c.owner_id, previous_owner_id=previous,
                        split=o.credit_split() if o else None)

    def _change_consultant(self, c, to_person_id, actor_id):
        change = rules.change_consultant(ownership(c), to_person_id, self.clock.now(),
                                         policy=self._policy(c.project_id),
                                         tz=self._tz(c.project_id))
        if change.decision.allowed:
            self._apply(c, change, actor_id)
        return change.decision

    def _view(self, c, caller):
        """CLI-14: the full phone only for the owner, supervisors and managers."""
        status = rules.protection_status(ownership(c), self.clock.now(),
                                         self._policy(c.project_id), self._tz(c.project_id))
        base = {"id": c.id, "phone": c.phone, "owner_id": c.owner_id, "name": c.name,
                "source": c.source, "media_source": c.media_source,
                "owner_name": self._name(c.owner_id), "protection": status.as_dict()}
        return rules.customer_view(base, caller.person_id, self._roles(caller))

    def _report_view(self, r, caller):
        full = rules.may_see_full_phone(caller.person_id, self._roles(caller), None).allowed \
            or r.agent_id == caller.person_id
        return {"id": r.id, "agent_id": r.agent_id, "name": r.name,
                "phone": r.phone if full else rules.mask_phone(r.phone),
                "reported_at": r.reported_at.isoformat(), "status": r.status,
                "customer_id": r.customer_id, "rule": r.rule, "reason": r.reason}

    @staticmethod
    def _rule_report(r):
        return rules.ChannelReport(r.id, r.agent_id, None, r.name, r.phone, r.reported_at)

    @staticmethod
    def _rule_sub(s):
        state = "live" if s.state == "live" else s.state
        return rules.Subscription(s.id, s.unit_id, s.signed_at, s.deposit_paid_at, state)

    def _unit(self, project_id, unit_id, lock=False):
        query = select(Unit).where(Unit.id == unit_id)
        unit = self.db.scalar(query.with_for_update() if lock else query)
        if unit is None or unit.project_id != project_id:
            raise NotFound(f"no unit {unit_id}", rule="CLI-12", field="unit_id")
        return unit

    def _unit_view(self, unit):
        live = self.db.scalar(select(Subscription.id).where(Subscription.unit_id == unit.id,
                                                            Subscription.state == "live"))
        return {"id": unit.id, "code": unit.code, "confirmed_by": unit.confirmed_by,
                "available": unit.confirmed_by is not None and live is None,
                "live_subscription_id": live}

    def _subscription(self, project_id, subscription_id):
        sub = self.db.scalar(select(Subscription).where(Subscription.id == subscription_id)
                             .with_for_update())
        if sub is None or sub.project_id != project_id:
            raise NotFound(f"no subscription {subscription_id}", rule="CLI-12",
                           field="subscription_id")
        return sub

    def _announce(self, sub, state, rule, reason, caller, announce_to_all=False):
        outbox.emit(self.db, "subscription_changed", now=self.clock.now(),
                    project_id=sub.project_id, actor=caller.as_actor() if caller else None,
                    rule=rule, reason=reason, unit_id=sub.unit_id, subscription_id=sub.id,
                    customer_id=sub.customer_id, state=state, announce_to_all=announce_to_all)


def replace_paid(sub, paid_at):
    """The rules' Subscription with its deposit paid at ``paid_at``."""
    return rules.Subscription(sub.subscription_id, sub.unit_id, sub.signed_at, paid_at,
                              sub.status)
