"""Opening-hours logic: holidays, closures spanning days, DST days, naive vs aware datetimes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.calendar.opening_hours import (
    ClosedReason,
    ClosurePeriod,
    Schedule,
    WeeklyHours,
    to_aware,
)

TZ = ZoneInfo("Europe/Copenhagen")
# Mon-Wed 9-15, Thu 9-17, Fri 9-13; closed at weekends.
WEEKLY = [WeeklyHours(d, time(9), time(15)) for d in (0, 1, 2)] + [
    WeeklyHours(3, time(9), time(17)),
    WeeklyHours(4, time(9), time(13)),
]


def schedule(*closures: ClosurePeriod, weekly=WEEKLY) -> Schedule:
    return Schedule(weekly, closures, TZ)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_open_inside_hours_with_closing_time():
    status = schedule().status(local(2026, 3, 3, 10, 0))  # Tuesday
    assert status.open
    assert status.closes_at == local(2026, 3, 3, 15, 0)
    assert status.reason is None


def test_closed_after_hours_gives_next_opening_next_morning():
    status = schedule().status(local(2026, 3, 3, 15, 0))  # closing instant is already closed
    assert not status.open
    assert status.reason is ClosedReason.OUTSIDE_HOURS
    assert status.next_opening == local(2026, 3, 4, 9, 0)


def test_weekend_points_to_monday():
    status = schedule().status(local(2026, 3, 7, 12, 0))  # Saturday
    assert not status.open and status.reason is ClosedReason.OUTSIDE_HOURS
    assert status.next_opening == local(2026, 3, 9, 9, 0)


def test_easter_holidays_skip_to_tuesday():
    # Skærtorsdag 2026-04-02 .. 2. påskedag 2026-04-06 are holidays.
    status = schedule().status(local(2026, 4, 2, 10, 0))
    assert not status.open
    assert status.reason is ClosedReason.HOLIDAY and status.detail == "Skærtorsdag"
    assert status.next_opening == local(2026, 4, 7, 9, 0)


def test_store_bededag_2023_closed_but_same_friday_2024_open():
    assert schedule().status(local(2023, 5, 5, 10, 0)).detail == "Store bededag"
    assert schedule().status(local(2024, 4, 26, 10, 0)).open


def test_juleaften_is_a_closed_day_not_a_legal_holiday():
    status = schedule().status(local(2025, 12, 24, 10, 0))
    assert status.reason is ClosedReason.CLOSED_DAY and status.detail == "Juleaftensdag"
    # 25, 26 (holidays), 27-28 weekend, so Monday 29 December.
    assert status.next_opening == local(2025, 12, 29, 9, 0)


def test_closure_spanning_several_days():
    closure = ClosurePeriod(local(2026, 3, 6, 11, 0), local(2026, 3, 10, 12, 0), "Vandskade")
    s = schedule(closure)
    friday = s.status(local(2026, 3, 6, 10, 0))
    assert friday.open and friday.closes_at == local(2026, 3, 6, 11, 0)
    monday = s.status(local(2026, 3, 9, 10, 0))
    assert not monday.open
    assert monday.reason is ClosedReason.CLOSURE and monday.detail == "Vandskade"
    assert monday.next_opening == local(2026, 3, 10, 12, 0)
    assert s.status(local(2026, 3, 10, 12, 30)).open
    day = s.day(date(2026, 3, 10))
    assert day.open and day.intervals == [(local(2026, 3, 10, 12, 0), local(2026, 3, 10, 15, 0))]
    closed = s.day(date(2026, 3, 9))
    assert not closed.open and closed.reason is ClosedReason.CLOSURE
    assert [c.reason for c in closed.closures] == ["Vandskade"]


def test_partial_closure_in_the_middle_of_a_day():
    closure = ClosurePeriod(local(2026, 3, 5, 12, 0), local(2026, 3, 5, 13, 0), "Personalemøde")
    day = schedule(closure).day(date(2026, 3, 5))  # Thursday 9-17
    assert day.intervals == [
        (local(2026, 3, 5, 9, 0), local(2026, 3, 5, 12, 0)),
        (local(2026, 3, 5, 13, 0), local(2026, 3, 5, 17, 0)),
    ]
    status = schedule(closure).status(local(2026, 3, 5, 12, 30))
    assert status.reason is ClosedReason.CLOSURE
    assert status.next_opening == local(2026, 3, 5, 13, 0)


def test_closure_given_in_utc_is_applied_in_local_time():
    # 10:00-11:00 UTC on a winter Tuesday is 11:00-12:00 local.
    closure = ClosurePeriod(
        datetime(2026, 3, 3, 10, 0, tzinfo=UTC), datetime(2026, 3, 3, 11, 0, tzinfo=UTC), "x"
    )
    assert schedule(closure).status(local(2026, 3, 3, 10, 30)).open
    assert not schedule(closure).status(local(2026, 3, 3, 11, 30)).open


def test_dst_start_last_sunday_of_march():
    # 2026-03-29: clocks go 02:00 -> 03:00. Monday 09:00 is then 07:00 UTC, Friday 09:00 was 08:00.
    s = schedule()
    status = s.status(local(2026, 3, 29, 12, 0))
    assert status.next_opening == local(2026, 3, 30, 9, 0)
    assert status.next_opening.utcoffset() == timedelta(hours=2)
    assert status.next_opening.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert s.status(datetime(2026, 3, 30, 7, 30, tzinfo=UTC)).open
    assert not s.status(datetime(2026, 3, 30, 6, 30, tzinfo=UTC)).open  # 08:30 local
    assert s.status(datetime(2026, 3, 27, 8, 30, tzinfo=UTC)).open  # Friday 09:30 CET


def test_dst_day_itself_has_correct_interval_length():
    sunday_open = WEEKLY + [WeeklyHours(6, time(1), time(5))]
    spring = schedule(weekly=sunday_open).day(date(2026, 3, 29))
    start, end = spring.intervals[0]
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=3)  # 02-03 skipped
    autumn = schedule(weekly=sunday_open).day(date(2026, 10, 25))
    start, end = autumn.intervals[0]
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=5)  # 02-03 twice


def test_dst_end_last_sunday_of_october():
    status = schedule().status(local(2026, 10, 25, 12, 0))
    assert status.next_opening == local(2026, 10, 26, 9, 0)
    assert status.next_opening.utcoffset() == timedelta(hours=1)
    assert status.next_opening.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_naive_datetimes_are_local_and_aware_are_converted():
    s = schedule()
    naive = datetime(2026, 6, 2, 8, 30)  # 08:30 local -> closed
    assert not s.status(naive).open
    aware = datetime(2026, 6, 2, 8, 30, tzinfo=UTC)  # 10:30 local (CEST) -> open
    status = s.status(aware)
    assert status.open and status.at == local(2026, 6, 2, 10, 30)
    assert to_aware(naive, TZ).utcoffset() == timedelta(hours=2)


def test_no_hours_at_all_gives_no_next_opening():
    status = Schedule([], [], TZ).status(local(2026, 3, 3, 10, 0))
    assert not status.open and status.next_opening is None


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (local(2026, 3, 5, 8, 59), False),
        (local(2026, 3, 5, 9, 0), True),
        (local(2026, 3, 5, 16, 59), True),
        (local(2026, 3, 5, 17, 0), False),
    ],
)
def test_boundaries(moment, open_):
    assert schedule().status(moment).open is open_
