"""Clients' use cases: one function per command and per event handler. Each takes a unit of
work (services/common/uow.py) first, loads through ``repo``, asks ``rules``, applies the new
state the rule returned, records the decision (SYS-01) and emits; the caller commits.

Every ownership decision is recorded against ("customer", id) and a change of owner is
announced as ``ownership_changed`` in the same transaction; events carry customer ids, never
phones (CLI-14).
"""
import logging
from datetime import timedelta

from services.common import directory, export, why
from services.common.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unprocessable,
)
from services.common.timeutil import business_day, parse_instant

from . import repo, rules

log = logging.getLogger(__name__)


def _context(uow, project_id):
    """(policy, time zone) of the project, as every rule takes them."""
    return uow.policy(project_id), uow.tz(project_id)


def _phone(uow, text):
    """CLI-01: the normalised mobile, or 422 citing CLI-01."""
    return uow.decide(rules.check_phone(text), field="phone").data["phone"]


def _viewer(uow):
    caller = uow.caller
    return (caller.person_id, caller.acting_roles) if caller else (None, frozenset())


def _customer_view(uow, c, action, context=None, names=None):
    """CLI-14: the customer as this caller may see them; an answer with the FULL phone is
    logged (who, which customer, when, which action) in this transaction. ``names``: the
    people the protection's reason may name (looked up when not given)."""
    policy, tz = context or _context(uow, c.project_id)
    current = repo.ownership(c)
    if names is None:
        names = _names(uow, c.project_id, owners=[current])
    protection = rules.protection_status(current, uow.now, policy, tz, names)
    view = repo.customer_view(uow.session, c, protection, *_viewer(uow))
    if not view["phone_masked"]:
        _accessed(uow, c.project_id, c.id, action)
    return view


def _named(uow, project_id, person_id, field, rule, role="consultant", what="consultant"):
    """SYS-02: a person a request names is of the caller's project (404 SYS-02 otherwise,
    whether nobody or another project's person) and active in ``role`` (422 citing ``rule``)."""
    d = rules.named_person(directory.person(uow.session, person_id), person_id, project_id,
                           field=field, rule=rule, role=role, what=what)
    return uow.decide(d, error=NotFound if d.outcome == "unknown" else Unprocessable,
                      field=field)


def _names(uow, project_id, *person_ids, owners=()):
    """``{person id: name}`` of the people a rule's reasons name: ``person_ids`` and the owner
    and credit shares of each ownership in ``owners``, as this project's directory replica
    knows them, and the caller by their own (token) name when it does not. The rules write
    "#<id>" for anyone left out (SYS-01: staff read reasons by name, not by id)."""
    ids = {i for i in person_ids if i is not None}
    for o in owners:
        if o is not None:
            ids |= {o.owner_id, *(pid for pid, _ in o.shares)}
    return directory.reason_names(uow.session, project_id, ids, uow.caller)


def _claim_names(uow, project_id, c, visit, registered_by, consultant_id, referrer=None):
    """The people a claim's reasons may name (CLI-04/05/07): who registered it, the consultant
    it names, the introducing customer's owner, whom the first visit named and who received
    it, and the customer's owner now."""
    return _names(uow, project_id, registered_by, consultant_id, c.owner_id,
                  visit.person_id if visit else None, visit.named_person_id if visit else None,
                  owners=[referrer])


def _may_read_records(uow, c):
    """CLI-11/SYS-02: a customer's history and dispute: leads, or a consultant they are
    about (the owner, or one with a registered contact)."""
    person_id, roles = _viewer(uow)
    if uow.caller is not None and (uow.caller.is_admin or uow.caller.is_service):
        return
    concerned = {x.person_id for x in repo.contacts(uow.session, c.id)}
    uow.decide(rules.may_read_customer_records(person_id, roles, c.owner_id, concerned,
                                               _names(uow, c.project_id, person_id)),
               error=Forbidden, field="customer_id")


def _accessed(uow, project_id, customer_id, action):
    repo.add_access(uow.session, project_id, uow.actor_id, customer_id, action, uow.now)


def _lookup(uow, project_id, phone, customer):
    """CLI-14: a lookup by phone: the roles that register contacts only, at most the policy's
    ``phone_lookups_per_hour`` per person in the last hour (counted in the database); a
    service's own token is exempt. 403 / 429 citing CLI-14."""
    caller = uow.caller
    if caller is None or caller.is_service:
        return
    limit = uow.policy(project_id)["phone_lookups_per_hour"]
    recent = repo.lookups_since(uow.session, project_id, caller.person_id,
                                uow.now - timedelta(hours=1))
    d = rules.phone_lookup(caller.acting_roles, False, recent, limit)
    uow.decide(d, error=TooManyRequests if d.outcome == "too_many" else Forbidden,
               field="phone")
    repo.add_lookup(uow.session, project_id, caller.person_id, uow.now,
                    customer.id if customer else None, phone)


