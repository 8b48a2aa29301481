"""Ownership (客户归属): first contact and the protection period (CLI-02/03), poaching (CLI-09),
change of consultant (CLI-10), disputes and overrides (CLI-11).

Ownership moves only through ``OwnershipChange`` results (first_contact, change_consultant,
override_ownership), so a customer never has two owners (CLI-02). Days are project-local
calendar days (SYS-04) and a period of N days includes its Nth day: protection is live on day
90 after the last contact and lapsed from day 91.

Reasons name people by name: ``names`` (person id -> name, as the use case found them in the
directory replica) is every rule's last argument; anyone it leaves out is "#<id>".
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.common.decision import Decision, allow, refuse

from .base import (
    OVERRIDE_ROLES,
    SIGN_OFF_ROLES,
    _blank,
    _days_since,
    _roles,
    _stamp,
    _who,
    policy_with_defaults,
)

# Registered contacts (CLI-02). A claim (referral, pre-registration) is registered as a contact
# of the claiming consultant so it goes through the same ownership rule.
CONTACT_KINDS = ("visit", "call", "follow_up", "referral", "pre_registration",
                 "re_registration")

@dataclass(frozen=True)
class Contact:
    """One registered contact with a customer (CLI-02). ``at`` is when it was registered;
    ``seq`` (the register's row order) breaks ties between equal times."""
    consultant_id: int
    at: datetime
    kind: str = "visit"
    seq: int = 0
    source: str | None = None
    sign_off_by: int | None = None            # CLI-03 re-registration after lapse
    sign_off_roles: frozenset[str] = frozenset()
    effective_at: datetime | None = None      # CLI-04/05/07 claim: owners from then give way
    rule: str = "CLI-02"                      # the claim's rule, for the replay


@dataclass(frozen=True)
class Ownership:
    """Who owns a customer now. ``last_contact_at`` (anyone's registered contact) runs the
    protection clock; ``last_follow_up_at`` (the owner's own contacts) runs the no-follow-up
    clock. ``shares`` is the CLI-10 credit split; empty means 100% to the owner."""
    owner_id: int
    since: datetime
    last_contact_at: datetime
    last_follow_up_at: datetime | None = None
    source: str | None = None
    shares: tuple[tuple[int, float], ...] = ()

    @property
    def follow_up_at(self) -> datetime:
        return self.last_follow_up_at or self.last_contact_at

    def credit_split(self) -> list[dict[str, Any]]:
        """[{"person_id", "percent"}] -- the shape reception's REC-11 decision uses."""
        shares = self.shares or ((self.owner_id, 100.0),)
        return [{"person_id": pid, "percent": pct} for pid, pct in shares]


@dataclass(frozen=True)
class OwnershipChange:
    """A decision about ownership and the ownership that results (None: nobody owns)."""
    decision: Decision
    ownership: Ownership | None

    @property
    def owner_id(self) -> int | None:
        return self.ownership.owner_id if self.ownership else None

    def announced(self, previous_owner_id: int | None) -> bool:
        """Whether the change is announced (``ownership_changed``): a new owner, and every
        change of consultant or override, even back to the same owner."""
        return self.decision.allowed and (self.owner_id != previous_owner_id or
                                          self.decision.outcome in ("consultant_changed",
                                                                    "override"))


@dataclass(frozen=True)
class OwnershipHistory:
    """CLI-11: ownership replayed from the registration records, with every decision."""
    ownership: Ownership | None
    decisions: tuple[Decision, ...]


def protection_status(current: Ownership | None, now: datetime,
                      policy: Mapping[str, Any] | None = None, tz: str | None = None,
                      names: Mapping[int, str] | None = None) -> Decision:
    """CLI-03: live through day ``protection_days`` after the last registered contact."""
    p = policy_with_defaults(policy)
    if current is None:
        return allow("CLI-03", "no registered owner", "no_owner", live=False, owner_id=None)
    days, limit = _days_since(current.last_contact_at, now, tz), p["protection_days"]
    facts = dict(owner_id=current.owner_id, days_since_contact=days, protection_days=limit,
                 last_contact_at=current.last_contact_at.isoformat())
    owner = _who(names, current.owner_id)
    if days <= limit:
        return allow("CLI-03", f"consultant {owner}'s protection is live: last contact "
                     f"{days} days ago, {limit} days allowed", "live", live=True,
                     days_left=limit - days, **facts)
    return allow("CLI-03", f"consultant {owner}'s protection lapsed: last contact "
                 f"{days} days ago, {limit} days allowed", "lapsed", live=False, days_left=0,
                 **facts)


def is_live(current: Ownership | None, now: datetime, policy: Mapping[str, Any] | None = None,
            tz: str | None = None) -> bool:
    return bool(protection_status(current, now, policy, tz).data["live"])


def first_contact(current: Ownership | None, contact: Contact,
                  policy: Mapping[str, Any] | None = None, tz: str | None = None,
                  names: Mapping[int, str] | None = None) -> OwnershipChange:
    """CLI-02/CLI-03: apply one registered contact to the current ownership.

    Outcomes: new_owner, contact_recorded (the owner's own contact), unchanged_owner (someone
    else's contact while protection is live: recorded for the owner, renews protection),
    re_registered (lapsed, same consultant, signed off), sign_off_required (refused).
    """
    if contact.kind not in CONTACT_KINDS:
        raise ValueError(f"contact kind must be one of {', '.join(CONTACT_KINDS)}")
    who, when = contact.consultant_id, _stamp(contact.at, tz)
    by = _who(names, who)
    fresh = Ownership(owner_id=who, since=contact.at, last_contact_at=contact.at,
                      last_follow_up_at=contact.at, source=contact.source)
    if current is None:
        return OwnershipChange(allow(
            "CLI-02", f"first registered contact ({contact.kind} at {when}): consultant {by} "
            "owns the customer", "new_owner", owner_id=who, previous_owner_id=None), fresh)
    status = protection_status(current, contact.at, policy, tz)
    owner, owned_by = current.owner_id, _who(names, current.owner_id)
    if status.data["live"]:
        # pin the follow-up clock first: someone else's contact must not move it
        renewed = replace(current, last_follow_up_at=current.follow_up_at,
                          last_contact_at=max(current.last_contact_at, contact.at))
        if who == owner:
            renewed = replace(renewed, last_follow_up_at=max(current.follow_up_at, contact.at))
            return OwnershipChange(allow(
                "CLI-02", f"{contact.kind} at {when} recorded for owner consultant {by}; "
                "protection renewed", "contact_recorded", owner_id=who,
                previous_owner_id=owner), renewed)
        return OwnershipChange(allow(
            "CLI-02", f"customer already belongs to consultant {owned_by} (registered "
            f"{_stamp(current.since, tz)}, protection live, {status.data['days_left']} days "
            f"left); consultant {by}'s {contact.kind} at {when} is recorded for the owner",
            "unchanged_owner", owner_id=owner, previous_owner_id=owner,
            contact_consultant_id=who), renewed)
    days = status.data["days_since_contact"]
    if who != owner:
        return OwnershipChange(allow(
            "CLI-03", f"consultant {owned_by}'s protection lapsed ({days} days since last "
            f"contact, {status.data['protection_days']} allowed); consultant {by} takes the "
            "customer by "
            f"first contact at {when}", "new_owner", owner_id=who, previous_owner_id=owner),
            fresh)
    if contact.sign_off_by is None or not (contact.sign_off_roles & SIGN_OFF_ROLES):
        return OwnershipChange(refuse(
            "CLI-03", f"consultant {by}'s protection lapsed ({days} days since last contact); "
            "re-registering needs a supervisor's sign-off", "sign_off_required",
            owner_id=None, previous_owner_id=owner), current)
    return OwnershipChange(allow(
        "CLI-03", f"consultant {by} re-registers the customer after the lapse ({days} days), "
        f"signed off by {_who(names, contact.sign_off_by)}", "re_registered", owner_id=who,
        previous_owner_id=owner, sign_off_by=contact.sign_off_by), fresh)


def ownership_from_records(contacts: Iterable[Contact], policy: Mapping[str, Any] | None = None,
                           tz: str | None = None,
                           names: Mapping[int, str] | None = None) -> OwnershipHistory:
    """CLI-02/CLI-11: replay the register in registration order (time, then row order)."""
    current: Ownership | None = None
    decisions = []
    for contact in sorted(contacts, key=lambda c: (c.at, c.seq)):
        if contact.effective_at is not None:          # a claim (CLI-04/05/07)
            claim = allow(contact.rule, f"{contact.kind} for consultant "
                          f"{_who(names, contact.consultant_id)}")
            change = claim_ownership(current, claim, contact.consultant_id, contact.at,
                                     contact.effective_at, policy, tz, names)
            if not change.decision.allowed:
                change = OwnershipChange(change.decision, current)
        else:
            change = first_contact(current, contact, policy, tz, names)
        decisions.append(change.decision)
        current = change.ownership
    return OwnershipHistory(current, tuple(decisions))



def ownership_lookup(current: Ownership | None, now: datetime,
                     policy: Mapping[str, Any] | None = None, tz: str | None = None,
                     names: Mapping[int, str] | None = None) -> Decision:
    """REC-07/CLI-02: what the lookup at reception start tells the desk -- nobody, or the
    owner and whether the protection is live."""
    if current is None:
        return allow("CLI-02", "no registered contact for this phone", "no_owner", live=False,
                     owner_id=None)
    return protection_status(current, now, policy, tz, names)


def visit_credited_to(person_id: int, kind: str | None = None,
                      credit_owner_id: int | None = None) -> int:
    """REC-07/CLI-02: a received visit is a contact of the consultant who received it; a duty
    reception is recorded for the owner it was made for, so the credit stays with them."""
    return credit_owner_id if kind == "duty" and credit_owner_id else person_id


def check_follow_up(owner_id: int | None, consultant_id: int | None,
                    names: Mapping[int, str] | None = None) -> Decision:
    """CLI-03: only the owning consultant records follow-ups (they renew the protection)."""
    if owner_id is None or owner_id != consultant_id:
        return refuse("CLI-03", "only the owning consultant records follow-ups on a customer",
                      "not_owner", owner_id=owner_id)
    return allow("CLI-03", f"follow-up by owner consultant {_who(names, owner_id)}",
                 "follow_up")


def check_poaching(current: Ownership | None, receiver_id: int, now: datetime,
                   duty_reception: bool = False, policy: Mapping[str, Any] | None = None,
                   tz: str | None = None, names: Mapping[int, str] | None = None) -> Decision:
    """CLI-09: receiving another consultant's customer (live protection) for oneself is
    poaching: the customer returns to the owner and the receiver is fined. A duty reception
    (REC-07, credit stays with the owner) is not poaching."""
    p = policy_with_defaults(policy)
    if current is None or not is_live(current, now, policy, tz):
        return allow("CLI-09", "no owner with live protection: not poaching", "no_owner")
    owner = current.owner_id
    receiver, owned_by = _who(names, receiver_id), _who(names, owner)
    if owner == receiver_id:
        return allow("CLI-09", f"consultant {receiver} receives their own customer", "own")
    if duty_reception:
        return allow("CLI-09", f"duty reception for owner consultant {owned_by}: credit stays "
                     "with the owner, not poaching", "duty_reception", owner_id=owner)
    return refuse("CLI-09", f"customer belongs to consultant {owned_by}: consultant {receiver} "
                  f"poached; the customer returns to the owner and the fine is "
                  f"{p['poaching_fine']}", "poaching", owner_id=owner, poacher_id=receiver_id,
                  fine=p["poaching_fine"])


@dataclass(frozen=True)
class PoachingRecord:
    """CLI-09 as a supervisor records it: the finding (stored and answered) and, when there is
    nothing to record, the refusal."""
    finding: Decision
    refusal: Decision | None = None


def record_poaching(current: Ownership | None, receiver_id: int, now: datetime,
                    policy: Mapping[str, Any] | None = None, tz: str | None = None,
                    names: Mapping[int, str] | None = None) -> PoachingRecord:
    """CLI-09: poaching is recorded only when ``check_poaching`` finds it."""
    d = check_poaching(current, receiver_id, now, policy=policy, tz=tz, names=names)
    if d.outcome == "poaching":
        return PoachingRecord(d)
    return PoachingRecord(d, refuse("CLI-09", f"not poaching: {d.reason}", d.outcome))


# ---------------------------------------------------------------- CLI-10 change of consultant

def _split(shares: Sequence[tuple[int, float]], new_id: int, new_percent: int
           ) -> tuple[tuple[int, float], ...]:
    """Old shares scaled to the old part, the new consultant adds the new part."""
    keep = (100 - new_percent) / 100
    out: dict[int, float] = {}
    for pid, pct in shares:
        out[pid] = out.get(pid, 0.0) + pct * keep
    out[new_id] = out.get(new_id, 0.0) + new_percent
    return tuple((pid, round(pct, 2)) for pid, pct in out.items() if pct > 0)


def change_consultant(current: Ownership | None, new_id: int, now: datetime,
                      at_customer_request: bool = True, policy: Mapping[str, Any] | None = None,
                      tz: str | None = None,
                      names: Mapping[int, str] | None = None) -> OwnershipChange:
    """CLI-10/REC-11: at the customer's request the new consultant owns; credit is split
    (old owners' shares scaled to 100 - change_split_percent, the new one gets the rest)."""
    p = policy_with_defaults(policy)
    if not at_customer_request:
        return OwnershipChange(refuse("CLI-10", "a change of consultant needs the customer's "
                                      "request", "not_requested"), current)
    new = _who(names, new_id)
    if current is not None and current.owner_id == new_id:
        return OwnershipChange(refuse("CLI-10", f"consultant {new} already owns the customer",
                                      "same_consultant"), current)
    fresh = Ownership(owner_id=new_id, since=now, last_contact_at=now, last_follow_up_at=now,
                      source=current.source if current else None)
    if current is None or not is_live(current, now, p, tz):
        return OwnershipChange(allow("CLI-10", f"no owner with live protection: consultant "
                                     f"{new} takes the customer whole", "consultant_changed",
                                     owner_id=new_id, previous_owner_id=None,
                                     credit_split=fresh.credit_split()), fresh)
    shares = _split([(d["person_id"], d["percent"]) for d in current.credit_split()], new_id,
                    p["change_split_percent"])
    changed = replace(fresh, shares=shares)
    old = 100 - p["change_split_percent"]
    return OwnershipChange(allow(
        "CLI-10", f"at the customer's request consultant {new} replaces consultant "
        f"{_who(names, current.owner_id)}; deal credit split "
        f"{old}:{p['change_split_percent']} old:new",
        "consultant_changed", owner_id=new_id, previous_owner_id=current.owner_id,
        credit_split=changed.credit_split()), changed)


# ---------------------------------------------------------------- CLI-11 disputes

def resolve_dispute(contacts: Iterable[Contact], policy: Mapping[str, Any] | None = None,
                    tz: str | None = None,
                    names: Mapping[int, str] | None = None) -> OwnershipHistory:
    """CLI-11: decided by the registration records; the last decision cites CLI-11."""
    history = ownership_from_records(contacts, policy, tz, names)
    if history.ownership is None:
        verdict = allow("CLI-11", "no registration on record: nobody owns the customer",
                        "by_records", owner_id=None)
    else:
        o = history.ownership
        verdict = allow("CLI-11", f"by the registration records consultant "
                        f"{_who(names, o.owner_id)} owns the customer (registered "
                        f"{_stamp(o.since, tz)}, last contact "
                        f"{_stamp(o.last_contact_at, tz)})", "by_records", owner_id=o.owner_id)
    return OwnershipHistory(history.ownership, history.decisions + (verdict,))


def override_ownership(current: Ownership | None, new_owner_id: int, actor_id: int,
                       actor_roles: Iterable[str], reason: str | None, now: datetime,
                       names: Mapping[int, str] | None = None) -> OwnershipChange:
    """CLI-11: a supervisor or manager may override the records with a written reason."""
    if not (_roles(actor_roles) & OVERRIDE_ROLES):
        return OwnershipChange(refuse("CLI-11", f"{_who(names, actor_id)} is not a supervisor or "
                                      "manager and may not override ownership", "forbidden"),
                               current)
    if _blank(reason):
        return OwnershipChange(refuse("CLI-11", "an ownership override needs a written reason",
                                      "reason_required", field="reason"), current)
    fresh = Ownership(owner_id=new_owner_id, since=now, last_contact_at=now,
                      last_follow_up_at=now, source=current.source if current else None)
    previous = current.owner_id if current else None
    return OwnershipChange(allow(
        "CLI-11", f"ownership set to consultant {_who(names, new_owner_id)} (was "
        f"{_who(names, previous)}) by {_who(names, actor_id)}: {reason.strip()}", "override",
        owner_id=new_owner_id, previous_owner_id=previous, actor_id=actor_id,
        written_reason=reason.strip()), fresh)



# ---------------------------------------------------------------- CLI-03 re-registration

def re_registration(current: Ownership | None, consultant_id: int, now: datetime,
                    sign_off_by: int | None, sign_off_roles: Iterable[str],
                    policy: Mapping[str, Any] | None = None, tz: str | None = None,
                    names: Mapping[int, str] | None = None) -> OwnershipChange:
    """CLI-03: after the protection lapsed the same consultant re-registers the customer only
    with a supervisor's (or manager's) sign-off; with live protection there is nothing to
    re-register, and another consultant takes a lapsed customer by first contact."""
    status = protection_status(current, now, policy, tz)
    if current is None or status.data["live"]:
        what = "no owner" if current is None else "protection is live"
        return OwnershipChange(refuse("CLI-03", f"{what}: nothing to re-register",
                                      "not_lapsed", field="customer_id"), current)
    if current.owner_id != consultant_id:
        return OwnershipChange(refuse(
            "CLI-03", f"consultant {_who(names, consultant_id)} is not the lapsed owner "
            f"({_who(names, current.owner_id)}): "
            "another consultant takes a lapsed customer by first contact, no sign-off",
            "not_the_lapsed_owner", field="person_id"), current)
    contact = Contact(consultant_id, now, "visit", sign_off_by=sign_off_by,
                      sign_off_roles=_roles(sign_off_roles))
    change = first_contact(current, contact, policy, tz, names)
    if not change.decision.allowed:
        d = change.decision
        return OwnershipChange(refuse(d.rule, d.reason, d.outcome, field="sign_off"), current)
    return change


# ---------------------------------------------------------------- CLI-04/05/07 claims

def claim_ownership(current: Ownership | None, claim: Decision, consultant_id: int,
                    registered_at: datetime, effective_at: datetime,
                    policy: Mapping[str, Any] | None = None, tz: str | None = None,
                    names: Mapping[int, str] | None = None) -> OwnershipChange:
    """CLI-04/05/07 applied to the ownership: the claimant owns unless an owner with live
    protection registered before the claim took effect (registration order, CLI-02); an owner
    registered at or after ``effective_at`` (the receiving consultant of the visit the claim
    precedes) gives way. ``claim`` is the claim rule's decision (its rule is cited)."""
    rule, who = claim.rule, consultant_id
    by = _who(names, who)
    fresh = Ownership(owner_id=who, since=registered_at, last_contact_at=registered_at,
                      last_follow_up_at=registered_at,
                      source=current.source if current else None)
    if current is None or not is_live(current, registered_at, policy, tz):
        return OwnershipChange(allow(rule, f"{claim.reason}; consultant {by} owns the "
                                     "customer", "new_owner", owner_id=who,
                                     previous_owner_id=current.owner_id if current else None),
                               fresh)
    owner, owned_by = current.owner_id, _who(names, current.owner_id)
    if owner == who:
        renewed = replace(current, last_contact_at=max(current.last_contact_at, registered_at),
                          last_follow_up_at=max(current.follow_up_at, registered_at))
        return OwnershipChange(allow(rule, f"{claim.reason}; consultant {by} already owns the "
                                     "customer", "contact_recorded", owner_id=who,
                                     previous_owner_id=owner), renewed)
    if current.since >= effective_at:
        taken = replace(fresh, last_contact_at=max(current.last_contact_at, registered_at))
        return OwnershipChange(allow(
            rule, f"{claim.reason}; consultant {owned_by}'s registration "
            f"({_stamp(current.since, tz)}) came after the claim ({_stamp(effective_at, tz)}): "
            f"consultant {by} owns the customer", "claimed", owner_id=who,
            previous_owner_id=owner), taken)
    return OwnershipChange(refuse(
        rule, f"customer belongs to consultant {owned_by} since {_stamp(current.since, tz)}, "
        "before "
        f"the claim ({_stamp(effective_at, tz)}): registration order decides (CLI-02)",
        "owner_kept", owner_id=owner), current)
