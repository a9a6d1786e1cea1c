"""Idempotency keys of creates: which record a citizen's ``Idempotency-Key`` already made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, utcnow


class IdempotentRequest(Base):
    __tablename__ = "idempotent_requests"

    # Keys are the client's and only unique per citizen.
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # the reference prefix: FRA, FLY, BSK
    # SHA-256 of the request body with personal data masked: a key sent again with another
    # body is refused instead of silently answered with the first record.
    fingerprint: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
