"""Claims registered before the visit (CLI-04 referral chain, CLI-05 relatives and friends,
CLI-07 staff referral). A claim names a consultant; the use case then registers a contact for
that consultant through ``first_contact``, so a live owner is never displaced."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.common.decision import Decision, allow, refuse

from ..constants import EVIDENCE_ITEMS
from .base import LEADS, _roles, _stamp, _who
from .ownership import Ownership, is_live
from .visits import VisitFact

PHONE_ONLY_EVIDENCE = EVIDENCE_ITEMS  # CLI-07


def referral_chain_claim(referrer: Ownership | None, visit_at: datetime | None,
                         referral_registered_at: datetime | None = None,
                         named_on_arrival_id: int | None = None,
                         policy: Mapping[str, Any] | None = None, tz: str | None = None,
                         names: Mapping[int, str] | None = None) -> Decision:
    """CLI-04: a customer introduced by a customer of A belongs to A only when the referral
    was registered before the visit (``visit_at`` None: no visit on record yet) or the
    newcomer names A on arrival; the introducing customer's owner must have live protection.
    ``names``: person id -> name, for the reasons ("#<id>" for anyone left out)."""
    at = visit_at or referral_registered_at
    if referrer is None or at is None or not is_live(referrer, at, policy, tz):
        return allow("CLI-04", "the introducing customer has no owner with live protection: "
                     "no referral claim", "no_claim", owner_id=None)
    a, named = referrer.owner_id, _who(names, referrer.owner_id)
    if referral_registered_at is not None and visit_at is None:
        return allow("CLI-04", f"referral registered {_stamp(referral_registered_at, tz)}, "
                     f"before any visit: the customer belongs to consultant {named}",
                     "referral_chain", owner_id=a, named=False)
    if referral_registered_at is not None and referral_registered_at < visit_at:
        return allow("CLI-04", f"referral registered {_stamp(referral_registered_at, tz)}, before "
                     f"the visit at {_stamp(visit_at, tz)}: the customer belongs to consultant "
                     f"{named}",
                     "referral_chain", owner_id=a, named=False)
    if named_on_arrival_id == a:
        return allow("CLI-04", f"the new customer named consultant {named} on arrival: belongs "
                     f"to consultant {named}", "referral_chain", owner_id=a, named=True)
    late = (f"referral registered {_stamp(referral_registered_at, tz)}, not before the visit"
            if referral_registered_at is not None else "no referral registered")
    return allow("CLI-04", f"{late} and consultant {named} not named on arrival: a chance meeting "
                 "gives no claim", "no_claim", owner_id=None)


def relative_claim(consultant_id: int, visit_at: datetime | None,
                   pre_registered_at: datetime | None = None, tz: str | None = None,
                   names: Mapping[int, str] | None = None) -> Decision:
    """CLI-05: a relative or friend belongs to the consultant only if pre-registered before
    the visit (``visit_at`` None: no visit on record yet)."""
    if pre_registered_at is not None and (visit_at is None or pre_registered_at < visit_at):
        return allow("CLI-05", f"pre-registered by consultant {_who(names, consultant_id)} at "
                     f"{_stamp(pre_registered_at, tz)} as a relative/friend: belongs to them",
                     "relative", owner_id=consultant_id)
    return allow("CLI-05", f"no pre-registration by consultant {_who(names, consultant_id)} "
                 "before the visit: a relative or friend gives no claim", "no_claim", owner_id=None)


@dataclass(frozen=True)
class StaffReferral:
    """A member of staff refers a customer to a named consultant (员工推荐)."""
    referrer_id: int
    consultant_id: int
    registered_at: datetime
    phone_only: bool = False                  # customer only spoke to the consultant by phone
    evidence: frozenset[str] = frozenset()   # of PHONE_ONLY_EVIDENCE


def _keeper(receiving_id: int | None, names: Mapping[int, str] | None = None) -> str:
    """Who keeps the credit when a staff referral does not count: the consultant who received
    (or owns) the customer, or, before anyone has, whoever will receive them."""
    if receiving_id is None:
        return "the consultant who receives the customer keeps the credit"
    return f"receiving consultant {_who(names, receiving_id)} keeps the credit"


def staff_referral_credit(referral: StaffReferral | None, receiving_id: int | None,
                          price_talk_started_at: datetime | None = None,
                          tz: str | None = None,
                          names: Mapping[int, str] | None = None) -> Decision:
    """CLI-07: the named consultant when registered before price negotiation (phone-only
    referrals also need the referral form, call record and follow-up records); otherwise
    the receiving consultant keeps the credit (``receiving_id`` None: nobody received the
    customer yet)."""
    if referral is None:
        return allow("CLI-07", f"no staff referral: {_keeper(receiving_id, names)}",
                     "receiving_consultant", owner_id=receiving_id)
    named = _who(names, referral.consultant_id)
    if price_talk_started_at is not None and referral.registered_at >= price_talk_started_at:
        return allow("CLI-07", f"referral registered {_stamp(referral.registered_at, tz)}, after "
                     f"price negotiation started at {_stamp(price_talk_started_at, tz)}: "
                     f"{_keeper(receiving_id, names)}",
                     "receiving_consultant", owner_id=receiving_id)
    missing = [e for e in PHONE_ONLY_EVIDENCE if e not in referral.evidence]
    if referral.phone_only and missing:
        return allow("CLI-07", f"phone-only referral to consultant {named} lacks "
                     f"{', '.join(missing)}: {_keeper(receiving_id, names)}",
                     "receiving_consultant", owner_id=receiving_id, missing=missing)
    how = " (phone-only, evidence produced)" if referral.phone_only else ""
    return allow("CLI-07", f"staff referral to consultant {named} registered before price "
                 f"negotiation{how}: the customer belongs to consultant {named}",
                 "referred_consultant", owner_id=referral.consultant_id)




@dataclass(frozen=True)
class Claim:
    """A pre-registration's claim: the decision, and when allowed the consultant the customer
    belongs to, the contact kind to register, the customer's source and ``effective_at``: an
    owner registered at or after it came after the claim and gives way (CLI-02 order).
    ``status`` awaiting_evidence: a phone-only staff referral still missing evidence."""
    decision: Decision
    consultant_id: int | None = None
    contact_kind: str = "referral"
    source: str | None = None
    effective_at: datetime | None = None
    status: str = "honoured"


def pre_registration_claim(kind: str, registered_by: int | None, registered_at: datetime,
                           consultant_id: int | None = None, referrer: Ownership | None = None,
                           visit: VisitFact | None = None,
                           price_talk_at: datetime | None = None, phone_only: bool = False,
                           evidence: Iterable[str] = (),
                           policy: Mapping[str, Any] | None = None, tz: str | None = None,
                           owner_id: int | None = None,
                           names: Mapping[int, str] | None = None) -> Claim:
    """CLI-04/05/07 with stored times only: ``registered_at`` is when the claim was
    registered, ``visit`` the customer's first visit on record (its arrival and whom the
    customer named), ``price_talk_at`` the recorded start of price negotiation, ``owner_id``
    the customer's owner now (who keeps a staff referral's credit before any visit).

    A relative or friend (CLI-05) and a customer's referral (CLI-04) need the registration
    before the visit (CLI-04 also: the newcomer named A on arrival); a staff referral (CLI-07)
    needs it before price negotiation, and a phone-only one the three pieces of evidence."""
    arrived = visit.arrived_at if visit else None
    if kind == "relative":
        d = relative_claim(registered_by, arrived, pre_registered_at=registered_at, tz=tz,
                           names=names)
        if d.outcome != "relative":
            return Claim(refuse(d.rule, d.reason, "no_claim", field="phone"))
        return Claim(d, registered_by, "pre_registration", "relative", registered_at)
    if kind == "staff_referral":
        if consultant_id is None:
            return Claim(refuse("CLI-07", "a staff referral names the consultant",
                                "consultant_required", field="consultant_id"))
        receiving = visit.person_id if visit and visit.person_id else owner_id
        d = staff_referral_credit(StaffReferral(registered_by, consultant_id, registered_at,
                                                phone_only, frozenset(evidence)),
                                  receiving_id=receiving, price_talk_started_at=price_talk_at,
                                  tz=tz, names=names)
        if d.outcome == "referred_consultant":
            effective = min(registered_at, arrived) if arrived else registered_at
            return Claim(d, consultant_id, "referral", "staff_referral", effective)
        if d.data.get("missing") and not (price_talk_at and registered_at >= price_talk_at):
            return Claim(d, None, "referral", "staff_referral", status="awaiting_evidence")
        return Claim(refuse(d.rule, d.reason, "receiving_consultant", field="consultant_id"))
    d = referral_chain_claim(referrer, arrived, registered_at,
                             visit.named_person_id if visit else None, policy=policy, tz=tz,
                             names=names)
    if d.outcome != "referral_chain":
        return Claim(refuse(d.rule, d.reason, d.outcome, field="referrer_customer_id"))
    effective = arrived if d.data.get("named") else registered_at
    return Claim(d, d.data["owner_id"], "referral", "customer_referral", effective)


def price_negotiation(started_at: datetime | None, started_by: int | None, actor_id: int | None,
                      roles: Iterable[str], receivers: Iterable[int], now: datetime,
                      tz: str | None = None, names: Mapping[int, str] | None = None) -> Decision:
    """CLI-07: the start of price negotiation is a recorded fact (who, when), recorded once by
    a consultant who received or owns the customer, or by a supervisor or manager."""
    if started_at is not None:
        return refuse("CLI-07", f"price negotiation already started at {_stamp(started_at, tz)} "
                      f"(recorded by {_who(names, started_by)})", "already_started",
                      started_at=started_at.isoformat())
    if not (_roles(roles) & LEADS) and actor_id not in set(receivers):
        return refuse("CLI-07", f"{_who(names, actor_id)} neither received nor owns this customer: "
                      "the receiving consultant, a supervisor or a manager records price "
                      "negotiation", "not_the_receiver")
    return allow("CLI-07", f"price negotiation started at {_stamp(now, tz)}, recorded by "
                 f"{_who(names, actor_id)}: a staff referral registered from now on leaves the "
                 "credit with the receiving consultant", "price_talk_started",
                 started_at=now.isoformat(), started_by=actor_id)


def check_evidence(phone_only: bool, status: str, consultant_id: int | None,
                   actor_id: int | None, roles: Iterable[str], items: Iterable[str],
                   names: Mapping[int, str] | None = None) -> Decision:
    """CLI-07: the referred consultant (or a supervisor or manager) produces the evidence of a
    phone-only referral: referral form, call record, follow-up records."""
    items = list(items)
    if not phone_only or status != "awaiting_evidence":
        return refuse("CLI-07", f"this claim is {status}: no evidence awaited", "not_awaiting",
                      field="items")
    if not (_roles(roles) & LEADS) and actor_id != consultant_id:
        return refuse("CLI-07", f"only consultant {_who(names, consultant_id)} (the referral "
                      "names them), a "
                      "supervisor or a manager produces the evidence", "forbidden")
    unknown = [i for i in items if i not in PHONE_ONLY_EVIDENCE]
    if not items or unknown:
        return refuse("CLI-07", f"evidence items are {', '.join(PHONE_ONLY_EVIDENCE)}"
                      + (f"; not {', '.join(unknown)}" if unknown else ""), "invalid",
                      field="items")
    return allow("CLI-07", f"evidence produced: {', '.join(items)}", "evidence", items=items)
