"""The SMS channel's own texts in English when the conversation is English (issue 20): HELP, STOP,
START, the rate-limit notice, the unreadable-message notice, "did not understand" and the
technical error follow the tracker's ``language`` slot; a Danish or new conversation stays
Danish. Real HTTP (the fake gateway and the case-service stub of ``sms_fakes``), a stand-in for
Rasa whose tracker store holds the slot (the real Rasa server: test_sms_channel_e2e.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sms_fakes import HMAC_KEY, KNOWN_MSISDN, KNOWN_NO_LOGIN_MSISDN, UNKNOWN_MSISDN, FakeBridge
from test_sms_service import Harness

from bot.sms import keywords
from bot.sms.identity import phone_hash, tracker_id
from bot.sms.language import conversation_language
from kkshared.i18n import _
from kkshared.language import decided_language

ENGLISH_TEXTS = (
    keywords.HELP_TEXT,
    keywords.STOP_TEXT,
    keywords.START_TEXT,
    keywords.RATE_LIMIT_TEXT,
    keywords.TECHNICAL_ERROR_TEXT,
    keywords.DID_NOT_UNDERSTAND_TEXT,
    keywords.UNREADABLE_TEXT,
    keywords.NO_ANSWER_TEXT,
)


@pytest.fixture()
def h(tmp_path: Path):
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


def speaks(h: Harness, msisdn: int, language: str) -> None:
    """The conversation of ``msisdn`` is in ``language`` (as the classifier's entity sets it)."""
    sender = tracker_id(phone_hash(f"+{msisdn}", HMAC_KEY))
    h.bridge.store.slots[sender] = {"language": language}


@pytest.mark.parametrize("text", ENGLISH_TEXTS)
def test_every_channel_text_has_an_english_translation(text: str) -> None:
    english = _(text, "en")
    assert english != text
    assert decided_language(english) == "en", english


def test_help_stop_and_start_are_english_in_an_english_conversation(h: Harness) -> None:
    speaks(h, KNOWN_MSISDN, "en")

    async def scenario():
        service = await h.start()
        for count, word in enumerate(("HELP", "STOP", "START"), start=1):
            await h.text(service, KNOWN_MSISDN, word)
            await h.wait_sent(count)
        await h.settle(service)
        await h.stop(service)

    run(scenario())
    assert [m["message"] for m in h.sent(KNOWN_MSISDN)] == [
        _(keywords.HELP_TEXT, "en"),
        _(keywords.STOP_TEXT, "en"),
        _(keywords.START_TEXT, "en"),
    ]
    assert h.bridge.turns == []


def test_a_danish_or_new_conversation_gets_the_danish_texts(h: Harness) -> None:
    speaks(h, KNOWN_MSISDN, "da")

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "help")
        await h.text(service, UNKNOWN_MSISDN, "STOP")  # no conversation yet
        await h.wait_sent(2)
        await h.settle(service)
        await h.stop(service)

    run(scenario())
    assert [m["message"] for m in h.sent(KNOWN_MSISDN)] == [keywords.HELP_TEXT]
    assert [m["message"] for m in h.sent(UNKNOWN_MSISDN)] == [keywords.STOP_TEXT]


def test_the_rate_limit_notice_is_english_in_an_english_conversation(h: Harness) -> None:
    speaks(h, KNOWN_MSISDN, "en")

    async def scenario():
        service = await h.start(rate_limit_count=1, rate_limit_window=600.0)
        for n in range(3):
            await h.text(service, KNOWN_MSISDN, f"question {n}")
        await h.wait_sent(2)
        await h.settle(service)
        await asyncio.sleep(0.3)
        await h.stop(service)

    run(scenario())
    assert [m["message"] for m in h.sent(KNOWN_MSISDN)] == [
        "Svar på: question 0",
        _(keywords.RATE_LIMIT_TEXT, "en"),
    ]


def test_a_failing_turn_and_an_unusable_payload_are_answered_in_english(h: Harness) -> None:
    speaks(h, KNOWN_MSISDN, "en")

    def answer(text: str) -> list[dict]:
        raise RuntimeError("the bot is down")

    h.bridge = FakeBridge(answer)
    speaks(h, KNOWN_MSISDN, "en")

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "when is my next meeting")
        await h.wait_sent(1)
        await h.text(service, KNOWN_MSISDN, "///")  # nothing usable is left for the bot
        await h.wait_sent(2)
        await h.settle(service)
        await h.stop(service)

    run(scenario())
    sent = [m["message"] for m in h.sent(KNOWN_MSISDN)]
    assert sent == [
        _(keywords.TECHNICAL_ERROR_TEXT, "en"),
        _(keywords.DID_NOT_UNDERSTAND_TEXT, "en"),
    ]


