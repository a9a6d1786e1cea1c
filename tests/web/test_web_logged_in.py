"""Logged-in citizens on /chat: own-case answers, the absence form, log-out, expired tokens.

The bot side is the kk channel (bot/channels/kk.py) and the actions (actions/own_case.py,
actions/forms/absence.py).
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from web_helpers import REFERENCE, WEEKDAYS, Chat


def test_demo_login_then_next_meeting_goes_through_the_kk_channel(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.login("demo-borger")
    expect(chat.log).to_contain_text("Du er logget ind som demo-borger")
    expect(chat.input).to_be_focused()

    with page.expect_request(rasa_url + "/webhooks/kk/webhook") as sent:
        replies = chat.send("hvornår er min næste samtale")
    assert sent.value.headers.get("authorization", "").startswith("Bearer ")
    text = Chat.text_of(replies)
    assert WEEKDAYS.search(text), text
    assert "kl." in text, text

    storage = chat.session_storage()
    assert chat.local_storage_keys() == [], "no token or conversation in localStorage"
    assert "access_token" not in json.dumps(page.evaluate("() => ({...localStorage})"))
    assert json.loads(storage["kk-chat:citizen"])["auth"]["username"] == "demo-borger"


def test_absence_report_through_the_form(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.login("demo-borger")
    seen_buttons = []
    transcript = chat.report_absence(
        "jeg er syg og kan ikke komme til min samtale",
        on_buttons=lambda: seen_buttons.append(page.locator(".kk-choice").all_inner_texts()),
    )
    assert seen_buttons, f"the form offered no buttons:\n{transcript}"
    assert REFERENCE.search(transcript), transcript
    # Answered buttons disappear: the bot accepts a button payload only right after offering it.
    expect(page.locator(".kk-choice")).to_have_count(0)


def test_reload_keeps_login_and_conversation_and_logout_clears_both(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.login("demo-borger")
    chat.send("hvornår er min næste samtale")
    texts = chat.log.inner_text()

    page.reload()
    expect(chat.root.locator(".kk-chat__who")).to_contain_text("demo-borger")
    assert chat.log.inner_text() == texts
    with page.expect_request(rasa_url + "/webhooks/kk/webhook"):
        chat.send("hvornår får jeg penge")

    chat.logout()
    expect(chat.log).to_contain_text("Du er logget ud. Samtalen er slettet fra denne browser.")
    assert chat.user_messages().count() == 0 and chat.bot_messages().count() == 0
    stored = json.dumps(chat.session_storage())
    assert "demo-borger" not in stored and "eyJ" not in stored, "token or user left in storage"
    assert chat.local_storage_keys() == []
    expect(page.get_by_label("Demobruger")).to_be_focused()

    page.reload()
    expect(page.get_by_label("Demobruger")).to_be_visible()
    assert chat.user_messages().count() == 0
    # Anonymous again: the next message goes to the REST channel without a token.
    with page.expect_request(rasa_url + "/webhooks/rest/webhook") as sent:
        chat.send("hej")
    assert "authorization" not in sent.value.headers


def test_refused_token_logs_out_and_clears_the_conversation(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.login("demo-borger")
    chat.send("hvornår er min næste samtale")
    # Forge the stored token's signature: the kk channel must answer 401.
    page.evaluate("""() => {
        const key = 'kk-chat:citizen';
        const state = JSON.parse(sessionStorage.getItem(key));
        const parts = state.auth.token.split('.');
        parts[2] = parts[2].split('').reverse().join('');
        state.auth.token = parts.join('.');
        sessionStorage.setItem(key, JSON.stringify(state));
    }""")
    page.reload()
    page.watch.expected_failures = True  # the browser logs the 401
    with page.expect_response(rasa_url + "/webhooks/kk/webhook") as answered:
        chat.input.fill("hvornår får jeg penge")
        chat.input.press("Enter")
    assert answered.value.status == 401
    chat.wait_idle()
    expect(chat.log).to_contain_text("Du er blevet logget ud")
    assert chat.user_messages().count() == 0
    expect(page.get_by_label("Demobruger")).to_be_visible()
    assert "eyJ" not in json.dumps(chat.session_storage())


def test_expired_session_is_noticed_before_sending(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.login("demo-borger-syg")
    page.evaluate("""() => {
        const key = 'kk-chat:citizen';
        const state = JSON.parse(sessionStorage.getItem(key));
        state.auth.exp = Math.floor(Date.now() / 1000) - 60;
        sessionStorage.setItem(key, JSON.stringify(state));
    }""")
    page.reload()  # an expired session is dropped on load, and the user is told
    expect(page.get_by_label("Demobruger")).to_be_visible()
    expect(chat.log).to_contain_text("Du er blevet logget ud")
    assert re.search(r"eyJ", json.dumps(chat.session_storage())) is None