# ---------------------------------------------------------------- ownership (CLI-02/03/10/11)

def _apply(uow, c, change):
    """Store the ownership a rule decided, its "why", and announce a change of owner."""
    d, previous = change.decision, c.owner_id
    repo.set_ownership(c, change.ownership, d.rule)
    uow.record(d, "customer", c.id, c.project_id)
    if change.announced(previous):
        uow.emit("ownership_changed", c.project_id, d.rule, d.reason, customer_id=c.id,
                 owner_id=c.owner_id, previous_owner_id=previous,
                 split=change.ownership.credit_split() if change.ownership else None)


def _contact(uow, c, person_id, kind, at, key=None, media_source=None):
    """CLI-02/03: register one contact and apply it to the ownership."""
    policy, tz = _context(uow, c.project_id)
    current = repo.ownership(c)
    change = rules.first_contact(current, rules.Contact(person_id, at, kind, source=c.source),
                                 policy, tz, _names(uow, c.project_id, person_id,
                                                    owners=[current]))
    repo.add_contact(uow.session, c, person_id, kind, at, change.decision, key, media_source)
    if change.decision.allowed:
        _apply(uow, c, change)
    else:
        uow.record(change.decision, "customer", c.id, c.project_id)
    return change.decision


def _change_consultant(uow, c, to_person_id):
    policy, tz = _context(uow, c.project_id)
    current = repo.ownership(c)
    change = rules.change_consultant(current, to_person_id, uow.now, policy=policy, tz=tz,
                                     names=_names(uow, c.project_id, to_person_id,
                                                  owners=[current]))
    if change.decision.allowed:
        _apply(uow, c, change)
    return change.decision


def owner_of(uow, project_id, phone):
    """REC-07/CLI-02: who owns this phone, and is the protection live (indexed lookup)."""
    phone = _phone(uow, phone)
    c = repo.customer_by_phone(uow.session, project_id, phone)
    _lookup(uow, project_id, phone, c)
    current = repo.ownership(c) if c else None
    d = rules.ownership_lookup(current, uow.now, *_context(uow, project_id),
                               _names(uow, project_id, owners=[current]))
    return {"customer_id": c.id if c else None, "owner_id": d.data["owner_id"],
            "owner_name": repo.owner_name(uow.session, c) if current else None,
            "protection_live": bool(d.data["live"]), "rule": d.rule, "reason": d.reason,
            "phone_masked": rules.mask_phone(phone)}


def register_customer(uow, project_id, phone, name=None, source="walk_in"):
    """CLI-01: the customer of this phone, created when new (idempotent by phone)."""
    c, created = repo.customer_for_phone(uow.session, project_id, _phone(uow, phone), uow.now,
                                         name, rules.customer_source(source))
    return {"customer_id": c.id, "created": created}


def create_customer(uow, project_id, data):
    phone = _phone(uow, data["phone"])
    c, created = repo.customer_for_phone(uow.session, project_id, phone, uow.now, data["name"],
                                         data["source"], data["media_source"])
    uow.decide(rules.check_new_customer(phone, None if created else c.id), error=Conflict,
               field="phone")
    return _customer_view(uow, c, "create_customer")


def import_customers(uow, project_id, rows):
    """CLI-01 for the admin CLI's import: each row is registered on its own (a savepoint),
    a refused row is reported by its line and skipped."""
    imported, errors = 0, []
    for row in rows:
        d = rules.check_import_row(row)
        if d.allowed:
            c, created = repo.customer_for_phone(
                uow.session, project_id, d.data["phone"], uow.now, d.data["name"],
                d.data["source"], d.data["media_source"])
            d = rules.check_new_customer(d.data["phone"], None if created else c.id)
        if d.allowed:
            imported += 1
        else:
            errors.append({"line": row.get("line"), "field": d.data.get("field"),
                           "message": f"{d.rule} {d.reason}"})
    return {"imported": imported, "errors": errors}


def list_customers(uow, project_id, query):
    phone = _phone(uow, query["phone"]) if query.get("phone") else None
    context = _context(uow, project_id)
    found = repo.customers(uow.session, project_id, phone, query.get("owner_id"))
    if phone:
        _lookup(uow, project_id, phone, found[0] if found else None)
    names = _names(uow, project_id, owners=[repo.ownership(c) for c in found])
    return [_customer_view(uow, c, "list_customers", context, names) for c in found]


def get_customer(uow, project_id, customer_id):
    return _customer_view(uow, repo.customer(uow.session, project_id, customer_id),
                          "get_customer")


def customer_history(uow, project_id, customer_id):
    """CLI-11/SYS-01: every ownership decision and registered contact, oldest first."""
    c = repo.customer(uow.session, project_id, customer_id)
    _may_read_records(uow, c)
    return {"customer": _customer_view(uow, c, "customer_history"),
            "decisions": why.chain(uow.session, "customer", c.id),
            "contacts": [repo.contact_view(x) for x in repo.contacts(uow.session, c.id)]}


