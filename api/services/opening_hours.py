"""Replacing a location's weekly opening hours: one place for the API and the staff page.

Audited (``hours_update``, with the location's id and the number of intervals). Note: in demo
mode ``./kk run`` reloads the demo locations file at start, which resets the hours
(docs/operations.md).
"""

from __future__ import annotations

import logging

from fastapi import Request
from sqlalchemy.orm import Session

from api.models.locations import Location, OpeningHours
from api.schemas.locations import WeeklyHoursIn
from api.security.principal import Principal
from api.services.audit import record_change

log = logging.getLogger("api.opening_hours")


def replace_opening_hours(
    session: Session,
    request: Request,
    principal: Principal,
    location: Location,
    week: WeeklyHoursIn,
) -> Location:
    location.opening_hours.clear()
    session.flush()  # the old rows go before the new ones come
    for interval in sorted(week.hours, key=lambda i: (i.weekday, i.opens)):
        location.opening_hours.append(
            OpeningHours(weekday=interval.weekday, opens=interval.opens, closes=interval.closes)
        )
    detail = f"location={location.id} intervals={len(week.hours)}"
    record_change(session, request, principal, "hours_update", detail)
    session.commit()
    log.info(
        "opening hours replaced", extra={"location_id": location.id, "actor": principal.user_id}
    )
    return location
