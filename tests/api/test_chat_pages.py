"""The web chat pages served by the case service (api/routes/chat_pages.py).

The widget's behaviour is tested in a real browser in tests/web; here: settings, headers, CORS.
"""

from __future__ import annotations

import re

import pytest
from api_helpers import make_settings
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app


def _client(**overrides) -> TestClient:
    defaults = {"rasa_port": 5005, "rasa_public_url": "", "cors_origins": ""}
    return TestClient(create_app(make_settings(**{**defaults, **overrides})))


def _csp(response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return dict((d.strip().split(" ", 1) + [""])[:2] for d in header.split(";") if d.strip())


@pytest.mark.parametrize(("path", "mode"), [("/chat", "citizen"), ("/chat/staff", "staff")])
def test_chat_pages_render_the_widget_for_their_audience(path, mode):
    r = _client().get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="da">' in html
    assert f'data-mode="{mode}"' in html
    assert 'data-rasa-url="http://127.0.0.1:5005"' in html
    assert '<script src="/chat/kk-chat.js" defer></script>' in html
    users = re.search(r'data-demo-users="([^"]*)"', html).group(1).split()
    if mode == "citizen":
        assert users == ["demo-borger", "demo-borger-syg"]
    else:
        assert users == ["demo-sagsbehandler", "demo-jurist", "demo-admin"]


def test_rasa_url_follows_the_rasa_port_or_the_public_url():
    assert 'data-rasa-url="http://127.0.0.1:15005"' in _client(rasa_port=15005).get("/chat").text
    client = _client(rasa_public_url="https://bot.example.dk/")
    r = client.get("/chat")
    assert 'data-rasa-url="https://bot.example.dk"' in r.text
    assert _csp(r)["connect-src"] == "'self' https://bot.example.dk"


@pytest.mark.parametrize(
    "value",
    [
        'http://x" onload="alert(1)',
        "javascript:alert(1)",
        "https://a.dk; script-src *",
        "ftp://a.dk",
    ],
)
def test_unsafe_rasa_urls_are_refused(value):
    with pytest.raises(ValidationError):
        make_settings(rasa_public_url=value)


@pytest.mark.parametrize("value", ["*", "http://a.dk/path", "a.dk", "http://a.dk *"])
def test_cors_origins_must_be_origins(value):
    with pytest.raises(ValidationError):
        make_settings(cors_origins=value)


def test_outside_demo_mode_there_is_no_demo_login_in_the_page():
    html = _client(demo_mode=False).get("/chat").text
    assert "data-demo-users" not in html


def test_pages_have_a_strict_csp_and_no_inline_code():
    client = _client()
    for path in ("/chat", "/chat/staff", "/chat/embed-example"):
        r = client.get(path)
        csp = _csp(r)
        assert csp["default-src"] == "'none'"
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
        assert csp["connect-src"] == "'self' http://127.0.0.1:5005"
        assert csp["frame-ancestors"] == "'none'"
        assert "unsafe" not in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text) and "<style" not in r.text
        assert " style=" not in r.text


def test_widget_files():
    client = _client()
    js = client.get("/chat/kk-chat.js")
    css = client.get("/chat/kk-chat.css")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert js.headers["x-content-type-options"] == "nosniff"
    assert client.get("/chat/package.json").status_code == 404
    assert client.get("/chat/../web/package.json").status_code == 404


def test_embed_example_shows_a_copyable_snippet():
    html = _client().get("/chat/embed-example").text
    assert (
        "&lt;div id=&quot;kk-chat&quot; data-kk-chat data-rasa-url=&quot;http://127.0.0.1:5005&quot;"
        in html
    )
    assert "&lt;script src=&quot;http://testserver/chat/kk-chat.js&quot; defer&gt;" in html


def test_cors_only_for_configured_origins():
    client = _client(cors_origins="http://localhost:8000 http://127.0.0.1:8000")
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    for origin in ("http://localhost:8000", "http://127.0.0.1:8000"):
        r = client.options("/feedback", headers={"Origin": origin, **preflight})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == origin
        assert "access-control-allow-credentials" not in r.headers
    r = client.options("/feedback", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in r.headers
    r = _client().options("/feedback", headers={"Origin": "http://localhost:8000", **preflight})
    assert "access-control-allow-origin" not in r.headers  # no origins configured: no CORS
