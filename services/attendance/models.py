"""Attendance owns the staff directory (it is the HR service): projects, people, roles."""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.kit import install_kit
from services.common.roles import ROLES
from services.common.types import UtcDateTime


class Base(DeclarativeBase):
    pass


KIT = install_kit(Base.metadata, directory=False)   # attendance owns the originals


class Project(Base):
    """One sales office (案场)."""
    __tablename__ = "project"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    roles: Mapped[list["PersonRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PersonRole.role")

    @property
    def role_names(self):
        return sorted(r.role for r in self.roles)


class PersonRole(Base):
    __tablename__ = "person_role"
    __table_args__ = (
        UniqueConstraint("person_id", "role", name="uq_person_role"),
        CheckConstraint("role IN (%s)" % ", ".join(f"'{r}'" for r in ROLES), name="ck_role_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))


# ---------------------------------------------------------------- ATT-01…13
# Every uniqueness the rules rely on is a constraint here, so two instances cannot break it.

class BlackoutDay(Base):
    """ATT-02: a day everybody works (holiday, launch, advertising, mortgage day)."""
    __tablename__ = "blackout_day"
    __table_args__ = (UniqueConstraint("project_id", "day", name="uq_blackout_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    declared_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class RosterDay(Base):
    """ATT-01: one person's work or rest day."""
    __tablename__ = "roster_day"
    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_roster_person_day"),
                      CheckConstraint("kind IN ('work', 'rest')", name="ck_roster_kind"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    set_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Punch(Base):
    """ATT-03/04: a clock-in or clock-out made by the person themself; voided, never deleted."""
    __tablename__ = "punch"
    __table_args__ = (
        Index("uq_punch_live", "person_id", "day", "kind", unique=True,
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
        CheckConstraint("kind IN ('in', 'out')", name="ck_punch_kind"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(4))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Uniform(Base):
    """ATT-06: a supervisor attests a consultant's uniform for the day."""
    __tablename__ = "uniform"
    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_uniform_person_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    attested_by: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class SignIn(Base):
    """ATT-06: every sign-in attempt; at most one valid one per person and day."""
    __tablename__ = "sign_in"
    __table_args__ = (
        Index("uq_sign_in_valid", "person_id", "day", unique=True,
              sqlite_where=text("valid"), postgresql_where=text("valid")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    valid: Mapped[bool] = mapped_column(Boolean)
    why: Mapped[str | None] = mapped_column(String(40), nullable=True)
    placed_last: Mapped[bool] = mapped_column(Boolean, default=False)
    clock_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reason: Mapped[str] = mapped_column(Text)


class SignInDispute(Base):
    """ATT-06: a supervisor's resolution of a sign-in order dispute: ``order`` lists the
    disputants by clock-in time; the day's order puts them in that order on the places they
    held (``sign_in_order``)."""
    __tablename__ = "sign_in_dispute"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    order: Mapped[list] = mapped_column(JSON)
    decided_by: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)


class Revocation(Base):
    """ATT-03: reception eligibility lost for the rest of a day (proxy punch)."""
    __tablename__ = "revocation"
    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_revocation_person_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    until: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)


class Leave(Base):
    """ATT-07: a leave request and what became of it (requested / approved / refused)."""
    __tablename__ = "leave"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    leave_type: Mapped[str] = mapped_column(String(20))
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    handover_note: Mapped[str] = mapped_column(Text, default="")
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    certificate_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)


class Swap(Base):
    """ATT-08: two people exchange shifts or rest days, approved by a manager before the day."""
    __tablename__ = "swap"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    a_id: Mapped[int] = mapped_column(Integer)
    b_id: Mapped[int] = mapped_column(Integer)
    days: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    approved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rule: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)


class LedgerEntry(Base):
    """ATT-10: a slip, fine or absence, citing its rule. ``source`` (an event id, or a
    "<kind>:<id>" key) makes each fact booked once even when two instances see it."""
    __tablename__ = "ledger_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date, index=True)
    rule: Mapped[str] = mapped_column(String(10))
    offence: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    fine: Mapped[int] = mapped_column(Integer, default=0)
    slip: Mapped[str | None] = mapped_column(String(20), nullable=True)
    absent: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    suspended_until_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class ClosedDay(Base):
    """ATT-09: a business day settled for a project (once: the primary key)."""
    __tablename__ = "closed_day"
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DayRecord(Base):
    """ATT-09/12: one person's settled day (rest / leave / present / absent)."""
    __tablename__ = "day_record"
    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_day_record_person_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    early_leave: Mapped[bool] = mapped_column(Boolean, default=False)
    leave_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str] = mapped_column(Text)


class MissingPunchNote(Base):
    """ATT-05: a manager's explanation of a missing punch."""
    __tablename__ = "missing_punch_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Lunch(Base):
    """ATT-11: one lunch break per person and day. ``slot`` (1..the lunch group size) is held
    while the person is out: the partial unique index keeps two instances from sending more
    than the group to lunch at once. ``overstay_recorded_at``: the timer recorded the overstay
    when ``due_back_at`` passed (once)."""
    __tablename__ = "lunch"
    __table_args__ = (
        UniqueConstraint("person_id", "day", name="uq_lunch_person_day"),
        Index("uq_lunch_slot_out", "project_id", "day", "slot", unique=True,
              sqlite_where=text("returned_at IS NULL"),
              postgresql_where=text("returned_at IS NULL")),
        CheckConstraint("slot IS NULL OR slot >= 1", name="ck_lunch_slot"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    overstay_seconds: Mapped[int] = mapped_column(Integer, default=0)
    slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_back_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    overstay_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Finished(Base):
    """ATT-11: when each consultant last finished a reception today (reception's events)."""
    __tablename__ = "finished"
    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_finished_person_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffTerms(Base):
    """ATT-07/13: what a manager set for a person: the monthly salary (ATT-13 deduction) and
    the annual leave days a year (ATT-07: sick leave converts to annual while days are left)."""
    __tablename__ = "staff_terms"
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    monthly_salary: Mapped[int | None] = mapped_column(Integer, nullable=True)
    annual_leave_days: Mapped[int] = mapped_column(Integer, default=0)
    set_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReportSubmission(Base):
    """ATT-12: the clerk's submission of a month's report (once per month)."""
    __tablename__ = "report_submission"
    __table_args__ = (UniqueConstraint("project_id", "year", "month", name="uq_report_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    submitted_by: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
