"""Weekly opening hours on the operations pages (staff, admin):
``/drift/aabningstider/{location_id}``, one text field per weekday ("09:00-12:00, 13:00-15:00";
empty: closed).

Changes go through ``api.services.opening_hours`` like ``PUT
/locations/{location_id}/opening-hours`` (audited). Sign-in, CSRF and rendering:
``api.routes.operations_pages``.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import HTMLResponse, Response

from api.calendar.opening_hours import WEEKDAY_NAMES
from api.deps import SessionDep, SettingsDep
from api.models.locations import Location
from api.routes.closures_pages import parse_clock
from api.routes.operations_pages import HOME, PAGES, posted_row
from api.schemas.locations import MAX_INTERVALS_PER_DAY, OpeningHoursIn, WeeklyHoursIn
from api.security.page_routes import RowLookup, SignedIn
from api.security.pages import redirect
from api.services.opening_hours import replace_opening_hours

router = APIRouter(include_in_schema=False)

LocationId = Annotated[str, Path(max_length=64)]


def _hours_text(intervals: list[tuple[time, time]]) -> str:
    return ", ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in intervals)


# --- opening hours -------------------------------------------------------------------------------

_INTERVAL = re.compile(r"^\s*(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})\s*$")


def _day_field(weekday: int) -> str:
    return f"dag{weekday}"


def hours_from_form(values: dict[str, str]) -> tuple[WeeklyHoursIn | None, list[dict[str, str]]]:
    """The week from one text field per weekday ("09:00-12:00, 13:00-15:00"; empty: closed)."""
    errors: list[dict[str, str]] = []
    intervals: list[OpeningHoursIn] = []
    for weekday, name in enumerate(WEEKDAY_NAMES):
        field = _day_field(weekday)
        text = values.get(field, "").strip()
        if not text:
            continue
        parts = [p for p in text.split(",") if p.strip()]
        day: list[tuple[time, time]] = []
        problem = None
        for part in parts:
            match = _INTERVAL.match(part)
            opens = parse_clock(match.group(1)) if match else None
            closes = parse_clock(match.group(2)) if match else None
            if opens is None or closes is None:
                problem = f"Skriv åbningstiden for {name} som fx 09:00-15:00."
                break
            if closes <= opens:
                problem = f"Om {name}en skal lukketiden være efter åbningstiden."
                break
            day.append((opens, closes))
        if problem is None and len(day) > MAX_INTERVALS_PER_DAY:
            problem = f"Skriv højst {MAX_INTERVALS_PER_DAY} tidsrum for {name}."
        if problem is None:
            ordered = sorted(day)
            if any(b[0] < a[1] for a, b in zip(ordered, ordered[1:], strict=False)):
                problem = f"Tidsrummene for {name} overlapper hinanden."
        if problem is not None:
            errors.append({"field": field, "message": problem})
            continue
        intervals.extend(OpeningHoursIn(weekday=weekday, opens=o, closes=c) for o, c in day)
    if errors:
        return None, errors
    return WeeklyHoursIn(hours=intervals), []


def _hours_form(
    request: Request,
    user: SignedIn,
    location: Location,
    values: dict[str, str],
    errors: list[dict[str, str]],
    status_code: int = 200,
) -> HTMLResponse:
    days = [
        {"field": _day_field(w), "name": name.capitalize(), "value": values.get(_day_field(w), "")}
        for w, name in enumerate(WEEKDAY_NAMES)
    ]
    return PAGES.render(
        request,
        "operations/opening_hours_form.html",
        {
            "location": location,
            "days": days,
            "errors": errors,
            "error_fields": {e["field"] for e in errors},
        },
        status_code,
        user=user,
    )


LOCATION = RowLookup.by_id(Location, "Stedet findes ikke", "Der er intet sted med den adresse.")


@router.get("/drift/aabningstider/{location_id}")
def opening_hours_page(
    location_id: LocationId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    found = PAGES.signed_in_row(request, session, settings, LOCATION, location_id)
    if isinstance(found, Response):
        return found
    user, location = found
    values = {
        _day_field(w): _hours_text(
            [(h.opens, h.closes) for h in location.opening_hours if h.weekday == w]
        )
        for w in range(7)
    }
    return _hours_form(request, user, location, values, [])


@router.post("/drift/aabningstider/{location_id}")
async def update_opening_hours_from_page(
    location_id: LocationId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    back = f"/drift/aabningstider/{location_id}"
    posted = await posted_row(request, session, settings, back, LOCATION, location_id)
    if isinstance(posted, Response):
        return posted
    user, form, location = posted
    values = {_day_field(w): form.get(_day_field(w), "")[:100] for w in range(7)}
    week, errors = hours_from_form(values)
    if week is None:
        return _hours_form(
            request, user, location, values, errors, status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    replace_opening_hours(session, request, user.principal, location, week)
    return redirect(f"{HOME}?gemt=aabningstider")
