"""The jurists' web page end to end with the TestClient: sign-in, list, answer, CSRF, roles."""

from __future__ import annotations

import html
import re

import pytest
from api_helpers import make_settings
from fastapi.testclient import TestClient
from legal_helpers import OUTSIDE_QUESTION, ask, escalate
from sqlalchemy import select

from api.legal.jurist_notes import jurist_note_id
from api.legal.page_auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from api.main import create_app
from api.models import LegalNoteRecord, LegalQuestion

HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def browser(app):
    """A fresh cookie jar per test (the shared session client must not keep page cookies)."""
    with_cookies = TestClient(app, base_url="http://testserver", follow_redirects=False)
    yield with_cookies
    with_cookies.close()


def csrf_of(page: str) -> str:
    match = HIDDEN_CSRF.search(page)
    assert match, "no CSRF field on the page"
    return html.unescape(match.group(1))


def sign_in(browser, username: str = "demo-jurist"):
    page = browser.get("/jurist/login")
    assert page.status_code == 200
    return browser.post(
        "/jurist/login", data={"username": username, "csrf_token": csrf_of(page.text)}
    )


def test_without_a_session_the_page_redirects_to_login(browser):
    for path in ("/jurist", "/jurist/questions/JUR-2000-000001"):
        r = browser.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/jurist/login"
    r = browser.post("/jurist/questions/JUR-2000-000001", data={"answer": "x"})
    assert r.status_code == 303 and r.headers["location"] == "/jurist/login"
    browser.cookies.set(SESSION_COOKIE, "not-a-token", domain="testserver.local", path="/jurist")
    assert browser.get("/jurist").status_code == 303


def test_login_sets_a_strict_http_only_cookie(browser, auth):
    r = sign_in(browser)
    assert r.status_code == 303 and r.headers["location"] == "/jurist"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert (
        "httponly" in attributes
        and "samesite=strict" in attributes
        and "path=/jurist" in attributes
    )
    assert "secure" not in attributes  # plain http here; see the https test
    page = browser.get("/jurist")
    assert (
        page.status_code == 200 and "Juridisk postkasse" in page.text and "Demo Jurist" in page.text
    )


def test_login_cookie_is_secure_over_https(app):
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as secure_browser:
        r = sign_in(secure_browser)
        cookie = next(
            c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")
        )
        assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_login_without_the_form_token_is_refused(browser):
    browser.get("/jurist/login")
    r = browser.post("/jurist/login", data={"username": "demo-jurist"})
    assert r.status_code == 403 and SESSION_COOKIE not in r.headers.get("set-cookie", "")
    r = browser.post("/jurist/login", data={"username": "demo-jurist", "csrf_token": "forged"})
    assert r.status_code == 403


def test_login_refuses_unknown_users_and_other_roles(browser):
    r = sign_in(browser, "nobody")
    assert r.status_code == 401 and "findes ikke" in r.text
    r = sign_in(browser, "demo-sagsbehandler")
    assert r.status_code == 403 and "kun for jurister" in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_other_roles_get_a_403_page(browser, auth):
    for username in ("demo-sagsbehandler", "demo-borger"):
        r = browser.get("/jurist", headers=auth(username))
        assert r.status_code == 403 and "kun for jurister" in r.text
        assert r.headers["content-type"].startswith("text/html")


def test_admin_and_bearer_header_are_accepted(browser, auth):
    assert browser.get("/jurist", headers=auth("demo-admin")).status_code == 200
    assert browser.get("/jurist", headers=auth("demo-jurist")).status_code == 200


