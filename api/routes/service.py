"""Service-only endpoints (action server, SMS channel): service token needed, user JWTs get 403."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from sqlalchemy import select

from api.deps import ServiceCaller, SessionDep
from api.errors import error_responses
from api.models.citizens import Citizen
from api.routes._requests import unprocessable
from api.schemas.service import CitizenByPhoneOut, SmsOptOutIn, SmsOptOutOut
from kkshared.phone import normalize_msisdn

router = APIRouter(tags=["service"], responses=error_responses(404))
log = logging.getLogger("api.service")


@router.get(
    "/service/citizens/by-phone/{msisdn}",
    summary="Service: the citizen (and user subject) with this phone number",
)
def citizen_by_phone(
    msisdn: Annotated[str, Path(max_length=32)], _service: ServiceCaller, session: SessionDep
) -> CitizenByPhoneOut:
    number = normalize_msisdn(msisdn)
    if number is None:
        raise unprocessable("msisdn must be a phone number, e.g. +4512345678")
    citizen = session.scalars(select(Citizen).where(Citizen.phone == number)).first()
    if citizen is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "citizen not found")
    return CitizenByPhoneOut(
        citizen_id=citizen.id,
        user_id=citizen.user_id,
        sms_opt_out=citizen.sms_opt_out,
        preferred_channel=citizen.preferred_channel,
    )


@router.post(
    "/service/citizens/{citizen_id}/sms-opt-out",
    summary="Service: set (opt_out=true) or clear the citizen's SMS opt-out",
)
def set_sms_opt_out(
    citizen_id: Annotated[str, Path(max_length=40)],
    body: SmsOptOutIn,
    _service: ServiceCaller,
    session: SessionDep,
) -> SmsOptOutOut:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "citizen not found")
    citizen.sms_opt_out = body.opt_out
    session.commit()
    log.info("sms opt-out changed", extra={"citizen_id": citizen.id, "opt_out": body.opt_out})
    return SmsOptOutOut(citizen_id=citizen.id, sms_opt_out=citizen.sms_opt_out)
