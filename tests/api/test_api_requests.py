"""What the bot sends for the citizen: absence reports, reschedule requests, messages."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from api_helpers import today_cph
from sqlalchemy import select

from api.models import AbsenceReport, Meeting, Message, RescheduleRequest

CPR = "010190-1234"


def upcoming_meeting_id(client, auth, username="demo-borger") -> str:
    meetings = client.get("/me/meetings?upcoming=true", headers=auth(username)).json()
    return meetings[0]["id"]


def past_meeting_id(client, auth) -> str:
    meetings = client.get("/me/meetings", headers=auth("demo-borger")).json()
    return next(m["id"] for m in meetings if m["status"] == "held")


# --- absence reports -------------------------------------------------------------------------


def absence(client, auth, **fields):
    body = {"date": str(today_cph()), "reason": "Jeg er syg", "kind": "sygdom", **fields}
    return client.post("/me/absence-reports", json=body, headers=auth("demo-borger"))


def test_absence_report_created_with_reference(client, auth):
    r = absence(client, auth, meeting_id=upcoming_meeting_id(client, auth))
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "reference", "status", "created_at"}
    assert re.fullmatch(rf"FRA-{today_cph().year}-\d{{6}}", body["reference"])
    assert body["status"] == "received"
    listed = client.get("/me/absence-reports", headers=auth("demo-borger")).json()
    assert listed[0]["reference"] == body["reference"] and listed[0]["kind"] == "sygdom"


def test_references_count_up(client, auth):
    first = absence(client, auth).json()["reference"]
    second = absence(client, auth, kind="andet").json()["reference"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_absence_reason_with_cpr_is_stored_masked(client, db_session, auth):
    r = absence(client, auth, reason=f"Syg. Mit cpr er {CPR}, ring på 22 33 44 55")
    assert r.status_code == 201
    row = db_session.scalars(select(AbsenceReport).where(AbsenceReport.id == r.json()["id"])).one()
    db_session.refresh(row)
    assert CPR not in row.reason and "0101901234" not in row.reason
    assert "[CPR]" in row.reason and "[TELEFON]" in row.reason
    assert row.reason.startswith("Syg. Mit cpr er ")


def test_absence_date_in_the_past_is_422(client, auth):
    r = absence(client, auth, date=str(today_cph() - timedelta(days=1)))
    assert r.status_code == 422
    assert r.json() == {"detail": "date must not be in the past"}


@pytest.mark.parametrize("bad_date", ["2026-02-30", "2025-13-01", "i morgen", "2026-2-3x"])
def test_impossible_dates_are_422(client, auth, bad_date):
    r = absence(client, auth, date=bad_date)
    assert r.status_code == 422
    assert "date" in r.json()["detail"]


def test_unknown_meeting_is_404(client, auth):
    r = absence(client, auth, meeting_id="m-nope")
    assert r.status_code == 404 and r.json() == {"detail": "meeting not found"}


def test_another_citizens_meeting_is_404(client, auth):
    other = upcoming_meeting_id(client, auth, "demo-borger-syg")
    r = absence(client, auth, meeting_id=other)
    assert r.status_code == 404 and r.json() == {"detail": "meeting not found"}


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": ""},
        {"reason": "   "},
        {"reason": "x" * 1001},
        {"kind": "ferie"},
        {"unexpected": "field"},
    ],
)
def test_invalid_absence_bodies_are_422(client, auth, fields):
    assert absence(client, auth, **fields).status_code == 422


def test_reason_of_1000_chars_is_accepted(client, auth):
    assert absence(client, auth, reason="x" * 1000).status_code == 201


# --- reschedule requests ---------------------------------------------------------------------


def reschedule(client, auth, meeting_id, **fields):
    body = {"meeting_id": meeting_id, "reason": "Jeg er til jobsamtale", **fields}
    return client.post("/me/reschedule-requests", json=body, headers=auth("demo-borger"))


def test_reschedule_request_created(client, db_session, auth):
    meeting_id = upcoming_meeting_id(client, auth)
    r = reschedule(client, auth, meeting_id, preferred_times=["tirsdag formiddag", f"ring {CPR}"])
    assert r.status_code == 201, r.text
    assert re.fullmatch(rf"FLY-{today_cph().year}-\d{{6}}", r.json()["reference"])
    row = db_session.get(RescheduleRequest, r.json()["id"])
    assert row.meeting_id == meeting_id
    assert row.preferred_times == ["tirsdag formiddag", "ring [CPR]"]
    listed = client.get("/me/reschedule-requests", headers=auth("demo-borger")).json()
    assert listed[0]["id"] == r.json()["id"]


def test_reschedule_past_meeting_is_422(client, auth):
    r = reschedule(client, auth, past_meeting_id(client, auth))
    assert r.status_code == 422 and r.json() == {"detail": "meeting is not upcoming"}


def test_reschedule_cancelled_meeting_is_422(client, db_session, auth):
    meeting_id = upcoming_meeting_id(client, auth)
    meeting = db_session.get(Meeting, meeting_id)
    meeting.status = "cancelled"
    db_session.flush()
    assert reschedule(client, auth, meeting_id).status_code == 422


def test_reschedule_meeting_that_just_started_is_422(client, db_session, auth):
    meeting_id = upcoming_meeting_id(client, auth)
    db_session.get(Meeting, meeting_id).starts_at = datetime.now(UTC) - timedelta(minutes=1)
    db_session.flush()
    assert reschedule(client, auth, meeting_id).status_code == 422


def test_reschedule_other_citizens_meeting_is_404(client, auth):
    other = upcoming_meeting_id(client, auth, "demo-borger-syg")
    assert reschedule(client, auth, other).status_code == 404


def test_reschedule_needs_meeting_id(client, auth):
    r = client.post("/me/reschedule-requests", json={"reason": "x"}, headers=auth("demo-borger"))
    assert r.status_code == 422 and "meeting_id" in r.json()["detail"]


def test_reschedule_too_many_preferred_times_is_422(client, auth):
    r = reschedule(client, auth, upcoming_meeting_id(client, auth), preferred_times=["a"] * 11)
    assert r.status_code == 422


# --- messages --------------------------------------------------------------------------------


def test_message_created_masked_and_addressed_to_caseworker(client, db_session, demo, auth):
    r = client.post(
        "/me/messages",
        json={"text": f"Hej, mit CPR-nummer er {CPR} og min mail er a@b.dk"},
        headers=auth("demo-borger"),
    )
    assert r.status_code == 201
    assert re.fullmatch(rf"BSK-{today_cph().year}-\d{{6}}", r.json()["reference"])
    row = db_session.get(Message, r.json()["id"])
    assert row.text == "Hej, mit CPR-nummer er [CPR] og min mail er [EMAIL]"
    assert row.caseworker_id == demo.user_id("demo-sagsbehandler")
    listed = client.get("/me/messages", headers=auth("demo-borger")).json()
    assert listed[0]["text"] == row.text


@pytest.mark.parametrize("text", ["", "x" * 4001])
def test_message_length_limits(client, auth, text):
    assert (
        client.post("/me/messages", json={"text": text}, headers=auth("demo-borger")).status_code
        == 422
    )


def test_caseworker_sees_citizens_requests(client, demo, auth):
    absence(client, auth)
    citizen_id = demo.citizen_id("demo-borger")
    r = client.get(f"/citizens/{citizen_id}/absence-reports", headers=auth("demo-sagsbehandler"))
    assert r.status_code == 200 and len(r.json()) >= 1


# --- idempotency (a retry after a timeout must not create a second record) --------------------


def _absence_body(client, auth):
    return {"date": str(today_cph()), "reason": "Jeg er syg", "kind": "sygdom"}


def _reschedule_body(client, auth):
    return {"meeting_id": upcoming_meeting_id(client, auth), "reason": "Jeg er til jobsamtale"}


def _message_body(client, auth):
    return {"text": "Hej, jeg kan ikke komme på torsdag"}


CREATES = [
    ("/me/absence-reports", _absence_body),
    ("/me/reschedule-requests", _reschedule_body),
    ("/me/messages", _message_body),
]


def _keyed(auth, key, username="demo-borger"):
    return {**auth(username), "Idempotency-Key": key}


@pytest.mark.parametrize("path, make_body", CREATES)
def test_a_create_sent_again_with_its_key_returns_the_first_record(client, auth, path, make_body):
    body = make_body(client, auth)
    before = len(client.get(path, headers=auth("demo-borger")).json())
    first = client.post(path, json=body, headers=_keyed(auth, "kk-test-0001"))
    again = client.post(path, json=body, headers=_keyed(auth, "kk-test-0001"))
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json() == first.json()
    assert len(client.get(path, headers=auth("demo-borger")).json()) == before + 1
    other = client.post(path, json=body, headers=_keyed(auth, "kk-test-0002"))
    assert other.status_code == 201 and other.json()["reference"] != first.json()["reference"]


@pytest.mark.parametrize("path, make_body", CREATES)
def test_a_key_sent_again_with_another_body_is_422(client, auth, path, make_body):
    body = make_body(client, auth)
    assert client.post(path, json=body, headers=_keyed(auth, "kk-test-0003")).status_code == 201
    changed = (
        {**body, "reason": "Mit barn er sygt"} if "reason" in body else {"text": "Noget andet"}
    )
    r = client.post(path, json=changed, headers=_keyed(auth, "kk-test-0003"))
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["detail"]


def test_keys_belong_to_one_citizen(client, auth):
    body = _absence_body(client, auth)
    mine = client.post("/me/absence-reports", json=body, headers=_keyed(auth, "kk-shared-key"))
    theirs = client.post(
        "/me/absence-reports", json=body, headers=_keyed(auth, "kk-shared-key", "demo-borger-2")
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 65, "key/with/slashes"])
def test_a_malformed_key_is_400_with_a_reason(client, auth, key):
    r = client.post("/me/messages", json=_message_body(client, auth), headers=_keyed(auth, key))
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["detail"]


def test_two_requests_with_one_key_at_once_make_one_record(client, auth, monkeypatch):
    from api.services import idempotency

    body = _message_body(client, auth)
    first = client.post("/me/messages", json=body, headers=_keyed(auth, "kk-race-0001"))
    # The second request looked before the first committed: it inserts and loses on the key.
    real_replay = idempotency._replay
    calls = []
    monkeypatch.setattr(
        idempotency,
        "_replay",
        lambda *a: None if not calls and not calls.append(1) else real_replay(*a),
    )
    again = client.post("/me/messages", json=body, headers=_keyed(auth, "kk-race-0001"))
    assert again.status_code == 200 and again.json() == first.json()
    assert [m["id"] for m in client.get("/me/messages", headers=auth("demo-borger")).json()].count(
        first.json()["id"]
    ) == 1
