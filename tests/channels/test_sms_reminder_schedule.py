"""When a reminder is due (bot/reminders/schedule.py) and the settings behind it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.schedule import (
    day_before_due,
    in_quiet_hours,
    quiet_hours_end,
    send_at,
    working_day_before,
)
from bot.settings import ReminderSettings, SmsSettings

CPH = ZoneInfo("Europe/Copenhagen")


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=CPH)


@pytest.mark.parametrize(
    ("meeting_day", "send_day"),
    [
        (date(2026, 3, 4), date(2026, 3, 3)),  # Wednesday -> Tuesday
        (date(2026, 3, 9), date(2026, 3, 6)),  # Monday -> Friday
        (date(2026, 4, 7), date(2026, 4, 1)),  # Tuesday after Easter -> Wednesday before
        (date(2026, 5, 15), date(2026, 5, 13)),  # Friday after Kristi himmelfartsdag
        (date(2026, 12, 28), date(2026, 12, 23)),  # Monday after Christmas
        (date(2027, 1, 4), date(2026, 12, 30)),  # Monday after New Year (31 Dec is closed)
        (date(2026, 6, 8), date(2026, 6, 4)),  # Monday after Grundlovsdag (Friday 5 June)
    ],
)
def test_the_working_day_before(meeting_day: date, send_day: date) -> None:
    assert working_day_before(meeting_day) == send_day


def test_due_from_the_send_time_until_four_hours_before() -> None:
    meeting = at(2026, 3, 4, 10)
    assert send_at(meeting, "16:00", CPH) == at(2026, 3, 3, 16)
    due = lambda now: day_before_due(meeting, now, "16:00", 4, CPH)  # noqa: E731
    assert due(at(2026, 3, 3, 15, 59)) is None
    assert due(at(2026, 3, 3, 16)) == date(2026, 3, 3)
    assert due(at(2026, 3, 4, 6)) == date(2026, 3, 3)  # a job that was down catches up
    assert due(at(2026, 3, 4, 6, 1)) is None  # less than 4 hours before: none
    # Booked after the send time: at once, if more than 4 hours away (the same key).
    assert day_before_due(at(2026, 3, 4, 9), at(2026, 3, 3, 18), "16:00", 4, CPH) == date(
        2026, 3, 3
    )


def test_quiet_hours_across_midnight() -> None:
    assert in_quiet_hours(at(2026, 3, 3, 21), 21, 8, CPH)
    assert in_quiet_hours(at(2026, 3, 4, 7, 59), 21, 8, CPH)
    assert not in_quiet_hours(at(2026, 3, 4, 8), 21, 8, CPH)
    assert not in_quiet_hours(at(2026, 3, 3, 20, 59), 21, 8, CPH)
    assert not in_quiet_hours(at(2026, 3, 3, 23), 0, 0, CPH)  # 0-0: off
    assert quiet_hours_end(at(2026, 3, 3, 22), 8, CPH) == at(2026, 3, 4, 8)
    assert quiet_hours_end(at(2026, 3, 4, 2), 8, CPH) == at(2026, 3, 4, 8)


def test_reminder_and_quiet_hour_settings() -> None:
    reminders = ReminderSettings.from_env({"KK_REMINDER_SEND_TIME": "9:30"})
    assert reminders.send_time == "09:30" and reminders.rasa_api_token is None
    assert reminders.case_service_timeout == 10.0  # longer than a chat turn's 2 s
    waiting = ReminderSettings.from_env({"KK_REMINDER_CASE_SERVICE_TIMEOUT": "30"})
    assert waiting.case_service_timeout == 30.0
    sms = SmsSettings.from_env({"KK_SMS_QUIET_HOURS": "22-07"})
    assert (sms.quiet_start, sms.quiet_end) == (22, 7)
    for name, value in (
        ("KK_REMINDER_SEND_TIME", "16"),
        ("KK_REMINDER_SEND_TIME", "25:00"),
        ("KK_REMINDER_CASE_SERVICE_TIMEOUT", "0"),
        ("KK_REMINDER_CASE_SERVICE_TIMEOUT", "soon"),
        ("KK_SMS_QUIET_HOURS", "21"),
        ("KK_SMS_QUIET_HOURS", "21-24"),
    ):
        with pytest.raises(ValueError, match=name):
            (ReminderSettings if "REMINDER" in name else SmsSettings).from_env({name: value})
    with pytest.raises(ValueError, match="KK_SMS_INBOX_LEASE_SECONDS"):
        SmsSettings.from_env({"KK_SMS_TURN_TIMEOUT": "60", "KK_SMS_INBOX_LEASE_SECONDS": "30"})
