"""CLI-01 identity (a customer is a normalised mainland mobile within a project) and CLI-14
privacy (who sees a full phone number)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from services.common.decision import Decision, allow, refuse

from ..constants import SOURCES
from .base import FULL_PHONE_ROLES, PHONE_LOOKUP_ROLES, _blank, _roles

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



def customer_source(source: str | None) -> str:
    """CLI-01: the source as reception reports it; anything unknown is a walk-in."""
    return source if source in SOURCES else "walk_in"


def check_new_customer(phone: str, existing_id: int | None) -> Decision:
    """CLI-01: one customer per normalised phone in a project; a second registration of the
    same phone is refused (the register is not written twice)."""
    if existing_id is not None:
        return refuse("CLI-01", f"{mask_phone(phone)} is already a customer (customer "
                      f"{existing_id})", "already_registered", customer_id=existing_id)
    return allow("CLI-01", f"customer {mask_phone(phone)} registered", "registered")


def check_import_row(row: Mapping[str, Any]) -> Decision:
    """CLI-01 for one imported row (phone, name, source, media_source): allowed with the
    cleaned fields, or refused with the first problem."""
    phone = check_phone(row.get("phone"))
    if not phone.allowed:
        return phone
    source = check_source((row.get("source") or "walk_in").strip())
    if not source.allowed:
        return source
    return allow("CLI-01", f"row for {mask_phone(phone.data['phone'])} is complete", "row_ok",
                 phone=phone.data["phone"], name=(row.get("name") or "").strip() or None,
                 source=source.data["source"],
                 media_source=(row.get("media_source") or "").strip() or None)


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



def visible_phone(phone: str | None, viewer_id: int | None, roles: Iterable[str],
                  holder_id: int | None) -> str | None:
    """CLI-14: ``phone`` in full for its holder (the owning consultant, or the agent who
    reported it), supervisors and managers; masked for everyone else."""
    return phone if may_see_full_phone(viewer_id, roles, holder_id).allowed else mask_phone(phone)


def phone_lookup(roles: Iterable[str], is_service: bool, recent: int, limit: int) -> Decision:
    """CLI-14: a lookup by phone is for the roles that register contacts, at most ``limit``
    per person in the last hour (``recent`` lookups already made); a service's own token
    (reception's walk-in lookup) is exempt from both."""
    if is_service:
        return allow("CLI-14", "a service's own lookup is neither role-checked nor counted",
                     "exempt")
    if not _roles(roles) & PHONE_LOOKUP_ROLES:
        return refuse("CLI-14", "only receptionists, consultants, supervisors and managers "
                      "look customers up by phone", "role")
    if recent >= limit:
        return refuse("CLI-14", f"{recent} lookups by phone in the last hour reach the limit "
                      f"of {limit} per hour; try again later", "too_many",
                      recent=recent, limit=limit)
    return allow("CLI-14", f"lookup {recent + 1} of {limit} this hour", "counted",
                 recent=recent, limit=limit)
