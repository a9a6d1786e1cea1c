"""Thumbs up/down on a bot answer (anonymous; the comment is stored with PII masked)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow


class Rating(StrEnum):
    UP = "up"
    DOWN = "down"


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # A hash of the channel's sender id or another conversation reference, never the raw id.
    conversation_ref: Mapped[str] = mapped_column(String(128), index=True)
    message_id: Mapped[str] = mapped_column(String(128))
    rating: Mapped[Rating] = mapped_column(enum_type(Rating, "rating"))
    source_file: Mapped[str | None] = mapped_column(String(200))
    source_date: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
