"""Danish public holidays and the job centre's other closed days, for any year.

Two kinds of day are distinguished:

- ``helligdag``: the legal public holidays (helligdagsloven): nytårsdag, skærtorsdag, langfredag,
  påskedag, 2. påskedag, store bededag (abolished from 2024, so only up to and including 2023),
  Kristi himmelfartsdag, pinsedag, 2. pinsedag, 1. juledag and 2. juledag.
- ``lukkedag``: days that are not legal holidays but on which the job centre is closed in
  practice, as for most of the public sector: grundlovsdag (5 June), juleaftensdag (24 December)
  and nytårsaftensdag (31 December).

Both kinds make a location closed all day. Anything else (e.g. a bridge day after Kristi
himmelfartsdag, or 1 May) is not assumed: a municipality that closes then registers a closure.
Sundays are not listed; opening hours decide them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

MIN_YEAR = 1900
MAX_YEAR = 2200
LAST_STORE_BEDEDAG_YEAR = 2023


class DayKind(StrEnum):
    HELLIGDAG = "helligdag"
    LUKKEDAG = "lukkedag"


@dataclass(frozen=True)
class ClosedDay:
    day: date
    name: str
    kind: DayKind

    @property
    def legal_holiday(self) -> bool:
        return self.kind is DayKind.HELLIGDAG


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")


def public_holidays(year: int) -> list[ClosedDay]:
    """The legal public holidays (helligdage) of ``year``, in date order."""
    _check_year(year)
    easter = easter_sunday(year)
    h = DayKind.HELLIGDAG
    days = [
        ClosedDay(date(year, 1, 1), "Nytårsdag", h),
        ClosedDay(easter - timedelta(days=3), "Skærtorsdag", h),
        ClosedDay(easter - timedelta(days=2), "Langfredag", h),
        ClosedDay(easter, "Påskedag", h),
        ClosedDay(easter + timedelta(days=1), "2. påskedag", h),
        ClosedDay(easter + timedelta(days=39), "Kristi himmelfartsdag", h),
        ClosedDay(easter + timedelta(days=49), "Pinsedag", h),
        ClosedDay(easter + timedelta(days=50), "2. pinsedag", h),
        ClosedDay(date(year, 12, 25), "1. juledag", h),
        ClosedDay(date(year, 12, 26), "2. juledag", h),
    ]
    if year <= LAST_STORE_BEDEDAG_YEAR:
        # Fourth Friday after Easter.
        days.append(ClosedDay(easter + timedelta(days=26), "Store bededag", h))
    return sorted(days, key=lambda d: d.day)


def other_closed_days(year: int) -> list[ClosedDay]:
    """Days that are not legal holidays but on which the job centre is closed (lukkedage)."""
    _check_year(year)
    c = DayKind.LUKKEDAG
    return [
        ClosedDay(date(year, 6, 5), "Grundlovsdag", c),
        ClosedDay(date(year, 12, 24), "Juleaftensdag", c),
        ClosedDay(date(year, 12, 31), "Nytårsaftensdag", c),
    ]


@lru_cache(maxsize=64)
def closed_days(year: int) -> tuple[ClosedDay, ...]:
    """Holidays and other closed days of ``year``, in date order."""
    return tuple(sorted(public_holidays(year) + other_closed_days(year), key=lambda d: d.day))


def closed_day(day: date) -> ClosedDay | None:
    """The holiday or closed day falling on ``day``, if any."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    for entry in closed_days(day.year):
        if entry.day == day:
            return entry
    return None