def _arrival(payload):
    """Contract 4: the visit's time is when the receptionist registered the walk-in."""
    text = payload.get("arrived_at")
    return parse_instant(text) if text else None


def _visit(uow, payload):
    """The visit-register row of a reception, with the facts reception reported (contract 4)."""
    project_id, reception_id = payload.get("project_id"), payload.get("reception_id")
    if project_id is None or reception_id is None:
        return None
    v = repo.visit_for(uow.session, project_id, reception_id)
    v.customer_id = payload.get("customer_id") or v.customer_id
    v.person_id = payload.get("person_id") or v.person_id
    v.kind = payload.get("kind") or v.kind
    v.credit_owner_id = payload.get("credit_owner_id") or v.credit_owner_id
    v.arrived_at = _arrival(payload) or v.arrived_at
    if payload.get("named_person_id") is not None:
        v.named_person_id = payload["named_person_id"]
    return v


def _call_to_visit(uow, v):
    """CLI-08: whom the customer named on arrival, and whether a registration backs them."""
    if v.customer_id is None or v.arrived_at is None:
        return None
    d = rules.call_to_visit(v.named_person_id, v.arrived_at,
                            repo.registrations(uow.session, v.customer_id),
                            uow.tz(v.project_id), _names(uow, v.project_id, v.named_person_id))
    uow.record(d, "visit", v.id, v.project_id)
    return d


def reception_started(uow, payload):
    """Contract 4 / CLI-08: a reception started: the visit's arrival, whom the customer named
    on arrival and who receives are stored (claims are decided against them), and the
    call-to-visit decision is recorded."""
    v = _visit(uow, payload)
    if v is None:
        return
    v.started_at = parse_instant(payload["occurred_at"])
    _call_to_visit(uow, v)


def reception_completed(uow, payload):
    """CLI-02: a received visit is a registered contact at the visit's arrival (REC-07: a
    duty reception counts for the owner it was made for); CLI-13: the visit-register entry is
    checked for completeness and kept either way."""
    v = _visit(uow, payload)
    completed_at = parse_instant(payload["occurred_at"])
    c = repo.lock_customer(uow.session, payload["customer_id"]) \
        if payload.get("customer_id") else None
    if v is not None:
        first = v.completed_at is None and v.started_at is None
        v.completed_at, v.outcome = completed_at, payload.get("outcome")
        if first:
            _call_to_visit(uow, v)
        tz = uow.tz(v.project_id)
        d = rules.visit_register_entry({
            "customer_phone": c.phone if c else None, "customer_name": c.name if c else None,
            "received_by": v.person_id, "arrived_at": v.arrived_at,
            "media_source": c.media_source if c else None}, tz)
        v.complete, v.missing, v.rule, v.reason = (d.data["complete"], d.data["missing"],
                                                   d.rule, d.reason)
        uow.record(d, "visit", v.id, v.project_id)
    if c is None:
        if payload.get("customer_id"):
            log.warning("clients: reception_completed for unknown customer %s",
                        payload["customer_id"])
        return
    person = rules.visit_credited_to(payload["person_id"], payload.get("kind"),
                                     payload.get("credit_owner_id"))
    at = (v.arrived_at if v is not None else None) or _arrival(payload) or completed_at
    _contact(uow, c, person, "visit", at, key=payload["event_id"])


def call_registered(uow, payload):
    """CLI-02/REC-12: the consultant who answers a new caller owns them."""
    if not payload.get("customer_id") or not payload.get("answered_by"):
        return
    c = repo.lock_customer(uow.session, payload["customer_id"])
    if c is None:
        return
    media = payload.get("media_source")
    if media and not c.media_source:
        c.media_source = media
    _contact(uow, c, payload["answered_by"], "call", parse_instant(payload["occurred_at"]),
             key=payload["event_id"], media_source=media)


def consultant_changed(uow, payload):
    """REC-11 → CLI-10: the new consultant owns; the deal credit is split."""
    c = repo.lock_customer(uow.session, payload["customer_id"]) \
        if payload.get("customer_id") else None
    if c is None or c.project_id != payload.get("project_id"):   # SYS-02: never another
        log.warning("clients: consultant_changed for customer %s not of project %s",
                    payload.get("customer_id"), payload.get("project_id"))
        return
    _change_consultant(uow, c, payload["to_person_id"])


def record_follow_up(uow, project_id, customer_id):
    """CLI-03: the owner's follow-up renews protection and the no-follow-up clock."""
    c = repo.lock_customer(uow.session, customer_id, project_id)
    uow.decide(rules.check_follow_up(c.owner_id, uow.actor_id,
                                     _names(uow, project_id, c.owner_id)),
               error=Forbidden, field="customer_id")
    return _contact(uow, c, uow.actor_id, "follow_up", uow.now).as_dict()


