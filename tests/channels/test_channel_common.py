"""Shared channel logic: validation, masking, payload checks, output merging."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.channels.common import (
    ChannelInputError,
    MergingCollectingOutputChannel,
    last_offered_payloads,
    mask_message,
    pii_notice,
    resolve_payload,
    validate_sender,
    validate_text,
    with_notice,
)


class FakeTrackerStore:
    def __init__(self, events: list) -> None:
        self.events = events
        self.asked: list[str] = []

    async def retrieve(self, sender_id: str):
        self.asked.append(sender_id)
        return type("T", (), {"events": self.events})()


OFFER = BotUttered(
    "Mente du: »Skat«?",
    {"buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nej", "payload": "/deny"}]},
)


@pytest.mark.parametrize("sender", ["abc", "A-1_b.c", "x" * 64])
def test_valid_senders_get_the_prefix(sender: str) -> None:
    assert validate_sender(sender, "anon:") == f"anon:{sender}"


@pytest.mark.parametrize(
    "sender", [None, "", "a b", "x" * 65, "anon:x", "../etc", 42, "æble", "-x", "h:abc"]
)
def test_invalid_senders_are_refused(sender) -> None:
    with pytest.raises(ChannelInputError):
        validate_sender(sender, "anon:")


@pytest.mark.parametrize("text", [None, "", "   ", 5, ["hej"], "x" * 1001])
def test_invalid_texts_are_refused(text) -> None:
    with pytest.raises(ChannelInputError):
        validate_text(text)


def test_text_is_stripped() -> None:
    assert validate_text("  hej  ") == "hej"


def test_masking_replaces_pii_and_reports_kinds() -> None:
    masked = mask_message("cpr 010190-1234, tlf 22 33 44 55, mail a@b.dk")
    assert masked.text == "cpr [CPR], tlf [TELEFON], mail [EMAIL]"
    assert masked.pii_kinds == {"cpr", "phone", "email"}
    assert mask_message("hej").pii_kinds == frozenset()


def test_notice_names_what_was_removed() -> None:
    assert pii_notice([]) is None
    assert "dit CPR-nummer" in pii_notice(["cpr"])
    notice = pii_notice(["email", "cpr"])
    assert "dit CPR-nummer eller e-mailadresser" in notice
    assert with_notice([], "anon:x", ["cpr"])[-1]["recipient_id"] == "anon:x"
    assert with_notice([{"text": "a"}], "anon:x", []) == [{"text": "a"}]


def test_last_offered_payloads_are_from_the_last_bot_message_only() -> None:
    older = BotUttered("x", {"buttons": [{"title": "A", "payload": "/request_human"}]})
    assert last_offered_payloads([older, OFFER, ActionExecuted("action_listen")]) == {
        "/affirm",
        "/deny",
    }
    assert last_offered_payloads([OFFER, BotUttered("plain")]) == set()
    assert last_offered_payloads([UserUttered("hej")]) == set()


def test_offered_bare_payload_is_accepted() -> None:
    store = FakeTrackerStore([OFFER])
    assert asyncio.run(resolve_payload("/affirm", store, "anon:x")) == "/affirm"
    assert store.asked == ["anon:x"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/request_human", "request_human"),  # not offered
        ('/affirm{"suggested_response": "utter_x"}', 'affirm{"suggested_response": "utter_x"}'),
        ("/affirm@0.9", "affirm@0.9"),
        ("//", None),
        ("hej", "hej"),
    ],
)
def test_other_payloads_become_plain_text(text: str, expected) -> None:
    assert asyncio.run(resolve_payload(text, FakeTrackerStore([OFFER]), "anon:x")) == expected


def test_no_tracker_means_nothing_was_offered() -> None:
    class Empty:
        async def retrieve(self, sender_id):
            return None

    assert asyncio.run(resolve_payload("/affirm", Empty(), "anon:new")) == "affirm"


def test_text_buttons_and_custom_stay_in_one_element() -> None:
    channel = MergingCollectingOutputChannel()
    asyncio.run(
        channel.send_response(
            "anon:x", {"text": "Svar\n\nmere", "custom": {"source": {"file": "f"}}}
        )
    )
    asyncio.run(
        channel.send_response(
            "anon:x", {"text": "Mente du?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}
        )
    )
    assert channel.messages == [
        {"recipient_id": "anon:x", "text": "Svar\n\nmere", "custom": {"source": {"file": "f"}}},
        {
            "recipient_id": "anon:x",
            "text": "Mente du?",
            "buttons": [{"title": "Ja", "payload": "/affirm"}],
        },
    ]
