"""Locations: search tolerant of æ/ø/å, status at an instant, a day's hours, unknown ids."""

import pytest


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("laerkevej", "laerkevej"),
        ("Lærkevej", "laerkevej"),
        ("LÆRKEVEJ", "laerkevej"),
        ("jobcenter laerkevej", "laerkevej"),
        ("gammel koege landevej", "gammel-koege-landevej"),
        ("Gammel Køge Landevej", "gammel-koege-landevej"),
        ("gl. køge", "gammel-koege-landevej"),
        ("ydelsesservice", "ydelsesservice"),
    ],
)
def test_search_by_name_or_alias(client, query, expected):
    r = client.get("/locations", params={"q": query})
    assert r.status_code == 200
    assert [loc["id"] for loc in r.json()] == [expected]


def test_search_without_match_is_empty_and_without_query_lists_all(client):
    assert client.get("/locations", params={"q": "aarhus"}).json() == []
    ids = {loc["id"] for loc in client.get("/locations").json()}
    assert {"gammel-koege-landevej", "laerkevej", "ydelsesservice"} <= ids
    assert len(ids) >= 4


def test_location_exposes_verified_flag_and_hours(client):
    body = client.get("/locations/laerkevej").json()
    assert body["verified"] is False
    assert body["name"] == "Jobcenter København, Lærkevej"
    assert body["opening_hours"][0] == {
        "weekday": 0,
        "opens": "09:00",
        "closes": "15:00",
        "weekday_name": "mandag",
    }
    assert "000_0be9af2cecd9aa10.txt" in body["source"]
    assert client.get("/locations/ydelsesservice").json()["channel"] == "telefon"


@pytest.mark.parametrize(
    "path",
    [
        "/locations/atlantis",
        "/locations/atlantis/status",
        "/locations/atlantis/days/2026-03-03",
        "/closures?location_id=atlantis",
    ],
)
def test_unknown_location_is_404(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.json() == {"detail": "unknown location"}


def test_status_open_with_closing_time(client):
    r = client.get("/locations/laerkevej/status", params={"at": "2030-03-05T10:00"})  # Tuesday
    body = r.json()
    assert r.status_code == 200
    assert body["open"] is True and body["closes_at"] == "2030-03-05T15:00:00+01:00"
    assert body["verified"] is False


def test_status_on_holiday_names_it_and_gives_next_opening(client):
    body = client.get("/locations/laerkevej/status", params={"at": "2030-12-25T10:00"}).json()
    assert body["open"] is False and body["reason"] == "holiday"
    assert body["detail"] == "1. juledag"
    assert body["next_opening"] == "2030-12-27T09:00:00+01:00"


def test_status_naive_is_local_and_aware_is_converted(client):
    naive = client.get("/locations/laerkevej/status", params={"at": "2030-06-04T08:30"}).json()
    assert naive["open"] is False and naive["reason"] == "outside_hours"
    assert naive["at"] == "2030-06-04T08:30:00+02:00"
    aware = client.get("/locations/laerkevej/status", params={"at": "2030-06-04T08:30:00Z"}).json()
    assert aware["open"] is True and aware["at"] == "2030-06-04T10:30:00+02:00"
    offset = client.get(
        "/locations/laerkevej/status", params={"at": "2030-06-04T08:30:00+02:00"}
    ).json()
    assert offset["open"] is False
    # An unencoded "+" arrives as a space; it is still understood as an offset.
    unencoded = client.get("/locations/laerkevej/status?at=2030-06-04T10:30:00+02:00").json()
    assert unencoded["open"] is True and unencoded["at"] == "2030-06-04T10:30:00+02:00"


def test_status_without_at_is_now(client):
    body = client.get("/locations/laerkevej/status").json()
    assert body["open"] in (True, False) and body["at"]
    assert body["open"] or body["next_opening"]


@pytest.mark.parametrize("bad", ["tomorrow", "2030-02-30T10:00", "2030-13-01"])
def test_status_with_bad_at_is_422(client, bad):
    r = client.get("/locations/laerkevej/status", params={"at": bad})
    assert r.status_code == 422 and "at must be" in r.json()["detail"]


def test_day_regular_and_closed(client):
    thursday = client.get("/locations/laerkevej/days/2030-03-07").json()
    assert thursday["open"] is True and thursday["weekday_name"] == "torsdag"
    assert thursday["hours"] == [
        {"opens": "2030-03-07T09:00:00+01:00", "closes": "2030-03-07T17:00:00+01:00"}
    ]
    sunday = client.get("/locations/laerkevej/days/2030-03-10").json()
    assert sunday["open"] is False and sunday["reason"] == "outside_hours"
    grundlov = client.get("/locations/laerkevej/days/2030-06-05").json()
    assert grundlov["reason"] == "closed_day" and grundlov["holiday"] == "Grundlovsdag"


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01", "tomorrow", "2026-3-3x"])
def test_day_with_impossible_date_is_422(client, bad):
    r = client.get(f"/locations/laerkevej/days/{bad}")
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
