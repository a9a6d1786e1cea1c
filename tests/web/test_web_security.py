"""Pages, CSP and CORS of the web chat, seen from a browser's origin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from web_helpers import origin

PAGES = ("/chat", "/chat/staff", "/chat/embed-example")


def chat_origins(api_url: str) -> list[str]:
    """The chat page's origin as served here, under both names of the loopback host."""
    port = urlsplit(api_url).port
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_a_strict_content_security_policy(api_url, rasa_url, path):
    r = httpx.get(api_url + path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"].split() == ["'self'", origin(rasa_url)]
    assert directives["frame-ancestors"] == "'none'"
    assert r.headers["x-content-type-options"] == "nosniff"
    html = r.text
    # No inline script or style, no style attributes, no third-party URLs.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html
    assert f'data-rasa-url="{rasa_url}"' in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/") or url.startswith(api_url) or url == "https://www.kk.dk", url


def test_widget_files_are_served_with_their_types(api_url):
    js = httpx.get(api_url + "/chat/kk-chat.js")
    css = httpx.get(api_url + "/chat/kk-chat.css")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text
    assert "localStorage" not in js.text.replace("never localStorage", "")


@pytest.mark.parametrize("channel", ["kk", "rest"])
def test_cors_preflight_from_the_chat_origin(rasa_url, api_url, channel):
    for chat_origin in chat_origins(api_url):
        r = httpx.options(
            f"{rasa_url}/webhooks/{channel}/webhook",
            headers={
                "Origin": chat_origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert r.status_code in (200, 204), r.text
        assert r.headers.get("access-control-allow-origin") == chat_origin
        assert "POST" in r.headers.get("access-control-allow-methods", "")
        allowed = r.headers.get("access-control-allow-headers", "").lower()
        assert "authorization" in allowed and "content-type" in allowed


def test_cors_refuses_other_origins(rasa_url):
    r = httpx.options(
        f"{rasa_url}/webhooks/kk/webhook",
        headers={
            "Origin": "http://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert r.headers.get("access-control-allow-origin") in (None, "")
    r = httpx.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": "cors1", "message": "hej"},
        headers={"Origin": "http://evil.example"},
    )
    assert r.headers.get("access-control-allow-origin") in (None, "")


def test_rasa_http_api_is_closed_to_browsers(rasa_url):
    """Rasa's HTTP API is on only for the reminder job, with Rasa's token auth
    (``KK_RASA_API_TOKEN``, docs/reminders.md): without the token, or with a wrong one, no tracker
    or model endpoint answers (401), and the production profile's nginx does not pass them."""
    for path in (
        "/conversations/anon:abc/tracker",
        "/conversations/anon:abc/messages",
        "/status",
        "/domain",
    ):
        for params in ({}, {"token": "not-the-token"}):
            r = httpx.get(rasa_url + path, params=params)
            assert r.status_code in (401, 403, 404, 405), f"{path} {params}: {r.status_code}"


def test_case_service_answers_cors_only_for_the_chat_origins(api_url):
    for chat_origin in chat_origins(api_url):
        r = httpx.options(
            api_url + "/feedback",
            headers={
                "Origin": chat_origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert r.headers.get("access-control-allow-origin") == chat_origin
    r = httpx.options(
        api_url + "/feedback",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert r.headers.get("access-control-allow-origin") is None
