"""Citizen profile by id (the citizen, their caseworker, admin) and the caseworker's caseload."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import func, select

from api.core.clock import now_utc
from api.deps import SessionDep, StaffOrAdmin
from api.models.cases import TARGET_GROUPS, Case
from api.models.citizens import Citizen
from api.models.meetings import Meeting, MeetingStatus
from api.models.users import Role
from api.schemas.citizens import CaseloadEntry, CitizenOut
from api.services.access import ReadableCitizen
from api.services.audit import record_reads

router = APIRouter(tags=["citizens"])


@router.get("/citizens/{citizen_id}", summary="A citizen's profile and case")
def read_citizen(citizen: ReadableCitizen) -> CitizenOut:
    return CitizenOut.model_validate(citizen)


@router.get("/caseload", summary="Staff: the citizens in my caseload (admin: all)")
def read_caseload(
    principal: StaffOrAdmin, session: SessionDep, request: Request
) -> list[CaseloadEntry]:
    next_meeting = (
        select(Meeting.citizen_id, func.min(Meeting.starts_at).label("next_at"))
        .where(Meeting.starts_at > now_utc(), Meeting.status == MeetingStatus.PLANNED)
        .group_by(Meeting.citizen_id)
        .subquery()
    )
    query = (
        select(Citizen, Case, next_meeting.c.next_at)
        .join(Case, Case.citizen_id == Citizen.id)
        .outerjoin(next_meeting, next_meeting.c.citizen_id == Citizen.id)
        .order_by(Citizen.name, Citizen.id)
    )
    if principal.role is Role.STAFF:
        query = query.where(Case.caseworker_id == principal.user_id)
    rows = session.execute(query).all()
    entries = []
    for citizen, case, next_at in rows:
        entries.append(
            CaseloadEntry(
                citizen_id=citizen.id,
                name=citizen.name,
                target_group=case.target_group,
                target_group_label=TARGET_GROUPS[case.target_group][0],
                benefit=case.benefit,
                next_meeting_at=next_at,
            )
        )
    record_reads(session, request, principal, [e.citizen_id for e in entries])
    return entries
