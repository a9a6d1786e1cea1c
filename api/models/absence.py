"""Absence reports (fraværsmeldinger) created by the bot on the citizen's behalf."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow


class AbsenceKind(StrEnum):
    SYGDOM = "sygdom"
    ANDET = "andet"


class RequestStatus(StrEnum):
    """Status of something a citizen sent (absence report, reschedule request, message)."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REJECTED = "rejected"


class AbsenceReport(Base):
    __tablename__ = "absence_reports"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # FRA-2026-000123
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    absence_date: Mapped[date]
    kind: Mapped[AbsenceKind] = mapped_column(enum_type(AbsenceKind, "absence_kind"))
    reason: Mapped[str] = mapped_column(Text)  # stored with PII masked
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, "absence_status"), default=RequestStatus.RECEIVED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
