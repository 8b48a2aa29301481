"""Clients' rows: locking, loading (404 for ids outside the caller's project), row ↔ rule-input
mapping, and the view dicts the ``Out`` schemas dump.

A customer's row is locked (FOR UPDATE on PostgreSQL) before its ownership changes, so two
instances apply contacts one at a time; the unique keys (one customer per phone, one unit code
per project, one live subscription per unit) settle races between instances.
"""
import hashlib

from sqlalchemy import func, select

from services.common import directory
from services.common.db import inserted
from services.common.errors import NotFound
from services.common.timeutil import iso

from . import rules
from .models import (
    ChannelReport,
    Claim,
    Contact,
    Customer,
    PhoneAccess,
    PhoneLookup,
    Subscription,
    Target,
    Unit,
    Visit,
)


def _in_project(row, project_id, what, ident, rule, field):
    if row is None or (project_id is not None and row.project_id != project_id):
        raise NotFound(f"no {what} {ident}", rule=rule, field=field)
    return row


# ---------------------------------------------------------------- customers (CLI-01/02/03)

def ownership(c):
    """The customer's current ownership as the rules see it (None: nobody owns)."""
    if c.owner_id is None:
        return None
    return rules.Ownership(owner_id=c.owner_id, since=c.owner_since,
                           last_contact_at=c.last_contact_at,
                           last_follow_up_at=c.last_follow_up_at, source=c.owner_source,
                           shares=tuple(tuple(s) for s in (c.shares or ())))


def set_ownership(c, o, rule):
    """Store the ownership a rule decided (``o`` None leaves the row as it is)."""
    if o is None:
        return
    c.owner_id, c.owner_since = o.owner_id, o.since
    c.last_contact_at, c.last_follow_up_at = o.last_contact_at, o.last_follow_up_at
    c.owner_source, c.shares = o.source, [list(s) for s in o.shares] or None
    c.owner_rule = rule


def customer_by_phone(session, project_id, phone):
    return session.scalar(select(Customer).where(Customer.project_id == project_id,
                                                 Customer.phone == phone))


def customer_for_phone(session, project_id, phone, now, name=None, source=None,
                       media_source=None):
    """(customer, created): get or create by normalised phone; a racing insert by another
    instance is caught by the unique key and the winner's row returned."""
    c = customer_by_phone(session, project_id, phone)
    if c is not None:
        return c, False
    c = Customer(project_id=project_id, phone=phone, name=name, source=source,
                 media_source=media_source, created_at=now)
    if not inserted(session, c):
        return customer_by_phone(session, project_id, phone), False
    return c, True


def customer(session, project_id, customer_id):
    """The customer of ``project_id`` (any project when None: the admin CLI), or 404."""
    c = session.get(Customer, customer_id) if customer_id else None
    return _in_project(c, project_id, "customer", customer_id, "CLI-01", "customer_id")


def lock_customer(session, customer_id, project_id=None):
    """The customer row, locked until commit; None for an unknown id when ``project_id`` is
    None (an event about a customer this database does not have), else 404."""
    c = session.scalar(select(Customer).where(Customer.id == customer_id).with_for_update())
    if project_id is None:
        return c
    return _in_project(c, project_id, "customer", customer_id, "CLI-01", "customer_id")


def customers(session, project_id, phone=None, owner_id=None, limit=500):
    rows = select(Customer).where(Customer.project_id == project_id)
    if phone:
        rows = rows.where(Customer.phone == phone)
    if owner_id:
        rows = rows.where(Customer.owner_id == int(owner_id))
    return list(session.scalars(rows.order_by(Customer.id).limit(limit)))


def contacts(session, customer_id):
    return list(session.scalars(select(Contact).where(Contact.customer_id == customer_id)
                                .order_by(Contact.at, Contact.id)))


def rule_contacts(session, customer_id):
    """The registration records as the rules replay them (CLI-11); a re-registration carries
    its recorded sign-off (CLI-03)."""
    return [rules.Contact(x.person_id, x.at, x.kind, x.id, sign_off_by=x.sign_off_by,
                          sign_off_roles=rules.SIGN_OFF_ROLES if x.sign_off_by else frozenset(),
                          effective_at=x.effective_at, rule=x.rule)
            for x in contacts(session, customer_id)]


def registrations(session, customer_id):
    """(person, kind, at) of every registered contact (CLI-08)."""
    return [(x.person_id, x.kind, x.at) for x in contacts(session, customer_id)]


