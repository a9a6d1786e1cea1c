"""Staff and admin replace a location's weekly opening hours (audited; the page is
``/drift/aabningstider/{location_id}``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.deps import SessionDep, StaffOrAdmin
from api.errors import error_responses
from api.schemas.locations import LocationOut, WeeklyHoursIn
from api.services.opening_hours import replace_opening_hours
from api.services.schedules import get_location_or_404

router = APIRouter(tags=["locations"])

LocationId = Annotated[str, Path(max_length=64)]


@router.put(
    "/locations/{location_id}/opening-hours",
    summary="Staff: replace the weekly opening hours (a weekday without intervals is closed)",
    responses=error_responses(404),
)
def update_opening_hours(
    location_id: LocationId,
    body: WeeklyHoursIn,
    request: Request,
    principal: StaffOrAdmin,
    session: SessionDep,
) -> LocationOut:
    location = get_location_or_404(session, location_id)
    replace_opening_hours(session, request, principal, location, body)
    session.refresh(location)
    return LocationOut.model_validate(location)
