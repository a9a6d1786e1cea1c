"""Danish formatting of dates, times and amounts with Babel.

Every date, time and amount a user reads goes through these functions, so the bot, the SMS channel
and the case service say "tirsdag den 3. marts 2026 kl. 10.00" and "12.345,50 kr." alike.
Aware datetimes are converted to Europe/Copenhagen; naive ones are taken as Copenhagen local time.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal

LOCALE = "da_DK"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def to_local(moment: datetime) -> datetime:
    """``moment`` as Copenhagen local time (naive input is assumed to be local already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=COPENHAGEN)
    return moment.astimezone(COPENHAGEN)


def parse_moment(value: object) -> datetime | None:
    """A case-service timestamp ("2026-11-24T10:00:00+01:00") as an aware datetime; naive input
    is Copenhagen time; anything unreadable is None."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=COPENHAGEN)


def parse_day(value: object) -> date | None:
    """The date of an ISO date or datetime string ("2026-11-30", "2026-11-30T10:00"), or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def format_date(day: date) -> str:
    """ "tirsdag den 3. marts 2026"."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    return _babel_date(day, format="EEEE 'den' d. MMMM y", locale=LOCALE)


def format_day_month_year(day: date) -> str:
    """ "3. marts 2026" (a date in running text where the weekday does not matter)."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    return _babel_date(day, format="d. MMMM y", locale=LOCALE)


def format_short_date(day: date) -> str:
    """ "3. marts" (for SMS and lists, where the weekday and year are clear from context)."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    return _babel_date(day, format="d. MMMM", locale=LOCALE)


def format_time(moment: time | datetime) -> str:
    """ "10.00" (Danish uses a full stop between hours and minutes)."""
    if isinstance(moment, datetime):
        moment = to_local(moment).time()
    return f"{moment.hour:02d}.{moment.minute:02d}"


def format_datetime(moment: datetime) -> str:
    """ "tirsdag den 3. marts 2026 kl. 10.00"."""
    local = to_local(moment)
    return f"{format_date(local.date())} kl. {format_time(local)}"


def format_amount(amount: Decimal | float | int | str) -> str:
    """ "12.345,50 kr." (always two decimals, Danish grouping)."""
    value = Decimal(str(amount))
    return f"{_babel_decimal(value, format='#,##0.00', locale=LOCALE)} kr."


def format_time_range(start: time, end: time) -> str:
    """ "8.00-15.00" style opening hours: "kl. 08.00-15.00"."""
    return f"kl. {format_time(start)}-{format_time(end)}"