def add_contact(session, c, person_id, kind, at, decision, key=None, media_source=None,
                sign_off_by=None, sign_off_at=None, effective_at=None):
    session.add(Contact(project_id=c.project_id, customer_id=c.id, person_id=person_id,
                        kind=kind, at=at, source_key=key, media_source=media_source,
                        rule=decision.rule, reason=decision.reason, sign_off_by=sign_off_by,
                        sign_off_at=sign_off_at, effective_at=effective_at))


# ---------------------------------------------------------------- visits (contract 4, CLI-08/13)

def visit_for(session, project_id, reception_id):
    """The visit-register row of one reception, created when new (a racing insert by another
    instance is caught by the unique key and the winner's row returned)."""
    query = select(Visit).where(Visit.project_id == project_id,
                                Visit.reception_id == reception_id).with_for_update()
    v = session.scalar(query)
    if v is not None:
        return v
    v = Visit(project_id=project_id, reception_id=reception_id, complete=False, missing=[],
              rule="CLI-13", reason="visit registered")
    return v if inserted(session, v) else session.scalar(query)


def find_visit(session, project_id, reception_id):
    return session.scalar(select(Visit).where(Visit.project_id == project_id,
                                              Visit.reception_id == reception_id))


def first_visit(session, customer_id):
    """The customer's earliest visit on record, as the claim rules see it (None: none yet)."""
    v = session.scalar(select(Visit).where(Visit.customer_id == customer_id,
                                           Visit.arrived_at.is_not(None))
                       .order_by(Visit.arrived_at, Visit.id).limit(1))
    return rules.VisitFact(v.arrived_at, v.named_person_id, v.person_id) if v else None


def receivers(session, customer_id):
    """Who received this customer on a visit (CLI-07: may record price negotiation)."""
    return set(session.scalars(select(Visit.person_id).where(Visit.customer_id == customer_id)))


def visits(session, project_id, complete=None, limit=500):
    """``complete`` False: completed visits the register lacks fields of (a reception still
    under way is checked when it completes, so it is not incomplete yet)."""
    rows = select(Visit).where(Visit.project_id == project_id)
    if complete is not None:
        rows = rows.where(Visit.complete.is_(complete))
    if complete is False:
        rows = rows.where(Visit.completed_at.is_not(None))
    return list(session.scalars(rows.order_by(Visit.id).limit(limit)))


def visit_view(v):
    return {"id": v.id, "reception_id": v.reception_id, "customer_id": v.customer_id,
            "person_id": v.person_id, "kind": v.kind, "arrived_at": iso(v.arrived_at),
            "named_person_id": v.named_person_id, "completed_at": iso(v.completed_at),
            "outcome": v.outcome, "complete": v.complete, "missing": list(v.missing or []),
            "rule": v.rule, "reason": v.reason}


# ---------------------------------------------------------------- claims (CLI-04/05/07)

def add_claim(session, **fields):
    row = Claim(**fields)
    session.add(row)
    session.flush()
    return row


def claim(session, project_id, claim_id):
    row = session.scalar(select(Claim).where(Claim.id == claim_id).with_for_update())
    return _in_project(row, project_id, "claim", claim_id, "CLI-07", "claim_id")


def claim_view(r):
    return {"id": r.id, "customer_id": r.customer_id, "kind": r.kind,
            "consultant_id": r.consultant_id, "registered_by": r.registered_by,
            "registered_at": iso(r.registered_at), "phone_only": r.phone_only,
            "evidence": list(r.evidence or []), "status": r.status, "rule": r.rule,
            "reason": r.reason}


# ---------------------------------------------------------------- targets (CLI-13)

def target_for(session, project_id, person_id, period):
    query = select(Target).where(Target.project_id == project_id, Target.person_id == person_id,
                                 Target.period == period).with_for_update()
    return session.scalar(query)


def add_target(session, **fields):
    row = Target(**fields)
    return row if inserted(session, row) else None


def targets(session, project_id, granularity=None):
    rows = list(session.scalars(select(Target).where(Target.project_id == project_id)
                                .order_by(Target.period, Target.person_id)))
    return [t for t in rows
            if granularity is None or rules.label_granularity(t.period) == granularity]


def target_view(t):
    return {"id": t.id, "person_id": t.person_id, "period": t.period, "deals": t.deals,
            "set_by": t.set_by, "set_at": iso(t.set_at)}


def owner_name(session, c):
    return directory.names(session, c.project_id, [c.owner_id]).get(c.owner_id)


