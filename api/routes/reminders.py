"""SMS reminders, for citizens and staff (issue 19; the job's own endpoints: reminders_service.py).

- ``GET``/``PUT /me/sms-reminders``: the citizen's opt-in (with the date it changed);
- ``GET /citizens/{citizen_id}/sms-reminders``: the same for the citizen themself, their
  caseworker or an admin; ``PUT`` by the caseworker or an admin registers the citizen's wish
  (audited);
- ``PUT /me/meetings/{meeting_id}/confirmation``: the citizen's answer about their meeting (an SMS
  reply "1", "2" or "3" through the assistant, or the chat); recorded on the meeting and on the
  reminder it answers;
- ``GET /citizens/{citizen_id}/meeting-reminders``: per meeting, whether a reminder went out and
  what came back, with a ``summary`` (``api.services.reminder_status``: sent when, or why not;
  the answer) (citizen themself, caseworker, admin; staff reads are audited). The caseworker's
  page showing the same: ``api.routes.meetings_pages``; the counts: ``reminders_analytics``.

Another citizen's meeting or id answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.deps import SessionDep, require_roles
from api.errors import error_responses
from api.models.citizens import Citizen
from api.models.meetings import MeetingStatus
from api.models.reminders import (
    MeetingConfirmation,
    ReminderLogEntry,
    ReminderOptIn,
    ReminderStatus,
)
from api.models.users import Role
from api.routes._requests import own_meeting_or_404
from api.schemas.reminders import (
    MeetingAnswerIn,
    MeetingConfirmationOut,
    MeetingRemindersOut,
    ReminderLogOut,
    ReminderSettingsIn,
    ReminderSettingsOut,
    ReminderStateOut,
)
from api.security.principal import Principal
from api.services.access import MyCitizen, ReadableCitizen, may_read
from api.services.audit import record_change
from api.services.reminder_status import meeting_reminders

router = APIRouter(tags=["reminders"])

StaffOrAdminOnly = Annotated[Principal, Depends(require_roles(Role.STAFF, Role.ADMIN))]


def _settings_out(session: Session, citizen: Citizen) -> ReminderSettingsOut:
    opt_in = session.get(ReminderOptIn, citizen.id)
    return ReminderSettingsOut(
        citizen_id=citizen.id,
        opted_in=bool(opt_in and opt_in.opted_in),
        changed_at=opt_in.changed_at if opt_in else None,
        phone_registered=citizen.phone is not None,
        sms_stopped=citizen.sms_opt_out,
    )


def set_opt_in(session: Session, citizen: Citizen, opted_in: bool, by: str | None) -> None:
    """Record the citizen's opt-in; the date changes only when the choice does (caller commits)."""
    row = session.get(ReminderOptIn, citizen.id)
    if row is None:
        session.add(
            ReminderOptIn(
                citizen_id=citizen.id, opted_in=opted_in, changed_at=now_utc(), changed_by=by
            )
        )
    elif row.opted_in != opted_in:
        row.opted_in, row.changed_at, row.changed_by = opted_in, now_utc(), by


@router.get("/me/sms-reminders", summary="My SMS reminders: opted in or not, since when")
def read_my_reminder_settings(citizen: MyCitizen, session: SessionDep) -> ReminderSettingsOut:
    return _settings_out(session, citizen)


@router.put("/me/sms-reminders", summary="Turn my SMS reminders on or off")
def set_my_reminder_settings(
    body: ReminderSettingsIn, citizen: MyCitizen, session: SessionDep
) -> ReminderSettingsOut:
    set_opt_in(session, citizen, body.opted_in, citizen.user_id)
    session.commit()
    return _settings_out(session, citizen)


@router.get("/citizens/{citizen_id}/sms-reminders", summary="A citizen's SMS-reminder opt-in")
def read_citizen_reminder_settings(
    citizen: ReadableCitizen, session: SessionDep
) -> ReminderSettingsOut:
    return _settings_out(session, citizen)


@router.put(
    "/citizens/{citizen_id}/sms-reminders",
    summary="Staff: register the citizen's wish for SMS reminders (audited)",
    responses=error_responses(404),
)
def set_citizen_reminder_settings(
    citizen_id: Annotated[str, Path(max_length=40)],
    body: ReminderSettingsIn,
    principal: StaffOrAdminOnly,
    session: SessionDep,
    request: Request,
) -> ReminderSettingsOut:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or not may_read(principal, citizen):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "citizen not found")
    set_opt_in(session, citizen, body.opted_in, principal.user_id)
    record_change(
        session, request, principal, "reminder_opt_in", f"citizen={citizen.id} on={body.opted_in}"
    )
    session.commit()
    return _settings_out(session, citizen)


@router.put(
    "/me/meetings/{meeting_id}/confirmation",
    summary="My answer about my meeting: confirmed, cannot attend, or a new time wanted",
    responses=error_responses(404, 409),
)
def answer_my_meeting(
    meeting_id: Annotated[str, Path(max_length=40)],
    body: MeetingAnswerIn,
    citizen: MyCitizen,
    session: SessionDep,
) -> MeetingConfirmationOut:
    meeting = own_meeting_or_404(session, citizen, meeting_id)
    now = now_utc()
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= now:
        raise HTTPException(status.HTTP_409_CONFLICT, "the meeting is no longer planned")
    confirmation = session.get(MeetingConfirmation, meeting.id)
    if confirmation is None:
        confirmation = MeetingConfirmation(meeting_id=meeting.id)
        session.add(confirmation)
    confirmation.answer, confirmation.channel, confirmation.answered_at = (
        body.answer,
        body.channel,
        now,
    )
    # The reminder it answers: the latest one that went out for this meeting.
    latest = session.scalars(
        select(ReminderLogEntry)
        .where(
            ReminderLogEntry.meeting_id == meeting.id,
            ReminderLogEntry.status == ReminderStatus.QUEUED,
        )
        .order_by(ReminderLogEntry.queued_at.desc())
    ).first()
    if latest is not None:
        latest.reply, latest.replied_at = body.answer, now
    session.commit()
    return MeetingConfirmationOut.model_validate(confirmation)


@router.get(
    "/citizens/{citizen_id}/meeting-reminders",
    summary="Per meeting: reminders sent and the citizen's answer",
)
def read_meeting_reminders(
    citizen: ReadableCitizen, session: SessionDep
) -> list[MeetingRemindersOut]:
    return [
        MeetingRemindersOut(
            meeting_id=m.meeting.id,
            starts_at=m.meeting.starts_at,
            meeting_status=m.meeting.status.value,
            confirmation=(
                MeetingConfirmationOut.model_validate(m.confirmation) if m.confirmation else None
            ),
            reminders=[ReminderLogOut.model_validate(e) for e in m.reminders],
            summary=ReminderStateOut(**vars(m.summary)),
        )
        for m in meeting_reminders(session, citizen, now_utc())
    ]
