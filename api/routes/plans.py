from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.models.citizens import Citizen
from api.models.plans import PlanItem
from api.schemas.plans import PlanItemOut
from api.services.access import MyCitizen, ReadableCitizen

router = APIRouter(tags=["plans"])


def list_plan(session: Session, citizen: Citizen) -> list[PlanItemOut]:
    rows = session.scalars(
        select(PlanItem)
        .where(PlanItem.citizen_id == citizen.id)
        .order_by(PlanItem.sort_order, PlanItem.id)
    )
    return [PlanItemOut.model_validate(p) for p in rows]


@router.get("/me/plan", summary="My plan (Min Plan)")
def read_my_plan(citizen: MyCitizen, session: SessionDep) -> list[PlanItemOut]:
    return list_plan(session, citizen)


@router.get("/citizens/{citizen_id}/plan", summary="A citizen's plan")
def read_citizen_plan(citizen: ReadableCitizen, session: SessionDep) -> list[PlanItemOut]:
    return list_plan(session, citizen)
