"""Driving the chat widget in a Playwright page (imported by the tests as ``web_helpers``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, expect

REFERENCE = re.compile(r"\bFRA-\d{4}-\d+\b")
SOURCE_LINE = re.compile(r"^Kilde: .+, .+$")
WEEKDAYS = re.compile(r"\b(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\b", re.I)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Chat:
    """One chat widget on a page served by the case service."""

    def __init__(self, page: Page, api_url: str, rasa_url: str):
        self.page = page
        self.api_url = api_url
        self.rasa_url = rasa_url

    # --- navigation -----------------------------------------------------------------------

    def open(self, path: str = "/chat") -> Chat:
        self.page.goto(self.api_url + path)
        expect(self.root).to_be_visible()
        return self

    @property
    def root(self) -> Locator:
        return self.page.locator("[data-kk-chat-root]")

    @property
    def input(self) -> Locator:
        return self.page.get_by_label("Skriv din besked")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log")

    def bot_messages(self) -> Locator:
        return self.page.locator(".kk-msg--bot")

    def user_messages(self) -> Locator:
        return self.page.locator(".kk-msg--user")

    def wait_idle(self) -> None:
        expect(self.root).to_have_attribute("data-busy", "false")

    # --- talking --------------------------------------------------------------------------

    def send(self, text: str) -> list[Locator]:
        """Type ``text``, press Enter, wait for the reply; the new bot messages."""
        before = self.bot_messages().count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_idle()
        return self._new_since(before)

    def click(self, locator: Locator) -> list[Locator]:
        before = self.bot_messages().count()
        locator.click()
        self.wait_idle()
        return self._new_since(before)

    def choose(self, title: str) -> list[Locator]:
        return self.click(self.page.locator(".kk-choice", has_text=title).last)

    def _new_since(self, before: int) -> list[Locator]:
        messages = self.bot_messages()
        return [messages.nth(i) for i in range(before, messages.count())]

    @staticmethod
    def text_of(messages: list[Locator]) -> str:
        return "\n".join(m.inner_text() for m in messages)

    # --- log-in ---------------------------------------------------------------------------

    def login(self, username: str) -> None:
        self.page.get_by_label("Demobruger").select_option(username)
        self.page.get_by_role("button", name="Log ind").click()
        expect(self.root.locator(".kk-chat__who")).to_contain_text(username)

    def logout(self) -> None:
        self.page.get_by_role("button", name="Log ud").click()
        expect(self.page.get_by_label("Demobruger")).to_be_visible()

    # --- storage --------------------------------------------------------------------------

    def session_storage(self) -> dict:
        return self.page.evaluate(
            "() => Object.fromEntries(Object.keys(sessionStorage).map(k => [k, "
            "sessionStorage.getItem(k)]))"
        )

    def local_storage_keys(self) -> list[str]:
        return self.page.evaluate("() => Object.keys(localStorage)")

    # --- the absence form (bot side: actions/forms/absence.py) ----------------------------

    def report_absence(self, first_message: str, *, on_buttons=None, max_turns: int = 8) -> str:
        """Hold the absence conversation to its end; the text of every bot reply.

        Buttons are answered with "Ja ..." when offered (the confirmation) or else the first
        option (the meeting); a question without buttons gets a reason. ``on_buttons`` is called
        whenever buttons are on screen (for the accessibility check).
        """
        replies = [self.send(first_message)]
        for _ in range(max_turns):
            text = self.text_of(replies[-1])
            if REFERENCE.search(text):
                break
            choices = self.page.locator(".kk-choice")
            if choices.count():
                if on_buttons:
                    on_buttons()
                yes = self.page.locator(".kk-choice", has_text=re.compile(r"^\s*Ja\b"))
                replies.append(self.click(yes.first if yes.count() else choices.first))
            else:
                replies.append(self.send("Jeg har feber og ligger i sengen"))
        return "\n".join(self.text_of(r) for r in replies)


def run_axe(page: Page, axe_source: str, context: str = "document") -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)  # injected from web/node_modules (CSP does not apply to this)
    result = page.evaluate(
        """async (context) => {
            const target = context === 'document' ? document : document.querySelector(context);
            const res = await axe.run(target, {
                runOnly: {
                    type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
                },
                resultTypes: ['violations'],
            });
            return res.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        context,
    )
    return result


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1, ensure_ascii=False)


def no_horizontal_scroll(page: Page) -> tuple[int, int]:
    """(scrollWidth, viewport width) of the page: equal when nothing overflows sideways."""
    return tuple(
        page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
    )


def save_screenshot(page: Page, directory: Path, name: str) -> Path:
    """What the viewport shows with the page scrolled to its end (the newest messages and the
    message field), as a person sees it after a conversation."""
    path = directory / name
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.screenshot(path=str(path))
    return path


def new_chat(page: Page, api_url: str, rasa_url: str, path: str = "/chat") -> Chat:
    """A new anonymous conversation in ``page``: the widget keeps its conversation (sender id,
    messages) in sessionStorage only, so emptying it and loading the page starts a new one."""
    if page.url.startswith(api_url):
        page.evaluate("() => sessionStorage.clear()")
    return Chat(page, api_url, rasa_url).open(path)


def staff_sign_in(
    page: Page, api_url: str, area: str, username: str, on_form: Callable[[], None] | None = None
) -> None:
    """Sign ``username`` in on the demo login form of a staff area (``/katalog``, ``/statistik``,
    ``/drift``, ...); the area's session cookie is then set in the page's context. ``on_form`` is
    called while the form is shown (for the accessibility check)."""
    page.goto(f"{api_url}{area}/login")
    if on_form:
        on_form()
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_role("button", name="Log ind").click()
