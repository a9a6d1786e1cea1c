"""Danish public holidays and closed days (pure logic + GET /holidays/{year})."""

from datetime import date

import pytest

from kkshared.holidays import DayKind, closed_day, closed_days, easter_sunday, public_holidays


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2022, date(2022, 4, 17)),
        (2023, date(2023, 4, 9)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday_matches_known_dates(year, expected):
    assert easter_sunday(year) == expected


def _by_name(year):
    return {d.name: d.day for d in public_holidays(year)}


def test_holidays_2024_full_list_without_store_bededag():
    assert _by_name(2024) == {
        "Nytårsdag": date(2024, 1, 1),
        "Skærtorsdag": date(2024, 3, 28),
        "Langfredag": date(2024, 3, 29),
        "Påskedag": date(2024, 3, 31),
        "2. påskedag": date(2024, 4, 1),
        "Kristi himmelfartsdag": date(2024, 5, 9),
        "Pinsedag": date(2024, 5, 19),
        "2. pinsedag": date(2024, 5, 20),
        "1. juledag": date(2024, 12, 25),
        "2. juledag": date(2024, 12, 26),
    }


def test_store_bededag_until_2023_inclusive():
    assert _by_name(2023)["Store bededag"] == date(2023, 5, 5)
    assert _by_name(2022)["Store bededag"] == date(2022, 5, 13)
    assert "Store bededag" not in _by_name(2024)
    assert "Store bededag" not in _by_name(2030)
    assert closed_day(date(2023, 5, 5)) is not None
    assert closed_day(date(2024, 4, 26)) is None  # where store bededag would have been


def test_holidays_2025_and_2026_moveable_feasts():
    h25, h26 = _by_name(2025), _by_name(2026)
    assert (h25["Skærtorsdag"], h25["Kristi himmelfartsdag"], h25["2. pinsedag"]) == (
        date(2025, 4, 17),
        date(2025, 5, 29),
        date(2025, 6, 9),
    )
    assert (h26["Langfredag"], h26["2. påskedag"], h26["Pinsedag"]) == (
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 24),
    )


def test_closed_days_that_are_not_legal_holidays():
    for day, name in [
        (date(2026, 6, 5), "Grundlovsdag"),
        (date(2026, 12, 24), "Juleaftensdag"),
        (date(2026, 12, 31), "Nytårsaftensdag"),
    ]:
        entry = closed_day(day)
        assert entry is not None and entry.name == name
        assert entry.kind is DayKind.LUKKEDAG and not entry.legal_holiday
    assert closed_day(date(2026, 12, 25)).kind is DayKind.HELLIGDAG
    assert closed_day(date(2026, 5, 1)) is None  # 1 May is not assumed closed
    assert closed_day(date(2026, 3, 3)) is None


def test_closed_days_sorted_and_unique():
    days = [d.day for d in closed_days(2026)]
    assert days == sorted(days) and len(days) == len(set(days)) == 13


def test_year_out_of_range_raises():
    with pytest.raises(ValueError):
        public_holidays(1500)


def test_holidays_endpoint(client):
    r = client.get("/holidays/2023")
    assert r.status_code == 200
    days = {d["name"]: d for d in r.json()["days"]}
    assert days["Store bededag"]["date"] == "2023-05-05"
    assert days["Store bededag"]["kind"] == "helligdag"
    assert days["Grundlovsdag"]["legal_holiday"] is False
    r24 = client.get("/holidays/2024").json()
    assert "Store bededag" not in {d["name"] for d in r24["days"]}


@pytest.mark.parametrize("year", ["1800", "3000", "abc"])
def test_holidays_endpoint_rejects_bad_year(client, year):
    r = client.get(f"/holidays/{year}")
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str)
