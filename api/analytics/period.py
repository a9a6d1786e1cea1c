"""The period a report covers, from the query string of the API and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Query, status

from api.analytics.report import MAX_DAYS, PERIODS
from api.deps import SettingsDep
from api.errors import raises

DEFAULT_DAYS = 28


class BadPeriod(ValueError):
    """``danish`` is for the pages, the exception's text for API callers."""

    def __init__(self, reason: str, danish: str) -> None:
        super().__init__(reason)
        self.danish = danish


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    period: str


def _day(value: str | None, name: str, danish: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadPeriod(
            f"{name} must be a date like 2026-12-06", f"{danish} skal være en dato som 2026-12-06."
        ) from None


def parse_period(start: str | None, end: str | None, period: str | None, tz: ZoneInfo) -> Period:
    today = datetime.now(tz).date()
    last = _day(end, "to", "Til-datoen") or today
    first = _day(start, "from", "Fra-datoen") or last - timedelta(days=DEFAULT_DAYS - 1)
    kind = (period or "day").strip()
    if kind not in PERIODS:
        raise BadPeriod("period must be 'day' or 'week'", "Vælg opdeling pr. dag eller pr. uge.")
    if first > last:
        raise BadPeriod(
            "from must not be after to", "Fra-datoen skal ligge før eller på til-datoen."
        )
    if (last - first).days >= MAX_DAYS:
        raise BadPeriod(
            f"the period is at most {MAX_DAYS} days", f"Vælg en periode på højst {MAX_DAYS} dage."
        )
    return Period(first, last, kind)


@raises(422)
def period_query(
    settings: SettingsDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    period: Annotated[str | None, Query(max_length=8, description="day | week")] = None,
) -> Period:
    """The JSON API's period (``?from=&to=&period=``); a bad one is 422 with the reason."""
    try:
        return parse_period(start, end, period, settings.tz)
    except BadPeriod as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None


ChosenPeriod = Annotated[Period, Depends(period_query)]
