"""When a reminder is due: pure functions of the meeting, the settings and the clock.

- A day-before reminder is sent on the **working day before** the meeting's day (not a Saturday
  or Sunday, not a public holiday or other closed day of ``kkshared.holidays``), from
  ``KK_REMINDER_SEND_TIME`` (16:00) local time on.
- It is due from then until ``KK_REMINDER_MIN_LEAD_HOURS`` (4) before the meeting, outside the
  quiet hours (``KK_SMS_QUIET_HOURS``, 21-08). So a job that was down at the send time catches
  up when it is back, and a meeting booked after the send time still gets its reminder at once
  if it is more than 4 hours away and it is not night; one booked later gets none.
- A closure alert is due at once (outside the quiet hours) until the meeting starts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kkshared.holidays import closed_day


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and closed_day(day) is None


def working_day_before(day: date) -> date:
    """The last working day before ``day`` (Monday -> Friday; after Easter -> before it)."""
    candidate = day - timedelta(days=1)
    while not is_working_day(candidate):
        candidate -= timedelta(days=1)
    return candidate


def parse_clock(value: str) -> time:
    hour, _, minute = value.partition(":")
    return time(int(hour), int(minute))


def send_at(meeting_start: datetime, send_time: str, tz: ZoneInfo) -> datetime:
    """When the day-before reminder of a meeting is due (aware, local time)."""
    day = working_day_before(meeting_start.astimezone(tz).date())
    return datetime.combine(day, parse_clock(send_time), tzinfo=tz)


def in_quiet_hours(moment: datetime, start: int, end: int, tz: ZoneInfo) -> bool:
    """True from ``start`` to ``end`` o'clock local time (e.g. 21-08, across midnight)."""
    hour = moment.astimezone(tz).hour
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def quiet_hours_end(moment: datetime, end: int, tz: ZoneInfo) -> datetime:
    """The next ``end`` o'clock after ``moment`` (when held SMS may go out)."""
    local = moment.astimezone(tz)
    candidate = datetime.combine(local.date(), time(end), tzinfo=tz)
    return candidate if candidate > local else candidate + timedelta(days=1)


def day_before_due(
    meeting_start: datetime, now: datetime, send_time: str, min_lead_hours: float, tz: ZoneInfo
) -> date | None:
    """The sending day (the reminder's key) when the day-before reminder is due now, else None.
    (Quiet hours are checked by the caller, once for all reminders.)"""
    due_from = send_at(meeting_start, send_time, tz)
    if due_from <= now <= meeting_start - timedelta(hours=min_lead_hours):
        return due_from.date()
    return None
