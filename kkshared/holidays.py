"""Danish public holidays and the job centre's other closed days, for any year 1900-2200.

The one implementation, used by the case service (``api.calendar.opening_hours``, the holiday
routes and schemas) and by the bot's date parser (``kkshared.dates``). Pure Python; runs on
Python 3.10 and 3.11.

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

Grundlovsdag can fall on pinsedag or 2. pinsedag (2022, 2028, 2033, ...): both entries are then
listed, and ``closed_day`` returns the legal holiday (public holidays sort first on equal dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache

from kkshared.normalize import fold

MIN_YEAR = 1900
MAX_YEAR = 2200
LAST_STORE_BEDEDAG_YEAR = 2023

# The Danish names, exactly as the case service shows them (``GET /holidays/{year}``).
NYTAARSDAG = "Nytårsdag"
SKAERTORSDAG = "Skærtorsdag"
LANGFREDAG = "Langfredag"
PAASKEDAG = "Påskedag"
ANDEN_PAASKEDAG = "2. påskedag"
STORE_BEDEDAG = "Store bededag"
KRISTI_HIMMELFARTSDAG = "Kristi himmelfartsdag"
PINSEDAG = "Pinsedag"
ANDEN_PINSEDAG = "2. pinsedag"
FOERSTE_JULEDAG = "1. juledag"
ANDEN_JULEDAG = "2. juledag"
GRUNDLOVSDAG = "Grundlovsdag"
JULEAFTENSDAG = "Juleaftensdag"
NYTAARSAFTENSDAG = "Nytårsaftensdag"


class DayKind(str, Enum):
    """``str`` enum (Python 3.10 has no ``enum.StrEnum``); ``str()`` and f-strings
    give the value."""

    HELLIGDAG = "helligdag"
    LUKKEDAG = "lukkedag"

    def __str__(self) -> str:
        return self.value


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
    """The legal public holidays (helligdage) of ``year``, in date order.

    Raises ``ValueError`` outside ``MIN_YEAR``..``MAX_YEAR``.
    """
    _check_year(year)
    easter = easter_sunday(year)
    h = DayKind.HELLIGDAG
    days = [
        ClosedDay(date(year, 1, 1), NYTAARSDAG, h),
        ClosedDay(easter - timedelta(days=3), SKAERTORSDAG, h),
        ClosedDay(easter - timedelta(days=2), LANGFREDAG, h),
        ClosedDay(easter, PAASKEDAG, h),
        ClosedDay(easter + timedelta(days=1), ANDEN_PAASKEDAG, h),
        ClosedDay(easter + timedelta(days=39), KRISTI_HIMMELFARTSDAG, h),
        ClosedDay(easter + timedelta(days=49), PINSEDAG, h),
        ClosedDay(easter + timedelta(days=50), ANDEN_PINSEDAG, h),
        ClosedDay(date(year, 12, 25), FOERSTE_JULEDAG, h),
        ClosedDay(date(year, 12, 26), ANDEN_JULEDAG, h),
    ]
    if year <= LAST_STORE_BEDEDAG_YEAR:
        # Fourth Friday after Easter.
        days.append(ClosedDay(easter + timedelta(days=26), STORE_BEDEDAG, h))
    return sorted(days, key=lambda d: d.day)


def other_closed_days(year: int) -> list[ClosedDay]:
    """Days that are not legal holidays but on which the job centre is closed (lukkedage)."""
    _check_year(year)
    c = DayKind.LUKKEDAG
    return [
        ClosedDay(date(year, 6, 5), GRUNDLOVSDAG, c),
        ClosedDay(date(year, 12, 24), JULEAFTENSDAG, c),
        ClosedDay(date(year, 12, 31), NYTAARSAFTENSDAG, c),
    ]


@lru_cache(maxsize=64)
def closed_days(year: int) -> tuple[ClosedDay, ...]:
    """Holidays and other closed days of ``year``, in date order."""
    return tuple(sorted(public_holidays(year) + other_closed_days(year), key=lambda d: d.day))


def closed_day(day: date) -> ClosedDay | None:
    """The holiday or closed day falling on ``day``, if any (``None`` outside 1900-2200)."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    for entry in closed_days(day.year):
        if entry.day == day:
            return entry
    return None


def closed_day_named(name: str, year: int) -> ClosedDay | None:
    """The day called ``name`` (one of the names above; case and æ/ae spelling ignored) in ``year``.

    ``None`` when the year is outside 1900-2200, the name is unknown, or the day does not exist
    that year (store bededag after 2023).
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    key = fold(name)
    for entry in closed_days(year):
        if fold(entry.name) == key:
            return entry
    return None
