"""Requests to move an upcoming meeting."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.db.base import new_id
from api.deps import IdempotencyKey, SessionDep, SettingsDep
from api.models.citizens import Citizen
from api.models.meetings import MeetingStatus
from api.models.reschedule import RescheduleRequest
from api.routes._requests import (
    answer_created,
    citizen_records,
    created_responses,
    own_meeting_or_404,
    unprocessable,
)
from api.schemas.requests import Created, RescheduleRequestIn, RescheduleRequestOut
from api.services.access import MyCitizen, ReadableCitizen
from api.services.idempotency import create_once
from api.services.references import RESCHEDULE, next_reference
from kkshared.pii import mask_pii

router = APIRouter(tags=["reschedule"])


@router.post(
    "/me/reschedule-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for another time for one of my upcoming meetings",
    responses=created_responses(not_found="Not one of my meetings"),
)
def create_reschedule_request(
    body: RescheduleRequestIn,
    citizen: MyCitizen,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKey,
    response: Response,
) -> Created:
    def create() -> RescheduleRequest:
        meeting = own_meeting_or_404(session, citizen, body.meeting_id)
        now = now_utc()
        if meeting.status is not MeetingStatus.PLANNED or meeting.starts_at <= now:
            raise unprocessable("meeting is not upcoming")
        return RescheduleRequest(
            id=new_id("fly"),
            reference=next_reference(session, RESCHEDULE, now.astimezone(settings.tz).year),
            citizen_id=citizen.id,
            meeting_id=meeting.id,
            reason=mask_pii(body.reason),
            preferred_times=[mask_pii(t) for t in body.preferred_times],
        )

    request_row, created = create_once(
        session, citizen, key, RESCHEDULE, body, RescheduleRequest, create
    )
    return answer_created(request_row, created, response, "reschedule request")


def list_requests(session: Session, citizen: Citizen) -> list[RescheduleRequestOut]:
    return citizen_records(session, citizen, RescheduleRequest, RescheduleRequestOut)


@router.get("/me/reschedule-requests", summary="My reschedule requests")
def read_my_reschedule_requests(
    citizen: MyCitizen, session: SessionDep
) -> list[RescheduleRequestOut]:
    return list_requests(session, citizen)


@router.get("/citizens/{citizen_id}/reschedule-requests", summary="A citizen's reschedule requests")
def read_citizen_reschedule_requests(
    citizen: ReadableCitizen, session: SessionDep
) -> list[RescheduleRequestOut]:
    return list_requests(session, citizen)
