"""SQLAlchemy models of this service (its own database; nobody else reads these tables).

Stock balances live on ``item`` (available ``on_hand`` and temporary storage ``held``); the
database refuses a negative balance (CHECK constraints), and every change to a balance is a
row in ``stock_movement`` with its rule, reason, actor and before/after (SYS-01).
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kit import install_kit
from services.common.types import UtcDateTime


class Base(DeclarativeBase):
    pass


KIT = install_kit(Base.metadata)


class Item(Base):
    """MAT-01: a catalogue item and its balances."""
    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("project_id", "code", name="uq_item_project_code"),
        CheckConstraint("on_hand >= 0", name="ck_item_on_hand_not_negative"),
        CheckConstraint("held >= 0", name="ck_item_held_not_negative"),
        CheckConstraint("reorder_level >= 0", name="ck_item_reorder_level_not_negative"),
        CheckConstraint("unit_price_cents >= 0", name="ck_item_price_not_negative"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(120), default="")
    unit: Mapped[str] = mapped_column(String(20))
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    reorder_level: Mapped[int] = mapped_column(Integer)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class StockMovement(Base):
    """SYS-01: one change to one item's balances, with the rule and reason that made it."""
    __tablename__ = "stock_movement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    before: Mapped[int] = mapped_column(Integer)
    after: Mapped[int] = mapped_column(Integer)
    held_before: Mapped[int] = mapped_column(Integer)
    held_after: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ref_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ref_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Plan(Base):
    """MAT-02: a weekly/monthly/quarterly needs plan for a sales milestone."""
    __tablename__ = "needs_plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    period: Mapped[str] = mapped_column(String(20))
    starts: Mapped[date] = mapped_column(Date)
    milestone: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft / approved
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PlanLine(Base):
    __tablename__ = "needs_plan_line"
    __table_args__ = (
        UniqueConstraint("plan_id", "item_id", name="uq_plan_line_item"),
        CheckConstraint("requested >= 0 AND requested <= quantity",
                        name="ck_plan_line_requested_within_plan"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("needs_plan.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    requested: Mapped[int] = mapped_column(Integer, default=0)


class MaterialRequest(Base):
    """MAT-02: a request for materials, planned (within an approved plan) or urgent. Issue
    forms drawn against it count in ``issued``; the database never lets them exceed it."""
    __tablename__ = "material_request"
    __table_args__ = (
        CheckConstraint("issued >= 0 AND issued <= quantity",
                        name="ck_request_issued_within_request"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))       # planned / urgent
    status: Mapped[str] = mapped_column(String(20))     # approved / pending / rejected
    plan_line_id: Mapped[int | None] = mapped_column(ForeignKey("needs_plan_line.id"),
                                                     nullable=True)
    requested_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    rule: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    issued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Receipt(Base):
    """MAT-03: a receipt (入库单). Failed goods stay ``held`` until exchanged or returned."""
    __tablename__ = "receipt"
    __table_args__ = (
        CheckConstraint("held_remaining >= 0", name="ck_receipt_held_not_negative"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    receiver_id: Mapped[int] = mapped_column(Integer)
    inspector_id: Mapped[int] = mapped_column(Integer)
    deliverer: Mapped[str] = mapped_column(String(200), default="")
    inspection_passed: Mapped[bool] = mapped_column(Boolean)
    held_remaining: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class IssueForm(Base):
    """MAT-04: an issue form (出库单); stock moves only when its recipient confirms it."""
    __tablename__ = "issue_form"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_issue_form_quantity_positive"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    item_name: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    recipient_id: Mapped[int] = mapped_column(Integer, index=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending/issued/cancelled
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    confirmed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    movement_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # MAT-02: what the form is issued against: an approved request, or a current plan's line
    request_id: Mapped[int | None] = mapped_column(ForeignKey("material_request.id"),
                                                   nullable=True, index=True)
    plan_line_id: Mapped[int | None] = mapped_column(ForeignKey("needs_plan_line.id"),
                                                     nullable=True)


class LedgerEntry(Base):
    """MAT-05: the usage ledger (使用台账): where it is kept, who answers for it, its state."""
    __tablename__ = "usage_ledger"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    location: Mapped[str] = mapped_column(String(200))
    responsible_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    disposal_reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Stocktake(Base):
    """MAT-06: a count by at least two people; its lines adjust stock."""
    __tablename__ = "stocktake"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    full: Mapped[bool] = mapped_column(Boolean)
    counter_ids: Mapped[list] = mapped_column(JSON)
    storekeeper_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)
    # MAT-06: the business month counted (its first day, project-local; SYS-04)
    month: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)


class StocktakeLine(Base):
    __tablename__ = "stocktake_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    book: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int] = mapped_column(Integer)
    damaged: Mapped[int] = mapped_column(Integer)
    surplus: Mapped[int] = mapped_column(Integer)
    shortage: Mapped[int] = mapped_column(Integer)
    new_balance: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[dict] = mapped_column(JSON)
    loss_cause: Mapped[str | None] = mapped_column(String(20), nullable=True)
    loss_cents: Mapped[int] = mapped_column(Integer, default=0)
    attributed_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text)


class Handout(Base):
    """MAT-07: one reception's floor-plan hand-out, processed once per reception."""
    __tablename__ = "handout"
    __table_args__ = (UniqueConstraint("project_id", "reception_id", name="uq_handout_reception"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    reception_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day: Mapped[date] = mapped_column(Date)
    issued: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Shortage(Base):
    """MAT-07: what stock or a desk folder could not cover on a day (reported to the manager).
    One line per ``key`` and day (``folder:<person>:<code>`` or ``handout:<reception>:<code>``):
    a folder checked again the same day updates its line, never adds a second one."""
    __tablename__ = "shortage"
    __table_args__ = (UniqueConstraint("project_id", "day", "key", name="uq_shortage_day_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(20))  # handout / folder
    item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    code: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reception_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    wanted: Mapped[int] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    key: Mapped[str] = mapped_column(String(160))
