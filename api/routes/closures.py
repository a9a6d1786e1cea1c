"""Extraordinary closures: public to read; staff and admin create, change and delete."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.db.base import new_id
from api.deps import SessionDep, StaffOrAdmin
from api.errors import error_responses
from api.models.closures import Closure
from api.schemas.closures import ClosureIn, ClosureOut, ClosureStaffOut
from api.services.schedules import get_location_or_404
from kkshared.pii import mask_pii

# 404: an unknown closure or location.
router = APIRouter(tags=["closures"], responses=error_responses(404))
log = logging.getLogger("api.closures")

ClosureId = Annotated[str, Path(max_length=40)]


def get_closure_or_404(session: Session, closure_id: str) -> Closure:
    closure = session.get(Closure, closure_id)
    if closure is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "closure not found")
    return closure


@router.get("/closures", summary="Closures (default: current and future)")
def list_closures(
    session: SessionDep,
    location_id: Annotated[str | None, Query(max_length=64)] = None,
    include_past: bool = False,
) -> list[ClosureOut]:
    query = select(Closure).order_by(Closure.starts_at, Closure.id)
    if location_id is not None:
        get_location_or_404(session, location_id)
        query = query.where(Closure.location_id == location_id)
    if not include_past:
        query = query.where(Closure.ends_at > now_utc())
    return [ClosureOut.model_validate(c) for c in session.scalars(query)]


@router.get("/closures/{closure_id}", summary="One closure")
def read_closure(closure_id: ClosureId, session: SessionDep) -> ClosureOut:
    return ClosureOut.model_validate(get_closure_or_404(session, closure_id))


@router.post("/closures", status_code=status.HTTP_201_CREATED, summary="Staff: add a closure")
def create_closure(
    body: ClosureIn, principal: StaffOrAdmin, session: SessionDep
) -> ClosureStaffOut:
    get_location_or_404(session, body.location_id)
    closure = Closure(
        id=new_id("cl"),
        location_id=body.location_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=mask_pii(body.reason),  # public text: no personal data
        created_by=principal.user_id,
    )
    session.add(closure)
    session.commit()
    log.info("closure created", extra={"closure_id": closure.id, "actor": principal.user_id})
    return ClosureStaffOut.model_validate(closure)


@router.put("/closures/{closure_id}", summary="Staff: change a closure")
def update_closure(
    closure_id: ClosureId, body: ClosureIn, principal: StaffOrAdmin, session: SessionDep
) -> ClosureStaffOut:
    closure = get_closure_or_404(session, closure_id)
    get_location_or_404(session, body.location_id)
    closure.location_id = body.location_id
    closure.starts_at = body.starts_at
    closure.ends_at = body.ends_at
    closure.reason = mask_pii(body.reason)
    closure.updated_at = now_utc()
    session.commit()
    log.info("closure updated", extra={"closure_id": closure.id, "actor": principal.user_id})
    return ClosureStaffOut.model_validate(closure)


@router.delete(
    "/closures/{closure_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Staff: delete a closure",
)
def delete_closure(closure_id: ClosureId, principal: StaffOrAdmin, session: SessionDep) -> Response:
    closure = get_closure_or_404(session, closure_id)
    session.delete(closure)
    session.commit()
    log.info("closure deleted", extra={"closure_id": closure_id, "actor": principal.user_id})
    return Response(status_code=status.HTTP_204_NO_CONTENT)
