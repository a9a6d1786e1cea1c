"""After a rollback the live classifier parses exactly as the trained model did (issue 17: "then
rolls it back and the old behaviour returns").

The classifier of the trained model (models/kk.tar.gz, e5 on: the bundled encoder is offline) is
taken through what a Rasa process sees when an editor publishes a new entry and rolls it back:
revision 1 (the model's catalogue, as the case service sends it), 2 (with a new entry) and 3
(the catalogue of revision 1 again). Each revision's parse of about 250 messages -- the
first example of every second intent or entry, some in chat context, English ones and questions
nothing answers -- is compared in full (intent, ranking, confidences, response selector, tier and
``kk_answer``) with the untouched classifier's. Only ``kk_answer.revision`` may differ.

The messages come from the model's own documents and from this file (never from eval/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from bot_paths import MODEL
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from trained_classifier import load_trained_classifier

from bot.nlu.retrieval_classifier import (
    ANSWER_ATTRIBUTE,
    ENGLISH_FILLERS,
    FILLERS,
    DanishRetrievalClassifier,
    LiveIndex,
)
from kkshared.catalogue import CatalogueEntry, CatalogueSnapshot

pytestmark = pytest.mark.skipif(
    not MODEL.exists(), reason="models/kk.tar.gz not trained (the test command trains first)"
)

# The entry the e2e and production publish tests publish and roll back (tests/data/).
DRAFT = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "catalogue_waiting_room.yml").read_text(encoding="utf-8")
)
WAITING_ROOM = CatalogueEntry.from_json({**DRAFT, "id": "unit_waiting_room", "version": 1})
# The production test's paraphrase (no entry answers it before the publish) and more questions
# the catalogue has no answer for, written for this test.
PARAPHRASE = "kan jeg få noget at drikke i venteområdet på jobcentret, fx kaffe?"
UNANSWERED = (
    PARAPHRASE,
    "er der toiletter i jobcentrets venteområde",
    "kan jeg parkere min cykel foran jobcentret",
    "hvem vandt fodboldkampen i går",
    "må jeg tage min hund med til samtalen",
    "is there free coffee at the job centre?",
    "sygedagpnge udbetalt hvornaar",
    "qwrtzp xkcd",
)
# The index the model was loaded with (the tests re-index the one classifier they share).
LOADED: dict[str, LiveIndex] = {}


def _messages(classifier: DanishRetrievalClassifier) -> list[str]:
    """Deterministic questions from the model's own documents, with and without chat context,
    Danish and English, plus ``UNANSWERED``."""
    live = classifier._live
    questions: list[str] = []
    for number, document in enumerate(live.documents):
        if number % 2 or not document.questions:
            continue
        questions.append(document.questions[0])
        if number % 6 == 0:
            before, after = FILLERS[number % len(FILLERS)]
            questions.append(f"{before} {document.questions[-1]} {after}")
    if live.english is not None:
        for number, document in enumerate(live.english.documents):
            if number % 5 == 0 and document.questions:
                before, after = ENGLISH_FILLERS[number % len(ENGLISH_FILLERS)]
                questions.append(document.questions[0])
                questions.append(f"{before} {document.questions[-1]} {after}")
    return list(dict.fromkeys([*questions, *UNANSWERED]))


def _parse(classifier: DanishRetrievalClassifier, text: str) -> dict[str, Any]:
    """The message's parse data as the pipeline leaves it, without the revision ranked against
    (the one thing a new revision changes by design)."""
    message = Message(data={TEXT: text})
    classifier.process([message])
    data: dict[str, Any] = json.loads(json.dumps(message.as_dict(), ensure_ascii=False))
    answer = data.get(ANSWER_ATTRIBUTE)
    if isinstance(answer, dict):
        answer.pop("revision", None)
    return data


def _as_sent(revision: int, entries: list[CatalogueEntry]) -> CatalogueSnapshot:
    """A snapshot as the sync client reads it from ``GET /catalogue/live`` (through JSON)."""
    return CatalogueSnapshot.from_json(CatalogueSnapshot(revision, tuple(entries)).to_json())


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> DanishRetrievalClassifier:
    classifier = load_trained_classifier(tmp_path_factory.mktemp("model"))
    assert classifier._live.index.encoder is not None, "the model is trained with e5"
    LOADED["model"] = classifier._live
    return classifier


def _differences(
    messages: list[str], expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> list[str]:
    return [
        f"{text!r}:\n  before: {json.dumps(a, ensure_ascii=False)[:800]}\n"
        f"  now:    {json.dumps(b, ensure_ascii=False)[:800]}"
        for text, a, b in zip(messages, expected, actual, strict=True)
        if a != b
    ]


def test_after_a_publish_and_its_rollback_every_message_is_parsed_exactly_as_by_the_model(
    classifier: DanishRetrievalClassifier,
) -> None:
    messages = _messages(classifier)
    assert len(messages) > 150
    untouched = [_parse(classifier, text) for text in messages]
    original = sorted(classifier.entries.values(), key=lambda e: e.id)

    assert classifier.reindex(_as_sent(1, original))
    differences = _differences(messages, untouched, [_parse(classifier, t) for t in messages])
    assert not differences, f"revision 1: {len(differences)} of {len(messages)} differ:\n" + (
        "\n".join(differences[:10])
    )

    assert classifier.reindex(_as_sent(2, [*original, WAITING_ROOM]))
    published = _parse(classifier, PARAPHRASE)
    # The comparison sees a change: revision 2 answers the paraphrase with the new entry.
    assert published != untouched[messages.index(PARAPHRASE)]
    selected = published["response_selector"]["faq"]["response"]["intent_response_key"]
    assert (published["intent"]["name"], selected) == ("faq", "faq/unit_waiting_room")
    assert published[ANSWER_ATTRIBUTE] == {"tier": 1}
    # Parse every message at revision 2 too: whatever it leaves behind in caches must not count.
    for text in messages:
        _parse(classifier, text)

    assert classifier.reindex(_as_sent(3, original))
    assert classifier.revision == 3 and "unit_waiting_room" not in classifier.entries
    differences = _differences(messages, untouched, [_parse(classifier, t) for t in messages])
    assert not differences, f"revision 3: {len(differences)} of {len(messages)} differ:\n" + (
        "\n".join(differences[:10])
    )


def test_the_rolled_back_index_is_the_models_index(classifier: DanishRetrievalClassifier) -> None:
    """What the ranking is computed from: the same documents in the same order, the same e5
    vectors bit for bit, the same BM25 statistics and vocabulary, in Danish and English."""
    trained = LOADED["model"]
    original = sorted(trained.entries.values(), key=lambda e: e.id)
    revision = classifier.revision
    assert classifier.reindex(_as_sent(revision + 1, [*original, WAITING_ROOM]))
    assert classifier.reindex(_as_sent(revision + 2, original))
    rolled_back = classifier._live
    for before, after in ((trained, rolled_back), (trained.english, rolled_back.english)):
        assert before is not None and after is not None
        assert after.documents == before.documents
        assert dict(after.answers) == dict(before.answers)
        assert len(after.index.dense_vectors) == len(before.index.dense_vectors)
        for old, new in zip(before.index.dense_vectors, after.index.dense_vectors, strict=True):
            assert new.dtype == old.dtype and new.tobytes() == old.tobytes()
        for part in ("_word", "_char"):
            old_bm25, new_bm25 = getattr(before.index, part), getattr(after.index, part)
            assert new_bm25.average_length == old_bm25.average_length
            assert new_bm25.lengths.tobytes() == old_bm25.lengths.tobytes()
            assert new_bm25._weights.keys() == old_bm25._weights.keys()
            for term, (indices, weights) in old_bm25._weights.items():
                new_indices, new_weights = new_bm25._weights[term]
                assert new_indices.tobytes() == indices.tobytes()
                assert new_weights.tobytes() == weights.tobytes(), term
        assert after.index.weights == before.index.weights
        assert (after.gibberish, after.injection, after.emoji_only) == (
            before.gibberish,
            before.injection,
            before.emoji_only,
        )
        if before.vocabulary is not None:
            assert after.vocabulary is not None
            assert after.vocabulary.counts == before.vocabulary.counts
