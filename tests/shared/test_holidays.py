"""kkshared.holidays: Easter, Danish public holidays (store bededag until 2023) and closed days."""

import json
from datetime import date, timedelta

import pytest

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

KNOWN_EASTER = {
    1900: date(1900, 4, 15),
    1943: date(1943, 4, 25),  # latest possible
    1961: date(1961, 4, 2),
    2000: date(2000, 4, 23),
    2001: date(2001, 4, 15),
    2002: date(2002, 3, 31),
    2008: date(2008, 3, 23),
    2011: date(2011, 4, 24),
    2016: date(2016, 3, 27),
    2018: date(2018, 4, 1),
    2019: date(2019, 4, 21),
    2020: date(2020, 4, 12),
    2021: date(2021, 4, 4),
    2022: date(2022, 4, 17),
    2023: date(2023, 4, 9),
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
    2038: date(2038, 4, 25),
    2285: date(2285, 3, 22),  # earliest possible (outside the holiday range, Easter still works)
}


@pytest.mark.parametrize(("year", "expected"), sorted(KNOWN_EASTER.items()))
def test_easter_sunday_known_dates(year, expected):
    assert easter_sunday(year) == expected


def test_easter_is_a_sunday_between_22_march_and_25_april_every_year():
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        easter = easter_sunday(year)
        assert easter.weekday() == 6, year
        assert date(year, 3, 22) <= easter <= date(year, 4, 25), year


def test_easter_agrees_with_dateutil_where_installed():
    dateutil_easter = pytest.importorskip("dateutil.easter")
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        assert easter_sunday(year) == dateutil_easter.easter(year), year


def _names(year):
    return {d.name: d.day for d in closed_days(year)}


def test_full_list_2026():
    assert [(d.day, d.name, d.kind.value) for d in closed_days(2026)] == [
        (date(2026, 1, 1), "Nytårsdag", "helligdag"),
        (date(2026, 4, 2), "Skærtorsdag", "helligdag"),
        (date(2026, 4, 3), "Langfredag", "helligdag"),
        (date(2026, 4, 5), "Påskedag", "helligdag"),
        (date(2026, 4, 6), "2. påskedag", "helligdag"),
        (date(2026, 5, 14), "Kristi himmelfartsdag", "helligdag"),
        (date(2026, 5, 24), "Pinsedag", "helligdag"),
        (date(2026, 5, 25), "2. pinsedag", "helligdag"),
        (date(2026, 6, 5), "Grundlovsdag", "lukkedag"),
        (date(2026, 12, 24), "Juleaftensdag", "lukkedag"),
        (date(2026, 12, 25), "1. juledag", "helligdag"),
        (date(2026, 12, 26), "2. juledag", "helligdag"),
        (date(2026, 12, 31), "Nytårsaftensdag", "lukkedag"),
    ]


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2019, date(2019, 5, 17)),
        (2020, date(2020, 5, 8)),
        (2022, date(2022, 5, 13)),
        (2023, date(2023, 5, 5)),
    ],
)
def test_store_bededag_up_to_2023(year, expected):
    assert _names(year)["Store bededag"] == expected
    assert expected.weekday() == 4 and expected == easter_sunday(year) + timedelta(days=26)
    assert closed_day(expected).name == "Store bededag"


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2030, 2200])
def test_no_store_bededag_from_2024(year):
    assert "Store bededag" not in _names(year)
    assert closed_day(easter_sunday(year) + timedelta(days=26)) is None
    assert len(closed_days(year)) == 13


def test_counts_and_boundary_year():
    assert LAST_STORE_BEDEDAG_YEAR == 2023
    assert len(public_holidays(2023)) == 11 and len(public_holidays(2024)) == 10
    assert len(closed_days(2023)) == 14 and len(closed_days(2024)) == 13
    assert len(other_closed_days(2026)) == 3


@pytest.mark.parametrize("year", [1900, 1999, 2000, 2023, 2024, 2026, 2027, 2100, 2200])
def test_moveable_feasts_fall_on_the_right_weekdays(year):
    by_name = _names(year)
    assert by_name["Skærtorsdag"].weekday() == 3
    assert by_name["Langfredag"].weekday() == 4
    assert by_name["Påskedag"].weekday() == 6
    assert by_name["2. påskedag"].weekday() == 0
    assert by_name["Kristi himmelfartsdag"].weekday() == 3
    assert by_name["Pinsedag"].weekday() == 6
    assert by_name["2. pinsedag"].weekday() == 0
    assert by_name["Kristi himmelfartsdag"] - by_name["Påskedag"] == timedelta(days=39)
    assert by_name["Pinsedag"] - by_name["Påskedag"] == timedelta(days=49)


