"""The web chat's language switch (issue 20, docs/english.md): "English" / "Dansk" in the header.

Switching sends ``/set_language{"language":"en"}`` as a message (the bot sets its ``language``
slot and answers in English from then on), shows the widget's own words in English, marks the
widget ``lang="en"`` and is remembered for the session (sessionStorage) across a reload.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from web_helpers import Chat, describe, run_axe

DANISH_WORDS = re.compile(r"\b(og|ikke|jeg|du|din|dit|kan|skal|hvis|har|det|er)\b", re.I)
ENGLISH_WORDS = re.compile(r"\b(the|you|your|is|are|and|can)\b", re.I)


class BilingualChat(Chat):
    """``Chat`` whose input is found by its label in the widget's current language."""

    @property
    def input(self):
        english = self.root.get_attribute("lang") == "en"
        return self.page.get_by_label("Write your message" if english else "Skriv din besked")


def assert_no_violations(page, axe_source, when: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], f"axe violations {when}:\n{describe(violations)}"


def switch(chat: BilingualChat, to: str, label: str) -> dict:
    """Click the switch; the message the widget sent to Rasa."""
    with chat.page.expect_request(chat.rasa_url + "/webhooks/rest/webhook") as sent:
        chat.page.get_by_role("button", name=label, exact=True).click()
    chat.wait_idle()
    expect(chat.root).to_have_attribute("lang", to)
    return json.loads(sent.value.post_data)


def test_switch_to_english_and_back(page, api_url, rasa_url, axe_source):
    chat = BilingualChat(page, api_url, rasa_url).open("/chat")
    expect(chat.root).to_have_attribute("lang", "da")
    english_button = page.get_by_role("button", name="English", exact=True)
    expect(english_button).to_be_visible()
    expect(english_button).to_have_attribute("lang", "en")
    assert_no_violations(page, axe_source, "on the empty Danish page with the switch")

    before = chat.bot_messages().count()
    body = switch(chat, "en", "English")
    assert body["message"] == '/set_language{"language":"en"}'
    # The widget's own words are English now, and the switch offers Danish.
    expect(page.get_by_label("Write your message")).to_be_visible()
    expect(page.get_by_text("You are chatting with an AI assistant, not a person.")).to_be_visible()
    expect(
        page.get_by_text("Do not write your CPR number (Danish personal ID number)", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Talk to a member of staff")).to_be_visible()
    expect(page.get_by_role("button", name="Dansk", exact=True)).to_have_attribute("lang", "da")
    expect(page.get_by_label("Write your message")).to_be_focused()  # ready for the question
    # The bot confirms in English (utter_language_set's English variation).
    replies = chat.bot_messages()
    assert replies.count() > before, "no answer to the language switch"
    expect(chat.log).to_contain_text("I will now answer in English.")
    # The switch opened the conversation: the bot's AI notice is English too (bot/rasa_patches.py).
    expect(chat.log).to_contain_text("You are writing with KK-assistenten, an automatic assistant")
    expect(chat.log).not_to_contain_text("Du skriver med KK-assistenten")

    # An English question gets an English answer.
    answer = Chat.text_of(chat.send("when is kontanthjælp paid out"))
    assert answer, "no answer from the bot"
    assert ENGLISH_WORDS.search(answer), answer
    assert not DANISH_WORDS.search(re.sub(r"Kilde: .*|Source: .*", "", answer)), answer
    expect(page.get_by_text("Did the answer help?").last).to_be_visible()
    assert_no_violations(page, axe_source, "after an English conversation")

    # Remembered for the session: a reload keeps English (and the conversation).
    state = json.loads(chat.session_storage()["kk-chat:citizen"])
    assert state["lang"] == "en"
    chat.open("/chat")
    expect(chat.root).to_have_attribute("lang", "en")
    expect(page.get_by_label("Write your message")).to_be_visible()
    assert chat.local_storage_keys() == []

    # And back to Danish.
    body = switch(chat, "da", "Dansk")
    assert body["message"] == '/set_language{"language":"da"}'
    expect(page.get_by_label("Skriv din besked")).to_be_visible()
    expect(chat.log).to_contain_text("Nu skriver jeg på dansk.")
    assert_no_violations(page, axe_source, "after switching back to Danish")


def test_english_error_texts(page, api_url, rasa_url):
    """The widget's own error messages follow the switch too (Rasa unreachable here)."""
    chat = BilingualChat(page, api_url, rasa_url).open("/chat")
    switch(chat, "en", "English")
    page.watch.expected_failures = True
    page.route(rasa_url + "/webhooks/rest/webhook", lambda route: route.abort())
    chat.input.fill("hello")
    chat.input.press("Enter")
    chat.wait_idle()
    expect(page.get_by_role("alert")).to_contain_text("KK-assistenten is not answering right now")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