def _honour(uow, c, claim, registered_at):
    """CLI-04/05/07: the claimant owns, unless an owner registered before the claim took
    effect (409); the claim is a registered contact at its registration time."""
    policy, tz = _context(uow, c.project_id)
    current = repo.ownership(c)
    change = rules.claim_ownership(current, claim.decision, claim.consultant_id,
                                   registered_at, claim.effective_at, policy, tz,
                                   _names(uow, c.project_id, claim.consultant_id,
                                          owners=[current]))
    uow.decide(change.decision, error=Conflict, field="phone")
    repo.add_contact(uow.session, c, claim.consultant_id, claim.contact_kind, registered_at,
                     change.decision, effective_at=claim.effective_at)
    _apply(uow, c, change)
    return change.decision


def pre_register(uow, project_id, data):
    """CLI-04/05/07: a relative or friend, a customer's referral or a staff referral, decided
    with stored times only: its registration now, the customer's first visit on record (its
    arrival and whom the customer named) and the recorded start of price negotiation."""
    uow.caller.require(*rules.CLAIM_FILERS, action="register a claim before the visit "
                       "(company staff: CLI-04/05/07)")
    if data["kind"] == "relative":
        uow.caller.require("consultant", action="pre-register a relative or friend (CLI-05)")
    if data["consultant_id"] is not None:   # CLI-07: the named consultant is one of ours
        _named(uow, project_id, data["consultant_id"], "consultant_id", "CLI-07")
    referrer = None
    if data["kind"] == "customer_referral":
        referrer = repo.ownership(repo.customer(uow.session, project_id,
                                                data["referrer_customer_id"]))
    policy, tz = _context(uow, project_id)
    c, created = repo.customer_for_phone(uow.session, project_id, _phone(uow, data["phone"]),
                                         uow.now, data["name"])
    c = repo.lock_customer(uow.session, c.id)
    visit = repo.first_visit(uow.session, c.id)
    claim = rules.pre_registration_claim(
        data["kind"], uow.actor_id, uow.now, data["consultant_id"], referrer, visit,
        c.price_talk_at, data.get("phone_only", False), (), policy, tz, owner_id=c.owner_id,
        names=_claim_names(uow, project_id, c, visit, uow.actor_id, data["consultant_id"],
                           referrer))
    d = claim.decision
    uow.decide(d, error=Unprocessable if d.outcome == "consultant_required" else Conflict,
               field=d.data.get("field"))
    if created or not c.source:
        c.source = claim.source
    row = repo.add_claim(uow.session, project_id=project_id, customer_id=c.id,
                         kind=data["kind"], consultant_id=claim.consultant_id or
                         data["consultant_id"] or uow.actor_id, registered_by=uow.actor_id,
                         registered_at=uow.now,
                         referrer_customer_id=data.get("referrer_customer_id"),
                         phone_only=data.get("phone_only", False), evidence=[],
                         status=claim.status, rule=d.rule, reason=d.reason)
    if claim.status == "honoured":
        d = _honour(uow, c, claim, uow.now)
    uow.record(d, "claim", row.id, project_id)
    row.rule, row.reason = d.rule, d.reason
    return dict(d.as_dict(), customer_id=c.id, claim_id=row.id, status=row.status)


def record_evidence(uow, project_id, claim_id, data):
    """CLI-07: the evidence of a phone-only staff referral (each item with who and when); once
    all three are on record the referral is decided again with its stored times."""
    row = repo.claim(uow.session, project_id, claim_id)
    person_id, roles = _viewer(uow)
    d = rules.check_evidence(row.phone_only, row.status, row.consultant_id, person_id, roles,
                             data["items"], _names(uow, project_id, row.consultant_id))
    uow.decide(d, error=Forbidden if d.outcome == "forbidden" else Unprocessable,
               field=d.data.get("field"))
    held = {e["item"] for e in row.evidence or []}
    row.evidence = list(row.evidence or []) + [
        {"item": i, "by": person_id, "at": uow.now.isoformat()} for i in d.data["items"]
        if i not in held]
    uow.record(d, "claim", row.id, project_id)
    c = repo.lock_customer(uow.session, row.customer_id, project_id)
    policy, tz = _context(uow, project_id)
    visit = repo.first_visit(uow.session, c.id)
    claim = rules.pre_registration_claim(
        "staff_referral", row.registered_by, row.registered_at, row.consultant_id, None,
        visit, c.price_talk_at, True, [e["item"] for e in row.evidence], policy, tz,
        owner_id=c.owner_id, names=_claim_names(uow, project_id, c, visit, row.registered_by,
                                                row.consultant_id))
    decided = uow.decide(claim.decision, error=Conflict, field="items")
    if claim.status == "honoured":
        decided = _honour(uow, c, claim, row.registered_at)
        row.status = "honoured"
    row.rule, row.reason = decided.rule, decided.reason
    uow.record(decided, "claim", row.id, project_id)
    return repo.claim_view(row)


