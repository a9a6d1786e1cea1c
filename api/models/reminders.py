"""SMS reminders of meetings (issue 19): the citizen's opt-in, the reminder log, the answers.

- ``ReminderOptIn``: one row per citizen who was asked; ``opted_in`` with the date it changed and
  who changed it (the citizen, or their caseworker who registered the citizen's wish). No row:
  not opted in. A STOP by SMS (``citizens.sms_opt_out``) ends every SMS whatever this says.
- ``ReminderLogEntry``: one row per reminder the job decided to send, unique on
  (meeting, kind, day). The job *claims* the row (``claimed``, with a lease) before it sends, and
  marks it ``queued`` once the SMS is in the channel's outbox (or ``skipped``/``failed`` with a
  reason): a second job instance or a restarted job finds the row and sends nothing again; a
  claim whose lease ran out (the job died) may be taken over. ``reply`` is what came back. The
  message text is never stored here.
- ``MeetingConfirmation``: the citizen's latest answer about a meeting (confirmed, cannot
  attend, wants a new time), from an SMS reply or the chat.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow


class ReminderKind(StrEnum):
    DAY_BEFORE = "day_before"  # the working day before the meeting
    CLOSURE = "closure"  # the meeting's location is closed that day


class ReminderStatus(StrEnum):
    CLAIMED = "claimed"  # a job instance is sending it (until lease_until)
    QUEUED = "queued"  # in the SMS channel's outbox
    SKIPPED = "skipped"  # decided not to send (opted out, too late, ...)
    FAILED = "failed"


class MeetingAnswer(StrEnum):
    CONFIRMED = "confirmed"  # "1": I am coming
    CANNOT_ATTEND = "cannot_attend"  # "2": the absence form was started
    NEW_TIME = "new_time"  # "3": the reschedule request was started


class ReminderOptIn(Base):
    __tablename__ = "reminder_opt_ins"

    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    opted_in: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReminderLogEntry(Base):
    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "day", name="uq_reminder_log_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ReminderKind] = mapped_column(enum_type(ReminderKind, "reminder_kind"))
    day: Mapped[date] = mapped_column(Date)  # the sending day (closure: the meeting's day)
    status: Mapped[ReminderStatus] = mapped_column(enum_type(ReminderStatus, "reminder_status"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))  # why skipped/failed; no personal data
    closure_id: Mapped[str | None] = mapped_column(ForeignKey("closures.id", ondelete="SET NULL"))
    reply: Mapped[MeetingAnswer | None] = mapped_column(enum_type(MeetingAnswer, "meeting_answer"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MeetingConfirmation(Base):
    __tablename__ = "meeting_confirmations"

    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[MeetingAnswer] = mapped_column(enum_type(MeetingAnswer, "meeting_answer"))
    channel: Mapped[str] = mapped_column(String(16))  # "sms" | "chat"
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
