"""Claims registered before the visit (CLI-04 referral chain, CLI-05 relatives and friends,
CLI-07 staff referral). A claim names a consultant; the use case then registers a contact for
that consultant through ``first_contact``, so a live owner is never displaced."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.common.decision import Decision, allow, refuse

from .base import _stamp
from .ownership import Ownership, is_live

PHONE_ONLY_EVIDENCE = ("referral_form", "call_record", "follow_up_records")  # CLI-07
# a claim registered now precedes any visit still to come
_BEFORE_THE_VISIT = timedelta(seconds=1)


def referral_chain_claim(referrer: Ownership | None, visit_at: datetime,
                         referral_registered_at: datetime | None = None,
                         named_on_arrival_id: int | None = None,
                         policy: Mapping[str, Any] | None = None, tz: str | None = None
                         ) -> Decision:
    """CLI-04: a customer introduced by a customer of A belongs to A only when the referral
    was registered before the visit or the newcomer names A on arrival."""
    if referrer is None or not is_live(referrer, visit_at, policy, tz):
        return allow("CLI-04", "the introducing customer has no owner with live protection: "
                     "no referral claim", "no_claim", owner_id=None)
    a = referrer.owner_id
    if referral_registered_at is not None and referral_registered_at < visit_at:
        return allow("CLI-04", f"referral registered {_stamp(referral_registered_at, tz)}, before "
                     f"the visit at {_stamp(visit_at, tz)}: the customer belongs to consultant {a}",
                     "referral_chain", owner_id=a)
    if named_on_arrival_id == a:
        return allow("CLI-04", f"the new customer named consultant {a} on arrival: belongs to "
                     f"consultant {a}", "referral_chain", owner_id=a)
    late = (f"referral registered {_stamp(referral_registered_at, tz)}, not before the visit"
            if referral_registered_at is not None else "no referral registered")
    return allow("CLI-04", f"{late} and consultant {a} not named on arrival: a chance meeting "
                 "gives no claim", "no_claim", owner_id=None)


def relative_claim(consultant_id: int, visit_at: datetime,
                   pre_registered_at: datetime | None = None, tz: str | None = None) -> Decision:
    """CLI-05: a relative or friend belongs to the consultant only if pre-registered."""
    if pre_registered_at is not None and pre_registered_at < visit_at:
        return allow("CLI-05", f"pre-registered by consultant {consultant_id} at "
                     f"{_stamp(pre_registered_at, tz)} as a relative/friend: belongs to them",
                     "relative", owner_id=consultant_id)
    return allow("CLI-05", f"no pre-registration by consultant {consultant_id} before the visit: "
                 "a relative or friend gives no claim", "no_claim", owner_id=None)


@dataclass(frozen=True)
class StaffReferral:
    """A member of staff refers a customer to a named consultant (员工推荐)."""
    referrer_id: int
    consultant_id: int
    registered_at: datetime
    phone_only: bool = False                  # customer only spoke to the consultant by phone
    evidence: frozenset[str] = frozenset()   # of PHONE_ONLY_EVIDENCE


def staff_referral_credit(referral: StaffReferral | None, receiving_id: int,
                          price_talk_started_at: datetime | None = None,
                          tz: str | None = None) -> Decision:
    """CLI-07: the named consultant when registered before price negotiation (phone-only
    referrals also need the referral form, call record and follow-up records); otherwise
    the receiving consultant keeps the credit."""
    if referral is None:
        return allow("CLI-07", f"no staff referral: receiving consultant {receiving_id} keeps "
                     "the credit", "receiving_consultant", owner_id=receiving_id)
    named = referral.consultant_id
    if price_talk_started_at is not None and referral.registered_at >= price_talk_started_at:
        return allow("CLI-07", f"referral registered {_stamp(referral.registered_at, tz)}, after "
                     f"price negotiation started at {_stamp(price_talk_started_at, tz)}: "
                     f"receiving consultant {receiving_id} keeps the credit",
                     "receiving_consultant", owner_id=receiving_id)
    missing = [e for e in PHONE_ONLY_EVIDENCE if e not in referral.evidence]
    if referral.phone_only and missing:
        return allow("CLI-07", f"phone-only referral to consultant {named} lacks "
                     f"{', '.join(missing)}: receiving consultant {receiving_id} keeps the credit",
                     "receiving_consultant", owner_id=receiving_id, missing=missing)
    how = " (phone-only, evidence produced)" if referral.phone_only else ""
    return allow("CLI-07", f"staff referral to consultant {named} registered before price "
                 f"negotiation{how}: the customer belongs to consultant {named}",
                 "referred_consultant", owner_id=named)




@dataclass(frozen=True)
class Claim:
    """A pre-registration's claim: the decision, and when allowed the consultant the customer
    belongs to, the contact kind to register and the customer's source."""
    decision: Decision
    consultant_id: int | None = None
    contact_kind: str = "referral"
    source: str | None = None


def pre_registration_claim(kind: str, registered_by: int | None, now: datetime,
                           consultant_id: int | None = None, referrer: Ownership | None = None,
                           policy: Mapping[str, Any] | None = None, tz: str | None = None
                           ) -> Claim:
    """CLI-04/05/07 at registration time: a relative or friend belongs to the consultant who
    registers them, a staff referral to the consultant it names, a customer's referral to the
    consultant who owns the introducing customer (live protection)."""
    visit_at = now + _BEFORE_THE_VISIT
    if kind == "relative":
        d = relative_claim(registered_by, visit_at, pre_registered_at=now, tz=tz)
        return Claim(d, registered_by, "pre_registration", "relative")
    if kind == "staff_referral":
        if consultant_id is None:
            return Claim(refuse("CLI-07", "a staff referral names the consultant",
                                "consultant_required", field="consultant_id"))
        d = staff_referral_credit(StaffReferral(registered_by, consultant_id, now),
                                  receiving_id=consultant_id, tz=tz)
        return Claim(d, consultant_id, "referral", "staff_referral")
    d = referral_chain_claim(referrer, visit_at, now, policy=policy, tz=tz)
    if d.outcome != "referral_chain":
        return Claim(refuse(d.rule, d.reason, d.outcome, field="referrer_customer_id"))
    return Claim(d, d.data["owner_id"], "referral", "customer_referral")
