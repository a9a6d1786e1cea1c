"""The web chat: ``/chat`` (citizens), ``/chat/staff`` (caseworkers), the widget's files and an
embedding example. The widget itself lives in ``web/widget/`` (plain JavaScript and CSS, no build).

The pages carry no inline script or style. Their Content-Security-Policy allows scripts and styles
from this service only and connections to this service and the Rasa server
(``Settings.chat_rasa_url``), so the page makes no third-party requests.

``install_cors`` lets a page on another origin (an embedding site listed in ``KK_CORS_ORIGINS``)
call ``POST /auth/demo-login`` and ``POST /feedback``; tokens travel in headers, never in
cookies, so credentials are not allowed cross-origin.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse

from api.core.config import Settings
from api.deps import SettingsDep

WIDGET_DIR = Path(__file__).resolve().parents[2] / "web" / "widget"
SCRIPT = "kk-chat.js"
STYLESHEET = "kk-chat.css"

CITIZEN_DEMO_USERS = ("demo-borger", "demo-borger-syg")
STAFF_DEMO_USERS = ("demo-sagsbehandler", "demo-jurist", "demo-admin")

router = APIRouter(tags=["chat"])


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {_origin(settings.chat_rasa_url)}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _page_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _asset_headers() -> dict[str, str]:
    return {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _widget_element(settings: Settings, mode: str) -> str:
    users = CITIZEN_DEMO_USERS if mode == "citizen" else STAFF_DEMO_USERS
    demo = f' data-demo-users="{_attr(" ".join(users))}"' if settings.demo_mode else ""
    return (
        f'<div id="kk-chat" class="kk-page__chat" data-kk-chat data-mode="{mode}" '
        f'data-rasa-url="{_attr(settings.chat_rasa_url)}" data-api-url=""{demo}></div>'
    )


NOSCRIPT = (
    '<noscript><p class="kk-page__noscript">Chatten kræver JavaScript. Du kan også finde svar og '
    'kontaktoplysninger på <a href="https://www.kk.dk">kk.dk</a>.</p></noscript>'
)


def _page(title: str, heading: str, intro: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/chat/{STYLESHEET}">
<script src="/chat/{SCRIPT}" defer></script>
</head>
<body class="kk-page">
<header class="kk-page__header">
<p class="kk-page__org">Københavns Kommune · Jobcenter København</p>
<h1 class="kk-page__title">{escape(heading)}</h1>
<p class="kk-page__intro">{intro}</p>
</header>
<main class="kk-page__main">
{body}
</main>
</body>
</html>
"""


@router.get("/chat", response_class=HTMLResponse, summary="Web chat for citizens (HTML page)")
def citizen_chat(settings: SettingsDep) -> HTMLResponse:
    html = _page(
        "Chat med KK-assistenten – Jobcenter København",
        "Chat med KK-assistenten",
        "Få svar på spørgsmål om fx kontanthjælp, samtaler og fravær. Log ind for at få svar om "
        'din egen sag.</p>\n<p class="kk-page__intro" lang="en">You can also chat in English: '
        "choose »English« in the chat.",
        _widget_element(settings, "citizen") + NOSCRIPT,
    )
    return HTMLResponse(html, headers=_page_headers(settings))


@router.get(
    "/chat/staff",
    response_class=HTMLResponse,
    summary="Web chat for caseworkers, with the legal mode (HTML page)",
)
def staff_chat(settings: SettingsDep) -> HTMLResponse:
    html = _page(
        "KK-assistenten for medarbejdere – Jobcenter København",
        "KK-assistenten for medarbejdere",
        "Stil juridiske spørgsmål og få svar med henvisninger og kilde. Spørgsmål, den ikke kan "
        "besvare, kan sendes til den juridiske postkasse.",
        _widget_element(settings, "staff") + NOSCRIPT,
    )
    return HTMLResponse(html, headers=_page_headers(settings))


@router.get(
    "/chat/embed-example",
    response_class=HTMLResponse,
    summary="How to embed the web chat on another page (HTML page)",
)
def embed_example(request: Request, settings: SettingsDep) -> HTMLResponse:
    rasa = _attr(settings.chat_rasa_url)
    base = str(request.base_url).rstrip("/")
    snippet = (
        f'<div id="kk-chat" data-kk-chat data-rasa-url="{settings.chat_rasa_url}"></div>\n'
        f'<script src="{base}/chat/{SCRIPT}" defer></script>'
    )
    body = (
        "<p>Indsæt et element og ét script-tag på din side. Scriptet henter selv sit stylesheet. "
        "Se docs/web_chat.md for alle indstillinger.</p>\n"
        f'<pre class="kk-page__code"><code>{escape(snippet)}</code></pre>\n'
        '<h2 class="kk-page__subheading">Sådan ser det ud</h2>\n'
        f'<div id="kk-chat" data-kk-chat data-rasa-url="{rasa}"></div>\n' + NOSCRIPT
    )
    html = _page(
        "Eksempel: KK-assistenten på en anden side",
        "Eksempel: chatten indsat på en side",
        "Sådan sætter du KK-assistenten ind på en hjemmeside.",
        body,
    )
    return HTMLResponse(html, headers=_page_headers(settings))


@router.get("/chat/kk-chat.js", response_class=FileResponse, summary="The chat widget's script")
def widget_script() -> FileResponse:
    return FileResponse(
        WIDGET_DIR / SCRIPT, media_type="text/javascript; charset=utf-8", headers=_asset_headers()
    )


@router.get(
    "/chat/kk-chat.css", response_class=FileResponse, summary="The chat widget's stylesheet"
)
def widget_stylesheet() -> FileResponse:
    return FileResponse(
        WIDGET_DIR / STYLESHEET, media_type="text/css; charset=utf-8", headers=_asset_headers()
    )


def install_cors(app: FastAPI, settings: Settings) -> None:
    """CORS for the origins in ``KK_CORS_ORIGINS`` (none: no CORS headers at all)."""
    origins = settings.cors_origin_list
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=False,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
