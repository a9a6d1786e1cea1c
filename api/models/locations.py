"""Job-centre locations and entrances with weekly opening hours."""

from __future__ import annotations

from datetime import time
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db.base import Base, enum_type


class LocationKind(StrEnum):
    JOBCENTER = "jobcenter"
    YDELSESSERVICE = "ydelsesservice"
    OTHER = "other"


class LocationChannel(StrEnum):
    """How citizens reach the location: by walking in, or by telephone only."""

    FYSISK = "fysisk"
    TELEFON = "telefon"


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # slug, e.g. "laerkevej"
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LocationKind] = mapped_column(enum_type(LocationKind, "location_kind"))
    channel: Mapped[LocationChannel] = mapped_column(enum_type(LocationChannel, "location_channel"))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    # False until a municipality has checked address, phone and hours.
    verified: Mapped[bool] = mapped_column(default=False)
    # Where the location's existence is documented (e.g. a seed file and its date).
    source: Mapped[str | None] = mapped_column(String(200))

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="location",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )


class OpeningHours(Base):
    """One opening interval on one weekday (0 = Monday). A day may have several intervals."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    opens: Mapped[time]
    closes: Mapped[time]

    location: Mapped[Location] = relationship(back_populates="opening_hours")
