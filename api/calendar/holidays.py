"""Danish public holidays and the job centre's other closed days.

The implementation lives in ``kkshared.holidays`` (shared with the bot's date parser,
``kkshared.dates``); this module re-exports it so the case service keeps importing
``api.calendar.holidays``. See ``kkshared/holidays.py`` for what counts as a helligdag and a
lukkedag.
"""

from __future__ import annotations

from kkshared.holidays import (
    LAST_STORE_BEDEDAG_YEAR,
    MAX_YEAR,
    MIN_YEAR,
    ClosedDay,
    DayKind,
    closed_day,
    closed_day_named,
    closed_days,
    easter_sunday,
    other_closed_days,
    public_holidays,
)

__all__ = [
    "LAST_STORE_BEDEDAG_YEAR",
    "MAX_YEAR",
    "MIN_YEAR",
    "ClosedDay",
    "DayKind",
    "closed_day",
    "closed_day_named",
    "closed_days",
    "easter_sunday",
    "other_closed_days",
    "public_holidays",
]