def test_list_answer_and_publish_from_the_page(browser, client, auth, db_session, small_db_notes):
    question = "Må en borger i nytteindsats holde fri på grundlovsdag med ydelse?"
    ticket = escalate(
        client, auth("demo-sagsbehandler"), question, context="Sagsbehandler spurgte i chatten."
    )
    sign_in(browser)

    listing = browser.get("/jurist")
    assert listing.status_code == 200 and ticket in listing.text
    assert f'href="/jurist/questions/{ticket}"' in listing.text

    page = browser.get(f"/jurist/questions/{ticket}")
    assert page.status_code == 200
    assert (
        html.escape(question, quote=False) in page.text
        and "Sagsbehandler spurgte i chatten." in page.text
    )
    token = csrf_of(page.text)

    # A reference cited in the answer but not listed: 422, the form keeps what was typed.
    answer_text = "Ja, efter LAB § 42 og LAS § 13."
    form = {
        "csrf_token": token,
        "answer": answer_text,
        "references": "LAB § 42\n",
        "publish": "on",
        "title": "Fridag på grundlovsdag i nytteindsats",
        "questions": "Har borgere i nytteindsats fri på grundlovsdag?\n",
    }
    r = browser.post(f"/jurist/questions/{ticket}", data=form)
    assert r.status_code == 422
    assert "Svaret er ikke gemt" in r.text and "LAS §13" in r.text
    assert html.escape(answer_text, quote=False) in r.text and "Fridag på grundlovsdag" in r.text

    # Publishing without a title: 422.
    r = browser.post(
        f"/jurist/questions/{ticket}",
        data={**form, "references": "LAB § 42\nLAS § 13", "title": ""},
    )
    assert r.status_code == 422 and "titel" in r.text

    seq = small_db_notes.snapshot.seq
    r = browser.post(
        f"/jurist/questions/{ticket}", data={**form, "references": "LAB § 42\nLAS § 13"}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/jurist?besvaret={ticket}"
    done = browser.get(r.headers["location"])
    assert f"Svaret på {ticket} er gemt og offentliggjort som note." in done.text

    row = db_session.scalars(select(LegalQuestion).where(LegalQuestion.ticket_id == ticket)).one()
    assert row.status.value == "published" and row.answer_references == ["LAB § 42", "LAS § 13"]
    note = db_session.get(LegalNoteRecord, jurist_note_id(ticket))
    assert note is not None and "Har borgere i nytteindsats fri på grundlovsdag?" in note.questions
    assert small_db_notes.snapshot.seq > seq and note.id in small_db_notes.snapshot.notes

    body = ask(
        client, auth("demo-sagsbehandler-2"), "Har en borger i nytteindsats fri på grundlovsdag?"
    ).json()
    assert body["note_id"] == note.id and body["status"] in ("answered", "clarify")

    # The answered question shows its answer, without a form.
    shown = browser.get(f"/jurist/questions/{ticket}")
    assert "<textarea" not in shown.text and "Ja, efter LAB § 42" in shown.text


def test_posting_without_the_csrf_token_is_403_and_stores_nothing(
    browser, client, auth, db_session, small_db_notes
):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    sign_in(browser)
    form = {"answer": "Nej.", "references": "", "title": ""}
    r = browser.post(f"/jurist/questions/{ticket}", data=form)
    assert r.status_code == 403 and "svaret er ikke gemt" in r.text
    r = browser.post(f"/jurist/questions/{ticket}", data={**form, "csrf_token": "0" * 64})
    assert r.status_code == 403
    # A token from another session does not work either.
    other = TestClient(browser.app, follow_redirects=False)
    sign_in(other, "demo-admin")
    other_token = csrf_of(other.get(f"/jurist/questions/{ticket}").text)
    assert (
        browser.post(
            f"/jurist/questions/{ticket}", data={**form, "csrf_token": other_token}
        ).status_code
        == 403
    )
    row = db_session.scalars(select(LegalQuestion).where(LegalQuestion.ticket_id == ticket)).one()
    assert row.status.value == "open" and row.answer is None


def test_unknown_ticket_is_a_404_page(browser, auth):
    sign_in(browser)
    r = browser.get("/jurist/questions/JUR-2000-000001")
    assert r.status_code == 404 and "findes ikke" in r.text


def test_logout_clears_the_cookie(browser):
    sign_in(browser)
    page = browser.get("/jurist")
    assert browser.post("/jurist/logout", data={}).status_code == 403
    r = browser.post("/jurist/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/jurist/login"
    assert browser.get("/jurist").status_code == 303


def test_pages_are_accessible_danish_and_self_contained(browser, client, auth, small_db_notes):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    login = browser.get("/jurist/login")
    sign_in(browser)
    for r in (login, browser.get("/jurist"), browser.get(f"/jurist/questions/{ticket}")):
        text = r.text
        assert '<html lang="da">' in text and "<h1>" in text and 'href="#indhold"' in text
        # Every form field has a label.
        for field_id in re.findall(r'<(?:input|textarea)[^>]*\bid="([^"]+)"', text):
            assert f'for="{field_id}"' in text, field_id
        # No third-party requests, no scripts.
        assert "<script" not in text and not re.search(r'(?:src|href)="(?:https?:)?//', text)
        # Styles only from the service's one stylesheet, which shows where the focus is.
        assert "<style" not in text and " style=" not in text
        stylesheet = re.search(r'<link rel="stylesheet" href="(/[^"]+)">', text).group(1)
        css = browser.get(stylesheet)
        assert css.headers["content-type"].startswith("text/css") and ":focus" in css.text
        policy = r.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert r.headers["cache-control"] == "no-store"
    assert LOGIN_CSRF_COOKIE in login.headers.get("set-cookie", "")


def test_outside_demo_mode_no_login_form_and_no_demo_token(database, db_session, token_for):
    """Outside demo mode only identity-provider tokens open the page (tests/api/test_oidc.py)."""
    from api.db.session import get_session

    app = create_app(make_settings(database_url=database.url, demo_mode=False))
    app.dependency_overrides[get_session] = lambda: db_session
    outside = TestClient(app, follow_redirects=False)
    page = outside.get("/jurist/login")
    assert page.status_code == 200 and "<form" not in page.text.split("</header>")[1]
    assert outside.post("/jurist/login", data={"username": "demo-jurist"}).status_code == 404
    r = outside.get("/jurist", headers={"Authorization": f"Bearer {token_for('demo-jurist')}"})
    assert r.status_code != 200
    outside.cookies.set(
        SESSION_COOKIE, token_for("demo-jurist"), domain="testserver.local", path="/jurist"
    )
    assert outside.get("/jurist").status_code != 200