def start_price_talk(uow, project_id, customer_id):
    """CLI-07: price negotiation started, recorded once (who, when) by the receiving
    consultant, the owner, a supervisor or a manager."""
    c = repo.lock_customer(uow.session, customer_id, project_id)
    person_id, roles = _viewer(uow)
    receivers = repo.receivers(uow.session, c.id) | {c.owner_id}
    d = rules.price_negotiation(c.price_talk_at, c.price_talk_by, person_id, roles, receivers,
                                uow.now, uow.tz(project_id),
                                _names(uow, project_id, c.price_talk_by, person_id))
    uow.decide(d, error=Forbidden if d.outcome == "not_the_receiver" else Conflict,
               field="customer_id")
    c.price_talk_at, c.price_talk_by = uow.now, person_id
    uow.record(d, "customer", c.id, project_id)
    return d.as_dict()


def re_register(uow, project_id, customer_id, data):
    """CLI-03: the lapsed owner re-registers the customer with a supervisor's (or manager's)
    sign-off: the caller who signs off is recorded with the time on the contact."""
    uow.caller.require_self(data["person_id"], *rules.SIGN_OFF_ROLES,
                            action="re-register a customer for someone else")
    _named(uow, project_id, data["person_id"], "person_id", "CLI-03")
    c = repo.lock_customer(uow.session, customer_id, project_id)
    person_id, roles = _viewer(uow)
    signer = person_id if roles & rules.SIGN_OFF_ROLES else None
    policy, tz = _context(uow, project_id)
    current = repo.ownership(c)
    change = rules.re_registration(current, data["person_id"], uow.now, signer, roles, policy,
                                   tz, _names(uow, project_id, data["person_id"], signer,
                                              owners=[current]))
    d = uow.decide(change.decision, error=Conflict, field=change.decision.data.get("field"))
    repo.add_contact(uow.session, c, data["person_id"], "re_registration", uow.now, d,
                     sign_off_by=signer, sign_off_at=uow.now)
    _apply(uow, c, change)
    return d.as_dict()


def visit_register(uow, project_id, query):
    """CLI-13: the visit register, incomplete entries with the fields they miss."""
    return [repo.visit_view(v) for v in repo.visits(uow.session, project_id,
                                                    query.get("complete"))]


def set_target(uow, project_id, data):
    """CLI-13: a manager sets a consultant's deals target for a period (one per consultant and
    period; setting again replaces it, who and when recorded)."""
    d = rules.check_target(directory.person(uow.session, data["person_id"]), project_id,
                           data["period"], data["deals"])
    uow.decide(d, field=d.data.get("field"))
    row = repo.target_for(uow.session, project_id, data["person_id"], data["period"])
    if row is None:
        row = repo.add_target(uow.session, project_id=project_id, person_id=data["person_id"],
                              period=data["period"], deals=data["deals"], set_by=uow.actor_id,
                              set_at=uow.now) or \
            repo.target_for(uow.session, project_id, data["person_id"], data["period"])
    row.deals, row.set_by, row.set_at = data["deals"], uow.actor_id, uow.now
    uow.flush()
    uow.record(d, "target", row.id, project_id)
    return repo.target_view(row)


def list_targets(uow, project_id):
    return [repo.target_view(t) for t in repo.targets(uow.session, project_id)]


def record_poaching(uow, project_id, customer_id, data):
    """CLI-09: the customer stays with (returns to) the owner; the poacher is fined."""
    _named(uow, project_id, data["person_id"], "person_id", "CLI-09")
    c = repo.lock_customer(uow.session, customer_id, project_id)
    policy, tz = _context(uow, project_id)
    current = repo.ownership(c)
    found = rules.record_poaching(current, data["person_id"], uow.now, policy, tz,
                                  _names(uow, project_id, data["person_id"], owners=[current]))
    if found.refusal is not None:
        uow.decide(found.refusal, error=Conflict, field="person_id")
    d = uow.record(found.finding, "customer", c.id, project_id)
    uow.emit("poaching_recorded", project_id, d.rule, d.reason, customer_id=c.id,
             person_id=data["person_id"], owner_id=c.owner_id, fine=d.data["fine"],
             day=business_day(uow.now, tz).isoformat())
    return d.as_dict()


def change_consultant(uow, project_id, customer_id, data):
    """CLI-10: at the customer's request; the credit is split (50:50 by default)."""
    _named(uow, project_id, data["person_id"], "person_id", "CLI-10")
    c = repo.lock_customer(uow.session, customer_id, project_id)
    d = _change_consultant(uow, c, data["person_id"])
    return uow.decide(d, error=Conflict, field="person_id").as_dict()


def dispute(uow, project_id, customer_id):
    """CLI-11: what the registration records say (以登记为准)."""
    c = repo.customer(uow.session, project_id, customer_id)
    _may_read_records(uow, c)
    contacts = repo.rule_contacts(uow.session, c.id)
    names = _names(uow, project_id, *(x.consultant_id for x in contacts),
                   *(x.sign_off_by for x in contacts))
    history = rules.resolve_dispute(contacts, *_context(uow, project_id), names)
    return {"customer_id": c.id, "owner_id": c.owner_id,
            "by_records": history.decisions[-1].as_dict(),
            "steps": [d.as_dict() for d in history.decisions]}


