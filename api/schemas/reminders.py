"""Request and response bodies of the SMS reminder endpoints (api/routes/reminders*.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.models.reminders import MeetingAnswer, ReminderKind, ReminderStatus
from api.schemas.common import InputModel, LocalDateTime, ORMModel
from api.schemas.meetings import MeetingOut
from kkshared.i18n import Language

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


# --- what staff see per meeting ------------------------------------------------------------


ReminderReply = Literal["confirmed", "cannot_attend", "new_time", "no_reply", "awaiting_reply"]


class ReminderStateOut(BaseModel):
    """One meeting's reminder at a glance (api/services/reminder_status.py)."""

    state: Literal["sent", "closure_alert", "sending", "not_sent", "pending"] = Field(
        description="sent: the day-before reminder went out; closure_alert: the closure SMS went "
        "out; sending: claimed by the job now; not_sent: none (see reason); pending: not yet due"
    )
    sent_at: LocalDateTime | None = Field(None, description="when it went into the SMS outbox")
    reason: (
        Literal[
            "no_phone",
            "sms_stopped",
            "not_opted_in",
            "meeting_cancelled",
            "skipped_stop",
            "skipped",
            "failed",
            "none_recorded",
        ]
        | None
    ) = Field(
        None,
        description="why none went out: no registered number, STOP, not opted in, the meeting "
        "was cancelled, the job skipped it (STOP or another reason) or failed, or no reminder is "
        "recorded although the citizen could get one (booked or opted in too late, job down)",
    )
    reply: ReminderReply | None = Field(
        None, description="the answer to the reminder (null when none was sent)"
    )


class MeetingRemindersOut(ORMModel):
    """For staff, per meeting: whether a reminder went out and what came back."""

    meeting_id: str
    starts_at: LocalDateTime
    meeting_status: str
    confirmation: MeetingConfirmationOut | None = None
    reminders: list[ReminderLogOut]
    summary: ReminderStateOut = Field(
        description="whether a reminder went out (or why not) and what came back"
    )


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
    preferred_language: Language | None = Field(
        None, description="the language the citizen chose in the assistant; null: none"
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


# --- analytics (roles editor and admin; counts only) ---------------------------------------


class ReminderCountsOut(BaseModel):
    sent: int = Field(description="day-before reminders put in the SMS outbox")
    confirmed: int = Field(description="of them answered 1: I am coming")
    cannot_attend: int = Field(description="answered 2: cannot come (the absence form)")
    new_time: int = Field(description="answered 3: a new time wanted (the reschedule request)")
    no_reply: int = Field(description="no answer before the meeting began")
    awaiting_reply: int = Field(description="no answer yet, the meeting still ahead")
    closure_alerts: int = Field(description="closure alerts put in the SMS outbox")
    skipped: int = Field(description="claimed but not sent (e.g. the number sent STOP)")
    failed: int
    replied: int = Field(description="confirmed + cannot_attend + new_time")
    reply_rate: float | None = Field(description="replied / (replied + no_reply)")


class ReminderPeriodOut(BaseModel):
    period: date = Field(description="the day, or the Monday of the week")
    counts: ReminderCountsOut


class ReminderOptInsOut(BaseModel):
    opted_in: int = Field(description="citizens opted in now")
    reachable: int = Field(description="of them with a registered number and no STOP")
    sms_stopped: int = Field(description="citizens who sent STOP (now; no date is kept)")
    opted_in_in_period: int = Field(description="opt-ins whose latest change lies in the period")


class ReminderReportOut(BaseModel):
    start: date
    end: date
    period: str
    rows: list[ReminderPeriodOut]
    totals: ReminderCountsOut
    opt_ins: ReminderOptInsOut
