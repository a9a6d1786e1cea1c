"""The legal mode's answer messages: a refusal with a source passage, and the plain refusal."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher
from tracker_factory import said

import actions.legal_mode as legal_mode
from actions.legal_mode import ESCALATE_BUTTON, ValidateLegalMode, answer_messages

PASSAGE = {
    "text": "Efter LAB § 16 a, stk. 5, journaliseres samtaleskemaet senest tre hverdage efter.",
    "file": "002_5e6f3c0d831500e7.txt",
    "date": "2017",
    "title": "BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, 2017",
    "references": ["LAB § 16a, stk. 5"],
}
REFUSED = {"status": "refused", "answer": None, "citations": [], "notice": "..."}


def test_a_refusal_with_a_passage_shows_it_with_the_escalate_button() -> None:
    [message] = answer_messages({**REFUSED, "source_passage": PASSAGE})
    assert message["response"] == "utter_legal_source_passage"
    assert message["title"] == PASSAGE["title"] and message["passage"] == PASSAGE["text"]
    assert message["references"] == "LAB § 16a, stk. 5"
    assert message["buttons"] == [ESCALATE_BUTTON]


def test_a_passage_without_references_says_so() -> None:
    [message] = answer_messages({**REFUSED, "source_passage": {**PASSAGE, "references": []}})
    assert message["references"] == "ingen paragraf nævnt i kilden"


@pytest.mark.parametrize("extra", [{}, {"source_passage": None}])
def test_the_plain_refusal_stays(extra) -> None:
    assert answer_messages({**REFUSED, **extra}) == [
        {"response": "utter_legal_refused_answer", "buttons": [ESCALATE_BUTTON]}
    ]


class _FakeClient:
    def __init__(self, result: dict) -> None:
        self.result = result
        self.asked: list[tuple[str, str]] = []

    async def legal_ask(self, subject: str, question: str, **_: object) -> dict:
        self.asked.append((subject, question))
        return self.result


def test_the_chat_shows_the_passage(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _FakeClient({**REFUSED, "source_passage": PASSAGE})
    monkeypatch.setattr(legal_mode, "get_client", lambda: client)
    dispatcher = CollectingDispatcher()
    question = "hvornår skal samtaleskemaet journaliseres"
    tracker = said(question, channel="kk", subject="u-staff", role="staff")
    slots = asyncio.run(
        ValidateLegalMode().validate_legal_question(question, dispatcher, tracker, {})
    )
    assert client.asked == [("u-staff", question)]
    assert slots["legal_question"] is None
    [message] = dispatcher.messages
    assert message["response"] == "utter_legal_source_passage"
    assert message["passage"] == PASSAGE["text"] and message["buttons"] == [ESCALATE_BUTTON]
