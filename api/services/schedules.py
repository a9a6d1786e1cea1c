"""Build the pure ``Schedule`` of a location from its database rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.calendar.opening_hours import SEARCH_DAYS, ClosurePeriod, Schedule, WeeklyHours
from api.core.config import Settings
from api.models.closures import Closure
from api.models.locations import Location

UNKNOWN_LOCATION = "unknown location"


def get_location_or_404(session: Session, location_id: str) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, UNKNOWN_LOCATION)
    return location


def schedule_for(
    session: Session, location: Location, settings: Settings, start: datetime
) -> Schedule:
    """Weekly hours plus the closures that can matter from ``start`` (a day earlier) onwards."""
    window_start = start - timedelta(days=1)
    window_end = start + timedelta(days=SEARCH_DAYS + 1)
    closures = session.scalars(
        select(Closure).where(
            Closure.location_id == location.id,
            Closure.ends_at > window_start,
            Closure.starts_at < window_end,
        )
    ).all()
    return Schedule(
        weekly=[WeeklyHours(h.weekday, h.opens, h.closes) for h in location.opening_hours],
        closures=[ClosurePeriod(c.starts_at, c.ends_at, c.reason, c.id) for c in closures],
        tz=settings.tz,
    )
