"""Client attribution rules (CLI-01..CLI-14), pure: no I/O, no clock, no database.

Every function answers with a ``Decision`` (SYS-01) or a small dataclass holding Decisions.
Times are aware datetimes; "days" are project-local calendar days (SYS-04), and a period of
N days includes its Nth day: protection is live on day 90 after the last contact and lapsed
from day 91; a channel report is valid on day 30 and expired from day 31. Minute limits are
exact: a report 30:00 before the visit is on time, 29:59 is an interception; a deposit
10:00 after signing is on time, 10:00.001 later the subscription has lapsed.

Ownership moves only through ``OwnershipChange`` results (first_contact, change_consultant,
override_ownership), so a customer never has two owners (CLI-02). Claims (referral chain,
relatives, staff referral, call-to-visit) name a consultant; the service then registers a
contact for that consultant through ``first_contact``, so a live owner is never displaced.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from services.common.decision import Decision, allow, refuse
from services.common.timeutil import business_day, local

# SYS-03: per-project values and their defaults (RULEBOOK CLI-03, CLI-06, CLI-09, CLI-10, CLI-12).
POLICY_DEFAULTS: dict[str, Any] = {
    "protection_days": 90,        # CLI-03
    "no_follow_up_days": 30,      # CLI-03 (004 §14)
    "report_lead_minutes": 30,    # CLI-06
    "report_expiry_days": 30,     # CLI-06
    "change_split_percent": 50,   # CLI-10: the new consultant's share; the old keep the rest
    "deposit_minutes": 10,        # CLI-12
    "poaching_fine": 100,         # CLI-09 (004 §11)
}

SOURCES = ("walk_in", "call", "channel", "customer_referral", "staff_referral", "relative")
# Registered contacts (CLI-02). A claim (referral, pre-registration) is registered as a contact
# of the claiming consultant so it goes through the same ownership rule.
CONTACT_KINDS = ("visit", "call", "follow_up", "referral", "pre_registration")
SIGN_OFF_ROLES = frozenset({"supervisor", "manager"})     # CLI-03 re-registration sign-off
OVERRIDE_ROLES = frozenset({"supervisor", "manager"})     # CLI-11
FULL_PHONE_ROLES = frozenset({"supervisor", "manager"})   # CLI-14
ALL_REPORTS_ROLES = frozenset({"supervisor", "manager"})  # CLI-06 / CLI-14
PHONE_ONLY_EVIDENCE = ("referral_form", "call_record", "follow_up_records")  # CLI-07
SUBSCRIPTION_STATES = ("live", "lapsed", "withdrawn", "refunded", "voided")
GROUPINGS = ("consultant", "media_source", "period")
PERIODS = ("day", "week", "month")
VISIT_FIELDS = ("name", "phone", "source", "media_source", "consultant_id")
CALL_FIELDS = ("caller", "phone", "need", "how_heard", "answered_by")  # REC-12


def policy_with_defaults(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The project's policy (SYS-03) over the defaults; unknown keys or bad values raise."""
    values = dict(POLICY_DEFAULTS)
    for key, value in (overrides or {}).items():
        if key not in POLICY_DEFAULTS:
            raise ValueError(f"unknown clients policy key {key!r}")
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"clients policy {key} must be a whole number")
        values[key] = value
    for key, value in values.items():
        if value < 0 or (value == 0 and key not in ("poaching_fine", "change_split_percent")):
            raise ValueError(f"clients policy {key} must be positive, got {value}")
    if values["change_split_percent"] > 100:
        raise ValueError("change_split_percent is a share of 100")
    return values


# ---------------------------------------------------------------- helpers

def _stamp(moment: datetime, tz: str | None = None) -> str:
    return local(moment, tz).strftime("%Y-%m-%d %H:%M")


def _days_since(since: datetime, now: datetime, tz: str | None = None) -> int:
    """Local calendar days from ``since`` to ``now`` (SYS-04): same day 0, next day 1."""
    return (business_day(now, tz) - business_day(since, tz)).days


