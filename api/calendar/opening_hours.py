"""Is a location open at an instant, and when does it open next? Pure logic, no database.

Inputs are the weekly opening hours (local wall-clock times, any number of intervals per weekday),
the location's closures (aware from-to datetimes, may span days) and the time zone. Holidays and
other closed days come from ``kkshared.holidays`` and close a location all day.

All comparisons are made in UTC: Python compares two datetimes with the *same* tzinfo by wall
time, which is wrong across a DST change, so local times are only used for the calendar (which
day, which weekday) and for output.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kkshared.holidays import ClosedDay, DayKind, closed_day

WEEKDAY_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
# How far ahead to look for the next opening (a long closure can push it far out).
SEARCH_DAYS = 400


class ClosedReason(StrEnum):
    CLOSURE = "closure"  # an extraordinary closure registered by staff
    HOLIDAY = "holiday"  # a legal public holiday
    CLOSED_DAY = "closed_day"  # grundlovsdag, juleaftensdag, nytårsaftensdag
    OUTSIDE_HOURS = "outside_hours"  # before/after/between the day's opening hours, or no hours


@dataclass(frozen=True)
class WeeklyHours:
    weekday: int  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True)
class ClosurePeriod:
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    reason: str
    id: str | None = None


@dataclass(frozen=True)
class Status:
    at: datetime  # local
    open: bool
    reason: ClosedReason | None = None
    detail: str | None = None  # holiday name, closure reason, weekday ...
    closes_at: datetime | None = None  # local; when open
    next_opening: datetime | None = None  # local; when closed (None: nothing found)
    closure: ClosurePeriod | None = None
    holiday: ClosedDay | None = None


@dataclass(frozen=True)
class DaySchedule:
    day: date
    open: bool
    intervals: list[tuple[datetime, datetime]]  # local, after holidays and closures
    regular: list[WeeklyHours]
    reason: ClosedReason | None = None
    detail: str | None = None
    holiday: ClosedDay | None = None
    closures: list[ClosurePeriod] = field(default_factory=list)


def to_aware(value: datetime, tz: ZoneInfo) -> datetime:
    """Naive datetimes are local time in ``tz``; aware ones are kept (and converted on output).

    A naive time that does not exist (the skipped hour when DST starts) or exists twice (when DST
    ends) is resolved as Python's zoneinfo does with fold=0: the offset before the change.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def _subtract(
    start: datetime, end: datetime, closures: Iterable[ClosurePeriod]
) -> list[tuple[datetime, datetime]]:
    pieces = [(start, end)]
    for closure in closures:
        c_start, c_end = closure.starts_at.astimezone(UTC), closure.ends_at.astimezone(UTC)
        next_pieces = []
        for p_start, p_end in pieces:
            if c_end <= p_start or c_start >= p_end:
                next_pieces.append((p_start, p_end))
                continue
            if c_start > p_start:
                next_pieces.append((p_start, c_start))
            if c_end < p_end:
                next_pieces.append((c_end, p_end))
        pieces = next_pieces
    return pieces


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class Schedule:
    def __init__(
        self,
        weekly: Iterable[WeeklyHours],
        closures: Iterable[ClosurePeriod],
        tz: ZoneInfo,
    ) -> None:
        self.weekly = sorted(weekly, key=lambda w: (w.weekday, w.opens))
        self.closures = sorted(closures, key=lambda c: c.starts_at.astimezone(UTC))
        self.tz = tz

    def regular_hours(self, day: date) -> list[WeeklyHours]:
        return [w for w in self.weekly if w.weekday == day.weekday()]

    def _regular_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The weekday's hours as UTC intervals, ignoring holidays and closures."""
        return _merge(
            [
                (
                    _local(day, w.opens, self.tz).astimezone(UTC),
                    _local(day, w.closes, self.tz).astimezone(UTC),
                )
                for w in self.regular_hours(day)
            ]
        )

    def _closures_between(self, start: datetime, end: datetime) -> list[ClosurePeriod]:
        return [
            c
            for c in self.closures
            if c.starts_at.astimezone(UTC) < end and c.ends_at.astimezone(UTC) > start
        ]

    def open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """UTC intervals on ``day`` during which the location is open."""
        if closed_day(day) is not None:
            return []
        result: list[tuple[datetime, datetime]] = []
        for start, end in self._regular_intervals(day):
            result.extend(_subtract(start, end, self._closures_between(start, end)))
        return result

    def closure_at(self, at: datetime) -> ClosurePeriod | None:
        at_utc = at.astimezone(UTC)
        for closure in self.closures:
            if closure.starts_at.astimezone(UTC) <= at_utc < closure.ends_at.astimezone(UTC):
                return closure
        return None

    def next_opening(self, at: datetime) -> datetime | None:
        """The first moment at or after ``at`` at which the location is open (local time)."""
        at = to_aware(at, self.tz)
        at_utc = at.astimezone(UTC)
        day = at.astimezone(self.tz).date()
        for offset in range(SEARCH_DAYS):
            for start, end in self.open_intervals(day + timedelta(days=offset)):
                if end > at_utc:
                    return max(start, at_utc).astimezone(self.tz)
        return None

    def status(self, at: datetime) -> Status:
        at = to_aware(at, self.tz)
        at_utc = at.astimezone(UTC)
        local = at.astimezone(self.tz)
        for start, end in self.open_intervals(local.date()):
            if start <= at_utc < end:
                return Status(at=local, open=True, closes_at=end.astimezone(self.tz))
        next_opening = self.next_opening(at)
        closure = self.closure_at(at)
        if closure is not None:
            return Status(
                at=local,
                open=False,
                reason=ClosedReason.CLOSURE,
                detail=closure.reason,
                next_opening=next_opening,
                closure=closure,
            )
        holiday = closed_day(local.date())
        if holiday is not None:
            return Status(
                at=local,
                open=False,
                reason=_holiday_reason(holiday),
                detail=holiday.name,
                next_opening=next_opening,
                holiday=holiday,
            )
        return Status(
            at=local,
            open=False,
            reason=ClosedReason.OUTSIDE_HOURS,
            detail=_hours_detail(self.regular_hours(local.date()), local.date()),
            next_opening=next_opening,
        )

    def day(self, day: date) -> DaySchedule:
        regular = self.regular_hours(day)
        intervals = [
            (s.astimezone(self.tz), e.astimezone(self.tz)) for s, e in self.open_intervals(day)
        ]
        day_start = _local(day, time(0), self.tz).astimezone(UTC)
        day_end = _local(day + timedelta(days=1), time(0), self.tz).astimezone(UTC)
        closures = self._closures_between(day_start, day_end)
        holiday = closed_day(day)
        if intervals:
            return DaySchedule(
                day=day,
                open=True,
                intervals=intervals,
                regular=regular,
                closures=closures,
                holiday=holiday,
            )
        if holiday is not None:
            reason, detail = _holiday_reason(holiday), holiday.name
        elif regular and closures:
            reason, detail = ClosedReason.CLOSURE, closures[0].reason
        else:
            reason, detail = ClosedReason.OUTSIDE_HOURS, _hours_detail(regular, day)
        return DaySchedule(
            day=day,
            open=False,
            intervals=[],
            reason=reason,
            detail=detail,
            regular=regular,
            closures=closures,
            holiday=holiday,
        )


def _holiday_reason(holiday: ClosedDay) -> ClosedReason:
    return ClosedReason.HOLIDAY if holiday.kind is DayKind.HELLIGDAG else ClosedReason.CLOSED_DAY


def _hours_detail(regular: list[WeeklyHours], day: date) -> str:
    if not regular:
        return f"ingen åbningstid om {WEEKDAY_NAMES[day.weekday()]}en"
    return "uden for åbningstiden"
