"""Audit log: every staff/admin read of citizen data, every erasure (``action="erasure"``) and every
change staff make to what the assistant says or knows (closures, opening hours, the catalogue, the
off switch)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, utcnow


class AuditLogEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Plain strings, not foreign keys: the log must outlive the rows it describes.
    actor_user_id: Mapped[str] = mapped_column(String(40), index=True)
    actor_role: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(16))  # "bearer" | "service"
    # None for a change that concerns no citizen (closures, the catalogue, the off switch).
    citizen_id: Mapped[str | None] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(16), default="read")
    endpoint: Mapped[str] = mapped_column(String(200))  # "GET /citizens/{citizen_id}/meetings"
    request_id: Mapped[str | None] = mapped_column(String(64))
    # What an erasure deleted, as counts ("absence_reports=2 messages=1 ..."); never free text.
    detail: Mapped[str | None] = mapped_column(String(300))
