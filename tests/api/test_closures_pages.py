"""The operations pages (/drift) with the TestClient: sign-in, roles, CSRF, closures, opening
hours, the off switch, Danish validation messages and the audit rows every change writes."""

from __future__ import annotations

import html
import re
from datetime import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.models import AssistantStatusRecord, AuditLogEntry, Closure, Location
from api.routes.operations_pages import AREA
from api.security.pages import PageArea

HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGIN = "/drift/login"
CLOSURE_FORM = {
    "location_id": "laerkevej",
    "start_date": "2031-12-22",
    "start_time": "09:00",
    "end_date": "2031-12-23",
    "end_time": "15:00",
    "reason": "Flytning af kontoret",
}
PAGES = [
    "/drift/lukninger",
    "/drift/lukninger/ny",
    "/drift/lukninger/CLOSURE",
    "/drift/lukninger/CLOSURE/slet",
    "/drift/aabningstider/laerkevej",
    "/drift/assistent",
]


@pytest.fixture
def browser(app):
    """A fresh cookie jar per test (the shared session client must not keep page cookies)."""
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as with_cookies:
        yield with_cookies


def csrf_of(page: str) -> str:
    match = HIDDEN_CSRF.search(page)
    assert match, "no CSRF field on the page"
    return html.unescape(match.group(1))


def sign_in(browser, username: str = "demo-sagsbehandler"):
    page = browser.get(LOGIN)
    assert page.status_code == 200
    return browser.post(LOGIN, data={"username": username, "csrf_token": csrf_of(page.text)})


def signed_in(browser, username: str = "demo-sagsbehandler") -> str:
    """Sign in and return the CSRF token of the session's forms."""
    assert sign_in(browser, username).status_code == 303
    page = browser.get("/drift/lukninger")
    assert page.status_code == 200
    return csrf_of(page.text)


def audit(db_session, prefix: str) -> list[AuditLogEntry]:
    query = select(AuditLogEntry).where(AuditLogEntry.action.like(prefix + "%"))
    return list(db_session.scalars(query.order_by(AuditLogEntry.id)))


def closures_named(db_session, reason: str) -> list[Closure]:
    return list(db_session.scalars(select(Closure).where(Closure.reason == reason)))


# --- sign-in and roles ---------------------------------------------------------------------


def test_without_a_session_every_page_redirects_to_login(browser, demo):
    for path in PAGES:
        path = path.replace("CLOSURE", demo.closure_id)
        r = browser.get(path)
        assert r.status_code == 303 and r.headers["location"] == LOGIN, path
        if path != "/drift/lukninger":  # the list has no form of its own
            r = browser.post(path, data={"csrf_token": "x"})
            assert r.status_code == 303 and r.headers["location"] == LOGIN, path
    browser.cookies.set(
        AREA.session_cookie, "not-a-token", domain="testserver.local", path="/drift"
    )
    assert browser.get("/drift/lukninger").status_code == 303


def test_login_sets_a_strict_http_only_cookie_for_drift_only(browser):
    r = sign_in(browser)
    assert r.status_code == 303 and r.headers["location"] == "/drift/lukninger"
    cookie = next(
        c for c in r.headers.get_list("set-cookie") if c.startswith(AREA.session_cookie + "=")
    )
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/drift"} <= attributes
    page = browser.get("/drift/lukninger")
    assert page.status_code == 200 and "Demo Sagsbehandler" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["x-frame-options"] == "DENY"


def test_login_needs_the_form_token_and_an_allowed_role(browser):
    browser.get(LOGIN)
    assert browser.post(LOGIN, data={"username": "demo-sagsbehandler"}).status_code == 403
    r = sign_in(browser, "nobody")
    assert r.status_code == 401 and "findes ikke" in r.text
    for username in ("demo-borger", "demo-jurist", "demo-redaktoer"):
        r = sign_in(browser, username)
        assert r.status_code == 403 and "kun for medarbejdere" in r.text
        assert AREA.session_cookie not in r.headers.get("set-cookie", "")


