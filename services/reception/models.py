"""SQLAlchemy models of this service (its own database; nobody else reads these tables).

The day's rotation sheet is one ``day_sheet`` row per (project, day) — the row every change to
the sheet locks first (``SELECT … FOR UPDATE`` on PostgreSQL; the same statement takes SQLite's
write lock), so two instances never assign from the same picture of the sheet — and one
``sheet_entry`` per consultant on it. Receptions are guarded by the database too: one reception
per walk-in, and at most two open receptions per consultant and day, each in its own slot (1:
the first group, 2: the one unrelated second group REC-03 allows; a partial unique index on
open receptions and a check on the slot), so no number of instances gives anyone a third group.
A call's faults (REC-12) are stored once per call and kind (unique), so a timer on two instances
fines once.
Customer phones are stored masked only (CLI-14).
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.kit import install_kit
from services.common.types import UtcDateTime


class Base(DeclarativeBase):
    pass


# the kit's tables, with the directory replica (projects and staff from attendance's events)
KIT = install_kit(Base.metadata)


class DaySheet(Base):
    """REC-01: one project's rotation sheet (轮序表) for one business day."""
    __tablename__ = "day_sheet"
    __table_args__ = (sa.UniqueConstraint("project_id", "day", name="uq_day_sheet_project_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=0)   # bumped by every change
    afternoon_done: Mapped[bool] = mapped_column(Boolean, default=False)  # REC-10 applied
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)       # last REC-02 notice
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SheetEntry(Base):
    """One consultant on one day's sheet (the stored form of ``rules.SheetEntry``)."""
    __tablename__ = "sheet_entry"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "person_id", name="uq_sheet_entry_person"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("day_sheet.id", ondelete="CASCADE"),
                                          index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(120))
    signin_seq: Mapped[int] = mapped_column(Integer)
    marks: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(24), default="free")
    state_detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    off_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    pass_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    received_today: Mapped[int] = mapped_column(Integer, default=0)
    receiving_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    groups: Mapped[int] = mapped_column(Integer, default=0)
    suspended_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    signed_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    clock_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    placed_last: Mapped[bool] = mapped_column(Boolean, default=False)
    lunch_pending: Mapped[bool] = mapped_column(Boolean, default=False)  # ATT-11 while receiving


class Suspension(Base):
    """REC-09: a suspension from receiving, through ``until_day`` inclusive."""
    __tablename__ = "suspension"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    days: Mapped[int] = mapped_column(Integer)
    from_day: Mapped[date] = mapped_column(Date)
    until_day: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    rule: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class WalkIn(Base):
    """A walk-in group registered at the desk (phone masked only, CLI-14)."""
    __tablename__ = "walk_in"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    visit_kind: Mapped[str] = mapped_column(String(30))
    customer_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    protection_live: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    registered_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # CLI-04/CLI-08: the consultant the customer named on arrival (or identified from the SMS)
    named_person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())   # arrived_at: the visit's time


class Reception(Base):
    """One reception of a walk-in by one consultant, with the rule and reason that assigned it."""
    __tablename__ = "reception"
    __table_args__ = (
        # "one turn per walk-in": a walk-in is received once
        sa.UniqueConstraint("walk_in_id", name="uq_reception_walk_in"),
        # REC-03: one group at a time, one unrelated second group at most — two slots per
        # consultant and day, each open once
        Index("uq_reception_open_slot", "person_id", "day", "slot", unique=True,
              postgresql_where=sa.text("status = 'open'"),
              sqlite_where=sa.text("status = 'open'")),
        sa.CheckConstraint("slot IN (1, 2)", name="ck_reception_slot"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    walk_in_id: Mapped[int] = mapped_column(ForeignKey("walk_in.id"))
    person_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))          # turn / returning / duty / non_turn
    second_group: Mapped[bool] = mapped_column(Boolean, default=False)
    slot: Mapped[int] = mapped_column(Integer, default=1)   # REC-03: 1 first group, 2 second
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credit_owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    marks_delta: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open / completed
    rule: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    floor_plans: Mapped[list | None] = mapped_column(JSON, nullable=True)
    visit_registered: Mapped[bool] = mapped_column(Boolean, default=False)


class Call(Base):
    """REC-12: a desk call registration (phone masked only, CLI-14) and its SMS."""
    __tablename__ = "desk_call"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    caller: Mapped[str | None] = mapped_column(String(120), nullable=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    need: Mapped[str | None] = mapped_column(Text, nullable=True)
    how_heard: Mapped[str | None] = mapped_column(String(120), nullable=True)
    media_source: Mapped[str | None] = mapped_column(String(120), nullable=True)
    answered_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    registered_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    missing: Mapped[list] = mapped_column(JSON, default=list)
    fine: Mapped[int] = mapped_column(Integer, default=0)
    sms_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sms_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    rule: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    faults = relationship("CallFault", order_by="CallFault.id", viewonly=True)


class CallFault(Base):
    """REC-12: a fined desk-call fault (missing entries, late or no SMS, an unregistered call),
    recorded once per call and kind; attendance books it (``call_fault_recorded``, ATT-10)."""
    __tablename__ = "call_fault"
    __table_args__ = (sa.UniqueConstraint("call_id", "kind", name="uq_call_fault_call_kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    person_id: Mapped[int] = mapped_column(Integer)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("desk_call.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))   # missing_entry / late_sms / no_sms / ...
    missing: Mapped[list] = mapped_column(JSON, default=list)
    fine: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())   # when the fault happened
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: the timer
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    rule: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Display(Base):
    """REC-13: a TV showing the board. Its login reads the board only, lasts long (it does not
    expire each morning) and stops working the moment it is revoked (``revoked_at``)."""
    __tablename__ = "board_display"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
