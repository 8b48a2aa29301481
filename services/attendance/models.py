"""Attendance owns the staff directory (it is the HR service): projects, people, roles."""
from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.identity import ROLES
from services.common.kit import install_kit
from services.common.types import UtcDateTime


class Base(DeclarativeBase):
    pass


KIT = install_kit(Base.metadata)


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
