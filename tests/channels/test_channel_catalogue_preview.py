"""The editors' preview channel (bot/channels/catalogue_preview.py), in-process: a Sanic server
with its blueprint registered the way Rasa does it, and a stand-in for the loaded classifier
(the ranking itself is tested in tests/bot/test_bot_live_catalogue.py)."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import aiohttp
import pytest
from sanic import Sanic
from sanic_server import serve

from bot.channels.catalogue_preview import MAX_BODY_BYTES, CataloguePreviewInput
from bot.nlu import retrieval_classifier
from bot.settings import CatalogueSettings
from kkshared.catalogue import PreviewRequest, PreviewResult

TOKEN = "preview-service-token-for-tests"
_apps = itertools.count()
DRAFT = {
    "id": "benefit_abroad",
    "topic": "benefits",
    "title": "Kontanthjælp i udlandet",
    "answer": "Du kan som hovedregel ikke få kontanthjælp, mens du bor i udlandet.",
    "source": {"date": "2025", "file": "general"},
    "examples": ["kan jeg få kontanthjælp i spanien"],
}


class FakeClassifier:
    """Records what it was asked and answers as the classifier would for a tier-1 answer."""

    def __init__(self) -> None:
        self.asked: list[PreviewRequest] = []

    def preview(self, request: PreviewRequest) -> PreviewResult:
        self.asked.append(request)
        entry = request.drafts[0] if request.drafts else None
        return PreviewResult(
            1, "faq", 0.9, entry.id if entry else None, entry.answer if entry else None, None
        )


pytestmark = pytest.mark.usefixtures("sanic_test_mode")  # conftest.py


@pytest.fixture()
def classifier(monkeypatch: pytest.MonkeyPatch) -> FakeClassifier:
    fake = FakeClassifier()
    monkeypatch.setattr(retrieval_classifier, "live_classifier", lambda: fake)
    monkeypatch.setattr(
        "bot.channels.catalogue_preview.live_classifier", lambda: fake, raising=True
    )
    # The listener would start polling a case service; not here.
    monkeypatch.setattr("bot.channels.catalogue_preview.serve_live_catalogue", lambda s: None)
    return fake


def _exchange(requests: list[tuple[Any, dict[str, str]]]) -> list[tuple[int, Any]]:
    """POST each (body, headers) to /webhooks/catalogue_preview/rank: (status, JSON) answers."""

    async def scenario() -> list[tuple[int, Any]]:
        app = Sanic(f"catalogue_preview_test_{next(_apps)}")
        channel = CataloguePreviewInput(CatalogueSettings(service_token=TOKEN))

        async def on_new_message(message: Any) -> None:
            raise AssertionError("the preview never reaches the dialogue")

        app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/catalogue_preview")
        url, stop = await serve(app, "/webhooks/catalogue_preview/rank")
        answers = []
        try:
            async with aiohttp.ClientSession() as session:
                for body, headers in requests:
                    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
                    async with session.post(url, data=data, headers=headers) as response:
                        answers.append((response.status, await response.json()))
        finally:
            await stop()
        return answers

    return asyncio.run(asyncio.wait_for(scenario(), timeout=60))


GOOD = {"question": "kan jeg tage kontanthjælpen med til spanien", "drafts": [DRAFT]}
AUTH = {"X-Service-Token": TOKEN, "Content-Type": "application/json"}


def test_a_service_caller_gets_the_preview_result(classifier) -> None:
    [(status, body)] = _exchange([(GOOD, AUTH)])
    assert status == 200
    result = PreviewResult.from_json(body)
    assert (result.tier, result.entry_id, result.text) == (1, "benefit_abroad", DRAFT["answer"])
    [asked] = classifier.asked
    assert asked.drafts[0].id == "benefit_abroad" and asked.left_out == ()


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Service-Token": "wrong-token-wrong-token"}, {"Authorization": f"Bearer {TOKEN}"}],
)
def test_without_the_service_token_401_and_nothing_is_ranked(classifier, headers) -> None:
    [(status, body)] = _exchange([(GOOD, headers)])
    assert status == 401
    assert "X-Service-Token" in body["detail"]
    assert classifier.asked == []


@pytest.mark.parametrize(
    "body, status, reason",
    [
        (b"not json", 400, "JSON"),
        ([1, 2], 400, "JSON object"),
        ({"drafts": []}, 422, "question"),
        ({"question": "   "}, 422, "question"),
        ({"question": 7}, 422, "question"),
        ({"question": "x" * 1001}, 422, "too long"),
        ({"question": "x", "drafts": {"id": "a"}}, 422, "drafts"),
        ({"question": "x", "drafts": [{"id": "a"}]}, 422, "lacks a field"),
        ({"question": "x", "drafts": [{**DRAFT, "id": "Bad Id/1"}]}, 422, "drafts[0].id"),
        ({"question": "x", "drafts": [{**DRAFT, "answer": " "}]}, 422, "drafts[0].answer"),
        ({"question": "x", "left_out": "benefit_abroad"}, 422, "left_out"),
        ({"question": "x", "drafts": [DRAFT] * 51}, 422, "at most 50"),
        pytest.param(b"{" + b" " * MAX_BODY_BYTES + b"}", 413, "too large", id="huge"),
    ],
)
def test_bad_bodies_get_a_reason(classifier, body, status, reason) -> None:
    [(got, answer)] = _exchange([(body, AUTH)])
    assert got == status
    assert reason in answer["detail"]
    assert classifier.asked == []


def test_personal_data_in_the_question_is_masked_before_ranking(classifier) -> None:
    body = {"question": "mit cpr er 010190-1234, hvad får jeg", "left_out": ["benefit_abroad"]}
    [(status, _)] = _exchange([(body, AUTH)])
    assert status == 200
    [asked] = classifier.asked
    assert "010190" not in asked.question and "[CPR]" in asked.question
    assert asked.left_out == ("benefit_abroad",)


def test_without_a_loaded_model_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.channels.catalogue_preview.live_classifier", lambda: None)
    monkeypatch.setattr("bot.channels.catalogue_preview.serve_live_catalogue", lambda s: None)
    [(status, body)] = _exchange([(GOOD, AUTH)])
    assert status == 503 and body["detail"]
