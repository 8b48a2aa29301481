"""SQLAlchemy models of this service (its own database; nobody else reads these tables)."""
from sqlalchemy.orm import DeclarativeBase

from services.common.kit import install_kit


class Base(DeclarativeBase):
    pass


KIT = install_kit(Base.metadata)
