"""Request and response bodies of the SMS reminder endpoints (api/routes/reminders*.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.models.reminders import MeetingAnswer, ReminderKind, ReminderStatus
from api.schemas.common import InputModel, LocalDateTime, ORMModel
from api.schemas.meetings import MeetingOut

# --- the citizen's opt-in -----------------------------------------------------------------


class ReminderSettingsIn(InputModel):
    opted_in: bool = Field(description="true: send me an SMS the working day before a meeting")


class ReminderSettingsOut(ORMModel):
    citizen_id: str
    opted_in: bool
    changed_at: LocalDateTime | None = Field(description="when the opt-in last changed")
    phone_registered: bool = Field(description="reminders need a registered phone number")
    sms_stopped: bool = Field(description="the citizen sent STOP: no SMS at all, whatever opted_in")


# --- answers about a meeting ---------------------------------------------------------------


class MeetingAnswerIn(InputModel):
    answer: MeetingAnswer
    channel: Literal["sms", "chat"] = "chat"


class MeetingConfirmationOut(ORMModel):
    meeting_id: str
    answer: MeetingAnswer
    channel: str
    answered_at: LocalDateTime


# --- the reminder log ----------------------------------------------------------------------


class ReminderLogOut(ORMModel):
    id: str
    meeting_id: str
    kind: ReminderKind
    day: date
    status: ReminderStatus
    claimed_at: LocalDateTime
    queued_at: LocalDateTime | None = None
    detail: str | None = None
    reply: MeetingAnswer | None = None
    replied_at: LocalDateTime | None = None


class MeetingRemindersOut(ORMModel):
    """For staff, per meeting: whether a reminder went out and what came back."""

    meeting_id: str
    starts_at: LocalDateTime
    meeting_status: str
    confirmation: MeetingConfirmationOut | None = None
    reminders: list[ReminderLogOut]


# --- the reminder job (service token) ------------------------------------------------------


class ClosureNoticeOut(ORMModel):
    closure_id: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class ReminderCandidateOut(ORMModel):
    """A planned meeting of a citizen who opted in, has a number and has not sent STOP."""

    meeting: MeetingOut
    citizen_id: str
    phone: str = Field(description="E.164; needed to send the SMS, never logged")
    closure: ClosureNoticeOut | None = Field(
        None, description="a closure of the meeting's location covering the meeting"
    )


class ReminderClaimIn(InputModel):
    meeting_id: str = Field(max_length=40)
    kind: ReminderKind
    day: date = Field(description="the sending day (closure alerts: the meeting's day)")
    lease_seconds: int = Field(300, ge=5, le=3600)
    closure_id: str | None = Field(None, max_length=40)


class ReminderClaimOut(ORMModel):
    id: str
    meeting_id: str
    kind: ReminderKind
    day: date
    status: ReminderStatus
    lease_until: datetime | None


class ReminderOutcomeIn(InputModel):
    status: Literal["queued", "skipped", "failed"]
    detail: str | None = Field(None, max_length=200, description="why; never personal data")