def customer_view(session, c, protection, viewer_id, roles):
    """CLI-14: the full phone only for the owner, supervisors and managers."""
    base = {"id": c.id, "phone": c.phone, "owner_id": c.owner_id, "name": c.name,
            "source": c.source, "media_source": c.media_source,
            "owner_name": owner_name(session, c), "protection": protection.as_dict()}
    return rules.customer_view(base, viewer_id, roles)


def contact_view(x):
    return {"id": x.id, "person_id": x.person_id, "kind": x.kind, "at": x.at.isoformat(),
            "rule": x.rule, "reason": x.reason}


# ---------------------------------------------------------------- channel reports (CLI-06)

def report(session, project_id, report_id):
    return _in_project(session.get(ChannelReport, report_id), project_id, "channel report",
                       report_id, "CLI-06", "report_id")


def find_report(session, report_id):
    """The report of this id (a "why" subject's id, any text) or None."""
    ident = _id(report_id)
    return session.get(ChannelReport, ident) if ident is not None else None


def _id(text):
    try:
        ident = int(text)
    except (TypeError, ValueError):
        return None
    return ident if 0 < ident < 2 ** 63 else None


def reports(session, project_id, agent_id=None):
    rows = select(ChannelReport).where(ChannelReport.project_id == project_id)
    if agent_id is not None:
        rows = rows.where(ChannelReport.agent_id == agent_id)
    return list(session.scalars(rows.order_by(ChannelReport.id)))


def open_reports(session, project_id, phone=None):
    """Reports still open to claim a visit (all of the project's, or one phone's)."""
    rows = select(ChannelReport).where(ChannelReport.project_id == project_id,
                                       ChannelReport.status == "reported")
    if phone is not None:
        rows = rows.where(ChannelReport.phone == phone)
    return list(session.scalars(rows.order_by(ChannelReport.id)))


def add_report(session, project_id, agent_id, name, phone, now, decision):
    row = ChannelReport(project_id=project_id, agent_id=agent_id, name=name.strip(),
                        phone=phone, reported_at=now, status="reported", rule=decision.rule,
                        reason=decision.reason)
    session.add(row)
    session.flush()
    return row


def rule_report(r):
    return rules.ChannelReport(r.id, r.agent_id, None, r.name, r.phone, r.reported_at)


def report_view(r, viewer_id, roles):
    """CLI-14: the reporting agent, supervisors and managers see the full phone."""
    return {"id": r.id, "agent_id": r.agent_id, "name": r.name,
            "phone": rules.visible_phone(r.phone, viewer_id, roles, r.agent_id),
            "reported_at": r.reported_at.isoformat(), "status": r.status,
            "customer_id": r.customer_id, "rule": r.rule, "reason": r.reason}


# ---------------------------------------------------------------- units and deals (CLI-12)

def add_unit(session, project_id, code):
    """The new unit, or None when the project already has one with this code."""
    unit = Unit(project_id=project_id, code=code)
    return unit if inserted(session, unit) else None


def unit(session, project_id, unit_id, lock=False):
    query = select(Unit).where(Unit.id == unit_id)
    row = session.scalar(query.with_for_update() if lock else query)
    return _in_project(row, project_id, "unit", unit_id, "CLI-12", "unit_id")


def units(session, project_id):
    return list(session.scalars(select(Unit).where(Unit.project_id == project_id)
                                .order_by(Unit.code)))


def unit_view(session, u):
    live = session.scalar(select(Subscription.id).where(Subscription.unit_id == u.id,
                                                        Subscription.state == "live"))
    return {"id": u.id, "code": u.code, "confirmed_by": u.confirmed_by,
            "available": u.confirmed_by is not None and live is None,
            "live_subscription_id": live}


def subscription(session, project_id, subscription_id):
    """The subscription, locked until commit, or 404."""
    row = session.scalar(select(Subscription).where(Subscription.id == subscription_id)
                         .with_for_update())
    return _in_project(row, project_id, "subscription", subscription_id, "CLI-12",
                       "subscription_id")


def find_subscription(session, subscription_id):
    ident = _id(subscription_id)
    return session.get(Subscription, ident) if ident is not None else None


def subscriptions(session, project_id):
    return list(session.scalars(select(Subscription).where(Subscription.project_id == project_id)
                                .order_by(Subscription.id)))


