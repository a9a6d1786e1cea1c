"""The JSON API behind the operations pages: closures are audited like the page's changes, and
``PUT /locations/{location_id}/opening-hours`` (staff, admin) replaces the weekly hours."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.models import AuditLogEntry

CLOSURE = {
    "location_id": "laerkevej",
    "starts_at": "2031-03-05T09:00",
    "ends_at": "2031-03-05T12:00",
    "reason": "Personalemøde",
}
WEEK = {
    "hours": [
        {"weekday": 0, "opens": "09:00", "closes": "12:00"},
        {"weekday": 0, "opens": "13:00", "closes": "15:00"},
        {"weekday": 3, "opens": "10:00", "closes": "18:00"},
    ]
}


def audit(db_session, prefix: str) -> list[AuditLogEntry]:
    query = select(AuditLogEntry).where(AuditLogEntry.action.like(prefix + "%"))
    return list(db_session.scalars(query.order_by(AuditLogEntry.id)))


def test_closure_changes_through_the_api_are_audited(client, auth, demo, db_session):
    headers = auth("demo-sagsbehandler")
    closure_id = client.post("/closures", json=CLOSURE, headers=headers).json()["id"]
    changed = {**CLOSURE, "reason": "Strømsvigt"}
    assert client.put(f"/closures/{closure_id}", json=changed, headers=headers).status_code == 200
    assert client.delete(f"/closures/{closure_id}", headers=auth("demo-admin")).status_code == 204
    rows = audit(db_session, "closure_")
    assert [(r.action, r.actor_user_id, r.endpoint) for r in rows] == [
        ("closure_create", demo.user_id("demo-sagsbehandler"), "POST /closures"),
        ("closure_update", demo.user_id("demo-sagsbehandler"), "PUT /closures/{closure_id}"),
        ("closure_delete", demo.user_id("demo-admin"), "DELETE /closures/{closure_id}"),
    ]
    assert {r.detail for r in rows} == {f"closure={closure_id} location=laerkevej"}
    assert all("Personalemøde" not in (r.detail or "") for r in rows)


def test_refused_closure_changes_leave_no_audit_row(client, auth, demo, db_session):
    assert client.post("/closures", json=CLOSURE, headers=auth("demo-jurist")).status_code == 403
    bad = {**CLOSURE, "ends_at": "2031-03-05T08:00"}
    r = client.post("/closures", json=bad, headers=auth("demo-sagsbehandler"))
    assert r.status_code == 422 and "ends_at must be after starts_at" in r.json()["detail"]
    assert audit(db_session, "closure_") == []


def test_staff_replace_the_weekly_hours(client, auth, demo, db_session):
    r = client.put("/locations/laerkevej/opening-hours", json=WEEK, headers=auth("demo-admin"))
    assert r.status_code == 200, r.text
    assert [(h["weekday"], h["opens"], h["closes"]) for h in r.json()["opening_hours"]] == [
        (0, "09:00", "12:00"),
        (0, "13:00", "15:00"),
        (3, "10:00", "18:00"),
    ]
    # Tuesday has no intervals any more: closed all day (2031-03-04 is a Tuesday).
    day = client.get("/locations/laerkevej/days/2031-03-04").json()
    assert day["open"] is False and day["reason"] == "outside_hours"
    assert client.get("/locations/laerkevej/days/2031-03-06").json()["hours"] == [
        {"opens": "2031-03-06T10:00:00+01:00", "closes": "2031-03-06T18:00:00+01:00"}
    ]
    [row] = audit(db_session, "hours_update")
    assert row.actor_user_id == demo.user_id("demo-admin")
    assert row.endpoint == "PUT /locations/{location_id}/opening-hours"
    assert row.detail == "location=laerkevej intervals=3"


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        ([{"weekday": 0, "opens": "12:00", "closes": "09:00"}], "closes must be after opens"),
        (
            [
                {"weekday": 2, "opens": "09:00", "closes": "12:00"},
                {"weekday": 2, "opens": "11:00", "closes": "15:00"},
            ],
            "intervals overlap on onsdag",
        ),
        ([{"weekday": 7, "opens": "09:00", "closes": "12:00"}], "weekday"),
        ([{"weekday": 0, "opens": "9", "closes": "12:00"}], "opens"),
        ([{"weekday": 0, "opens": "09:00+01:00", "closes": "12:00"}], "local times"),
        (
            [{"weekday": 1, "opens": f"0{h}:00", "closes": f"0{h}:30"} for h in range(5)],
            "at most 4",
        ),
    ],
)
def test_invalid_weeks_are_422_with_a_reason(client, auth, db_session, hours, reason):
    before = client.get("/locations/laerkevej").json()["opening_hours"]
    r = client.put(
        "/locations/laerkevej/opening-hours", json={"hours": hours}, headers=auth("demo-admin")
    )
    assert r.status_code == 422 and reason in r.json()["detail"], r.text
    assert client.get("/locations/laerkevej").json()["opening_hours"] == before
    assert audit(db_session, "hours_update") == []


def test_unknown_location_is_404(client, auth, db_session):
    r = client.put("/locations/atlantis/opening-hours", json=WEEK, headers=auth("demo-admin"))
    assert r.status_code == 404 and r.json() == {"detail": "unknown location"}
    assert audit(db_session, "hours_update") == []
