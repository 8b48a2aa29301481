"""SQLAlchemy models of this service (its own database; nobody else reads these tables).

The database keeps the invariants (CLI-01/02/12): one customer per normalised phone in a
project, one owner per customer (a column of the customer row, changed under a row lock), and
one live subscription per unit (a partial unique index), so two instances cannot break them.
"""
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kit import install_kit
from services.common.types import UtcDateTime


class Base(DeclarativeBase):
    pass


# the kit tables, the directory replica (directory_project, directory_staff) among them
KIT = install_kit(Base.metadata)


class Customer(Base):
    """CLI-01: one customer per normalised mobile in a project; the current owner (CLI-02)."""
    __tablename__ = "customer"
    __table_args__ = (UniqueConstraint("project_id", "phone", name="uq_customer_phone"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    source: Mapped[str | None] = mapped_column(String(40), nullable=True)
    media_source: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    owner_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_contact_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    owner_source: Mapped[str | None] = mapped_column(String(40), nullable=True)
    shares: Mapped[list | None] = mapped_column(JSON, nullable=True)   # CLI-10 credit split
    owner_rule: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # CLI-07: price negotiation started, a recorded fact (who, when); set once
    price_talk_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    price_talk_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Contact(Base):
    """CLI-02/13: a registered contact (visit, call, follow-up, referral, pre-registration).
    ``source_key`` (an event id) books each reported fact once."""
    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    media_source: Mapped[str | None] = mapped_column(String(80), nullable=True)
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    # CLI-03: a re-registration after a lapse carries the supervisor's sign-off (who, when)
    sign_off_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sign_off_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # CLI-04/05/07: a claim's contact; an owner registered from this time on gave way to it
    effective_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Visit(Base):
    """CLI-13 visit register (来访登记), one row per reception, from reception's events
    (contract 4): when the customer arrived (the visit's time for CLI-03/04/05/07), whom they
    named on arrival (CLI-04/08), who received; ``complete``/``missing`` with the rule and
    reason say whether the entry holds every required field."""
    __tablename__ = "visit"
    __table_args__ = (UniqueConstraint("project_id", "reception_id", name="uq_visit_reception"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    reception_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credit_owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    named_person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(80), nullable=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    missing: Mapped[list] = mapped_column(JSON, default=list)
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)


class Claim(Base):
    """CLI-04/05/07: a claim registered before the visit (or before price negotiation), kept
    with its registration time and decided against the visit's stored arrival; phone-only
    staff referrals collect their evidence (item, who, when) here."""
    __tablename__ = "claim"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    consultant_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    registered_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    referrer_customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone_only: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))     # honoured / awaiting_evidence
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)


class Target(Base):
    """CLI-13: deals target of one consultant for one period (2026-03, 2026-W10, 2026-03-02),
    set by a manager (who, when); one per consultant and period."""
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("project_id", "person_id", "period",
                                       name="uq_target_person_period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(12))
    deals: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChannelReport(Base):
    """CLI-06: a channel agent's report (报备); the phone is kept for matching, shown masked."""
    __tablename__ = "channel_report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    agent_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20))     # reported/channel/passed_over/expired
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)


class Unit(Base):
    """CLI-12: a unit for sale; a manager confirms it is available (销控)."""
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("project_id", "code", name="uq_unit_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(40))
    confirmed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Subscription(Base):
    """CLI-12: a subscription (认购). Never deleted: voided forms are kept."""
    __tablename__ = "subscription"
    __table_args__ = (
        Index("uq_unit_one_live_subscription", "unit_id", unique=True,
              sqlite_where=text("state = 'live'"), postgresql_where=text("state = 'live'")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    closer_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deposit_paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    credit_split: Mapped[list] = mapped_column(JSON, default=list)
    form_kept_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    announced: Mapped[bool] = mapped_column(Boolean, default=False)
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)


class PhoneLookup(Base):
    """CLI-14: one lookup by phone (ownership, customer search) by one person; counted per
    person over the last hour in the database, so every instance shares the limit. The customer
    id when the number is a customer, else a hash of the number (never the number itself)."""
    __tablename__ = "phone_lookup"
    __table_args__ = (Index("ix_phone_lookup_person_at", "project_id", "person_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class PhoneAccess(Base):
    """CLI-14: an answer that showed a customer's FULL phone number (who, which customer, when,
    which action), written in the answer's transaction; masked answers are not logged."""
    __tablename__ = "phone_access"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
