"""Formatting of dates, times and amounts with Babel, in Danish or English.

Every date, time and amount a user reads goes through these functions, so the bot, the SMS channel
and the case service say "tirsdag den 3. marts 2026 kl. 10.00" and "12.345,50 kr." alike. Each
function takes ``locale``: "da" (default) or "en" (a conversation's language, kkshared.i18n), which
gives "Tuesday 3 March 2026 at 10:00" and "DKK 12,345.50" (British English, Babel's en_GB).
Aware datetimes are converted to Europe/Copenhagen; naive ones are taken as Copenhagen local time.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal

from kkshared.i18n import language_of

LOCALE = "da_DK"
ENGLISH_LOCALE = "en_GB"
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


def _english(locale: str) -> bool:
    return language_of(locale) == "en"


def _day(day: date) -> date:
    return to_local(day).date() if isinstance(day, datetime) else day


def format_date(day: date, locale: str = "da") -> str:
    """ "tirsdag den 3. marts 2026" / "Tuesday 3 March 2026"."""
    if _english(locale):
        return _babel_date(_day(day), format="EEEE d MMMM y", locale=ENGLISH_LOCALE)
    return _babel_date(_day(day), format="EEEE 'den' d. MMMM y", locale=LOCALE)


def format_weekday(day: date, locale: str = "da") -> str:
    """ "lørdag" / "Saturday"."""
    return _babel_date(
        _day(day), format="EEEE", locale=ENGLISH_LOCALE if _english(locale) else LOCALE
    )


def format_day_month_year(day: date, locale: str = "da") -> str:
    """ "3. marts 2026" / "3 March 2026" (running text where the weekday does not matter)."""
    if _english(locale):
        return _babel_date(_day(day), format="d MMMM y", locale=ENGLISH_LOCALE)
    return _babel_date(_day(day), format="d. MMMM y", locale=LOCALE)


def format_short_date(day: date, locale: str = "da") -> str:
    """ "3. marts" / "3 March" (SMS and lists, where the weekday and year are clear)."""
    if _english(locale):
        return _babel_date(_day(day), format="d MMMM", locale=ENGLISH_LOCALE)
    return _babel_date(_day(day), format="d. MMMM", locale=LOCALE)


def format_time(moment: time | datetime, locale: str = "da") -> str:
    """ "10.00" (Danish uses a full stop between hours and minutes) / "10:00"."""
    if isinstance(moment, datetime):
        moment = to_local(moment).time()
    separator = ":" if _english(locale) else "."
    return f"{moment.hour:02d}{separator}{moment.minute:02d}"


def format_datetime(moment: datetime, locale: str = "da") -> str:
    """ "tirsdag den 3. marts 2026 kl. 10.00" / "Tuesday 3 March 2026 at 10:00"."""
    local = to_local(moment)
    at = "at" if _english(locale) else "kl."
    return f"{format_date(local.date(), locale)} {at} {format_time(local, locale)}"


def format_amount(amount: Decimal | float | int | str, locale: str = "da") -> str:
    """ "12.345,50 kr." / "DKK 12,345.50" (always two decimals, the language's grouping)."""
    value = Decimal(str(amount))
    if _english(locale):
        return f"DKK {_babel_decimal(value, format='#,##0.00', locale=ENGLISH_LOCALE)}"
    return f"{_babel_decimal(value, format='#,##0.00', locale=LOCALE)} kr."


def format_time_range(start: time, end: time, locale: str = "da") -> str:
    """Opening hours: "kl. 08.00-15.00" / "08:00-15:00"."""
    hours = f"{format_time(start, locale)}-{format_time(end, locale)}"
    return hours if _english(locale) else f"kl. {hours}"
