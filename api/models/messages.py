"""Messages from a citizen to their caseworker (beskeder)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow
from api.models.absence import RequestStatus


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # BSK-2026-000007
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    # The caseworker the message was addressed to when it was sent.
    caseworker_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)  # stored with PII masked
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, "message_status"), default=RequestStatus.RECEIVED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