def live_subscriptions(session, unit_id, unpaid=False):
    rows = select(Subscription).where(Subscription.unit_id == unit_id,
                                      Subscription.state == "live")
    if unpaid:
        rows = rows.where(Subscription.deposit_paid_at.is_(None))
    return list(session.scalars(rows))


def projects_with_unpaid(session):
    return session.scalars(select(Subscription.project_id).distinct().where(
        Subscription.state == "live", Subscription.deposit_paid_at.is_(None))).all()


def unpaid_signed_before(session, project_id, deadline):
    """Live unpaid subscriptions signed before ``deadline``; rows another instance is lapsing
    are skipped, not waited for."""
    return session.scalars(select(Subscription).where(
        Subscription.project_id == project_id, Subscription.state == "live",
        Subscription.deposit_paid_at.is_(None), Subscription.signed_at < deadline)
        .with_for_update(skip_locked=True)).all()


def add_subscription(session, **fields):
    """The new live subscription, or None when the unit's partial unique index refused a
    second live one (another instance's subscription won the race)."""
    sub = Subscription(state="live", **fields)
    return sub if inserted(session, sub) else None


def rule_sub(s, unit=None):
    """The rules' Subscription; ``unit`` names the unit as the rule's reasons should (its
    code) when given, else its id."""
    return rules.Subscription(s.id, s.unit_id if unit is None else unit, s.signed_at,
                              s.deposit_paid_at, s.state)


def subscription_view(s):
    return {"id": s.id, "unit_id": s.unit_id, "customer_id": s.customer_id,
            "closer_id": s.closer_id, "state": s.state, "signed_at": s.signed_at.isoformat(),
            "deposit_paid_at": iso(s.deposit_paid_at), "credit_split": s.credit_split,
            "rule": s.rule, "reason": s.reason}


# ---------------------------------------------------------------- conversion (CLI-13)

def conversion_entries(session, project_id):
    """(calls, visits, deals) as the conversion rule counts them, each entry with the
    consultant, the time and the media source (the contact's, else the customer's)."""
    media = dict(session.execute(select(Customer.id, Customer.media_source).where(
        Customer.project_id == project_id)).all())
    calls, visits = [], []
    for x in session.scalars(select(Contact).where(Contact.project_id == project_id,
                                                   Contact.kind.in_(("call", "visit")))):
        entry = {"consultant_id": x.person_id, "at": x.at,
                 "media_source": x.media_source or media.get(x.customer_id)}
        (calls if x.kind == "call" else visits).append(entry)
    deals = [{"consultant_id": s.closer_id, "at": s.signed_at,
              "media_source": media.get(s.customer_id)}
             for s in session.scalars(select(Subscription).where(
                 Subscription.project_id == project_id, Subscription.state == "live"))]
    return calls, visits, deals


# ---------------------------------------------------------------- CLI-14 lookups and access log

def phone_hash(project_id, phone):
    """The number of a lookup that found no customer, hashed with its project."""
    return hashlib.sha256(f"{project_id}:{phone}".encode()).hexdigest()


def lookups_since(session, project_id, person_id, since):
    """CLI-14: this person's lookups by phone at or after ``since`` (the database counts, so
    every instance sees the same figure)."""
    return session.scalar(select(func.count(PhoneLookup.id)).where(
        PhoneLookup.project_id == project_id, PhoneLookup.person_id == person_id,
        PhoneLookup.at > since))


def add_lookup(session, project_id, person_id, at, customer_id=None, phone=None):
    session.add(PhoneLookup(project_id=project_id, person_id=person_id, at=at,
                            customer_id=customer_id,
                            phone_hash=None if customer_id else phone_hash(project_id, phone)))


def add_access(session, project_id, person_id, customer_id, action, at):
    session.add(PhoneAccess(project_id=project_id, person_id=person_id,
                            customer_id=customer_id, action=action, at=at))


def access_log(session, project_id, person_id=None, customer_id=None):
    """CLI-14: who saw which full phone number, newest first."""
    rows = select(PhoneAccess).where(PhoneAccess.project_id == project_id)
    if person_id is not None:
        rows = rows.where(PhoneAccess.person_id == person_id)
    if customer_id is not None:
        rows = rows.where(PhoneAccess.customer_id == customer_id)
    return list(session.scalars(rows.order_by(PhoneAccess.at.desc(), PhoneAccess.id.desc())))


def access_view(a):
    return {"id": a.id, "person_id": a.person_id, "customer_id": a.customer_id,
            "action": a.action, "at": iso(a.at)}
