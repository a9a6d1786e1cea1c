"""Requests to move a meeting (ønske om ny tid), created by the bot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow
from api.models.absence import RequestStatus


class RescheduleRequest(Base):
    __tablename__ = "reschedule_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # FLY-2026-000045
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)  # stored with PII masked
    preferred_times: Mapped[list[str]] = mapped_column(JSON, default=list)  # masked too
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, "reschedule_status"), default=RequestStatus.RECEIVED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
