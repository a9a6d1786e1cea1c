"""The web channels' own replies in the conversation's language (issue 20; bot/channels/base.py):
the technical error (a failed or timed-out turn) and "did not understand" (nothing usable left of
the message) follow the conversation's ``language`` slot, or the message itself when it clearly
is English or Danish. A new or Danish conversation, a tracker store that cannot be read and
another person's English conversation all give the Danish texts, unchanged.

In-process: the REST and kk channels' blueprints on a Sanic server (as Rasa registers them) with
a stand-in for Rasa and a tracker store holding the slot (``sms_fakes.FakeTrackerStore``).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic_server import serve
from sms_fakes import FakeTrackerStore
from web_fakes import ReadyAgent, demo_token, post_each, use_web_channel_settings

from bot.channels.base import TECHNICAL_ERROR
from bot.channels.common import DID_NOT_UNDERSTAND
from bot.channels.kk import KKInput
from bot.channels.language import reply_language, tracker_language
from bot.channels.rest import MaskingRestInput
from kkshared.i18n import _

JWT_SECRET = "channel-language-test-secret-0123456789abcdef"
_apps = itertools.count()

TECHNICAL_ERROR_DA = (
    "Beklager, der skete en teknisk fejl. "
    "Prøv igen om lidt, eller find kontaktoplysninger på kk.dk."
)
TECHNICAL_ERROR_EN = (
    "Sorry, a technical error happened. Try again in a moment, or find contact details on kk.dk."
)
DID_NOT_UNDERSTAND_DA = (
    "Jeg forstod ikke din besked. Skriv gerne dit spørgsmål med almindelige ord."
)
DID_NOT_UNDERSTAND_EN = (
    "I did not understand your message. Please write your question in ordinary words."
)


pytestmark = pytest.mark.usefixtures("sanic_test_mode")  # conftest.py


@pytest.fixture()
def env(monkeypatch):
    use_web_channel_settings(monkeypatch, JWT_SECRET)


def bearer(sub: str = "u-citizen1", role: str = "citizen") -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(JWT_SECRET, sub, role)}"}


def exchange(
    tracker_store: Any, requests: list[tuple[str, dict[str, Any], dict[str, str]]]
) -> tuple[list[tuple[int, Any]], list[str]]:
    """POST each (channel, body, headers); Rasa fails every turn ("fail" with an error, "slow"
    cancelled as by a timeout). The (status, JSON) answers and the texts that reached Rasa."""
    received: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message.text or "")
        if "slow" in (message.text or ""):
            raise asyncio.CancelledError()
        raise RuntimeError("the bot is down")

    async def scenario() -> list[tuple[int, Any]]:
        app = Sanic(f"channel_language_test_{next(_apps)}")
        app.ctx.agent = ReadyAgent(tracker_store)
        for channel in (MaskingRestInput(), KKInput()):
            app.blueprint(
                channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}"
            )
        base, stop = await serve(app, "/webhooks")
        try:
            return await post_each(base, requests)
        finally:
            await stop()

    return asyncio.run(asyncio.wait_for(scenario(), timeout=120)), received


def texts(answer: tuple[int, Any]) -> list[str]:
    status, body = answer
    assert status == 200, body
    return [m["text"] for m in body]


def test_the_texts_in_both_languages() -> None:
    assert TECHNICAL_ERROR == TECHNICAL_ERROR_DA and DID_NOT_UNDERSTAND == DID_NOT_UNDERSTAND_DA
    assert _(TECHNICAL_ERROR, "da") == TECHNICAL_ERROR_DA
    assert _(TECHNICAL_ERROR, "en") == TECHNICAL_ERROR_EN
    assert _(DID_NOT_UNDERSTAND, "da") == DID_NOT_UNDERSTAND_DA
    assert _(DID_NOT_UNDERSTAND, "en") == DID_NOT_UNDERSTAND_EN


def test_an_english_conversation_gets_the_english_technical_error(env) -> None:
    store = FakeTrackerStore()
    store.slots["anon:web1"] = {"language": "en"}
    store.slots["kk:u-citizen1:web1"] = {"language": "en"}
    answers, received = exchange(
        store,
        [
            ("rest", {"sender": "web1", "message": "ok"}, {}),  # "ok" decides nothing
            ("kk", {"sender": "web1", "message": "1"}, bearer()),
            ("kk", {"sender": "web1", "message": "slow 2"}, bearer()),  # a timed-out turn
        ],
    )
    assert received == ["ok", "1", "slow 2"]
    assert [texts(a) for a in answers] == [[TECHNICAL_ERROR_EN]] * 3


def test_a_danish_new_or_other_persons_conversation_gets_the_danish_text(env) -> None:
    store = FakeTrackerStore()
    store.slots["anon:dansk"] = {"language": "da"}
    store.slots["kk:u-other:web1"] = {"language": "en"}  # another citizen, same sender id
    answers, _received = exchange(
        store,
        [
            ("rest", {"sender": "dansk", "message": "ok"}, {}),
            ("rest", {"sender": "new", "message": "ok"}, {}),
            ("kk", {"sender": "web1", "message": "ok"}, bearer("u-citizen1")),
        ],
    )
    assert [texts(a) for a in answers] == [[TECHNICAL_ERROR_DA]] * 3


def test_the_message_itself_decides_when_it_is_clearly_one_language(env) -> None:
    store = FakeTrackerStore()
    store.slots["anon:web2"] = {"language": "da"}
    store.slots["anon:web3"] = {"language": "en"}
    answers, _received = exchange(
        store,
        [
            ("rest", {"sender": "new2", "message": "when will I get my money?"}, {}),
            ("rest", {"sender": "web2", "message": "when will I get my money?"}, {}),
            ("rest", {"sender": "web3", "message": "hvornår får jeg mine penge?"}, {}),
        ],
    )
    assert [texts(a) for a in answers] == [
        [TECHNICAL_ERROR_EN],
        [TECHNICAL_ERROR_EN],
        [TECHNICAL_ERROR_DA],
    ]


def test_did_not_understand_follows_the_conversation(env) -> None:
    store = FakeTrackerStore()
    store.slots["anon:web4"] = {"language": "en"}
    store.slots["kk:u-citizen1:web4"] = {"language": "en"}
    answers, received = exchange(
        store,
        [
            ("rest", {"sender": "web4", "message": "///"}, {}),  # nothing left for the bot
            ("kk", {"sender": "web4", "message": "/ "}, bearer()),
            ("rest", {"sender": "new4", "message": "///"}, {}),
        ],
    )
    assert received == []  # no Rasa turn
    assert [texts(a) for a in answers] == [
        [DID_NOT_UNDERSTAND_EN],
        [DID_NOT_UNDERSTAND_EN],
        [DID_NOT_UNDERSTAND_DA],
    ]


def test_the_pii_notice_follows_the_english_error(env) -> None:
    store = FakeTrackerStore()
    store.slots["anon:web5"] = {"language": "en"}
    answers, received = exchange(
        store, [("rest", {"sender": "web5", "message": "010190-1234"}, {})]
    )
    assert received == ["[CPR]"]
    [error, notice] = texts(answers[0])
    assert error == TECHNICAL_ERROR_EN
    assert notice.startswith("Do not write your CPR number")


class BrokenStore:
    async def retrieve(self, sender_id: str):
        raise OSError("database is locked")


def test_a_tracker_store_that_cannot_be_read_means_danish(env, caplog) -> None:
    answers, _received = exchange(BrokenStore(), [("rest", {"sender": "x", "message": "ok"}, {})])
    assert texts(answers[0]) == [TECHNICAL_ERROR_DA]
    assert "conversation language unknown (OSError)" in caplog.text


def test_reply_language_units() -> None:
    store = FakeTrackerStore()
    store.slots["s-en"] = {"language": "en"}
    store.slots["s-none"] = {}

    async def scenario() -> list[str]:
        return [
            await tracker_language(None, "s-en"),
            await tracker_language(store, "s-en"),
            await tracker_language(store, "s-none"),
            await tracker_language(store, "unknown"),
            await tracker_language(BrokenStore(), "s-en"),
            await reply_language(store, "s-en", ""),
            await reply_language(store, "s-en", "ok"),
            await reply_language(store, "s-en", "jeg har ikke fået mine penge"),
            await reply_language(store, "unknown", "I have not got my money"),
        ]

    assert asyncio.run(scenario()) == ["da", "en", "da", "da", "da", "en", "en", "da", "en"]
