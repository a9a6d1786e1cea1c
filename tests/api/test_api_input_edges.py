"""Inputs that used to answer 500 (found by fuzzing the API, test_api_schemathesis.py), on every
backend: NUL characters (PostgreSQL cannot store or compare them), integers past 64 bits, dates
outside the years the calendar knows (datetime overflow)."""

from __future__ import annotations

import pytest

CLOSURE = {"location_id": "laerkevej", "reason": "x"}


@pytest.mark.parametrize(
    "path, who",
    [
        ("/citizens/%00", "demo-admin"),
        ("/citizens/c%00x/meetings", "demo-sagsbehandler"),
        ("/closures/%00", None),
        ("/closures?location_id=%00", None),
        ("/locations/laerkevej%00", None),
        ("/locations?q=a%00b", None),
        ("/audit-log?citizen_id=%00", "demo-admin"),
        ("/legal/questions/JUR%00", "demo-jurist"),
    ],
)
def test_a_nul_in_the_url_is_400(client, auth, path, who):
    r = client.get(path, headers=auth(who) if who else {})
    assert r.status_code == 400
    assert r.json() == {"detail": "the URL must not contain NUL characters"}


def test_an_encoded_percent_sign_is_not_a_nul(client):
    assert client.get("/locations?q=100%2500").status_code == 200


@pytest.mark.parametrize(
    "path, body, who, field",
    [
        (
            "/feedback",
            {"conversation_ref": "a\x00", "message_id": "m", "rating": "up"},
            None,
            "body.conversation_ref",
        ),
        ("/me/messages", {"text": "hej\x00"}, "demo-borger", "body.text"),
        (
            "/me/reschedule-requests",
            {"meeting_id": "m", "reason": "x", "preferred_times": ["mandag\x00"]},
            "demo-borger",
            "body.preferred_times",
        ),
        (
            "/closures",
            {
                **CLOSURE,
                "starts_at": "2099-01-05T09:00",
                "ends_at": "2099-01-05T12:00",
                "reason": "\x00",
            },
            "demo-sagsbehandler",
            "body.reason",
        ),
        ("/auth/demo-login", {"username": "demo-borger\x00"}, None, "body.username"),
    ],
)
def test_a_nul_in_a_body_is_422_naming_the_field(client, auth, path, body, who, field):
    r = client.post(path, json=body, headers=auth(who) if who else {})
    assert r.status_code == 422
    assert r.json()["detail"].startswith(f"{field}: ") and "NUL" in r.json()["detail"]


def test_audit_log_offset_is_bounded(client, auth):
    r = client.get("/audit-log?offset=9223372036854775808", headers=auth("demo-admin"))
    assert r.status_code == 422 and r.json()["detail"].startswith("query.offset")
    assert client.get("/audit-log?offset=2147483647", headers=auth("demo-admin")).json() == []


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_opening_hours_outside_1900_2200_are_422(client, day):
    r = client.get(f"/locations/laerkevej/days/{day}")
    assert r.status_code == 422 and r.json()["detail"].startswith("path.date")


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_opening_hours_at_the_edges_of_the_calendar(client, day):
    assert client.get(f"/locations/laerkevej/days/{day}").status_code == 200
    assert client.get(f"/locations/laerkevej/status?at={day}T12:00").status_code == 200


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00", "9999-12-31T23:59", "9999-12-31T23:59-12:00", "1899-12-31T23:00"]
)
def test_status_outside_1900_2200_is_422(client, at):
    r = client.get("/locations/laerkevej/status", params={"at": at})
    assert r.status_code == 422 and "1900-2200" in r.json()["detail"]


@pytest.mark.parametrize(
    "starts_at, ends_at",
    [
        ("0001-01-01T00:00", "0001-01-01T01:00"),
        ("0001-01-01T00:00+14:00", "0001-01-01T01:00+14:00"),
        ("9999-12-31T23:00-12:00", "9999-12-31T23:59-12:00"),
        ("2099-01-05T09:00", "2201-01-05T12:00"),
    ],
)
def test_closures_outside_1900_2200_are_422(client, auth, starts_at, ends_at):
    body = {**CLOSURE, "starts_at": starts_at, "ends_at": ends_at}
    r = client.post("/closures", json=body, headers=auth("demo-sagsbehandler"))
    assert r.status_code == 422 and "1900-2200" in r.json()["detail"]
    assert client.get("/closures?include_past=true").status_code == 200
