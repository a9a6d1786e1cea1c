"""The reminder job's endpoints (service token only; user tokens get 403). See docs/reminders.md.

- ``GET /service/reminders/candidates?start=&end=``: planned meetings starting in the window
  (at most 14 days) of citizens who opted in, have a registered number and have not sent STOP,
  with the closure of the meeting's location that covers the meeting, if any;
- ``POST /service/reminders/claims``: claim the reminder (meeting, kind, day) *before* sending it.
  201: new, the caller sends it; 200: a claim whose lease ran out (its job died) was taken over;
  409: another job has it (lease running) or it was already queued/skipped/failed — send nothing;
- ``POST /service/reminders/{reminder_id}/outcome``: ``queued`` (in the SMS outbox), ``skipped``
  or ``failed`` with a reason without personal data.

The unique key (meeting, kind, day) makes the claim atomic across job instances and restarts.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from sqlalchemy import CursorResult, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from api.core.clock import now_utc
from api.deps import ServiceCaller, SessionDep
from api.errors import error_responses
from api.models.citizens import Citizen
from api.models.closures import Closure
from api.models.meetings import Meeting, MeetingForm, MeetingStatus
from api.models.reminders import ReminderLogEntry, ReminderOptIn, ReminderStatus
from api.routes._requests import unprocessable
from api.schemas.meetings import MeetingOut
from api.schemas.reminders import (
    ClosureNoticeOut,
    ReminderCandidateOut,
    ReminderClaimIn,
    ReminderClaimOut,
    ReminderOutcomeIn,
)

router = APIRouter(tags=["service"])
log = logging.getLogger("api.reminders")

MAX_WINDOW = timedelta(days=14)
DEFAULT_WINDOW = timedelta(days=10)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise unprocessable("start and end need a time zone (e.g. 2026-03-02T16:00:00+01:00)")
    return moment.astimezone(UTC)


@router.get(
    "/service/reminders/candidates",
    summary="Service: meetings the reminder job may remind about (window of at most 14 days)",
)
def reminder_candidates(
    _service: ServiceCaller,
    session: SessionDep,
    start: Annotated[
        datetime | None, Query(description="ISO datetime with offset (default: now)")
    ] = None,
    end: Annotated[
        datetime | None, Query(description="ISO datetime with offset (default: start + 10 days)")
    ] = None,
) -> list[ReminderCandidateOut]:
    start = _aware(start) if start is not None else now_utc()
    try:
        end = _aware(end) if end is not None else start + DEFAULT_WINDOW
        valid = start < end <= start + MAX_WINDOW
    except OverflowError:
        valid = False
    if not valid:
        raise unprocessable("end must be after start and at most 14 days later")
    assert end is not None
    rows = session.execute(
        select(Meeting, Citizen)
        .join(Citizen, Citizen.id == Meeting.citizen_id)
        .join(ReminderOptIn, ReminderOptIn.citizen_id == Citizen.id)
        .where(
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            ReminderOptIn.opted_in.is_(True),
            Citizen.phone.is_not(None),
            Citizen.sms_opt_out.is_(False),
        )
        .options(selectinload(Meeting.location), selectinload(Meeting.caseworker))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    location_ids = {m.location_id for m, _ in rows if m.location_id}
    closures = (
        list(
            session.scalars(
                select(Closure).where(
                    Closure.location_id.in_(location_ids),
                    Closure.ends_at > start,
                    Closure.starts_at < end + timedelta(hours=12),
                )
            )
        )
        if location_ids
        else []
    )
    result = []
    for meeting, citizen in rows:
        ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        covering = next(
            (
                c
                for c in closures
                if meeting.form == MeetingForm.FYSISK
                and c.location_id == meeting.location_id
                and c.starts_at < ends
                and c.ends_at > meeting.starts_at
            ),
            None,
        )
        result.append(
            ReminderCandidateOut(
                meeting=MeetingOut.model_validate(meeting),
                citizen_id=citizen.id,
                phone=citizen.phone or "",
                closure=(
                    ClosureNoticeOut(
                        closure_id=covering.id,
                        starts_at=covering.starts_at,
                        ends_at=covering.ends_at,
                    )
                    if covering
                    else None
                ),
                preferred_language=citizen.preferred_language,
            )
        )
    return result


@router.post(
    "/service/reminders/claims",
    status_code=status.HTTP_201_CREATED,
    summary="Service: claim a reminder before sending it (201 new, 200 taken over, 409 not yours)",
    responses={
        **error_responses(404, 409),
        200: {"description": "a claim whose lease had run out, taken over"},
    },
)
def claim_reminder(
    body: ReminderClaimIn, _service: ServiceCaller, session: SessionDep, response: Response
) -> ReminderClaimOut:
    meeting = session.get(Meeting, body.meeting_id)
    if meeting is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "meeting not found")
    now = now_utc()
    lease_until = now + timedelta(seconds=body.lease_seconds)
    key = (
        ReminderLogEntry.meeting_id == body.meeting_id,
        ReminderLogEntry.kind == body.kind,
        ReminderLogEntry.day == body.day,
    )
    existing = session.scalars(select(ReminderLogEntry).where(*key)).first()
    if existing is None:
        entry = ReminderLogEntry(
            id=_new_id(),
            meeting_id=meeting.id,
            citizen_id=meeting.citizen_id,
            kind=body.kind,
            day=body.day,
            status=ReminderStatus.CLAIMED,
            claimed_at=now,
            lease_until=lease_until,
            closure_id=body.closure_id,
        )
        session.add(entry)
        try:
            session.commit()
        except IntegrityError:  # another job claimed the same key at the same moment
            session.rollback()
            raise HTTPException(
                status.HTTP_409_CONFLICT, "another job claimed this reminder"
            ) from None
        log.info("reminder claimed", extra={"reminder_id": entry.id, "kind": body.kind.value})
        return ReminderClaimOut.model_validate(entry)
    if existing.status != ReminderStatus.CLAIMED:
        raise HTTPException(status.HTTP_409_CONFLICT, f"reminder already {existing.status.value}")
    # A claim whose job died: take it over, atomically (only one of several callers wins).
    result = session.execute(
        update(ReminderLogEntry)
        .where(
            and_(
                ReminderLogEntry.id == existing.id,
                ReminderLogEntry.status == ReminderStatus.CLAIMED,
                ReminderLogEntry.lease_until <= now,
            )
        )
        .values(claimed_at=now, lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )
    taken = isinstance(result, CursorResult) and result.rowcount == 1
    session.commit()
    if not taken:
        raise HTTPException(status.HTTP_409_CONFLICT, "another job is sending this reminder")
    session.refresh(existing)
    log.info("reminder claim taken over", extra={"reminder_id": existing.id})
    response.status_code = status.HTTP_200_OK
    return ReminderClaimOut.model_validate(existing)


@router.post(
    "/service/reminders/{reminder_id}/outcome",
    summary="Service: what became of a claimed reminder (queued, skipped, failed)",
    responses=error_responses(404, 409),
)
def reminder_outcome(
    reminder_id: Annotated[str, Path(max_length=40)],
    body: ReminderOutcomeIn,
    _service: ServiceCaller,
    session: SessionDep,
) -> ReminderClaimOut:
    entry = session.get(ReminderLogEntry, reminder_id)
    if entry is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "reminder not found")
    wanted = ReminderStatus(body.status)
    if entry.status not in (ReminderStatus.CLAIMED, wanted):
        raise HTTPException(status.HTTP_409_CONFLICT, f"reminder already {entry.status.value}")
    if entry.status != wanted:
        entry.status, entry.lease_until, entry.detail = wanted, None, body.detail
        if wanted == ReminderStatus.QUEUED:
            entry.queued_at = now_utc()
        session.commit()
    log.info("reminder outcome", extra={"reminder_id": entry.id, "status": wanted.value})
    return ReminderClaimOut.model_validate(entry)


def _new_id() -> str:
    from api.db.base import new_id

    return new_id("rem")
