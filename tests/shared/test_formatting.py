from datetime import date, datetime, time, timezone
from decimal import Decimal

import pytest

from kkshared.formatting import (
    format_amount,
    format_date,
    format_datetime,
    format_time,
    format_time_range,
)


def test_datetime_in_danish_with_weekday_and_kl():
    assert format_datetime(datetime(2026, 3, 3, 10, 0)) == "tirsdag den 3. marts 2026 kl. 10.00"


def test_aware_datetime_is_shown_in_copenhagen_time_across_dst():
    # 08:00 UTC is 10:00 in summer (CEST) and 09:00 in winter (CET).
    assert format_datetime(datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)).endswith("kl. 10.00")
    assert format_datetime(datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)).endswith("kl. 09.00")


def test_date_and_time():
    assert format_date(date(2026, 12, 24)) == "torsdag den 24. december 2026"
    assert format_time(time(8, 5)) == "08.05"
    assert format_time_range(time(8), time(15, 30)) == "kl. 08.00-15.30"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12345.5"), "12.345,50 kr."),
        (0, "0,00 kr."),
        (1234567.891, "1.234.567,89 kr."),
        ("-3", "-3,00 kr."),
    ],
)
def test_amounts(amount, expected):
    assert format_amount(amount) == expected


def test_day_month_year():
    from kkshared.formatting import format_day_month_year

    assert format_day_month_year(date(2026, 11, 22)) == "22. november 2026"
