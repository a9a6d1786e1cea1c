"""Absence reports (fraværsmeldinger): the bot reports on the citizen's behalf."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.db.base import new_id
from api.deps import IdempotencyKey, SessionDep, SettingsDep
from api.models.absence import AbsenceReport
from api.models.citizens import Citizen
from api.routes._requests import (
    answer_created,
    citizen_records,
    created_responses,
    own_meeting_or_404,
    unprocessable,
)
from api.schemas.requests import AbsenceReportIn, AbsenceReportOut, Created
from api.services.access import MyCitizen, ReadableCitizen
from api.services.idempotency import create_once
from api.services.references import ABSENCE, next_reference
from kkshared.pii import mask_pii

router = APIRouter(tags=["absence"])

MAX_DAYS_AHEAD = 366


@router.post(
    "/me/absence-reports",
    status_code=status.HTTP_201_CREATED,
    summary="Report absence (sygdom/andet) for a day, optionally for a meeting",
    responses=created_responses(not_found="Not one of my meetings"),
)
def create_absence_report(
    body: AbsenceReportIn,
    citizen: MyCitizen,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKey,
    response: Response,
) -> Created:
    now_local = now_utc().astimezone(settings.tz)

    def create() -> AbsenceReport:
        if body.date < now_local.date():
            raise unprocessable("date must not be in the past")
        if body.date > now_local.date() + timedelta(days=MAX_DAYS_AHEAD):
            raise unprocessable("date must be within one year")
        if body.meeting_id is not None:
            own_meeting_or_404(session, citizen, body.meeting_id)
        return AbsenceReport(
            id=new_id("fra"),
            reference=next_reference(session, ABSENCE, now_local.year),
            citizen_id=citizen.id,
            meeting_id=body.meeting_id,
            absence_date=body.date,
            kind=body.kind,
            reason=mask_pii(body.reason),
        )

    report, created = create_once(session, citizen, key, ABSENCE, body, AbsenceReport, create)
    return answer_created(report, created, response, "absence report")


def list_reports(session: Session, citizen: Citizen) -> list[AbsenceReportOut]:
    return citizen_records(session, citizen, AbsenceReport, AbsenceReportOut)


@router.get("/me/absence-reports", summary="My absence reports")
def read_my_absence_reports(citizen: MyCitizen, session: SessionDep) -> list[AbsenceReportOut]:
    return list_reports(session, citizen)


@router.get("/citizens/{citizen_id}/absence-reports", summary="A citizen's absence reports")
def read_citizen_absence_reports(
    citizen: ReadableCitizen, session: SessionDep
) -> list[AbsenceReportOut]:
    return list_reports(session, citizen)