def test_an_unreadable_tracker_store_means_danish() -> None:
    class Broken:
        async def retrieve(self, sender_id: str):
            raise OSError("database is locked")

    class Bridge:
        tracker_store = Broken()

    class Ctx:
        bridge = Bridge()

    class Row:
        phone_hash = "abc"

    # Stand-ins for the SMS context and inbox row (only the attributes the lookup reads).
    assert run(conversation_language(Ctx(), Row())) == "da"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("choices", "language", "expected"),
    [
        (1, "da", "Svar 1 for at vælge, eller skriv dit spørgsmål med almindelige ord."),
        (3, "da", "Svar med et tal fra 1 til 3, eller skriv dit spørgsmål med almindelige ord."),
        (1, "en", "Reply 1 to choose, or write your question in ordinary words."),
        (3, "en", "Reply with a number from 1 to 3, or write your question in ordinary words."),
        (12, "en", "Reply with a number from 1 to 12, or write your question in ordinary words."),
        (2, "de", "Svar med et tal fra 1 til 2, eller skriv dit spørgsmål med almindelige ord."),
    ],
)
def test_the_number_choice_help_in_both_languages(choices: int, language: str, expected) -> None:
    assert keywords.choose_number_text(choices, language) == expected
    assert keywords.choose_number_text(choices) == keywords.choose_number_text(choices, "da")


def _yes_no(text: str) -> list[dict]:
    if text == "skat":
        return [
            {
                "text": "Did you mean: Tax?",
                "buttons": [
                    {"title": "Yes", "payload": "/affirm"},
                    {"title": "No", "payload": "/deny"},
                ],
            }
        ]
    return [{"text": f"You chose {text}"}]


@pytest.mark.parametrize("language", ["en", "da", None])
def test_a_number_outside_the_choices_gets_help_in_the_conversations_language(
    h: Harness, language: str | None
) -> None:
    h.bridge.answer = _yes_no
    if language is not None:  # None: no slot known (a tracker without one)
        speaks(h, KNOWN_MSISDN, language)

    async def scenario():
        service = await h.start()
        for message in ("skat", "3", "1"):
            await h.text(service, KNOWN_MSISDN, message)
            await h.settle(service)
        await h.stop(service)

    run(scenario())
    sent = [m["message"] for m in h.sent(KNOWN_MSISDN)]
    # "3" is not a choice: the bot is not asked; "1" still chooses the first button afterwards.
    assert [t["text"] for t in h.bridge.turns] == ["skat", "/affirm"]
    if language == "en":
        assert sent[0] == "Did you mean: Tax?\nReply 1 for Yes or 2 for No."
        assert (
            sent[1] == "Reply with a number from 1 to 2, or write your question in ordinary words."
        )
    else:
        assert sent[1] == (
            "Svar med et tal fra 1 til 2, eller skriv dit spørgsmål med almindelige ord."
        )
    assert sent[1] == keywords.choose_number_text(2, language or "da")
    assert sent[2] == "You chose /affirm"


def test_a_failing_turn_follows_the_message_when_it_is_clearly_english(h: Harness) -> None:
    """A first SMS in English whose turn fails (no conversation yet): the English error; a Danish
    one in an English conversation: the Danish error (the message decides, as for the bot)."""

    def broken(text: str) -> list[dict]:
        raise RuntimeError("the bot is down")

    h.bridge = FakeBridge(broken)
    speaks(h, KNOWN_NO_LOGIN_MSISDN, "en")

    async def scenario():
        service = await h.start()
        await h.text(service, UNKNOWN_MSISDN, "when is my next meeting")
        await h.text(service, KNOWN_NO_LOGIN_MSISDN, "hvornår er mit næste møde")
        await h.wait_sent(2)
        await h.settle(service)
        await h.stop(service)

    run(scenario())
    assert [m["message"] for m in h.sent(UNKNOWN_MSISDN)] == [
        _(keywords.TECHNICAL_ERROR_TEXT, "en")
    ]
    assert [m["message"] for m in h.sent(KNOWN_NO_LOGIN_MSISDN)] == [keywords.TECHNICAL_ERROR_TEXT]
