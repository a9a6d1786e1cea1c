"""What caseworkers see on a citizen's meetings (issue 19): the ``summary`` of
``GET /citizens/{id}/meeting-reminders`` and the page ``/borgere/{id}/moeder`` — whether a reminder
went out (when, or why not) and what came back. Reminders are made through the job's endpoints,
answers through the citizen's endpoint as the action server calls it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_helpers import service_headers
from reminder_helpers import answer, make_meeting, send_reminder
from sqlalchemy import select

from api.models import AuditLogEntry, Citizen, Meeting, MeetingStatus
from api.routes.meetings_pages import AREA

PAGE = "/borgere/{}/moeder"


def _summaries(client, auth, citizen_id: str) -> dict[str, dict]:
    r = client.get(f"/citizens/{citizen_id}/meeting-reminders", headers=auth("demo-sagsbehandler"))
    assert r.status_code == 200, r.text
    return {m["meeting_id"]: m["summary"] for m in r.json()}


@pytest.fixture
def world(client, auth, demo, db_session) -> dict[str, Meeting]:
    """demo-borger opted in, with one meeting of each kind of reminder outcome."""
    citizen_id = demo.citizen_id("demo-borger")
    assert client.put(
        "/me/sms-reminders", json={"opted_in": True}, headers=auth("demo-borger")
    ).json()["opted_in"]
    m = {
        "confirmed": make_meeting(db_session, citizen_id, 20),
        "absence": make_meeting(db_session, citizen_id, 44),
        "awaiting": make_meeting(db_session, citizen_id, 68),
        "no_reply": make_meeting(db_session, citizen_id, 92),
        "stop": make_meeting(db_session, citizen_id, 116),
        "pending": make_meeting(db_session, citizen_id, 24 * 9),
        "cancelled": make_meeting(db_session, citizen_id, 30, MeetingStatus.CANCELLED),
        "none_recorded": make_meeting(db_session, citizen_id, -48, MeetingStatus.HELD),
    }
    for key in ("confirmed", "absence", "awaiting", "no_reply"):
        send_reminder(client, m[key].id)
    send_reminder(client, m["stop"].id, status="skipped", detail="the number sent STOP")
    answer(client, demo.user_id("demo-borger"), m["confirmed"].id, "confirmed")
    answer(client, demo.user_id("demo-borger"), m["absence"].id, "cannot_attend")
    m["no_reply"].starts_at = datetime.now(UTC) - timedelta(hours=1)
    db_session.flush()
    return m


def test_the_summary_says_sent_when_or_why_not_and_the_answer(client, auth, demo, world):
    seen = _summaries(client, auth, demo.citizen_id("demo-borger"))
    got = {key: seen[m.id] for key, m in world.items()}
    assert got["confirmed"]["state"] == "sent" and got["confirmed"]["reply"] == "confirmed"
    assert got["confirmed"]["sent_at"] is not None
    assert got["absence"]["reply"] == "cannot_attend"
    assert got["awaiting"] == got["awaiting"] | {"state": "sent", "reply": "awaiting_reply"}
    assert got["no_reply"] == got["no_reply"] | {"state": "sent", "reply": "no_reply"}
    assert got["stop"] == {
        "state": "not_sent",
        "sent_at": None,
        "reason": "skipped_stop",
        "reply": None,
    }
    assert got["pending"] == {"state": "pending", "sent_at": None, "reason": None, "reply": None}
    assert got["cancelled"]["reason"] == "meeting_cancelled"
    assert got["none_recorded"]["reason"] == "none_recorded"


def test_why_not_from_the_citizens_state(client, auth, demo, db_session):
    citizen_id = demo.citizen_id("demo-borger")
    meeting = make_meeting(db_session, citizen_id, 48)
    assert _summaries(client, auth, citizen_id)[meeting.id]["reason"] == "not_opted_in"
    client.put("/me/sms-reminders", json={"opted_in": True}, headers=auth("demo-borger"))
    citizen = db_session.get(Citizen, citizen_id)
    citizen.sms_opt_out = True
    db_session.flush()
    assert _summaries(client, auth, citizen_id)[meeting.id]["reason"] == "sms_stopped"
    citizen.phone = None
    db_session.flush()
    assert _summaries(client, auth, citizen_id)[meeting.id]["reason"] == "no_phone"


# --- the page ------------------------------------------------------------------------------------


def test_the_caseworker_sees_the_meetings_with_reminders_and_answers(
    client, auth, demo, db_session, world
):
    citizen_id = demo.citizen_id("demo-borger")
    r = client.get(PAGE.format(citizen_id), headers=auth("demo-sagsbehandler"))
    assert r.status_code == 200, r.text
    assert r.headers["content-security-policy"].startswith("default-src 'none'; style-src 'self'")
    text = r.text
    assert "<h1>Samtaler for Demo Borger" in text
    assert "Tilmeldt siden" in text and "Registreret" in text
    assert text.count("<td>Bekræftet</td>") == 1
    assert text.count("<td>Kan ikke komme</td>") == 1
    assert text.count("<td>Intet svar endnu</td>") == 1
    assert text.count("<td>Intet svar</td>") == 1  # the meeting that began without an answer
    assert "Ikke sendt: nummeret har skrevet STOP" in text
    assert "Ikke sendt endnu: sendes arbejdsdagen før samtalen" in text
    assert "Ikke sendt: samtalen er aflyst" in text
    assert "Ikke sendt: ingen påmindelse registreret" in text
    assert text.count("Sendt ") >= 4 and "Bekræftet (sms, " in text
    # The read is audited like the API's.
    reads = db_session.scalars(
        select(AuditLogEntry).where(
            AuditLogEntry.citizen_id == citizen_id, AuditLogEntry.action == "read"
        )
    ).all()
    assert reads and reads[-1].actor_user_id == demo.user_id("demo-sagsbehandler")


def test_the_caseload_page_links_to_own_citizens_only(client, auth, demo):
    r = client.get("/borgere", headers=auth("demo-sagsbehandler"))
    assert r.status_code == 200
    assert PAGE.format(demo.citizen_id("demo-borger")) in r.text
    assert PAGE.format(demo.citizen_id("demo-borger-2")) not in r.text  # demo-sagsbehandler-2's
    admin = client.get("/borgere", headers=auth("demo-admin"))
    assert PAGE.format(demo.citizen_id("demo-borger-2")) in admin.text


def test_another_caseworkers_citizen_and_an_unknown_id_are_404(client, auth, demo):
    for citizen_id in (demo.citizen_id("demo-borger-2"), "c-unknown"):
        r = client.get(PAGE.format(citizen_id), headers=auth("demo-sagsbehandler"))
        assert r.status_code == 404 and "Borgeren findes ikke" in r.text
        assert "Demo Borger To" not in r.text
    # ... and the other caseworker sees theirs; an admin sees everyone's.
    other = PAGE.format(demo.citizen_id("demo-borger-2"))
    assert client.get(other, headers=auth("demo-sagsbehandler-2")).status_code == 200
    assert client.get(other, headers=auth("demo-admin")).status_code == 200


@pytest.mark.parametrize("path", ["/borgere", "/borgere/{}/moeder"])
def test_no_session_redirects_to_the_login(client, demo, path):
    r = client.get(path.format(demo.citizen_id("demo-borger")), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/borgere/login"
    # A service token is not a page session.
    headers = service_headers(demo.user_id("demo-admin"))
    r = client.get(
        path.format(demo.citizen_id("demo-borger")), headers=headers, follow_redirects=False
    )
    assert r.status_code == 303


@pytest.mark.parametrize("path", ["/borgere", "/borgere/{}/moeder"])
@pytest.mark.parametrize("username", ["demo-borger", "demo-redaktoer", "demo-jurist"])
def test_other_roles_get_403(client, auth, demo, path, username):
    r = client.get(path.format(demo.citizen_id("demo-borger")), headers=auth(username))
    assert r.status_code == 403 and "kun for sagsbehandlere og administratorer" in r.text
    assert "Demo Borger" not in r.text.replace("demo-borger", "")


def test_the_login_form_refuses_other_roles(client):
    form = client.get("/borgere/login")
    assert form.status_code == 200
    token = form.cookies.get(AREA.login_csrf_cookie)
    assert token
    r = client.post(
        "/borgere/login",
        data={"username": "demo-redaktoer", "csrf_token": token},
        cookies={AREA.login_csrf_cookie: token},
    )
    assert r.status_code == 403 and "kun for sagsbehandlere og administratorer" in r.text
    client.cookies.clear()
