from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.clock import today_local
from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.models.citizens import Citizen
from api.models.payments import Payment, PaymentStatus
from api.schemas.payments import PaymentOut
from api.services.access import MyCitizen, ReadableCitizen

router = APIRouter(tags=["payments"])


def list_payments(
    session: Session, citizen: Citizen, upcoming: bool, settings: Settings
) -> list[Payment]:
    query = select(Payment).where(Payment.citizen_id == citizen.id).order_by(Payment.pay_date)
    if upcoming:
        query = query.where(
            Payment.pay_date >= today_local(settings.tz),
            Payment.status.in_([PaymentStatus.PLANNED, PaymentStatus.WITHHELD]),
        )
    return list(session.scalars(query))


@router.get("/me/payments", summary="My payments (upcoming=true: from today, not yet paid)")
def read_my_payments(
    citizen: MyCitizen, session: SessionDep, settings: SettingsDep, upcoming: bool = False
) -> list[PaymentOut]:
    rows = list_payments(session, citizen, upcoming, settings)
    return [PaymentOut.model_validate(p) for p in rows]


@router.get("/citizens/{citizen_id}/payments", summary="A citizen's payments")
def read_citizen_payments(
    citizen: ReadableCitizen, session: SessionDep, settings: SettingsDep, upcoming: bool = False
) -> list[PaymentOut]:
    rows = list_payments(session, citizen, upcoming, settings)
    return [PaymentOut.model_validate(p) for p in rows]
