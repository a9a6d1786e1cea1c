"""Locations, their opening hours and whether they are open at a given time or on a given day."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.calendar.opening_hours import WEEKDAY_NAMES, ClosurePeriod, to_aware
from api.core.clock import now_utc
from api.deps import SessionDep, SettingsDep
from api.errors import error_responses
from api.models.locations import Location
from api.routes._requests import unprocessable
from api.schemas.locations import (
    ClosureBrief,
    IntervalOut,
    LocationDayOut,
    LocationOut,
    LocationStatusOut,
    OpeningHoursOut,
)
from api.services.schedules import get_location_or_404, schedule_for
from kkshared.holidays import MAX_YEAR, MIN_YEAR
from kkshared.normalize import fold

router = APIRouter(tags=["locations"])

LocationId = Annotated[str, Path(max_length=64)]
# The calendar knows the years 1900-2200 (kkshared.holidays).
Day = Annotated[
    dt.date,
    Path(ge=dt.date(MIN_YEAR, 1, 1), le=dt.date(MAX_YEAR, 12, 31), description="1900-2200"),
]
# "+01:00" arrives as " 01:00" when a client forgets to URL-encode the plus sign.
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def _haystack(location: Location) -> str:
    return " ".join(
        fold(text) for text in [location.id.replace("-", " "), location.name, *location.aliases]
    )


def matches(location: Location, query: str) -> bool:
    """Every word of the query occurs in the name, an alias or the id (æ/ø/å ~ ae/oe/aa)."""
    words = fold(query).replace(",", " ").replace(".", " ").split()
    haystack = _haystack(location).replace(",", " ").replace(".", " ")
    return all(word in haystack for word in words)


def _brief(closure: ClosurePeriod | None) -> ClosureBrief | None:
    if closure is None:
        return None
    return ClosureBrief(
        id=closure.id, starts_at=closure.starts_at, ends_at=closure.ends_at, reason=closure.reason
    )


def parse_at(raw: str | None, settings_tz: ZoneInfo) -> dt.datetime:
    if raw is None or not raw.strip():
        return now_utc()
    text = _SPACE_OFFSET.sub(r"+\1", raw.strip())
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise unprocessable("at must be an ISO 8601 date-time, e.g. 2026-03-03T10:00") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise unprocessable(f"at must be in the years {MIN_YEAR}-{MAX_YEAR}")
    return to_aware(value, settings_tz)


@router.get("/locations", summary="All locations, or those matching q (name or alias)")
def list_locations(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[LocationOut]:
    rows = session.scalars(
        select(Location).options(selectinload(Location.opening_hours)).order_by(Location.name)
    ).all()
    if q and q.strip():
        rows = [row for row in rows if matches(row, q)]
    return [LocationOut.model_validate(row) for row in rows]


@router.get("/locations/{location_id}", summary="One location", responses=error_responses(404))
def read_location(location_id: LocationId, session: SessionDep) -> LocationOut:
    return LocationOut.model_validate(get_location_or_404(session, location_id))


@router.get(
    "/locations/{location_id}/status",
    summary="Open or closed at an instant (default now), why, and the next opening",
    responses=error_responses(404),
)
def read_location_status(
    location_id: LocationId,
    session: SessionDep,
    settings: SettingsDep,
    at: Annotated[
        str | None,
        Query(
            max_length=64,
            description="ISO 8601; naive = Europe/Copenhagen local time; default now",
        ),
    ] = None,
) -> LocationStatusOut:
    location = get_location_or_404(session, location_id)
    instant = parse_at(at, settings.tz)
    status = schedule_for(session, location, settings, instant).status(instant)
    return LocationStatusOut(
        location_id=location.id,
        at=status.at,
        open=status.open,
        reason=status.reason,
        detail=status.detail,
        closes_at=status.closes_at,
        next_opening=status.next_opening,
        closure=_brief(status.closure),
        verified=location.verified,
    )


@router.get(
    "/locations/{location_id}/days/{date}",
    summary="Opening hours on one date",
    responses=error_responses(404),
)
def read_location_day(
    location_id: LocationId, date: Day, session: SessionDep, settings: SettingsDep
) -> LocationDayOut:
    location = get_location_or_404(session, location_id)
    start = dt.datetime.combine(date, dt.time(0), tzinfo=settings.tz)
    day = schedule_for(session, location, settings, start).day(date)
    return LocationDayOut(
        location_id=location.id,
        date=date,
        weekday_name=WEEKDAY_NAMES[date.weekday()],
        open=day.open,
        hours=[IntervalOut(opens=s, closes=e) for s, e in day.intervals],
        regular_hours=[
            OpeningHoursOut(weekday=w.weekday, opens=w.opens, closes=w.closes) for w in day.regular
        ],
        reason=day.reason,
        detail=day.detail,
        holiday=day.holiday.name if day.holiday else None,
        closures=[b for b in (_brief(c) for c in day.closures) if b is not None],
        verified=location.verified,
    )
