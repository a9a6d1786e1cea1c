"""The off switch in Chromium: an admin pauses the assistant on /drift/assistent, and a chat that
is already open shows the message and the phone number instead of the input; switched on
again, the input comes back and answers work. axe-core: no violations on the admin page or in
the paused chat."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from web_helpers import Chat, describe, run_axe

PHONE = "+45 00 00 00 04"  # the demo's jobcenter-telefon location


def assert_no_violations(page: Page, axe_source: str, when: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], f"axe violations {when}:\n{describe(violations)}"


def _call(method: str, url: str, body: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def rasa_has_heard(rasa_url: str, paused: bool) -> None:
    """Wait until the Rasa server's status cache (at most 3 s old) agrees with the switch."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = {"sender": f"probe{uuid.uuid4().hex[:8]}", "message": "hej"}
        reply = _call("POST", rasa_url + "/webhooks/rest/webhook", body)
        marked = any((m.get("custom") or {}).get("assistant_paused") for m in reply)
        if marked == paused:
            return
        time.sleep(0.5)
    raise AssertionError(f"the Rasa server did not see paused={paused} within 30 s")


@pytest.fixture
def switched_on_afterwards(api_url) -> Iterator[None]:
    """Whatever happens in the test, the assistant runs again for the next one."""
    yield
    token = _call("POST", api_url + "/auth/demo-login", {"username": "demo-admin"})["access_token"]
    _call("PUT", api_url + "/assistant/status", {"paused": False}, token)


def test_admin_pauses_and_the_open_chat_shows_the_message(
    page, context, api_url, rasa_url, axe_source, switched_on_afterwards
):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    expect(chat.input).to_be_visible()

    admin = context.new_page()
    admin.goto(api_url + "/drift/login")
    admin.get_by_label("Brugernavn").fill("demo-admin")
    admin.get_by_role("button", name="Log ind").click()
    admin.get_by_role("link", name="Tænd og sluk assistenten").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Tænd og sluk KK-assistenten")
    message_field = admin.get_by_label("Besked til borgerne")
    expect(message_field).to_have_value(
        f"KK-assistenten er lukket lige nu. Ring til Jobcenter København på {PHONE}."
    )
    assert_no_violations(admin, axe_source, "on the switch page")
    message = f"KK-assistenten holder pause ({uuid.uuid4().hex[:6]}). Ring på {PHONE}."
    message_field.fill(message)
    admin.get_by_role("button", name="Sluk KK-assistenten").click()
    expect(admin.get_by_role("status")).to_contain_text("KK-assistenten er slukket.")
    assert_no_violations(admin, axe_source, "on the switch page while paused")

    # The open chat notices by itself (it asks every few seconds) ...
    notice = page.locator("[data-kk-paused]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(message)
    expect(
        notice.get_by_role("link", name=f"Ring til Jobcenter København på {PHONE}")
    ).to_have_attribute("href", "tel:+4500000004")
    expect(chat.input).to_be_hidden()
    expect(page.get_by_role("button", name="Send")).to_be_hidden()
    assert_no_violations(page, axe_source, "in the paused chat")

    # ... and so does a chat opened while paused.
    other = context.new_page()
    Chat(other, api_url, rasa_url).open("/chat/staff")
    expect(other.locator("[data-kk-paused]")).to_contain_text(message)
    other.close()

    admin.get_by_role("button", name="Tænd KK-assistenten igen").click()
    expect(admin.get_by_role("status")).to_contain_text("KK-assistenten er tændt igen.")
    expect(chat.input).to_be_visible()
    expect(notice).to_be_hidden()
    expect(chat.log).to_contain_text("KK-assistenten er åben igen.")
    rasa_has_heard(rasa_url, paused=False)
    answer = Chat.text_of(chat.send("hvornår bliver kontanthjælp udbetalt"))
    assert message not in answer and answer.strip(), answer
    admin.close()


def test_a_reply_marked_paused_switches_the_chat_at_once(page, api_url, rasa_url):
    """Paused since the last status check: the channel's reply carries the marker."""
    page.route(api_url + "/assistant/status", lambda route: route.abort())  # unknown: keep going
    marked = [
        {
            "recipient_id": "anon:x",
            "text": "KK-assistenten er lukket lige nu.",
            "custom": {"assistant_paused": True, "phone": PHONE},
        }
    ]
    page.route(
        rasa_url + "/webhooks/rest/webhook",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(marked)
        ),
    )
    chat = Chat(page, api_url, rasa_url).open("/chat")
    expect(chat.input).to_be_visible()  # the status could not be read: the chat stays open
    chat.input.fill("hej")
    chat.input.press("Enter")
    notice = page.locator("[data-kk-paused]")
    expect(notice).to_contain_text("KK-assistenten er lukket lige nu.")
    expect(notice).to_be_focused()
    expect(chat.input).to_be_hidden()
    expect(chat.bot_messages()).to_have_count(0)  # the notice is not an answer to rate
