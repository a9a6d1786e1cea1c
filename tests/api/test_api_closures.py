"""Closures: staff/admin create, change and delete; everyone can read; they change the status."""

import pytest
from sqlalchemy import select

from api.models import Closure

BODY = {
    "location_id": "gammel-koege-landevej",
    "starts_at": "2030-03-06T11:00",  # Wednesday
    "ends_at": "2030-03-08T12:00",  # Friday
    "reason": "Vandskade",
}


def create(client, auth, username="demo-sagsbehandler", **fields):
    return client.post("/closures", json={**BODY, **fields}, headers=auth(username))


def test_staff_creates_closure_spanning_days_and_status_follows(client, db_session, demo, auth):
    r = create(client, auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created_by"] == demo.user_id("demo-sagsbehandler")
    assert body["starts_at"] == "2030-03-06T11:00:00+01:00"
    row = db_session.get(Closure, body["id"])
    assert row.reason == "Vandskade"

    status = client.get(
        "/locations/gammel-koege-landevej/status", params={"at": "2030-03-07T10:00"}
    ).json()
    assert status["open"] is False and status["reason"] == "closure"
    assert status["detail"] == "Vandskade" and status["closure"]["id"] == body["id"]
    assert status["next_opening"] == "2030-03-08T12:00:00+01:00"
    day = client.get("/locations/gammel-koege-landevej/days/2030-03-06").json()
    assert day["hours"] == [
        {"opens": "2030-03-06T09:00:00+01:00", "closes": "2030-03-06T11:00:00+01:00"}
    ]
    assert [c["reason"] for c in day["closures"]] == ["Vandskade"]

    public = client.get(f"/closures/{body['id']}").json()
    assert public["reason"] == "Vandskade" and "created_by" not in public
    listed = client.get("/closures", params={"location_id": "gammel-koege-landevej"}).json()
    assert body["id"] in {c["id"] for c in listed}


def test_aware_datetimes_are_converted(client, auth):
    r = create(client, auth, starts_at="2030-03-06T10:00:00Z", ends_at="2030-03-06T11:00:00Z")
    assert r.status_code == 201
    assert r.json()["starts_at"] == "2030-03-06T11:00:00+01:00"


def test_admin_updates_and_deletes(client, auth):
    closure_id = create(client, auth).json()["id"]
    r = client.put(
        f"/closures/{closure_id}", json={**BODY, "reason": "Strømsvigt"}, headers=auth("demo-admin")
    )
    assert r.status_code == 200 and r.json()["reason"] == "Strømsvigt"
    assert client.delete(f"/closures/{closure_id}", headers=auth("demo-admin")).status_code == 204
    assert client.get(f"/closures/{closure_id}").status_code == 404
    status = client.get(
        "/locations/gammel-koege-landevej/status", params={"at": "2030-03-07T10:00"}
    ).json()
    assert status["open"] is True


@pytest.mark.parametrize("username", ["demo-borger", "demo-jurist"])
def test_citizen_and_jurist_cannot_change_closures(client, db_session, demo, auth, username):
    before = len(db_session.scalars(select(Closure)).all())
    assert create(client, auth, username).status_code == 403
    assert (
        client.put(f"/closures/{demo.closure_id}", json=BODY, headers=auth(username)).status_code
        == 403
    )
    assert client.delete(f"/closures/{demo.closure_id}", headers=auth(username)).status_code == 403
    assert len(db_session.scalars(select(Closure)).all()) == before


def test_closure_for_unknown_location_is_404(client, auth):
    r = create(client, auth, location_id="atlantis")
    assert r.status_code == 404 and r.json() == {"detail": "unknown location"}


@pytest.mark.parametrize(
    "fields",
    [
        {"ends_at": "2030-03-06T10:00"},  # before start
        {"ends_at": "2030-03-06T11:00"},  # equal to start
        {"starts_at": "2030-02-30T10:00"},  # impossible date
        {"reason": ""},
    ],
)
def test_invalid_closures_are_422(client, auth, fields):
    assert create(client, auth, **fields).status_code == 422


def test_unknown_closure_is_404(client, auth):
    assert client.get("/closures/cl-nope").status_code == 404
    r = client.put("/closures/cl-nope", json=BODY, headers=auth("demo-admin"))
    assert r.status_code == 404 and r.json() == {"detail": "closure not found"}


def test_past_closures_only_on_request(client, auth):
    past = create(client, auth, starts_at="2020-03-18T09:00", ends_at="2020-06-15T09:00").json()
    current = {c["id"] for c in client.get("/closures").json()}
    assert past["id"] not in current
    everything = {c["id"] for c in client.get("/closures", params={"include_past": True}).json()}
    assert past["id"] in everything


def test_closure_reason_is_public_so_it_is_masked(client, auth):
    r = create(client, auth, reason="Lukket - kontakt Jens på 22 33 44 55")
    assert r.status_code == 201
    assert (
        client.get(f"/closures/{r.json()['id']}").json()["reason"]
        == "Lukket - kontakt Jens på [TELEFON]"
    )
