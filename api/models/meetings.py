"""Meetings between a citizen and the job centre."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db.base import Base, UTCDateTime, enum_type

if TYPE_CHECKING:
    from api.models.locations import Location
    from api.models.users import User


class MeetingForm(StrEnum):
    FYSISK = "fysisk"
    TELEFON = "telefon"
    VIDEO = "video"


class MeetingType(StrEnum):
    JOBSAMTALE = "jobsamtale"
    OPFOELGNINGSSAMTALE = "opfoelgningssamtale"
    REHABILITERINGSMOEDE = "rehabiliteringsmoede"
    INFORMATIONSMOEDE = "informationsmoede"
    VIRKSOMHEDSSAMTALE = "virksomhedssamtale"


MEETING_TYPE_LABELS = {
    MeetingType.JOBSAMTALE: "jobsamtale",
    MeetingType.OPFOELGNINGSSAMTALE: "opfølgningssamtale",
    MeetingType.REHABILITERINGSMOEDE: "møde i rehabiliteringsteamet",
    MeetingType.INFORMATIONSMOEDE: "informationsmøde",
    MeetingType.VIRKSOMHEDSSAMTALE: "samtale om virksomhedsrettet tilbud",
}


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"
    HELD = "held"


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    caseworker_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=45)
    form: Mapped[MeetingForm] = mapped_column(enum_type(MeetingForm, "meeting_form"))
    meeting_type: Mapped[MeetingType] = mapped_column(enum_type(MeetingType, "meeting_type"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"))
    # Room, "we call you on your phone", video link instructions, ...
    place_note: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )

    caseworker: Mapped[User | None] = relationship()
    location: Mapped[Location | None] = relationship()
