from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.core.clock import now_utc
from api.deps import SessionDep
from api.models.citizens import Citizen
from api.models.meetings import Meeting, MeetingStatus
from api.schemas.meetings import MeetingOut
from api.services.access import MyCitizen, ReadableCitizen

router = APIRouter(tags=["meetings"])


def list_meetings(session: Session, citizen: Citizen, upcoming: bool) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(Meeting.citizen_id == citizen.id)
        .options(selectinload(Meeting.location), selectinload(Meeting.caseworker))
        .order_by(Meeting.starts_at)
    )
    if upcoming:
        query = query.where(Meeting.starts_at > now_utc(), Meeting.status == MeetingStatus.PLANNED)
    return list(session.scalars(query))


@router.get("/me/meetings", summary="My meetings (upcoming=true: planned, not yet started)")
def read_my_meetings(
    citizen: MyCitizen, session: SessionDep, upcoming: bool = False
) -> list[MeetingOut]:
    return [MeetingOut.model_validate(m) for m in list_meetings(session, citizen, upcoming)]


@router.get("/citizens/{citizen_id}/meetings", summary="A citizen's meetings")
def read_citizen_meetings(
    citizen: ReadableCitizen, session: SessionDep, upcoming: bool = False
) -> list[MeetingOut]:
    return [MeetingOut.model_validate(m) for m in list_meetings(session, citizen, upcoming)]