@pytest.mark.parametrize("username", ["demo-borger", "demo-jurist", "demo-redaktoer"])
def test_other_roles_get_a_403_page_everywhere(browser, auth, demo, username):
    for path in PAGES:
        r = browser.get(path.replace("CLOSURE", demo.closure_id), headers=auth(username))
        assert r.status_code == 403 and "Ingen adgang" in r.text, path
        assert r.headers["content-type"].startswith("text/html")


def test_staff_and_admin_see_closures_and_hours(browser, auth):
    for username in ("demo-sagsbehandler", "demo-admin"):
        page = browser.get("/drift/lukninger", headers=auth(username))
        assert page.status_code == 200
        assert "Jobcenter København, Lærkevej" in page.text and "Faste åbningstider" in page.text
        assert "kl. 09.00-15.00" in page.text


def test_the_jurist_session_is_no_good_here(browser, app):
    page = browser.get("/jurist/login")
    browser.post("/jurist/login", data={"username": "demo-admin", "csrf_token": csrf_of(page.text)})
    # The jurist cookie has Path=/jurist: /drift does not see it.
    assert browser.get("/drift/lukninger").status_code == 303


# --- closures ------------------------------------------------------------------------------


def test_staff_creates_edits_and_deletes_a_closure_and_each_change_is_audited(
    browser, db_session, demo
):
    csrf = signed_in(browser)
    assert browser.get("/drift/lukninger/ny").status_code == 200
    r = browser.post("/drift/lukninger/ny", data={**CLOSURE_FORM, "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/drift/lukninger?gemt=oprettet"
    [closure] = closures_named(db_session, "Flytning af kontoret")
    assert closure.created_by == demo.user_id("demo-sagsbehandler")
    listing = browser.get(r.headers["location"]).text
    assert "Lukningen er oprettet." in listing and "Flytning af kontoret" in listing
    assert "mandag den 22. december 2031 kl. 09.00" in listing

    edit = browser.get(f"/drift/lukninger/{closure.id}")
    assert edit.status_code == 200 and 'value="2031-12-22"' in edit.text
    changed = {**CLOSURE_FORM, "end_time": "12:00", "reason": "Kontoret flytter"}
    r = browser.post(f"/drift/lukninger/{closure.id}", data={**changed, "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].endswith("gemt=rettet")
    db_session.refresh(closure)
    assert closure.reason == "Kontoret flytter" and closure.ends_at.hour == 11  # 12:00 CET

    confirm = browser.get(f"/drift/lukninger/{closure.id}/slet")
    assert confirm.status_code == 200 and "Kontoret flytter" in confirm.text
    r = browser.post(f"/drift/lukninger/{closure.id}/slet", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].endswith("gemt=slettet")
    assert db_session.get(Closure, closure.id) is None

    rows = audit(db_session, "closure_")
    assert [row.action for row in rows] == ["closure_create", "closure_update", "closure_delete"]
    for row in rows:
        assert row.actor_user_id == demo.user_id("demo-sagsbehandler")
        assert row.detail == f"closure={closure.id} location=laerkevej"
        assert row.endpoint.startswith("POST /drift/lukninger")


def test_the_citizens_see_the_closure(browser, client, db_session):
    csrf = signed_in(browser)
    browser.post("/drift/lukninger/ny", data={**CLOSURE_FORM, "csrf_token": csrf})
    day = client.get("/locations/laerkevej/days/2031-12-22").json()
    assert day["open"] is False and day["detail"] == "Flytning af kontoret"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_date": "2031-12-22", "end_time": "08:00"}, "skal slutte efter, at den begynder"),
        ({"end_date": "2031-12-22", "end_time": "09:00"}, "skal slutte efter, at den begynder"),
        ({"location_id": "atlantis"}, "Vælg et sted fra listen."),
        ({"location_id": ""}, "Vælg et sted fra listen."),
        ({"start_date": "31-02-2031"}, "gyldig startdato"),
        ({"start_time": "25:00"}, "gyldig startdato"),
        ({"end_date": ""}, "gyldig slutdato"),
        ({"start_date": "3000-01-01"}, "gyldig startdato"),
        ({"reason": "   "}, "tekst, borgerne skal se"),
        ({"reason": "x" * 501}, "tekst, borgerne skal se"),
    ],
)
def test_invalid_closures_get_a_danish_message_and_nothing_is_saved(
    browser, db_session, fields, message
):
    csrf = signed_in(browser)
    before = len(db_session.scalars(select(Closure)).all())
    r = browser.post("/drift/lukninger/ny", data={**CLOSURE_FORM, **fields, "csrf_token": csrf})
    assert r.status_code == 422
    assert message in html.unescape(r.text) and "Lukningen er ikke gemt" in r.text
    assert 'aria-invalid="true"' in r.text
    assert len(db_session.scalars(select(Closure)).all()) == before
    assert audit(db_session, "closure_") == []


def test_dates_typed_the_danish_way_are_understood(browser, db_session):
    csrf = signed_in(browser)
    typed = {**CLOSURE_FORM, "start_date": "22-12-2031", "end_date": "23.12.2031"}
    assert (
        browser.post("/drift/lukninger/ny", data={**typed, "csrf_token": csrf}).status_code == 303
    )
    assert len(closures_named(db_session, "Flytning af kontoret")) == 1


def test_personal_data_in_the_public_text_is_masked(browser, db_session):
    csrf = signed_in(browser)
    reason = {"reason": "Ring til Per på 23 45 67 89"}
    browser.post("/drift/lukninger/ny", data={**CLOSURE_FORM, **reason, "csrf_token": csrf})
    assert closures_named(db_session, "Ring til Per på [TELEFON]")


def test_forms_without_a_valid_csrf_token_change_nothing(browser, db_session, demo, settings):
    signed_in(browser)
    other_area = PageArea("jurist", "x", "y", "/jurist", AREA.roles)
    forged = [None, "forged", other_area.csrf_token(settings, "some-other-session-token")]
    for token in forged:
        data = {**CLOSURE_FORM} | ({"csrf_token": token} if token else {})
        assert browser.post("/drift/lukninger/ny", data=data).status_code == 403
        path = f"/drift/lukninger/{demo.closure_id}"
        assert browser.post(path, data=data).status_code == 403
        assert browser.post(path + "/slet", data=data).status_code == 403
        hours = {"dag0": "10:00-11:00"} | ({"csrf_token": token} if token else {})
        assert browser.post("/drift/aabningstider/laerkevej", data=hours).status_code == 403
        paused = {"action": "pause", "message": "Lukket"} | ({"csrf_token": token} if token else {})
        assert browser.post("/drift/assistent", data=paused).status_code == 403
    assert closures_named(db_session, "Flytning af kontoret") == []
    assert db_session.get(Closure, demo.closure_id) is not None
    assert db_session.get(AssistantStatusRecord, 1) is None
    assert audit(db_session, "") == []


def test_another_sessions_csrf_token_is_refused(app, browser, db_session):
    other = TestClient(app, base_url="http://testserver", follow_redirects=False)
    other_csrf = signed_in(other, "demo-admin")
    signed_in(browser)
    r = browser.post("/drift/lukninger/ny", data={**CLOSURE_FORM, "csrf_token": other_csrf})
    assert r.status_code == 403 and "Ugyldig formular" in r.text
    assert closures_named(db_session, "Flytning af kontoret") == []
    other.close()


def test_unknown_closures_and_locations_are_404_pages(browser):
    csrf = signed_in(browser)
    for path in ("/drift/lukninger/cl-unknown", "/drift/lukninger/cl-unknown/slet"):
        r = browser.get(path)
        assert r.status_code == 404 and "findes ikke" in r.text
    r = browser.post("/drift/lukninger/cl-unknown/slet", data={"csrf_token": csrf})
    assert r.status_code == 404
    assert browser.get("/drift/aabningstider/atlantis").status_code == 404


def test_logout_needs_the_form_token_and_clears_the_cookie(browser):
    csrf = signed_in(browser)
    assert browser.post("/drift/logout", data={}).status_code == 403
    r = browser.post("/drift/logout", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == LOGIN
    assert browser.get("/drift/lukninger").status_code == 303


# --- opening hours -------------------------------------------------------------------------


def hours_of(db_session, location_id: str) -> list[tuple[int, time, time]]:
    location = db_session.get(Location, location_id)
    db_session.refresh(location)
    return sorted((h.weekday, h.opens, h.closes) for h in location.opening_hours)


def test_staff_changes_opening_hours_from_the_page(browser, client, db_session, demo):
    csrf = signed_in(browser)
    page = browser.get("/drift/aabningstider/laerkevej")
    assert page.status_code == 200 and 'value="09:00-15:00"' in page.text
    week = {"dag0": "09:00-12:00, 13:00-15:30", "dag1": "8.30-15", "dag4": "9.00-13.00"}
    week["dag1"] = "8.30-15.00"
    r = browser.post("/drift/aabningstider/laerkevej", data={**week, "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].endswith("gemt=aabningstider")
    assert hours_of(db_session, "laerkevej") == [
        (0, time(9), time(12)),
        (0, time(13), time(15, 30)),
        (1, time(8, 30), time(15)),
        (4, time(9), time(13)),
    ]
    # Wednesday was left empty: closed, and the public API says so.
    day = client.get("/locations/laerkevej/days/2031-12-24").json()
    assert day["open"] is False and day["regular_hours"] == []
    [row] = audit(db_session, "hours_update")
    assert row.detail == "location=laerkevej intervals=4"
    assert row.actor_user_id == demo.user_id("demo-sagsbehandler")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9-15", "Skriv åbningstiden for mandag som fx 09:00-15:00."),
        ("15:00-09:00", "Om mandagen skal lukketiden være efter åbningstiden."),
        ("09:00-12:00, 11:00-15:00", "Tidsrummene for mandag overlapper hinanden."),
        ("25:00-26:00", "Skriv åbningstiden for mandag"),
        (
            ", ".join(["08:00-08:10", "09:00-09:10", "10:00-10:10", "11:00-11:10", "12:00-12:10"]),
            "Skriv højst 4 tidsrum for mandag.",
        ),
    ],
)
def test_invalid_opening_hours_get_a_danish_message(browser, db_session, value, message):
    csrf = signed_in(browser)
    before = hours_of(db_session, "laerkevej")
    r = browser.post("/drift/aabningstider/laerkevej", data={"dag0": value, "csrf_token": csrf})
    assert r.status_code == 422 and message in html.unescape(r.text)
    assert "Åbningstiderne er ikke gemt" in r.text
    assert hours_of(db_session, "laerkevej") == before
    assert audit(db_session, "hours_update") == []


# --- the off switch page -------------------------------------------------------------------


def test_staff_cannot_open_the_switch(browser, db_session):
    csrf = signed_in(browser)
    r = browser.get("/drift/assistent")
    assert r.status_code == 403 and "Kun administratorer" in r.text
    r = browser.post(
        "/drift/assistent", data={"action": "pause", "message": "x", "csrf_token": csrf}
    )
    assert r.status_code == 403
    assert db_session.get(AssistantStatusRecord, 1) is None


def test_admin_pauses_and_resumes_from_the_page(browser, client, db_session, demo):
    csrf = signed_in(browser, "demo-admin")
    page = browser.get("/drift/assistent")
    assert page.status_code == 200 and "KK-assistenten er tændt" in page.text
    # The form offers the default message with the job centre's number.
    assert "Ring til Jobcenter København på +45 00 00 00 04." in page.text

    r = browser.post(
        "/drift/assistent", data={"action": "pause", "message": "", "csrf_token": csrf}
    )
    assert r.status_code == 422 and "Skriv den besked, borgerne skal se" in r.text
    assert client.get("/assistant/status").json()["paused"] is False

    message = "Vi holder pause i dag. Ring til Jobcenter København på +45 00 00 00 04."
    data = {"action": "pause", "message": message, "csrf_token": csrf}
    r = browser.post("/drift/assistent", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/drift/assistent?gemt=slukket"
    assert client.get("/assistant/status").json()["message"] == message
    page = browser.get(r.headers["location"])
    assert "KK-assistenten er slukket" in page.text and "Demo Admin" in page.text

    r = browser.post("/drift/assistent", data={"action": "resume", "csrf_token": csrf})
    assert r.status_code == 303 and client.get("/assistant/status").json()["paused"] is False
    rows = audit(db_session, "assistant_")
    assert [row.action for row in rows] == ["assistant_pause", "assistant_resume"]
    assert {row.endpoint for row in rows} == {"POST /drift/assistent"}
    assert {row.actor_user_id for row in rows} == {demo.user_id("demo-admin")}
