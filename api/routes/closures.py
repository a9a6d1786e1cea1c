"""Extraordinary closures: public to read; staff and admin create, change and delete (audited:
``api.services.closures``, shared with the staff page ``/drift/lukninger``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.deps import SessionDep, StaffOrAdmin
from api.errors import error_responses
from api.models.closures import Closure
from api.schemas.closures import ClosureIn, ClosureOut, ClosureStaffOut
from api.services import closures as closures_service
from api.services.schedules import get_location_or_404

# 404: an unknown closure or location.
router = APIRouter(tags=["closures"], responses=error_responses(404))

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
    body: ClosureIn, request: Request, principal: StaffOrAdmin, session: SessionDep
) -> ClosureStaffOut:
    get_location_or_404(session, body.location_id)
    return ClosureStaffOut.model_validate(
        closures_service.create_closure(session, request, principal, body)
    )


@router.put("/closures/{closure_id}", summary="Staff: change a closure")
def update_closure(
    closure_id: ClosureId,
    body: ClosureIn,
    request: Request,
    principal: StaffOrAdmin,
    session: SessionDep,
) -> ClosureStaffOut:
    closure = get_closure_or_404(session, closure_id)
    get_location_or_404(session, body.location_id)
    return ClosureStaffOut.model_validate(
        closures_service.update_closure(session, request, principal, closure, body)
    )


@router.delete(
    "/closures/{closure_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Staff: delete a closure",
)
def delete_closure(
    closure_id: ClosureId, request: Request, principal: StaffOrAdmin, session: SessionDep
) -> Response:
    closure = get_closure_or_404(session, closure_id)
    closures_service.delete_closure(session, request, principal, closure)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