def override_owner(uow, project_id, customer_id, data):
    """CLI-11: a supervisor or manager overrides the records with a written reason."""
    c = repo.lock_customer(uow.session, customer_id, project_id)
    person_id, roles = _viewer(uow)
    if roles & rules.OVERRIDE_ROLES:   # a lead's override names a consultant of the project
        _named(uow, project_id, data["owner_id"], "owner_id", "CLI-11")
    current = repo.ownership(c)
    change = rules.override_ownership(current, data["owner_id"], person_id or 0, roles,
                                      data["reason"], uow.now,
                                      _names(uow, project_id, data["owner_id"], person_id,
                                             owners=[current]))
    d = change.decision
    uow.decide(d, error=Forbidden if d.outcome == "forbidden" else Unprocessable,
               field="reason")
    _apply(uow, c, change)
    return d.as_dict()


# ---------------------------------------------------------------- channel reports (CLI-06)

def create_report(uow, project_id, data):
    """CLI-06: an agent reports a customer; refused (撞单) when a consultant owns them."""
    policy, tz = _context(uow, project_id)
    check = rules.check_phone(data["phone"])
    c = repo.customer_by_phone(uow.session, project_id, check.data["phone"]) \
        if check.allowed else None
    current = repo.ownership(c) if c else None
    d = rules.check_report(data["name"], data["phone"], uow.now, current, policy, tz)
    uow.decide(d, error=Conflict if d.outcome == "conflict" else Unprocessable,
               field=d.data.get("field") or "phone")
    row = repo.add_report(uow.session, project_id, uow.actor_id, data["name"],
                          check.data["phone"], uow.now, d)
    uow.record(d, "channel_report", row.id, project_id)
    return repo.report_view(row, *_viewer(uow))


def list_reports(uow, project_id):
    """CLI-06: an agent sees only their own reports; supervisors and managers all."""
    person_id, roles = _viewer(uow)
    agent = None if rules.sees_all_reports(roles) else person_id
    return [_report_view(uow, r, "list_reports")
            for r in repo.reports(uow.session, project_id, agent)]


def _report_view(uow, r, action):
    """CLI-14: a report as this caller may see it; a full phone shown is logged."""
    view = repo.report_view(r, *_viewer(uow))
    if r.phone and view["phone"] == r.phone:
        _accessed(uow, r.project_id, r.customer_id, action)
    return view


def get_report(uow, project_id, report_id):
    row = repo.report(uow.session, project_id, report_id)
    person_id, roles = _viewer(uow)
    uow.decide(rules.may_see_report(repo.rule_report(row), person_id or 0, roles),
               error=Forbidden, field="report_id")
    return _report_view(uow, row, "get_report")


def report_agent(session, report_id):
    """The agent who filed a report (None when unknown): whose "why" it is (CLI-06)."""
    row = repo.find_report(session, report_id)
    return row.agent_id if row is not None else None


def subscription_closer(session, subscription_id):
    row = repo.find_subscription(session, subscription_id)
    return row.closer_id if row is not None else None


def phone_access_log(uow, project_id, query):
    """CLI-14: who saw which full phone number and when, newest first (managers)."""
    return [repo.access_view(a) for a in repo.access_log(
        uow.session, project_id, query.get("person_id"), query.get("customer_id"))]


def match_visit(uow, project_id, data):
    """CLI-06 at the visit: the earliest valid matching report wins, else natural visit."""
    policy, tz = _context(uow, project_id)
    phone, now = _phone(uow, data["phone"]), uow.now
    visit_at, started_at = now, data["reception_started_at"]
    if data.get("reception_id") is not None:      # the stored visit: its arrival and start
        v = repo.find_visit(uow.session, project_id, data["reception_id"])
        if v is not None:
            visit_at, started_at = v.arrived_at or now, v.started_at or started_at
    rows = repo.open_reports(uow.session, project_id, phone)
    d = rules.channel_attribution([repo.rule_report(r) for r in rows], data["name"], phone,
                                  visit_at, now if data["mentioned"] else None,
                                  started_at, policy, tz,
                                  _names(uow, project_id, *(r.agent_id for r in rows)))
    c, _ = repo.customer_for_phone(uow.session, project_id, phone, now, data["name"],
                                   rules.visit_source(d))
    statuses = rules.settle_reports([r.id for r in rows], d)
    for r in rows:
        r.customer_id, r.status = c.id, statuses[r.id]
        uow.record(d, "channel_report", r.id, project_id)
    c.source = rules.visit_source(d, c.source)
    uow.record(d, "customer", c.id, project_id)
    uow.emit("channel_report_decided", project_id, d.rule, d.reason,
             report_id=d.data.get("report_id"), agent_id=d.data.get("agent_id"),
             customer_id=c.id, outcome=d.outcome)
    return dict(d.as_dict(), customer_id=c.id)


