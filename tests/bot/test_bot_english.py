"""English in the citizen classifier (bot/nlu/retrieval_classifier.py, issue 20): the message's
language and the ``language`` entity, the ``set_language`` keywords, English questions ranked
against the catalogue's English versions and the English intent examples with their own
calibration, and a live re-index that carries the translations. BM25 only, on a small data set
laid out like the repository (knowledge/citizen, knowledge/citizen_en, knowledge/nlu_en)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from test_bot_retrieval_classifier import EXAMPLES, training_data, write_catalogue

from bot.nlu.retrieval_classifier import (
    DanishRetrievalClassifier,
    asked_language,
    language_keyword,
    opening_language,
    without_language_request,
)
from kkshared.catalogue import CatalogueSnapshot, Translation

ANSWERS = {
    "benefit_sygedagpenge": ("Sygedagpenge", "Sygedagpenge er penge, når du er syg."),
    "holiday_right_on_benefits": ("Ferie på kontanthjælp", "Du kan holde ferie efter et år."),
}
ENGLISH = [
    {
        "id": "benefit_sygedagpenge",
        "title": "Sygedagpenge (sickness benefit)",
        "answer": "Sygedagpenge is money you get when you are ill and cannot work.",
        "examples": [
            "what is sygedagpenge",
            "can I get money when I am sick from work",
            "sickness benefit who can get it",
            "do I get paid when I am ill",
        ],
    },
    {
        "id": "holiday_right_on_benefits",
        "title": "Holiday on kontanthjælp",
        "answer": "You can take a holiday after one year on kontanthjælp.",
        "examples": [
            "can I go on holiday on kontanthjælp",
            "do I have the right to a vacation",
            "holiday while receiving social assistance",
            "may I travel abroad for a holiday on benefits",
        ],
    },
]
ENGLISH_INTENTS = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
    - good morning
    - hey
- intent: set_language
  examples: |
    - do you speak english
    - can I write in english
    - please answer in english
    - can you answer me in danish
"""


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write_catalogue(root / "knowledge" / "citizen", ANSWERS)
    (root / "knowledge" / "citizen_en").mkdir(parents=True)
    (root / "knowledge" / "citizen_en" / "test.yml").write_text(
        yaml.safe_dump(ENGLISH, allow_unicode=True), "utf-8"
    )
    (root / "knowledge" / "nlu_en").mkdir(parents=True)
    (root / "knowledge" / "nlu_en" / "intents.yml").write_text(ENGLISH_INTENTS, "utf-8")
    return root


def _trained(tmp_path: Path, root: Path) -> DanishRetrievalClassifier:
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage(tmp_path / "model")
    resource = Resource("retrieval_classifier")
    config = {
        "retrieval_intent": "faq",
        "catalogue_dir": str(root / "knowledge" / "citizen"),
        "calibration_questions_per_document": 4,
    }
    context = ExecutionContext(None, "test")
    DanishRetrievalClassifier.create(config, storage, resource, context).train(
        training_data(EXAMPLES)
    )
    # Loaded back from the model storage, as the Rasa server does.
    return DanishRetrievalClassifier.load(config, storage, resource, context)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> DanishRetrievalClassifier:
    tmp_path = tmp_path_factory.mktemp("english")
    return _trained(tmp_path, _root(tmp_path))


def _parse(classifier: DanishRetrievalClassifier, text: str) -> Message:
    message = Message(data={TEXT: text})
    classifier.process([message])
    return message


def _answer(message: Message | dict[str, Any]) -> str | None:
    get = message.get
    if (get("intent") or {}).get("name") != "faq":
        return None
    return get("response_selector")["faq"]["response"]["intent_response_key"]


def _language_entities(message: Message) -> list[Any]:
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == "language"]


def test_an_english_question_gets_the_english_document_and_the_language(classifier) -> None:
    message = _parse(classifier, "am I allowed to take a vacation while on social assistance?")
    assert _answer(message) == "faq/holiday_right_on_benefits"
    assert message.get("kk_language") == "en"
    assert _language_entities(message) == ["en"]
    assert message.get("kk_answer")["tier"] == 1


def test_english_questions_with_danish_benefit_names_stay_english(classifier) -> None:
    message = _parse(classifier, "how can I get sygedagpenge when I am sick")
    assert message.get("kk_language") == "en"
    assert _answer(message) == "faq/benefit_sygedagpenge"


def test_a_danish_question_is_ranked_in_danish_and_says_so(classifier) -> None:
    message = _parse(classifier, "kan jeg holde ferie når jeg får kontanthjælp")
    assert _answer(message) == "faq/holiday_right_on_benefits"
    assert message.get("kk_language") == "da"
    assert _language_entities(message) == ["da"]


def test_a_message_that_decides_nothing_sets_no_language(classifier) -> None:
    message = _parse(classifier, "ok")
    assert message.get("kk_language") is None
    assert _language_entities(message) == []


