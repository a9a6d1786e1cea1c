from __future__ import annotations

import datetime as dt

from pydantic import Field, computed_field, model_validator

from api.calendar.opening_hours import WEEKDAY_NAMES, ClosedReason
from api.models.locations import LocationChannel, LocationKind
from api.schemas.common import ClockTime, InputModel, LocalDateTime, ORMModel

MAX_INTERVALS_PER_DAY = 4


class OpeningHoursOut(ORMModel):
    weekday: int
    opens: ClockTime
    closes: ClockTime

    # computed_field makes the method a read-only property (no @property: mypy rejects the pair).
    @computed_field
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


class OpeningHoursIn(InputModel):
    """One opening interval on one weekday (0 = Monday), local wall-clock times."""

    weekday: int = Field(ge=0, le=6)
    opens: dt.time
    closes: dt.time

    @model_validator(mode="after")
    def _opens_before_closes(self) -> OpeningHoursIn:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes are local times without an offset")
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class WeeklyHoursIn(InputModel):
    """A location's whole week; a weekday without intervals is closed. Intervals of one weekday
    must not overlap."""

    hours: list[OpeningHoursIn] = Field(max_length=7 * MAX_INTERVALS_PER_DAY)

    @model_validator(mode="after")
    def _no_overlaps(self) -> WeeklyHoursIn:
        by_day: dict[int, list[OpeningHoursIn]] = {}
        for interval in self.hours:
            by_day.setdefault(interval.weekday, []).append(interval)
        for weekday, intervals in by_day.items():
            if len(intervals) > MAX_INTERVALS_PER_DAY:
                raise ValueError(f"at most {MAX_INTERVALS_PER_DAY} intervals per weekday")
            ordered = sorted(intervals, key=lambda i: i.opens)
            for before, after in zip(ordered, ordered[1:], strict=False):
                if after.opens < before.closes:
                    raise ValueError(f"intervals overlap on {WEEKDAY_NAMES[weekday]}")
        return self