def expire_reports(uow, project_id):
    """CLI-06: reports past the policy's days become expired (the admin CLI asks for this)."""
    policy, tz = _context(uow, project_id)
    count = 0
    for r in repo.open_reports(uow.session, project_id):
        d = rules.report_expired(repo.rule_report(r), uow.now, policy, tz)
        if d.data["expired"]:
            r.status, r.rule, r.reason = "expired", d.rule, d.reason
            uow.record(d, "channel_report", r.id, project_id)
            count += 1
    return {"expired": count, "report_expiry_days": policy["report_expiry_days"]}


# ---------------------------------------------------------------- units and deals (CLI-12)

def _announce(uow, sub, state, rule, reason, announce_to_all=False):
    uow.emit("subscription_changed", sub.project_id, rule, reason, unit_id=sub.unit_id,
             subscription_id=sub.id, customer_id=sub.customer_id, state=state,
             announce_to_all=announce_to_all)


def _settle(uow, sub, d, state, announce_to_all=False, **changes):
    """Apply a rule's decision to a subscription: its new state, the "why", the announcement."""
    sub.state, sub.rule, sub.reason = state, d.rule, d.reason
    for name, value in changes.items():
        setattr(sub, name, value)
    uow.record(d, "subscription", sub.id, sub.project_id)
    _announce(uow, sub, state, d.rule, d.reason, announce_to_all)
    return repo.subscription_view(sub)


def _lapse_if_due(uow, sub, policy):
    d = rules.deposit_status(repo.rule_sub(sub), uow.now, policy)
    if not d.allowed:
        _settle(uow, sub, d, "lapsed")


def create_unit(uow, project_id, data):
    unit = repo.add_unit(uow.session, project_id, data["code"])
    if unit is None:
        uow.decide(rules.unit_code_taken(data["code"]), error=Conflict, field="code")
    return repo.unit_view(uow.session, unit)


def confirm_unit(uow, project_id, unit_id):
    """CLI-12: the manager confirms the unit is available (销控)."""
    unit = repo.unit(uow.session, project_id, unit_id)
    unit.confirmed_by, unit.confirmed_at = uow.actor_id, uow.now
    return repo.unit_view(uow.session, unit)


def list_units(uow, project_id):
    return [repo.unit_view(uow.session, u) for u in repo.units(uow.session, project_id)]


def subscribe(uow, project_id, data):
    """CLI-12: a subscription on a confirmed unit with no live one (the partial unique index
    makes the second of two simultaneous subscriptions fail)."""
    person_id, roles = _viewer(uow)
    closer = data["closer_id"] or person_id
    uow.decide(rules.check_closer(person_id, closer, roles, _names(uow, project_id, closer)),
               error=Forbidden, field="closer_id")
    if closer != person_id:   # CLI-12: a lead names the closing consultant of the project
        _named(uow, project_id, closer, "closer_id", "CLI-12")
    unit = repo.unit(uow.session, project_id, data["unit_id"], lock=True)
    c = repo.customer(uow.session, project_id, data["customer_id"])
    policy, tz = _context(uow, project_id)
    for sub in repo.live_subscriptions(uow.session, unit.id, unpaid=True):
        _lapse_if_due(uow, sub, policy)
    uow.flush()
    live = [repo.rule_sub(s, unit.code) for s in repo.live_subscriptions(uow.session, unit.id)]
    # only a manager confirms a unit (confirm_unit), so whoever confirmed it is one
    current = repo.ownership(c)
    names = _names(uow, project_id, closer, unit.confirmed_by, owners=[current])
    d = rules.check_subscription(unit.code, unit.confirmed_by,
                                 ("manager",) if unit.confirmed_by else (), live, uow.now, policy,
                                 names)
    uow.decide(d, error=Conflict, field="unit_id")
    credit = rules.deal_credit(current, closer, uow.now, policy, tz, names)
    sub = repo.add_subscription(uow.session, project_id=project_id, unit_id=unit.id,
                                customer_id=c.id, closer_id=closer, signed_at=uow.now,
                                credit_split=credit.data["credit_split"], rule=credit.rule,
                                reason=f"{d.reason}; {credit.reason}")
    if sub is None:
        uow.decide(rules.double_sale(unit.code), error=Conflict, field="unit_id")
    for decision in (d, credit):
        uow.record(decision, "subscription", sub.id, project_id)
    _announce(uow, sub, "live", d.rule, sub.reason)
    return repo.subscription_view(sub)


