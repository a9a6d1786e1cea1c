"""Per meeting: did a reminder go out (or why not), and what came back (issue 19).

What ``GET /citizens/{id}/meeting-reminders`` (``summary``) and the caseworker's page
``/borgere/{id}/moeder`` show. Read from the reminder log, the meeting's confirmation, the
citizen's opt-in, number and STOP:

- ``sent``: the day-before reminder is in the SMS outbox (``sent_at``); ``reply`` is the answer
  to it (confirmed / cannot_attend / new_time), else ``no_reply`` once the meeting has begun and
  ``awaiting_reply`` before;
- ``closure_alert``: the SMS saying the location is closed went out (it asks for no answer);
- ``sending``: the job has claimed it right now;
- ``not_sent`` with a ``reason``: the job skipped it (``skipped_stop``: the number sent STOP;
  ``skipped``) or it ``failed``; without a log row: ``meeting_cancelled``, ``no_phone``,
  ``sms_stopped``, ``not_opted_in`` (checked in that order, by the citizen's state *now*: the
  case service keeps no history of numbers and STOPs), or ``none_recorded`` (the citizen could get
  one, yet none is logged: booked or opted in too late, or the job was not running);
- ``pending``: a planned meeting ahead whose reminder is not due yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.models.citizens import Citizen
from api.models.meetings import Meeting, MeetingStatus
from api.models.reminders import (
    MeetingConfirmation,
    ReminderKind,
    ReminderLogEntry,
    ReminderOptIn,
    ReminderStatus,
)


@dataclass(frozen=True)
class ReminderState:
    state: str  # sent | closure_alert | sending | not_sent | pending
    sent_at: datetime | None = None
    reason: str | None = None
    reply: str | None = None  # confirmed | cannot_attend | new_time | no_reply | awaiting_reply


@dataclass(frozen=True)
class MeetingReminders:
    meeting: Meeting
    reminders: list[ReminderLogEntry]  # oldest first
    confirmation: MeetingConfirmation | None
    summary: ReminderState


def _latest(entries: Sequence[ReminderLogEntry], kind: ReminderKind) -> ReminderLogEntry | None:
    queued = [e for e in entries if e.kind == kind and e.status == ReminderStatus.QUEUED]
    return max(queued, key=lambda e: e.queued_at or e.claimed_at) if queued else None


def reminder_state(
    meeting: Meeting,
    entries: Sequence[ReminderLogEntry],
    citizen: Citizen,
    opt_in: ReminderOptIn | None,
    now: datetime,
) -> ReminderState:
    reminder = _latest(entries, ReminderKind.DAY_BEFORE)
    if reminder is not None:
        if reminder.reply is not None:
            reply = reminder.reply.value
        else:
            reply = "no_reply" if meeting.starts_at <= now else "awaiting_reply"
        return ReminderState("sent", reminder.queued_at, reply=reply)
    alert = _latest(entries, ReminderKind.CLOSURE)
    if alert is not None:
        return ReminderState("closure_alert", alert.queued_at)
    statuses = {e.status for e in entries}
    if ReminderStatus.CLAIMED in statuses:
        return ReminderState("sending")
    skipped = [e for e in entries if e.status == ReminderStatus.SKIPPED]
    if skipped:
        stop = any("STOP" in (e.detail or "") for e in skipped)
        return ReminderState("not_sent", reason="skipped_stop" if stop else "skipped")
    if ReminderStatus.FAILED in statuses:
        return ReminderState("not_sent", reason="failed")
    reason = None
    if meeting.status == MeetingStatus.CANCELLED:
        reason = "meeting_cancelled"
    elif citizen.phone is None:
        reason = "no_phone"
    elif citizen.sms_opt_out:
        reason = "sms_stopped"
    elif opt_in is None or not opt_in.opted_in:
        reason = "not_opted_in"
    elif meeting.status == MeetingStatus.PLANNED and meeting.starts_at > now:
        return ReminderState("pending")
    else:
        reason = "none_recorded"
    return ReminderState("not_sent", reason=reason)


def meeting_reminders(
    session: Session, citizen: Citizen, now: datetime, since: datetime | None = None
) -> list[MeetingReminders]:
    """The citizen's meetings (those starting from ``since`` on, else all), oldest first."""
    query = (
        select(Meeting)
        .where(Meeting.citizen_id == citizen.id)
        .options(selectinload(Meeting.location))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if since is not None:
        query = query.where(Meeting.starts_at >= since)
    meetings = list(session.scalars(query))
    ids = [m.id for m in meetings]
    logs: dict[str, list[ReminderLogEntry]] = {i: [] for i in ids}
    answers: dict[str, MeetingConfirmation] = {}
    if ids:
        for entry in session.scalars(
            select(ReminderLogEntry)
            .where(ReminderLogEntry.meeting_id.in_(ids))
            .order_by(ReminderLogEntry.claimed_at, ReminderLogEntry.id)
        ):
            logs[entry.meeting_id].append(entry)
        answers = {
            c.meeting_id: c
            for c in session.scalars(
                select(MeetingConfirmation).where(MeetingConfirmation.meeting_id.in_(ids))
            )
        }
    opt_in = session.get(ReminderOptIn, citizen.id)
    return [
        MeetingReminders(
            m, logs[m.id], answers.get(m.id), reminder_state(m, logs[m.id], citizen, opt_in, now)
        )
        for m in meetings
    ]