def _minutes(delta: timedelta) -> str:
    """29 min, 29 min 59 s -- a human figure that never rounds a boundary away."""
    seconds = int(delta.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    m, s = divmod(seconds, 60)
    return f"{sign}{m} min" + (f" {s} s" if s else "")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _roles(roles: Iterable[str] | None) -> frozenset[str]:
    return frozenset(roles or ())


# ---------------------------------------------------------------- CLI-01 identity

_SEPARATORS = re.compile(r"[\s\-.()/_]")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_phone(text: str | None) -> str:
    """CLI-01: canonical mainland mobile, 11 digits starting 13-19.

    Accepts spaces, dashes, dots, brackets, full-width digits and a +86 / 0086 / 86 prefix.
    Anything else raises ValueError (the message cites CLI-01); ``check_phone`` is the
    Decision form for callers that want a refusal instead.
    """
    if _blank(text):
        raise ValueError("CLI-01 phone number is empty")
    raw = unicodedata.normalize("NFKC", str(text)).strip()  # full-width １３８ → 138
    compact = _SEPARATORS.sub("", raw)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits.isdigit():
        raise ValueError(f"CLI-01 phone number {mask_phone(raw)!s} has characters other than "
                         "digits and separators")
    if plus:
        if not digits.startswith("86"):
            raise ValueError("CLI-01 only mainland China (+86) mobile numbers are accepted")
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise ValueError(f"CLI-01 {len(digits)} digits is not a mainland mobile number "
                         "(11 digits starting 13-19)")
    return digits


def check_phone(text: str | None) -> Decision:
    """CLI-01 as a Decision: allowed with ``data["phone"]`` or refused with the reason."""
    try:
        phone = normalise_phone(text)
    except ValueError as exc:
        return refuse("CLI-01", str(exc).removeprefix("CLI-01 "), "invalid_phone", field="phone")
    return allow("CLI-01", f"phone normalised to {mask_phone(phone)}", "phone_ok", phone=phone)


def check_source(source: str | None) -> Decision:
    """CLI-01/CLI-05: the customer source is one of SOURCES."""
    if source not in SOURCES:
        return refuse("CLI-01", f"source {source!r} is not one of {', '.join(SOURCES)}",
                      "invalid_source", field="source")
    return allow("CLI-01", f"source {source}", "source_ok", source=source)


# ---------------------------------------------------------------- ownership (CLI-02/03)

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


@dataclass(frozen=True)
class OwnershipHistory:
    """CLI-11: ownership replayed from the registration records, with every decision."""
    ownership: Ownership | None
    decisions: tuple[Decision, ...]


def protection_status(current: Ownership | None, now: datetime,
                      policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """CLI-03: live through day ``protection_days`` after the last registered contact."""
    p = policy_with_defaults(policy)
    if current is None:
        return allow("CLI-03", "no registered owner", "no_owner", live=False, owner_id=None)
    days, limit = _days_since(current.last_contact_at, now, tz), p["protection_days"]
    facts = dict(owner_id=current.owner_id, days_since_contact=days, protection_days=limit,
                 last_contact_at=current.last_contact_at.isoformat())
    if days <= limit:
        return allow("CLI-03", f"consultant {current.owner_id}'s protection is live: last contact "
                     f"{days} days ago, {limit} days allowed", "live", live=True,
                     days_left=limit - days, **facts)
    return allow("CLI-03", f"consultant {current.owner_id}'s protection lapsed: last contact "
                 f"{days} days ago, {limit} days allowed", "lapsed", live=False, days_left=0,
                 **facts)


def is_live(current: Ownership | None, now: datetime, policy: Mapping[str, Any] | None = None,
            tz: str | None = None) -> bool:
    return bool(protection_status(current, now, policy, tz).data["live"])


def first_contact(current: Ownership | None, contact: Contact,
                  policy: Mapping[str, Any] | None = None, tz: str | None = None
                  ) -> OwnershipChange:
    """CLI-02/CLI-03: apply one registered contact to the current ownership.

    Outcomes: new_owner, contact_recorded (the owner's own contact), unchanged_owner (someone
    else's contact while protection is live: recorded for the owner, renews protection),
    re_registered (lapsed, same consultant, signed off), sign_off_required (refused).
    """
    if contact.kind not in CONTACT_KINDS:
        raise ValueError(f"contact kind must be one of {', '.join(CONTACT_KINDS)}")
    who, when = contact.consultant_id, _stamp(contact.at, tz)
    fresh = Ownership(owner_id=who, since=contact.at, last_contact_at=contact.at,
                      last_follow_up_at=contact.at, source=contact.source)
    if current is None:
        return OwnershipChange(allow(
            "CLI-02", f"first registered contact ({contact.kind} at {when}): consultant {who} "
            "owns the customer", "new_owner", owner_id=who, previous_owner_id=None), fresh)
    status = protection_status(current, contact.at, policy, tz)
    owner = current.owner_id
    if status.data["live"]:
        # pin the follow-up clock first: someone else's contact must not move it
        renewed = replace(current, last_follow_up_at=current.follow_up_at,
                          last_contact_at=max(current.last_contact_at, contact.at))
        if who == owner:
            renewed = replace(renewed, last_follow_up_at=max(current.follow_up_at, contact.at))
            return OwnershipChange(allow(
                "CLI-02", f"{contact.kind} at {when} recorded for owner consultant {who}; "
                "protection renewed", "contact_recorded", owner_id=who,
                previous_owner_id=owner), renewed)
        return OwnershipChange(allow(
            "CLI-02", f"customer already belongs to consultant {owner} (registered "
            f"{_stamp(current.since, tz)}, protection live, {status.data['days_left']} days "
            f"left); consultant {who}'s {contact.kind} at {when} is recorded for the owner",
            "unchanged_owner", owner_id=owner, previous_owner_id=owner,
            contact_consultant_id=who), renewed)
    days = status.data["days_since_contact"]
    if who != owner:
        return OwnershipChange(allow(
            "CLI-03", f"consultant {owner}'s protection lapsed ({days} days since last contact, "
            f"{status.data['protection_days']} allowed); consultant {who} takes the customer by "
            f"first contact at {when}", "new_owner", owner_id=who, previous_owner_id=owner),
            fresh)
    if contact.sign_off_by is None or not (contact.sign_off_roles & SIGN_OFF_ROLES):
        return OwnershipChange(refuse(
            "CLI-03", f"consultant {who}'s protection lapsed ({days} days since last contact); "
            "re-registering needs a supervisor's sign-off", "sign_off_required",
            owner_id=None, previous_owner_id=owner), current)
    return OwnershipChange(allow(
        "CLI-03", f"consultant {who} re-registers the customer after the lapse ({days} days), "
        f"signed off by {contact.sign_off_by}", "re_registered", owner_id=who,
        previous_owner_id=owner, sign_off_by=contact.sign_off_by), fresh)


def ownership_from_records(contacts: Iterable[Contact], policy: Mapping[str, Any] | None = None,
                           tz: str | None = None) -> OwnershipHistory:
    """CLI-02/CLI-11: replay the register in registration order (time, then row order)."""
    current: Ownership | None = None
    decisions = []
    for contact in sorted(contacts, key=lambda c: (c.at, c.seq)):
        change = first_contact(current, contact, policy, tz)
        decisions.append(change.decision)
        current = change.ownership
    return OwnershipHistory(current, tuple(decisions))


# ---------------------------------------------------------------- CLI-04 / CLI-05 claims

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


# ---------------------------------------------------------------- CLI-06 channel reports

@dataclass(frozen=True)
class ChannelReport:
    """A channel agent's report (报备) of a customer; ``phone`` is normalised (CLI-01)."""
    report_id: int
    agent_id: int
    channel_id: int | str | None
    name: str
    phone: str
    reported_at: datetime


def check_report(name: str | None, phone: str | None, now: datetime,
                 current: Ownership | None = None, policy: Mapping[str, Any] | None = None,
                 tz: str | None = None) -> Decision:
    """CLI-06: a report needs a name and a valid phone; on a customer a consultant owns
    (live protection) it is refused as 撞单. Another channel's earlier report does not block
    it: the earlier valid report wins at the visit."""
    if _blank(name):
        return refuse("CLI-06", "a channel report needs the customer's name", "incomplete",
                      field="name")
    phone_check = check_phone(phone)
    if not phone_check.allowed:
        return refuse("CLI-06", f"a channel report needs a valid phone: {phone_check.reason}",
                      "incomplete", field="phone")
    if current is not None and is_live(current, now, policy, tz):
        return refuse("CLI-06", f"customer {mask_phone(phone_check.data['phone'])} already belongs "
                      f"to consultant {current.owner_id} (protection live): report refused (撞单)",
                      "conflict", owner_id=current.owner_id)
    return allow("CLI-06", f"report on {mask_phone(phone_check.data['phone'])} accepted at "
                 f"{_stamp(now, tz)}", "reported", phone_masked=mask_phone(phone_check.data["phone"]))


def report_expired(report: ChannelReport, now: datetime, policy: Mapping[str, Any] | None = None,
                   tz: str | None = None) -> Decision:
    """CLI-06: valid through day ``report_expiry_days`` after the report, expired after."""
    p = policy_with_defaults(policy)
    days, limit = _days_since(report.reported_at, now, tz), p["report_expiry_days"]
    if days > limit:
        return allow("CLI-06", f"report {report.report_id} is {days} days old; reports expire "
                     f"after {limit} days", "expired", expired=True, days=days)
    return allow("CLI-06", f"report {report.report_id} is {days} days old; valid for {limit} days",
                 "valid", expired=False, days=days)


def _same_name(a: str, b: str) -> bool:
    squash = lambda s: "".join(unicodedata.normalize("NFKC", s).split()).casefold()  # noqa: E731
    return squash(a) == squash(b)


def _report_problem(report: ChannelReport, name: str, phone: str, visit_at: datetime,
                    p: Mapping[str, Any], tz: str | None) -> str | None:
    """Why this report cannot claim the visit, or None when it can."""
    if report_expired(report, visit_at, p, tz).data["expired"]:
        return f"report {report.report_id} expired (over {p['report_expiry_days']} days old)"
    lead = visit_at - report.reported_at
    if lead < timedelta(minutes=p["report_lead_minutes"]):
        return (f"report {report.report_id} filed {_minutes(lead)} before the visit; "
                f"{p['report_lead_minutes']} min required (interception)")
    try:
        same_phone = normalise_phone(report.phone) == phone
    except ValueError:
        same_phone = False
    if not same_phone or not _same_name(report.name, name):
        return f"report {report.report_id} name/phone do not match the visit registration"
    return None


def channel_attribution(reports: Iterable[ChannelReport], visit_name: str, visit_phone: str,
                        visit_at: datetime, mentioned_at: datetime | None,
                        reception_started_at: datetime | None = None,
                        policy: Mapping[str, Any] | None = None, tz: str | None = None
                        ) -> Decision:
    """CLI-06: channel visit or natural visit (自然到访).

    The customer must mention the channel no later than the start of the standard reception;
    then the earliest report that is unexpired, filed >= lead minutes before the visit and
    matching name and phone wins. Anything else is a natural visit.
    """
    p = policy_with_defaults(policy)
    if mentioned_at is None:
        return allow("CLI-06", "the customer did not mention a channel: natural visit",
                     "natural_visit", agent_id=None)
    if reception_started_at is not None and mentioned_at > reception_started_at:
        return allow("CLI-06", f"channel mentioned at {_stamp(mentioned_at, tz)}, after the "
                     f"standard reception started at {_stamp(reception_started_at, tz)}: "
                     "natural visit", "natural_visit", agent_id=None)
    phone = normalise_phone(visit_phone)
    problems = []
    for report in sorted(reports, key=lambda r: (r.reported_at, r.report_id)):
        problem = _report_problem(report, visit_name, phone, visit_at, p, tz)
        if problem is None:
            lead = visit_at - report.reported_at
            return allow("CLI-06", f"report {report.report_id} by agent {report.agent_id} filed "
                         f"{_minutes(lead)} before the visit ({p['report_lead_minutes']} min "
                         "required) and matches name and phone: channel visit", "channel",
                         agent_id=report.agent_id, channel_id=report.channel_id,
                         report_id=report.report_id, lead_minutes=lead.total_seconds() / 60,
                         passed_over=problems)
        problems.append(problem)
    reason = problems[0] if problems else "no channel report for this customer"
    return allow("CLI-06", f"{reason}: natural visit", "natural_visit", agent_id=None,
                 passed_over=problems)


def may_see_report(report: ChannelReport, viewer_id: int, roles: Iterable[str]) -> Decision:
    """CLI-06/CLI-14: an agent sees only their own reports; supervisors and managers all."""
    if _roles(roles) & ALL_REPORTS_ROLES:
        return allow("CLI-06", "supervisors and managers see every channel report", "visible")
    if report.agent_id == viewer_id:
        return allow("CLI-06", "a channel agent sees their own reports", "visible")
    return refuse("CLI-06", f"report {report.report_id} belongs to another agent",
                  "not_visible")


def visible_reports(reports: Iterable[ChannelReport], viewer_id: int,
                    roles: Iterable[str]) -> list[ChannelReport]:
    return [r for r in reports if may_see_report(r, viewer_id, roles).allowed]


# ---------------------------------------------------------------- CLI-07 staff referral

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


# ---------------------------------------------------------------- CLI-08 call-to-visit

def call_to_visit(current: Ownership | None, arrival_at: datetime,
                  named_id: int | None = None, sms_id: int | None = None,
                  said_called: bool = False, policy: Mapping[str, Any] | None = None,
                  tz: str | None = None) -> Decision:
    """CLI-08: who receives a customer who says they called. Registration decides first
    (a live owner), then the consultant the customer names, then the one from the SMS."""
    if current is not None and is_live(current, arrival_at, policy, tz):
        note = (f" (the customer named consultant {named_id}; the register decides)"
                if named_id not in (None, current.owner_id) else "")
        return allow("CLI-08", f"registered owner consultant {current.owner_id} is notified and "
                     f"receives{note}", "owner", consultant_id=current.owner_id)
    if named_id is not None:
        return allow("CLI-08", f"the customer named consultant {named_id}, who is notified and "
                     "receives", "named_consultant", consultant_id=named_id)
    if sms_id is not None:
        return allow("CLI-08", f"consultant {sms_id} identified from the customer's SMS is "
                     "notified and receives", "sms_consultant", consultant_id=sms_id)
    why = ("a call with no registration does not make an owner" if said_called
           else "nobody identified")
    return allow("CLI-08", f"{why}: natural visit", "natural_visit", consultant_id=None)


# ---------------------------------------------------------------- CLI-09 poaching

def check_poaching(current: Ownership | None, receiver_id: int, now: datetime,
                   duty_reception: bool = False, policy: Mapping[str, Any] | None = None,
                   tz: str | None = None) -> Decision:
    """CLI-09: receiving another consultant's customer (live protection) for oneself is
    poaching: the customer returns to the owner and the receiver is fined. A duty reception
    (REC-07, credit stays with the owner) is not poaching."""
    p = policy_with_defaults(policy)
    if current is None or not is_live(current, now, policy, tz):
        return allow("CLI-09", "no owner with live protection: not poaching", "no_owner")
    owner = current.owner_id
    if owner == receiver_id:
        return allow("CLI-09", f"consultant {receiver_id} receives their own customer", "own")
    if duty_reception:
        return allow("CLI-09", f"duty reception for owner consultant {owner}: credit stays with "
                     "the owner, not poaching", "duty_reception", owner_id=owner)
    return refuse("CLI-09", f"customer belongs to consultant {owner}: consultant {receiver_id} "
                  f"poached; the customer returns to the owner and the fine is "
                  f"{p['poaching_fine']}", "poaching", owner_id=owner, poacher_id=receiver_id,
                  fine=p["poaching_fine"])


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
                      tz: str | None = None) -> OwnershipChange:
    """CLI-10/REC-11: at the customer's request the new consultant owns; credit is split
    (old owners' shares scaled to 100 - change_split_percent, the new one gets the rest)."""
    p = policy_with_defaults(policy)
    if not at_customer_request:
        return OwnershipChange(refuse("CLI-10", "a change of consultant needs the customer's "
                                      "request", "not_requested"), current)
    if current is not None and current.owner_id == new_id:
        return OwnershipChange(refuse("CLI-10", f"consultant {new_id} already owns the customer",
                                      "same_consultant"), current)
    fresh = Ownership(owner_id=new_id, since=now, last_contact_at=now, last_follow_up_at=now,
                      source=current.source if current else None)
    if current is None or not is_live(current, now, p, tz):
        return OwnershipChange(allow("CLI-10", f"no owner with live protection: consultant "
                                     f"{new_id} takes the customer whole", "consultant_changed",
                                     owner_id=new_id, previous_owner_id=None,
                                     credit_split=fresh.credit_split()), fresh)
    shares = _split([(d["person_id"], d["percent"]) for d in current.credit_split()], new_id,
                    p["change_split_percent"])
    changed = replace(fresh, shares=shares)
    old = 100 - p["change_split_percent"]
    return OwnershipChange(allow(
        "CLI-10", f"at the customer's request consultant {new_id} replaces consultant "
        f"{current.owner_id}; deal credit split {old}:{p['change_split_percent']} old:new",
        "consultant_changed", owner_id=new_id, previous_owner_id=current.owner_id,
        credit_split=changed.credit_split()), changed)


# ---------------------------------------------------------------- CLI-11 disputes

def resolve_dispute(contacts: Iterable[Contact], policy: Mapping[str, Any] | None = None,
                    tz: str | None = None) -> OwnershipHistory:
    """CLI-11: decided by the registration records; the last decision cites CLI-11."""
    history = ownership_from_records(contacts, policy, tz)
    if history.ownership is None:
        verdict = allow("CLI-11", "no registration on record: nobody owns the customer",
                        "by_records", owner_id=None)
    else:
        o = history.ownership
        verdict = allow("CLI-11", f"by the registration records consultant {o.owner_id} owns the "
                        f"customer (registered {_stamp(o.since, tz)}, last contact "
                        f"{_stamp(o.last_contact_at, tz)})", "by_records", owner_id=o.owner_id)
    return OwnershipHistory(history.ownership, history.decisions + (verdict,))


def override_ownership(current: Ownership | None, new_owner_id: int, actor_id: int,
                       actor_roles: Iterable[str], reason: str | None, now: datetime
                       ) -> OwnershipChange:
    """CLI-11: a supervisor or manager may override the records with a written reason."""
    if not (_roles(actor_roles) & OVERRIDE_ROLES):
        return OwnershipChange(refuse("CLI-11", f"person {actor_id} is not a supervisor or manager "
                                      "and may not override ownership", "forbidden"), current)
    if _blank(reason):
        return OwnershipChange(refuse("CLI-11", "an ownership override needs a written reason",
                                      "reason_required", field="reason"), current)
    fresh = Ownership(owner_id=new_owner_id, since=now, last_contact_at=now,
                      last_follow_up_at=now, source=current.source if current else None)
    previous = current.owner_id if current else None
    return OwnershipChange(allow(
        "CLI-11", f"ownership set to consultant {new_owner_id} (was {previous}) by {actor_id}: "
        f"{reason.strip()}", "override", owner_id=new_owner_id, previous_owner_id=previous,
        actor_id=actor_id, written_reason=reason.strip()), fresh)


# ---------------------------------------------------------------- CLI-12 units and deals

@dataclass(frozen=True)
class Subscription:
    """A subscription (认购) on a unit; status is one of SUBSCRIPTION_STATES."""
    subscription_id: int
    unit_id: int | str
    signed_at: datetime
    deposit_paid_at: datetime | None = None
    status: str = "live"


def deposit_status(sub: Subscription, now: datetime,
                   policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """CLI-12: the deposit is due within ``deposit_minutes`` of signing (inclusive)."""
    p = policy_with_defaults(policy)
    limit = timedelta(minutes=p["deposit_minutes"])
    deadline = sub.signed_at + limit
    if sub.deposit_paid_at is not None:
        took = sub.deposit_paid_at - sub.signed_at
        if took <= limit:
            return allow("CLI-12", f"deposit paid {_minutes(took)} after signing; "
                         f"{p['deposit_minutes']} min allowed", "deposit_paid")
        return refuse("CLI-12", f"deposit paid {_minutes(took)} after signing; "
                      f"{p['deposit_minutes']} min allowed: subscription lapsed, unit released",
                      "lapsed", release_unit=True)
    if now <= deadline:
        return allow("CLI-12", f"deposit due by {_stamp(deadline, tz)} "
                     f"({_minutes(deadline - now)} left)", "awaiting_deposit",
                     deadline=deadline.isoformat())
    return refuse("CLI-12", f"no deposit {_minutes(now - sub.signed_at)} after signing; "
                  f"{p['deposit_minutes']} min allowed: subscription lapsed, unit released",
                  "lapsed", release_unit=True)


def subscription_is_live(sub: Subscription, now: datetime,
                         policy: Mapping[str, Any] | None = None) -> bool:
    return sub.status == "live" and deposit_status(sub, now, policy).allowed


def check_subscription(unit_id: int | str, confirmed_by: int | None,
                       confirmer_roles: Iterable[str], existing: Iterable[Subscription],
                       now: datetime, policy: Mapping[str, Any] | None = None) -> Decision:
    """CLI-12: a subscription needs the manager's availability confirmation (销控), and a unit
    never has two live subscriptions (一房二卖)."""
    if confirmed_by is None or "manager" not in _roles(confirmer_roles):
        return refuse("CLI-12", f"unit {unit_id} needs a manager's availability confirmation "
                      "(销控) before a subscription", "availability_unconfirmed")
    for sub in existing:
        if sub.unit_id == unit_id and subscription_is_live(sub, now, policy):
            return refuse("CLI-12", f"unit {unit_id} already has live subscription "
                          f"{sub.subscription_id} (一房二卖)", "unit_taken",
                          subscription_id=sub.subscription_id)
    return allow("CLI-12", f"unit {unit_id} confirmed available by manager {confirmed_by}",
                 "subscription_allowed", confirmed_by=confirmed_by)


def check_withdrawal(sub: Subscription, approver_id: int | None, approver_roles: Iterable[str],
                     kind: str = "withdrawal") -> Decision:
    """CLI-12: a withdrawal or refund needs the manager's approval and is announced to all."""
    if kind not in ("withdrawal", "refund"):
        raise ValueError("kind is withdrawal or refund")
    if approver_id is None or "manager" not in _roles(approver_roles):
        return refuse("CLI-12", f"a {kind} of subscription {sub.subscription_id} needs the "
                      "manager's approval", "approval_required")
    if sub.status != "live":
        return refuse("CLI-12", f"subscription {sub.subscription_id} is {sub.status}, not live",
                      "not_live")
    status = "withdrawn" if kind == "withdrawal" else "refunded"
    return allow("CLI-12", f"{kind} of subscription {sub.subscription_id} approved by manager "
                 f"{approver_id}; unit {sub.unit_id} released and announced to all staff", status,
                 release_unit=True, announce_to_all=True, approved_by=approver_id)


def void_form(sub: Subscription, handed_to_id: int | None, handed_to_roles: Iterable[str]
              ) -> Decision:
    """CLI-12: a voided subscription form is handed to the clerk and kept."""
    if handed_to_id is None or "clerk" not in _roles(handed_to_roles):
        return refuse("CLI-12", f"voided form of subscription {sub.subscription_id} must be "
                      "handed to the clerk", "clerk_required")
    return allow("CLI-12", f"voided form of subscription {sub.subscription_id} handed to clerk "
                 f"{handed_to_id} and kept", "voided", clerk_id=handed_to_id, keep=True)


def check_form_destruction(sub: Subscription) -> Decision:
    """CLI-12: subscription forms are never destroyed."""
    return refuse("CLI-12", f"subscription {sub.subscription_id}'s form may not be destroyed; "
                  "voided forms go to the clerk", "never_destroyed")


def deal_credit(current: Ownership | None, closer_id: int, signed_at: datetime,
                policy: Mapping[str, Any] | None = None, tz: str | None = None) -> Decision:
    """CLI-12/CLI-03: credit goes to the owner(s) as attributed at signing, unless protection
    lapsed or the owner recorded no follow-up for ``no_follow_up_days`` -- then the closer."""
    p = policy_with_defaults(policy)
    whole = [{"person_id": closer_id, "percent": 100.0}]
    if current is None:
        return allow("CLI-12", f"no owner at signing: closer consultant {closer_id} gets the "
                     "credit", "closer", credit_split=whole)
    owners = {d["person_id"] for d in current.credit_split()}
    if closer_id not in owners:
        if not is_live(current, signed_at, p, tz):
            return allow("CLI-03", f"consultant {current.owner_id}'s protection had lapsed at "
                         f"signing: closer consultant {closer_id} gets the credit", "closer",
                         credit_split=whole, previous_owner_id=current.owner_id)
        quiet = _days_since(current.follow_up_at, signed_at, tz)
        if quiet > p["no_follow_up_days"]:
            return allow("CLI-03", f"owner consultant {current.owner_id} recorded no follow-up for "
                         f"{quiet} days ({p['no_follow_up_days']} allowed): closer consultant "
                         f"{closer_id} gets the credit", "closer", credit_split=whole,
                         previous_owner_id=current.owner_id, days_without_follow_up=quiet)
    split = current.credit_split()
    who = ", ".join(f"consultant {d['person_id']} {d['percent']:g}%" for d in split)
    return allow("CLI-12", f"deal credit as attributed at signing: {who}", "owner",
                 credit_split=split)


# ---------------------------------------------------------------- CLI-13 registers, conversion

def _get(entry: Any, key: str, default: Any = None) -> Any:
    return entry.get(key, default) if isinstance(entry, Mapping) else getattr(entry, key, default)


def check_register_entry(kind: str, entry: Mapping[str, Any]) -> Decision:
    """CLI-13: visit and call registers hold complete entries (values never echoed, CLI-14)."""
    fields = {"visit": VISIT_FIELDS, "call": CALL_FIELDS}.get(kind)
    if fields is None:
        raise ValueError("register kind is visit or call")
    missing = [f for f in fields if _blank(entry.get(f))]
    if missing:
        return refuse("CLI-13", f"{kind} register entry is missing {', '.join(missing)}",
                      "incomplete", missing=missing, field=missing[0])
    return allow("CLI-13", f"{kind} register entry complete", "complete")


def period_label(when: date | datetime, period: str = "month", tz: str | None = None) -> str:
    """CLI-13 period key: 2026-03-02 (day), 2026-W10 (ISO week), 2026-03 (month)."""
    day = business_day(when, tz) if isinstance(when, datetime) else when
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(f"period must be one of {', '.join(PERIODS)}")


def _group_key(entry: Any, by: str, period: str, tz: str | None) -> Any:
    if by == "consultant":
        return _get(entry, "consultant_id")
    if by == "media_source":
        return _get(entry, "media_source") or "unknown"
    when = _get(entry, "at") or _get(entry, "date")
    return period_label(when, period, tz)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def conversion_figures(calls: Iterable[Any], visits: Iterable[Any], deals: Iterable[Any],
                       by: str = "consultant", period: str = "month",
                       targets: Mapping[Any, int] | None = None, tz: str | None = None
                       ) -> Decision:
    """CLI-13: per consultant / media source / period: calls, visits, deals, visits per call,
    deals per visit and deals against target. Entries are mappings or objects with
    consultant_id, media_source and at (datetime) or date. Ratios are None when undefined."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    counts: dict[Any, dict[str, int]] = {}
    for name, entries in (("calls", calls), ("visits", visits), ("deals", deals)):
        for entry in entries:
            row = counts.setdefault(_group_key(entry, by, period, tz),
                                    {"calls": 0, "visits": 0, "deals": 0})
            row[name] += 1
    for key in (targets or {}):
        counts.setdefault(key, {"calls": 0, "visits": 0, "deals": 0})
    rows = []
    for key in sorted(counts, key=lambda k: (k is None, str(k))):
        c = counts[key]
        target = (targets or {}).get(key)
        rows.append({"key": key, **c, "call_to_visit": _ratio(c["visits"], c["calls"]),
                     "visit_to_deal": _ratio(c["deals"], c["visits"]), "target": target,
                     "target_achievement": _ratio(c["deals"], target or 0)})
    total = {k: sum(r[k] for r in rows) for k in ("calls", "visits", "deals")}
    return allow("CLI-13", f"{total['calls']} calls, {total['visits']} visits, {total['deals']} "
                 f"deals grouped by {by}" + (f" ({period})" if by == "period" else ""),
                 "figures", by=by, period=period, rows=rows,
                 totals={**total, "call_to_visit": _ratio(total["visits"], total["calls"]),
                         "visit_to_deal": _ratio(total["deals"], total["visits"])})


# ---------------------------------------------------------------- CLI-14 privacy

def mask_phone(phone: str | None) -> str | None:
    """CLI-14: 13812341234 → 138****1234 (digits only; short numbers keep their last 2)."""
    if not phone:
        return None
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", str(phone)) if ch.isdigit())
    if len(digits) > 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) == 7:
        return digits[:3] + "****"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def may_see_full_phone(viewer_id: int | None, roles: Iterable[str],
                       owner_id: int | None) -> Decision:
    """CLI-14: the owning consultant, supervisors and managers see the full number."""
    if _roles(roles) & FULL_PHONE_ROLES:
        return allow("CLI-14", "supervisors and managers see full phone numbers", "full")
    if viewer_id is not None and viewer_id == owner_id:
        return allow("CLI-14", "the owning consultant sees their customer's full phone", "full")
    return refuse("CLI-14", "only the owner, supervisors and managers see the full phone; "
                  "shown masked", "masked")


def customer_view(customer: Mapping[str, Any], viewer_id: int | None,
                  roles: Iterable[str]) -> dict[str, Any]:
    """CLI-14: a copy of ``customer`` (keys phone, owner_id, ...) with the phone masked unless
    the viewer may see it; ``phone_masked`` says which."""
    view = dict(customer)
    full = may_see_full_phone(viewer_id, roles, customer.get("owner_id")).allowed
    if not full:
        view["phone"] = mask_phone(customer.get("phone"))
    view["phone_masked"] = not full
    return view


def event_safe(payload: Mapping[str, Any]) -> dict[str, Any]:
    """CLI-14: events carry customer ids, never full phones -- any ``phone`` is masked."""
    out = dict(payload)
    if "phone" in out:
        out["phone_masked"] = mask_phone(out.pop("phone"))
    return out
