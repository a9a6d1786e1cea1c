"""Citizens: pseudonymous id, name, phone for SMS, preferred channel, SMS opt-out, language."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db.base import Base, UTCDateTime, enum_type, utcnow
from kkshared.i18n import Language

if TYPE_CHECKING:
    from api.models.cases import Case
    from api.models.users import User


class Channel(StrEnum):
    SMS = "sms"
    DIGITAL_POST = "digital_post"
    TELEFON = "telefon"
    CHAT = "chat"


class Citizen(Base):
    __tablename__ = "citizens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # E.164 ("+45XXXXXXXX"); used to recognise the citizen on the SMS channel.
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    preferred_channel: Mapped[Channel] = mapped_column(
        enum_type(Channel, "channel"), default=Channel.DIGITAL_POST
    )
    sms_opt_out: Mapped[bool] = mapped_column(default=False)
    # The language the citizen chose in the assistant ("da" or "en"; None: never chose one). The
    # reminder job writes their SMS reminders in it (docs/english.md).
    preferred_language: Mapped[Language | None] = mapped_column(String(2), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
    case: Mapped[Case | None] = relationship(back_populates="citizen", uselist=False)