@pytest.mark.parametrize("year", range(MIN_YEAR, MAX_YEAR + 1))
def test_closed_days_sorted_in_year_and_unique_except_grundlovsdag_in_pinse(year):
    days = [d.day for d in closed_days(year)]
    assert days == sorted(days)
    assert all(d.year == year for d in days)
    doubles = {d for d in days if days.count(d) > 1}
    assert doubles <= {date(year, 6, 5)}


@pytest.mark.parametrize(
    ("year", "holiday"),
    [(2022, "Pinsedag"), (2028, "2. pinsedag"), (2033, "Pinsedag"), (2017, "2. pinsedag")],
)
def test_grundlovsdag_on_a_pinse_day_is_listed_twice_and_the_legal_holiday_wins(year, holiday):
    on_the_day = [d.name for d in closed_days(year) if d.day == date(year, 6, 5)]
    assert on_the_day == [holiday, "Grundlovsdag"]
    assert closed_day(date(year, 6, 5)).name == holiday
    assert closed_day(date(year, 6, 5)).legal_holiday
    assert closed_day_named("Grundlovsdag", year).day == date(year, 6, 5)


def test_kinds():
    for day in (date(2026, 6, 5), date(2026, 12, 24), date(2026, 12, 31)):
        entry = closed_day(day)
        assert entry.kind is DayKind.LUKKEDAG and not entry.legal_holiday
    for day in (date(2026, 1, 1), date(2026, 12, 25), date(2026, 12, 26)):
        entry = closed_day(day)
        assert entry.kind is DayKind.HELLIGDAG and entry.legal_holiday


@pytest.mark.parametrize(
    "day",
    [date(2026, 5, 1), date(2026, 3, 3), date(2026, 12, 27), date(2026, 5, 15), date(2024, 4, 26)],
)
def test_ordinary_days_are_not_closed(day):
    assert closed_day(day) is None


@pytest.mark.parametrize("year", [1, 1500, MIN_YEAR - 1, MAX_YEAR + 1, 9999])
def test_years_out_of_range(year):
    with pytest.raises(ValueError):
        public_holidays(year)
    with pytest.raises(ValueError):
        other_closed_days(year)
    with pytest.raises(ValueError):
        closed_days(year)
    assert closed_day(date(year, 12, 25)) is None
    assert closed_day_named("1. juledag", year) is None


def test_range_edges_work():
    assert closed_day(date(MIN_YEAR, 1, 1)).name == "Nytårsdag"
    assert closed_day(date(MAX_YEAR, 12, 31)).name == "Nytårsaftensdag"


@pytest.mark.parametrize(
    ("name", "year", "expected"),
    [
        ("Juleaftensdag", 2026, date(2026, 12, 24)),
        ("juleaftensdag", 2026, date(2026, 12, 24)),
        ("JULEAFTENSDAG", 2026, date(2026, 12, 24)),
        ("Nytaarsdag", 2027, date(2027, 1, 1)),
        ("nytårsaftensdag", 2026, date(2026, 12, 31)),
        ("2. paaskedag", 2025, date(2025, 4, 21)),
        ("Skaertorsdag", 2024, date(2024, 3, 28)),
        ("Store bededag", 2023, date(2023, 5, 5)),
        ("Store bededag", 2024, None),
        ("Grundlovsdag", 2026, date(2026, 6, 5)),
        ("Kristi himmelfartsdag", 2025, date(2025, 5, 29)),
        ("juleaften", 2026, None),  # names only, not aliases: kkshared.dates reads aliases
        ("Mortensaften", 2026, None),
    ],
)
def test_closed_day_named(name, year, expected):
    entry = closed_day_named(name, year)
    assert (entry.day if entry else None) == expected


def test_day_kind_is_a_plain_string_value_on_every_python():
    assert DayKind.HELLIGDAG == "helligdag"
    assert str(DayKind.LUKKEDAG) == "lukkedag"
    assert f"{DayKind.LUKKEDAG}" == "lukkedag"
    assert json.dumps({"kind": DayKind.HELLIGDAG}) == '{"kind": "helligdag"}'
    assert DayKind("lukkedag") is DayKind.LUKKEDAG


def test_closed_day_is_immutable():
    entry = closed_days(2026)[0]
    assert isinstance(entry, ClosedDay)
    with pytest.raises(AttributeError):
        entry.name = "x"
