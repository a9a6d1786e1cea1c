"""The off switch: whether the assistant answers citizens, and what it says while it is paused.

One row (``id = 1``). A missing row means "running". Who changed it and when is on the row and,
for the history, in the audit log (``api.services.assistant_status``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, utcnow

STATUS_ROW_ID = 1
MAX_MESSAGE_CHARS = 500


class AssistantStatusRecord(Base):
    __tablename__ = "assistant_status"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    paused: Mapped[bool] = mapped_column(default=False)
    # What citizens are told while paused; empty: the default text with the job centre's number.
    message: Mapped[str] = mapped_column(String(MAX_MESSAGE_CHARS), default="")
    # A plain string, not a foreign key: the record of who switched must outlive the user row.
    updated_by: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
