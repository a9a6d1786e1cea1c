from __future__ import annotations

import datetime as dt

from pydantic import computed_field

from api.calendar.opening_hours import WEEKDAY_NAMES, ClosedReason
from api.models.locations import LocationChannel, LocationKind
from api.schemas.common import ClockTime, LocalDateTime, ORMModel


class OpeningHoursOut(ORMModel):
    weekday: int
    opens: ClockTime
    closes: ClockTime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.weekday]


class LocationOut(ORMModel):
    id: str
    name: str
    kind: LocationKind
    channel: LocationChannel
    aliases: list[str]
    street: str | None
    postal_code: str | None
    city: str | None
    phone: str | None
    note: str | None
    verified: bool
    source: str | None
    opening_hours: list[OpeningHoursOut]


class ClosureBrief(ORMModel):
    id: str | None
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    reason: str


class LocationStatusOut(ORMModel):
    location_id: str
    at: LocalDateTime
    open: bool
    reason: ClosedReason | None
    detail: str | None
    closes_at: LocalDateTime | None
    next_opening: LocalDateTime | None
    closure: ClosureBrief | None
    verified: bool


class IntervalOut(ORMModel):
    opens: LocalDateTime
    closes: LocalDateTime


class LocationDayOut(ORMModel):
    location_id: str
    date: dt.date
    weekday_name: str
    open: bool
    hours: list[IntervalOut]
    regular_hours: list[OpeningHoursOut]
    reason: ClosedReason | None
    detail: str | None
    holiday: str | None
    closures: list[ClosureBrief]
    verified: bool
