"""Users of the case service and their roles (citizen, staff, jurist, admin, editor)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow


class Role(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    JURIST = "jurist"
    ADMIN = "admin"
    # Edits the citizen answers and reads the analytics (the job centre's content team).
    EDITOR = "editor"


class User(Base):
    __tablename__ = "users"

    # The pseudonymous subject used in tokens and X-Subject, e.g. "u-3f9c2a1b4d5e".
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Work contact details (staff); never a citizen's private details.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
