"""SMS reminders in the case service (issue 19): opt-in, the job's candidates and claims, answers
about meetings and what staff see. Authorization of every route: test_api_authorization.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_helpers import service_headers
from sqlalchemy import select

from api.db.base import new_id
from api.models import (
    AuditLogEntry,
    Citizen,
    Closure,
    Meeting,
    MeetingStatus,
    ReminderLogEntry,
    ReminderOptIn,
)


def _meetings(db_session, citizen_id: str) -> list[Meeting]:
    now = datetime.now(UTC)
    return list(
        db_session.scalars(
            select(Meeting)
            .where(
                Meeting.citizen_id == citizen_id,
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.starts_at > now,
            )
            .order_by(Meeting.starts_at)
        )
    )


def _opt_in(client, auth, username: str = "demo-borger") -> dict:
    r = client.put("/me/sms-reminders", json={"opted_in": True}, headers=auth(username))
    assert r.status_code == 200, r.text
    return r.json()


def _candidates(client) -> list[dict]:
    r = client.get("/service/reminders/candidates", headers=service_headers())
    assert r.status_code == 200, r.text
    return r.json()


def test_opt_in_is_off_until_the_citizen_turns_it_on_and_keeps_its_date(client, auth, demo):
    r = client.get("/me/sms-reminders", headers=auth("demo-borger"))
    assert r.status_code == 200
    assert r.json()["opted_in"] is False and r.json()["changed_at"] is None
    assert r.json()["phone_registered"] is True and r.json()["sms_stopped"] is False
    first = _opt_in(client, auth)
    assert first["opted_in"] is True and first["changed_at"]
    again = _opt_in(client, auth)  # the same choice again: the date stays
    assert again["changed_at"] == first["changed_at"]
    off = client.put("/me/sms-reminders", json={"opted_in": False}, headers=auth("demo-borger"))
    assert off.json()["opted_in"] is False
    # Bad input: a clear 422 naming the field
    bad = client.put("/me/sms-reminders", json={"opted_in": "måske"}, headers=auth("demo-borger"))
    assert bad.status_code == 422 and "opted_in" in bad.json()["detail"]


def test_the_caseworker_registers_the_wish_audited_but_not_for_other_caseloads(
    client, auth, demo, db_session
):
    citizen_id = demo.citizen_id("demo-borger")
    r = client.put(
        f"/citizens/{citizen_id}/sms-reminders",
        json={"opted_in": True},
        headers=auth("demo-sagsbehandler"),
    )
    assert r.status_code == 200 and r.json()["opted_in"] is True
    row = db_session.get(ReminderOptIn, citizen_id)
    assert row is not None and row.changed_by == demo.user_id("demo-sagsbehandler")
    audit = db_session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action == "reminder_opt_in")
    ).all()
    assert [a.detail for a in audit] == [f"citizen={citizen_id} on=True"]
    # A citizen outside the caseworker's caseload, and an unknown id: 404 alike.
    other = Citizen(id=new_id("c"), name="Anden Borger", phone=None)
    db_session.add(other)
    db_session.flush()
    for cid in (other.id, "c-unknown"):
        r = client.put(
            f"/citizens/{cid}/sms-reminders",
            json={"opted_in": True},
            headers=auth("demo-sagsbehandler"),
        )
        assert r.status_code == 404
    # A citizen cannot read another citizen's settings or reminders.
    syg = demo.citizen_id("demo-borger-syg")
    assert (
        client.get(f"/citizens/{syg}/sms-reminders", headers=auth("demo-borger")).status_code == 404
    )
    r = client.get(f"/citizens/{syg}/meeting-reminders", headers=auth("demo-borger"))
    assert r.status_code == 404


def test_candidates_are_opted_in_citizens_with_a_number_and_no_stop(client, auth, demo, db_session):
    citizen_id = demo.citizen_id("demo-borger")
    assert all(c["citizen_id"] != citizen_id for c in _candidates(client))
    _opt_in(client, auth)
    mine = [c for c in _candidates(client) if c["citizen_id"] == citizen_id]
    upcoming = [m.id for m in _meetings(db_session, citizen_id)]
    in_window = [
        m.id
        for m in _meetings(db_session, citizen_id)
        if m.starts_at < datetime.now(UTC) + timedelta(days=10)
    ]
    assert [c["meeting"]["id"] for c in mine] == in_window and set(in_window) <= set(upcoming)
    assert all(c["phone"] == "+4500000101" and c["closure"] is None for c in mine)
    # The language the citizen chose in the assistant comes along (none chosen: null).
    assert mine and all(c["preferred_language"] is None for c in mine)
    client.put("/me/language", json={"language": "en"}, headers=auth("demo-borger"))
    mine = [c for c in _candidates(client) if c["citizen_id"] == citizen_id]
    assert mine and all(c["preferred_language"] == "en" for c in mine)
    # STOP by SMS ends every SMS, whatever the opt-in says.
    db_session.get(Citizen, citizen_id).sms_opt_out = True
    db_session.flush()
    assert all(c["citizen_id"] != citizen_id for c in _candidates(client))


def test_a_closure_covering_a_meeting_is_named_with_it(client, auth, demo, db_session):
    citizen_id = demo.citizen_id("demo-borger")
    _opt_in(client, auth)
    meeting = next(m for m in _meetings(db_session, citizen_id) if m.location_id)
    meeting.starts_at = datetime.now(UTC) + timedelta(days=2)
    meeting.form = "fysisk"
    closure = Closure(
        id=new_id("cl"),
        location_id=meeting.location_id,
        starts_at=meeting.starts_at - timedelta(hours=1),
        ends_at=meeting.starts_at + timedelta(hours=3),
        reason="Vandskade",
    )
    db_session.add(closure)
    db_session.flush()
    [found] = [c for c in _candidates(client) if c["meeting"]["id"] == meeting.id]
    assert found["closure"]["closure_id"] == closure.id


def test_the_candidate_window_is_checked(client):
    for query in (
        "start=2026-03-02T10:00:00%2B01:00&end=2026-03-01T10:00:00%2B01:00",
        "start=2026-03-02T10:00:00%2B01:00&end=2026-03-30T10:00:00%2B01:00",
        "start=2026-03-02T10:00:00&end=2026-03-03T10:00:00",
        "start=9999-12-31T10:00:00%2B00:00",
    ):
        r = client.get(f"/service/reminders/candidates?{query}", headers=service_headers())
        assert r.status_code == 422, (query, r.text)


def test_a_reminder_is_claimed_once_and_taken_over_only_after_its_lease(client, demo, db_session):
    meeting = _meetings(db_session, demo.citizen_id("demo-borger"))[0]
    body = {
        "meeting_id": meeting.id,
        "kind": "day_before",
        "day": "2026-03-02",
        "lease_seconds": 60,
    }
    first = client.post("/service/reminders/claims", json=body, headers=service_headers())
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "claimed"
    again = client.post("/service/reminders/claims", json=body, headers=service_headers())
    assert again.status_code == 409  # another job instance, or the same job restarted
    # The job died: once the lease has run out, another claim takes it over (once).
    entry = db_session.get(ReminderLogEntry, first.json()["id"])
    entry.lease_until = datetime.now(UTC) - timedelta(seconds=1)
    db_session.flush()
    taken = client.post("/service/reminders/claims", json=body, headers=service_headers())
    assert taken.status_code == 200 and taken.json()["id"] == first.json()["id"]
    assert (
        client.post("/service/reminders/claims", json=body, headers=service_headers()).status_code
        == 409
    )
    outcome = f"/service/reminders/{entry.id}/outcome"
    r = client.post(outcome, json={"status": "queued"}, headers=service_headers())
    assert r.status_code == 200 and r.json()["status"] == "queued"
    # Queued stays queued: no second claim, no change to another outcome.
    assert (
        client.post(outcome, json={"status": "queued"}, headers=service_headers()).status_code
        == 200
    )
    r = client.post(outcome, json={"status": "failed"}, headers=service_headers())
    assert r.status_code == 409
    r = client.post("/service/reminders/claims", json=body, headers=service_headers())
    assert r.status_code == 409 and "queued" in r.json()["detail"]
    # Another kind or day is another reminder.
    other = dict(body, kind="closure")
    assert (
        client.post("/service/reminders/claims", json=other, headers=service_headers()).status_code
        == 201
    )


def test_the_citizens_answer_is_recorded_on_the_meeting_and_the_reminder(
    client, auth, demo, db_session
):
    citizen_id = demo.citizen_id("demo-borger")
    meeting = _meetings(db_session, citizen_id)[0]
    claim = client.post(
        "/service/reminders/claims",
        json={"meeting_id": meeting.id, "kind": "day_before", "day": "2026-03-02"},
        headers=service_headers(),
    ).json()
    client.post(
        f"/service/reminders/{claim['id']}/outcome",
        json={"status": "queued"},
        headers=service_headers(),
    )
    # Through the action server: service token + the citizen's subject.
    r = client.put(
        f"/me/meetings/{meeting.id}/confirmation",
        json={"answer": "confirmed", "channel": "sms"},
        headers=service_headers(demo.user_id("demo-borger")),
    )
    assert r.status_code == 200 and r.json()["answer"] == "confirmed"
    staff = client.get(
        f"/citizens/{citizen_id}/meeting-reminders", headers=auth("demo-sagsbehandler")
    )
    assert staff.status_code == 200
    [seen] = [m for m in staff.json() if m["meeting_id"] == meeting.id]
    assert (
        seen["confirmation"]["answer"] == "confirmed" and seen["confirmation"]["channel"] == "sms"
    )
    [reminder] = seen["reminders"]
    assert reminder["status"] == "queued" and reminder["reply"] == "confirmed"
    assert "text" not in reminder  # the message itself is never kept
    # Another citizen's meeting is not found; a meeting that is over cannot be answered.
    syg_meeting = _meetings(db_session, demo.citizen_id("demo-borger-syg"))[0]
    r = client.put(
        f"/me/meetings/{syg_meeting.id}/confirmation",
        json={"answer": "confirmed"},
        headers=auth("demo-borger"),
    )
    assert r.status_code == 404
    meeting.starts_at = datetime.now(UTC) - timedelta(hours=1)
    db_session.flush()
    r = client.put(
        f"/me/meetings/{meeting.id}/confirmation",
        json={"answer": "new_time"},
        headers=auth("demo-borger"),
    )
    assert r.status_code == 409
    r = client.put(
        f"/me/meetings/{meeting.id}/confirmation",
        json={"answer": "maybe"},
        headers=auth("demo-borger"),
    )
    assert r.status_code == 422 and "answer" in r.json()["detail"]
