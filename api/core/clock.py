"""Current time in UTC and the local calendar date (one place, so it is easy to reason about)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_local(tz: ZoneInfo) -> date:
    return now_utc().astimezone(tz).date()
