"""Browser tests of the web chat (/chat, /chat/staff) against the running system.

``./kk test web`` starts the whole system on free ports and exports ``KK_E2E_API_URL`` and
``KK_E2E_RASA_URL``; it also installs Debian's Chromium and the npm test packages (axe-core).
By hand, against ``./kk run``::

    KK_E2E_API_URL=http://127.0.0.1:8000 KK_E2E_RASA_URL=http://127.0.0.1:5005 \\
        .venvs/api/bin/python -m pytest tests/web

Playwright (PyPI) drives ``/usr/bin/chromium`` (``KK_WEB_CHROMIUM``) headless; it never downloads
a browser of its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from web_helpers import origin

REPO = Path(__file__).resolve().parents[2]
# tests/helpers/: what this suite shares with the e2e and production suites (the catalogue entry
# tests/web/test_editor_flow.py publishes).
sys.path.insert(0, str(REPO / "tests" / "helpers"))
AXE_JS = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("KK_WEB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def system() -> dict[str, str]:
    api = os.environ.get("KK_E2E_API_URL", "").rstrip("/")
    rasa = os.environ.get("KK_E2E_RASA_URL", "").rstrip("/")
    if not api or not rasa:
        pytest.skip(
            "KK_E2E_API_URL and KK_E2E_RASA_URL are not set: run `./kk test web` "
            "(or point them at a system started with `./kk run`)"
        )
    return {"api": api, "rasa": rasa}


@pytest.fixture(scope="session")
def api_url(system) -> str:
    return system["api"]


@pytest.fixture(scope="session")
def rasa_url(system) -> str:
    return system["rasa"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS.relative_to(REPO)} is missing: run `npm ci --prefix web` "
            "(./kk test web does it)"
        )
    return AXE_JS.read_text()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (./kk test web does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() gives Chromium a fresh, empty --user-data-dir in a temp dir (removed on close);
        # Playwright refuses the flag in `args`.
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class PageWatch:
    """Everything a page requested, and what went wrong on it (console errors, CSP violations)."""

    def __init__(self, page, allowed_origins: set[str]):
        self.allowed = allowed_origins
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_responses: list[str] = []
        self.expected_failures = False  # set by tests that make requests fail on purpose
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _response(self, response) -> None:
        # Chromium asks for /favicon.ico on its own; the case service has none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed_responses.append(f"{response.status} {response.url}")

    def _console(self, msg) -> None:
        # "Failed to load resource" lines are judged by their responses (see _response).
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.console_errors.append(msg.text)

    def foreign_requests(self) -> list[str]:
        return [
            u
            for u in self.requests
            if not u.startswith(("data:", "blob:")) and origin(u) not in self.allowed
        ]

    def check(self) -> None:
        assert not self.foreign_requests(), f"third-party requests: {self.foreign_requests()}"
        assert not self.page_errors, f"JavaScript errors: {self.page_errors}"
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert not csp, f"CSP violations: {csp}"
        if not self.expected_failures:
            assert not self.console_errors, f"console errors: {self.console_errors}"
            assert not self.failed_responses, f"failed requests: {self.failed_responses}"


@pytest.fixture
def context(browser):
    ctx = browser.new_context(
        viewport=DESKTOP, locale="da-DK", timezone_id="Europe/Copenhagen", reduced_motion="reduce"
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, api_url, rasa_url):
    page = context.new_page()
    page.watch = PageWatch(page, {origin(api_url), origin(rasa_url)})
    yield page
    page.watch.check()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