def test_english_small_talk_uses_the_english_intent_examples(classifier) -> None:
    assert _parse(classifier, "hello there").get("intent")["name"] == "greet"


@pytest.mark.parametrize(
    ("text", "language"),
    [("ENGLISH", "en"), ("english", "en"), ("Engelsk", "en"), ("DANSK", "da"), ("danish!", "da")],
)
def test_a_language_name_alone_switches_the_language(classifier, text, language) -> None:
    message = _parse(classifier, text)
    assert message.get("intent") == {"name": "set_language", "confidence": 1.0}
    assert _language_entities(message) == [language]


def test_the_opening_language_is_the_keyword_or_the_text_s_own() -> None:
    assert opening_language("ENGLISH") == "en"
    assert opening_language("DANSK") == "da"
    assert opening_language("when do I get my money") == "en"
    assert opening_language("hvornår får jeg mine penge") == "da"
    assert opening_language("ok") is None
    assert opening_language("1") is None
    # Intent payloads (the web chat's switch, buttons, an SMS "1" mapped to a reminder's button).
    assert opening_language('/set_language{"language":"en"}') == "en"
    assert opening_language('/set_language{"language":"da"}') == "da"
    assert opening_language('/reminder_confirm{"meeting_id": "m-1"}') is None
    assert opening_language("/affirm") is None


def test_a_language_name_inside_a_question_is_no_keyword() -> None:
    assert language_keyword("ENGLISH") == "en"
    assert language_keyword("is there an english version of the form") is None
    assert language_keyword("dansk kursus") is None


def test_asking_for_danish_in_english_switches_to_danish(classifier) -> None:
    message = _parse(classifier, "can you answer me in danish please")
    assert message.get("intent")["name"] == "set_language"
    assert _language_entities(message) == ["da"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("can you answer me in danish please", "da"),
        ("kan du skrive på engelsk", "en"),
        ("kan du ikke skrive på engelsk", "en"),  # a polite request, not a negation
        ("I don't speak Danish", "en"),
        ("i dont speak danish well can i get interpreter", "en"),
        ("I can't read Danish, write in English please", "en"),
        ("my danish is not very good", "en"),
        ("jeg taler ikke så godt dansk", "en"),
        ("mit dansk er ikke så godt", "en"),
        ("jeg kan ikke engelsk", "da"),
        ("hello", None),
    ],
)
def test_the_language_a_request_asks_for(text, language) -> None:
    assert asked_language(text) == language


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("I don't speak Danish, when do I get my money?", "when do I get my money"),
        ("jeg taler ikke dansk og hvornår er min samtale", "hvornår er min samtale"),
        ("can you answer in english please", ""),
        ("i dont speak danish well can i get interpreter", ""),
    ],
)
def test_what_a_message_asks_besides_the_language(text, rest) -> None:
    assert without_language_request(text) == rest


def test_a_question_after_the_language_request_is_answered(classifier) -> None:
    message = _parse(classifier, "I don't speak Danish, when do I get my money?")
    assert message.get("intent")["name"] != "set_language"
    assert _language_entities(message) == ["en"]


def test_saying_you_do_not_speak_danish_keeps_english(classifier) -> None:
    # It ranks as the language switch; "Danish" in it must not switch the conversation to Danish.
    message = _parse(classifier, "I don't speak Danish")
    assert _language_entities(message) == ["en"]


def test_the_english_calibration_is_fitted_and_saved(classifier) -> None:
    assert classifier._english_calibrator.weights.any()
    assert classifier._live.english is not None
    assert classifier._live.english.language == "en"


def test_a_live_reindex_ranks_an_edited_english_version(classifier) -> None:
    entries = dict(classifier.entries)
    holiday = entries["holiday_right_on_benefits"]
    english = holiday.translations["en"]
    edited = replace(
        holiday,
        version=2,
        translations={
            "en": Translation(
                english.title,
                english.answer,
                (*english.examples, "can I spend a week at the seaside in portugal"),
            )
        },
    )
    entries[edited.id] = edited
    try:
        assert classifier.reindex(CatalogueSnapshot(7, tuple(entries.values())))
        result = classifier.classify_text("can I spend a week at the seaside in portugal")
        assert _answer(result) == "faq/holiday_right_on_benefits"
        assert result["kk_answer"] == {"tier": 1, "revision": 7}
        # Without its English version an entry is not ranked for English questions.
        bare = {**entries, edited.id: replace(edited, translations={})}
        assert classifier.reindex(CatalogueSnapshot(8, tuple(bare.values())))
        english_ids = {d.id for d in classifier._live.english.documents}
        assert "faq/holiday_right_on_benefits" not in english_ids
        assert "faq/benefit_sygedagpenge" in english_ids
    finally:
        classifier.reindex(CatalogueSnapshot(9, tuple(classifier.entries.values())))