def pay_deposit(uow, project_id, subscription_id):
    """CLI-12: (the subscription's view, None) when paid in time; paid too late the
    subscription lapses and (view, the refusal) is returned, for the entrypoint to raise
    after the lapse is committed."""
    sub = repo.subscription(uow.session, project_id, subscription_id)
    policy, tz = _context(uow, project_id)
    payment = rules.pay_deposit(repo.rule_sub(sub), uow.now, policy, tz)
    d = payment.decision
    if not payment.recorded:
        uow.decide(d, error=Conflict, field="subscription_id")
    if not d.allowed:
        return _settle(uow, sub, d, payment.state), d
    sub.deposit_paid_at = payment.paid_at
    uow.record(d, "subscription", sub.id, project_id)
    return repo.subscription_view(sub), None


def withdraw(uow, project_id, subscription_id, data):
    """CLI-12: a withdrawal or refund needs the manager and is announced to all staff."""
    sub = repo.subscription(uow.session, project_id, subscription_id)
    person_id, roles = _viewer(uow)
    unit = repo.unit(uow.session, project_id, sub.unit_id)
    d = rules.check_withdrawal(repo.rule_sub(sub, unit.code), person_id, roles, data["kind"],
                               _names(uow, project_id, person_id))
    uow.decide(d, error=Forbidden if d.outcome == "approval_required" else Conflict,
               field="subscription_id")
    return _settle(uow, sub, d, d.outcome, announce_to_all=True, announced=True)


def void(uow, project_id, subscription_id, data):
    """CLI-12: a voided form goes to the clerk and is kept (never deleted)."""
    sub = repo.subscription(uow.session, project_id, subscription_id)
    clerk = directory.person(uow.session, data["clerk_id"])
    roles = clerk["roles"] if clerk and clerk["active"] and \
        clerk["project_id"] == project_id else ()
    unit = repo.unit(uow.session, project_id, sub.unit_id)
    d = rules.void_form(repo.rule_sub(sub, unit.code), data["clerk_id"], roles,
                        _names(uow, project_id, data["clerk_id"]))
    uow.decide(d, field="clerk_id")
    return _settle(uow, sub, d, "voided", form_kept_by=data["clerk_id"])


def list_subscriptions(uow, project_id):
    return [repo.subscription_view(s) for s in repo.subscriptions(uow.session, project_id)]


def lapse_unpaid(uow):
    """CLI-12 by the clock: an unpaid subscription past its deadline lapses, the unit is
    released."""
    for project_id in repo.projects_with_unpaid(uow.session):
        policy = uow.policy(project_id)
        deadline = uow.now - timedelta(minutes=policy["deposit_minutes"])
        for sub in repo.unpaid_signed_before(uow.session, project_id, deadline):
            _lapse_if_due(uow, sub, policy)


# ---------------------------------------------------------------- conversion (CLI-13)

def conversion(uow, project_id, q):
    """CLI-13: calls → visits → deals per consultant, media source or period."""
    tz = uow.tz(project_id)
    calls, visits, deals = repo.conversion_entries(uow.session, project_id)
    label = q.get("label")
    if label:   # one period: entries of that period, targets set for it
        calls, visits, deals = ([e for e in entries
                                 if rules.period_label(e["at"], q["period"], tz) == label]
                                for entries in (calls, visits, deals))
    targets = {}
    for t in repo.targets(uow.session, project_id, q["period"]):
        if q["by"] == "consultant" and label and t.period == label:
            targets[t.person_id] = t.deals
        elif q["by"] == "period" and (not label or t.period == label):
            targets[t.period] = targets.get(t.period, 0) + t.deals
    d = rules.conversion_figures(calls, visits, deals, q["by"], q["period"], targets=targets,
                                 tz=tz)
    if q["format"] == "json":
        return d.as_dict()
    rows = d.data["rows"]
    if q["by"] == "consultant":   # the consultant's name beside their id (directory replica)
        names = directory.names(uow.session, project_id, [r["key"] for r in rows])
        rows = [dict(r, name=names.get(r["key"])) for r in rows]
    return export.table_file(rows, conversion_columns(q["by"]), q["format"],
                             f"conversion-by-{q['by']}-project-{project_id}", tz=tz,
                             encoding=q.get("encoding"), title=f"转化 Conversion ({q['by']})")


# CLI-13 file columns (rules.CONVERSION_COLUMNS, with Chinese and English headers)
CONVERSION_KEYS = {"consultant": [("key", "顾问编号 Consultant ID", "int"),
                                  ("name", "顾问 Consultant", "text")],
                   "media_source": [("key", "媒体来源 Media source", "text")],
                   "period": [("key", "周期 Period", "text")]}
CONVERSION_FIGURES = {"calls": ("来电 Calls", "int"), "visits": ("来访 Visits", "int"),
                      "deals": ("成交 Deals", "int"),
                      "call_to_visit": ("来电到访率 Call to visit", "percent"),
                      "visit_to_deal": ("到访成交率 Visit to deal", "percent"),
                      "target": ("成交目标 Target", "int"),
                      "target_achievement": ("目标达成率 Target achievement", "percent")}


def conversion_columns(by):
    return CONVERSION_KEYS[by] + [(k, *CONVERSION_FIGURES[k])
                                  for k in rules.CONVERSION_COLUMNS if k != "key"]
