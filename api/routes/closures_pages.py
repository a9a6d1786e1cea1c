"""Closures on the operations pages (staff, admin): ``/drift/lukninger`` lists, per location,
the current and upcoming closures and the weekly hours; ``/drift/lukninger/ny``,
``/drift/lukninger/{id}`` and ``/drift/lukninger/{id}/slet`` create, change and delete one.

Changes go through ``api.services.closures`` like the JSON API (audited). Sign-in, CSRF and
rendering: ``api.routes.operations_pages``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.calendar.opening_hours import WEEKDAY_NAMES
from api.core.clock import now_utc
from api.deps import SessionDep, SettingsDep
from api.models.closures import Closure
from api.models.locations import Location
from api.routes.operations_pages import HOME, PAGES, posted_form, posted_row
from api.schemas.closures import ClosureIn
from api.security.page_routes import RowLookup, SignedIn
from api.security.pages import redirect
from api.services import closures as closures_service
from kkshared.formatting import format_datetime, format_time, to_local
from kkshared.holidays import MAX_YEAR, MIN_YEAR

router = APIRouter(include_in_schema=False)

ClosureId = Annotated[str, Path(max_length=40)]

# --- views ---------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return format_datetime(moment)


def _week(location: Location) -> list[dict[str, str]]:
    days = []
    for weekday, name in enumerate(WEEKDAY_NAMES):
        intervals = [h for h in location.opening_hours if h.weekday == weekday]
        shown = ", ".join(f"kl. {format_time(h.opens)}-{format_time(h.closes)}" for h in intervals)
        days.append({"name": name.capitalize(), "hours": shown})
    return days


def _locations(session: Session) -> list[Location]:
    query = select(Location).options(selectinload(Location.opening_hours)).order_by(Location.name)
    return list(session.scalars(query))


# --- closures: list ------------------------------------------------------------------------------


@router.get("/drift/lukninger")
def closures_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    gemt: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    now = now_utc()
    upcoming = session.scalars(
        select(Closure).where(Closure.ends_at > now).order_by(Closure.starts_at, Closure.id)
    ).all()
    views = []
    for location in _locations(session):
        views.append(
            {
                "id": location.id,
                "name": location.name,
                "verified": location.verified,
                "week": _week(location),
                "closures": [
                    {
                        "id": c.id,
                        "starts": _when(c.starts_at),
                        "ends": _when(c.ends_at),
                        "reason": c.reason,
                        "current": c.starts_at <= now,
                    }
                    for c in upcoming
                    if c.location_id == location.id
                ],
            }
        )
    return PAGES.render(
        request,
        "operations/closures.html",
        {"locations": views, "flash": FLASHES.get(gemt or "")},
        user=user,
    )


FLASHES = {
    "oprettet": "Lukningen er oprettet.",
    "rettet": "Lukningen er rettet.",
    "slettet": "Lukningen er slettet.",
    "aabningstider": "Åbningstiderne er gemt.",
}


# --- closures: the form --------------------------------------------------------------------------

CLOSURE_FIELDS = ("location_id", "start_date", "start_time", "end_date", "end_time", "reason")
_DANISH_DATE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")

MESSAGES = {
    "location_id": "Vælg et sted fra listen.",
    "start_date": "Skriv en gyldig startdato og et gyldigt klokkeslæt, fx 24-12-2026 og 09:00.",
    "end_date": "Skriv en gyldig slutdato og et gyldigt klokkeslæt, fx 24-12-2026 og 15:00.",
    "end_before_start": "Lukningen skal slutte efter, at den begynder. Ret datoen eller "
    "klokkeslættet for »Lukket til«.",
    "reason": "Skriv den tekst, borgerne skal se (højst 500 tegn).",
}


def parse_day(text: str) -> date | None:
    """2026-12-24 (what a date field sends) or 24-12-2026 / 24.12.2026 (typed by hand)."""
    text = text.strip()
    try:
        match = _DANISH_DATE.match(text)
        day = (
            date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            if match
            else date.fromisoformat(text)
        )
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def parse_clock(text: str) -> time | None:
    """09:00 or 9.00 (local time)."""
    match = _CLOCK.match(text.strip())
    if match is None:
        return None
    try:
        return time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None


def _moment(day_text: str, clock_text: str) -> datetime | None:
    day, clock = parse_day(day_text), parse_clock(clock_text)
    return datetime.combine(day, clock) if day and clock else None  # naive = local time


def closure_from_form(
    session: Session, values: dict[str, str]
) -> tuple[ClosureIn | None, list[dict[str, str]]]:
    """The validated closure, or the Danish messages (field, message) saying what to fix."""
    errors: list[dict[str, str]] = []
    location_id = values["location_id"].strip()
    if not location_id or session.get(Location, location_id) is None:
        errors.append({"field": "location_id", "message": MESSAGES["location_id"]})
    starts = _moment(values["start_date"], values["start_time"])
    ends = _moment(values["end_date"], values["end_time"])
    if starts is None:
        errors.append({"field": "start_date", "message": MESSAGES["start_date"]})
    if ends is None:
        errors.append({"field": "end_date", "message": MESSAGES["end_date"]})
    elif starts is not None and ends <= starts:
        errors.append({"field": "end_date", "message": MESSAGES["end_before_start"]})
    reason = values["reason"].strip()
    if not reason or len(reason) > 500 or "\x00" in reason:
        errors.append({"field": "reason", "message": MESSAGES["reason"]})
    if errors or starts is None or ends is None:
        return None, errors
    try:  # the API's own checks (time zone, ends after starts) as the last word
        return ClosureIn(location_id=location_id, starts_at=starts, ends_at=ends, reason=reason), []
    except ValidationError:
        return None, [{"field": "end_date", "message": MESSAGES["end_before_start"]}]


def _form_values(closure: Closure | None = None) -> dict[str, str]:
    if closure is None:
        return dict.fromkeys(CLOSURE_FIELDS, "")
    tz_starts, tz_ends = to_local(closure.starts_at), to_local(closure.ends_at)
    return {
        "location_id": closure.location_id,
        "start_date": tz_starts.date().isoformat(),
        "start_time": f"{tz_starts:%H:%M}",
        "end_date": tz_ends.date().isoformat(),
        "end_time": f"{tz_ends:%H:%M}",
        "reason": closure.reason,
    }


def _closure_form(
    request: Request,
    session: Session,
    user: SignedIn,
    closure: Closure | None,
    values: dict[str, str],
    errors: list[dict[str, str]],
    status_code: int = 200,
) -> HTMLResponse:
    new = closure is None
    return PAGES.render(
        request,
        "operations/closure_form.html",
        {
            "heading": "Opret en lukning" if new else "Ret lukning",
            "action": "/drift/lukninger/ny"
            if closure is None
            else f"/drift/lukninger/{closure.id}",
            "submit_label": "Opret lukningen" if new else "Gem ændringerne",
            "locations": _locations(session),
            "form": values,
            "errors": errors,
            "error_fields": {e["field"] for e in errors},
        },
        status_code,
        user=user,
    )


def _save_closure(
    request: Request,
    session: Session,
    user: SignedIn,
    closure: Closure | None,
    form: dict[str, str],
) -> Response:
    """The posted form saved (a new closure, or ``closure`` changed) and back to the list; or
    the form again with what to fix (422)."""
    values = {name: form.get(name, "") for name in CLOSURE_FIELDS}
    body, errors = closure_from_form(session, values)
    if body is None:
        return _closure_form(
            request, session, user, closure, values, errors, status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    if closure is None:
        closures_service.create_closure(session, request, user.principal, body)
        return redirect(f"{HOME}?gemt=oprettet")
    closures_service.update_closure(session, request, user.principal, closure, body)
    return redirect(f"{HOME}?gemt=rettet")


CLOSURE = RowLookup.by_id(
    Closure, "Lukningen findes ikke", "Lukningen findes ikke. Måske er den allerede slettet."
)


@router.get("/drift/lukninger/ny")
def new_closure_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    return _closure_form(request, session, user, None, _form_values(), [])


@router.post("/drift/lukninger/ny")
async def create_closure_from_page(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    posted = await posted_form(request, session, settings, "/drift/lukninger/ny")
    if isinstance(posted, Response):
        return posted
    user, form = posted
    return _save_closure(request, session, user, None, form)


@router.get("/drift/lukninger/{closure_id}")
def edit_closure_page(
    closure_id: ClosureId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    found = PAGES.signed_in_row(request, session, settings, CLOSURE, closure_id)
    if isinstance(found, Response):
        return found
    user, closure = found
    return _closure_form(request, session, user, closure, _form_values(closure), [])


@router.post("/drift/lukninger/{closure_id}")
async def update_closure_from_page(
    closure_id: ClosureId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    back = f"/drift/lukninger/{closure_id}"
    posted = await posted_row(request, session, settings, back, CLOSURE, closure_id)
    if isinstance(posted, Response):
        return posted
    user, form, closure = posted
    return _save_closure(request, session, user, closure, form)


@router.get("/drift/lukninger/{closure_id}/slet")
def delete_closure_page(
    closure_id: ClosureId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    found = PAGES.signed_in_row(request, session, settings, CLOSURE, closure_id)
    if isinstance(found, Response):
        return found
    user, closure = found
    location = session.get(Location, closure.location_id)
    view = {
        "id": closure.id,
        "location": location.name if location else closure.location_id,
        "starts": _when(closure.starts_at),
        "ends": _when(closure.ends_at),
        "reason": closure.reason,
    }
    return PAGES.render(request, "operations/closure_delete.html", {"c": view}, user=user)


@router.post("/drift/lukninger/{closure_id}/slet")
async def delete_closure_from_page(
    closure_id: ClosureId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    back = f"/drift/lukninger/{closure_id}/slet"
    posted = await posted_row(request, session, settings, back, CLOSURE, closure_id)
    if isinstance(posted, Response):
        return posted
    user, _, closure = posted
    closures_service.delete_closure(session, request, user.principal, closure)
    return redirect(f"{HOME}?gemt=slettet")
