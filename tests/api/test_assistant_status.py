"""The off switch in the case service: GET/PUT /assistant/status, the audit log, /legal/ask.

Authorization (no token, every other role) is in test_api_authorization.py's ROUTES table; here
the behaviour and what a refused caller leaves behind (nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.models import AssistantStatusRecord, AuditLogEntry
from api.services.assistant_status import default_message

JOB_CENTRE_PHONE = "+45 00 00 00 04"  # the jobcenter-telefon location of the demo data
MESSAGE = "KK-assistenten holder pause til kl. 12. Ring til Jobcenter København på +45 00 00 00 04."


def put(client, auth, body, username="demo-admin"):
    return client.put("/assistant/status", json=body, headers=auth(username))


def switch_rows(db_session) -> list[AuditLogEntry]:
    query = select(AuditLogEntry).where(AuditLogEntry.action.like("assistant_%"))
    return list(db_session.scalars(query.order_by(AuditLogEntry.id)))


def test_running_by_default_with_the_job_centre_phone(client):
    r = client.get("/assistant/status")
    assert r.status_code == 200
    assert r.json() == {"paused": False, "message": "", "phone": JOB_CENTRE_PHONE}


def test_the_status_may_be_cached_for_two_seconds(client, auth):
    """Every open chat polls it: browsers and proxies may keep it briefly, and only the GET."""
    assert client.get("/assistant/status").headers["cache-control"] == "public, max-age=2"
    changed = put(client, auth, {"paused": True, "message": MESSAGE})
    assert changed.status_code == 200 and "public" not in changed.headers.get("cache-control", "")
    assert client.get("/assistant/status").headers["cache-control"] == "public, max-age=2"


def test_default_message_names_the_number_the_bot_gives():
    assert default_message(JOB_CENTRE_PHONE) == (
        "KK-assistenten er lukket lige nu. Ring til Jobcenter København på +45 00 00 00 04."
    )
    assert "kk.dk" in default_message(None)


def test_admin_pauses_and_resumes_and_both_are_audited(client, auth, demo, db_session):
    before = datetime.now(UTC) - timedelta(seconds=1)
    r = put(client, auth, {"paused": True, "message": MESSAGE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["paused"] is True and body["message"] == MESSAGE
    assert body["updated_by"] == demo.user_id("demo-admin")
    assert client.get("/assistant/status").json() == {
        "paused": True,
        "message": MESSAGE,
        "phone": JOB_CENTRE_PHONE,
    }

    r = put(client, auth, {"paused": False})
    assert r.status_code == 200 and r.json()["paused"] is False
    assert client.get("/assistant/status").json()["message"] == ""
    # The message is kept for the next pause (the admin page offers it again).
    assert db_session.get(AssistantStatusRecord, 1).message == MESSAGE

    rows = switch_rows(db_session)
    assert [(row.action, row.detail) for row in rows] == [
        ("assistant_pause", "paused=true"),
        ("assistant_resume", "paused=false"),
    ]
    for row in rows:
        assert row.actor_user_id == demo.user_id("demo-admin") and row.actor_role == "admin"
        assert row.endpoint == "PUT /assistant/status" and row.via == "bearer"
        assert row.citizen_id is None and row.at >= before
        assert MESSAGE not in (row.detail or "")  # no free text in the audit log


def test_the_audit_log_api_shows_the_switch(client, auth):
    put(client, auth, {"paused": True, "message": MESSAGE})
    entries = client.get("/audit-log", headers=auth("demo-admin")).json()
    assert entries[0]["action"] == "assistant_pause" and entries[0]["citizen_id"] is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"paused": True}, "message is required when pausing"),
        ({"paused": True, "message": "   "}, "message is required when pausing"),
        ({"paused": True, "message": "x" * 501}, "body.message"),
        ({"paused": "maybe", "message": MESSAGE}, "body.paused"),
        ({"paused": True, "message": MESSAGE, "author": "someone"}, "body.author"),
        ({}, "body.paused"),
    ],
)
def test_invalid_bodies_are_422_with_a_reason_and_change_nothing(
    client, auth, db_session, body, reason
):
    r = put(client, auth, body)
    assert r.status_code == 422 and reason in r.json()["detail"], r.text
    assert client.get("/assistant/status").json()["paused"] is False
    assert switch_rows(db_session) == []


@pytest.mark.parametrize("username", ["demo-sagsbehandler", "demo-jurist", "demo-redaktoer"])
def test_other_roles_cannot_switch_and_leave_no_trace(client, auth, db_session, username):
    r = put(client, auth, {"paused": True, "message": MESSAGE}, username)
    assert r.status_code == 403
    assert (
        client.put("/assistant/status", json={"paused": True, "message": MESSAGE}).status_code
        == 401
    )
    assert client.get("/assistant/status").json()["paused"] is False
    assert switch_rows(db_session) == []


def test_legal_ask_answers_503_with_the_pause_message(client, auth, legal):
    question = {"question": "Må jobsamtalen holdes pr. telefon?"}
    put(client, auth, {"paused": True, "message": MESSAGE})
    for body in (question, {**question, "escalate": True}):
        r = client.post("/legal/ask", json=body, headers=auth("demo-sagsbehandler"))
        assert r.status_code == 503 and r.json() == {"detail": MESSAGE}
        assert int(r.headers["Retry-After"]) > 0
    # Authentication still comes first: no token is 401, not the pause message.
    assert client.post("/legal/ask", json=question).status_code == 401

    put(client, auth, {"paused": False})
    r = client.post("/legal/ask", json=question, headers=auth("demo-sagsbehandler"))
    assert r.status_code == 200, r.text
