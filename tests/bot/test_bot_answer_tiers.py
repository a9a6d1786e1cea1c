"""The three answer tiers of the citizen classifier (docs/answer_tiers.md), BM25 only, small data.

Tier 1: the catalogue answer when sure and it contains what the question asks for; tier 2: a
passage of the source documents; tier 3: nlu_fallback (the honest "don't know"), with the reason
recorded on the message (``kk_answer``) so the tracker store holds it.
"""

from __future__ import annotations

import pytest
import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from test_bot_retrieval_classifier import EXAMPLES as CLASSIFIER_EXAMPLES
from test_bot_retrieval_classifier import training_data, write_catalogue

from bot.nlu.retrieval_classifier import ANSWER_ATTRIBUTE, DanishRetrievalClassifier
from kkshared.catalogue import PreviewRequest, PreviewResult

# The classifier tests' examples for two catalogue answers and greetings, plus goodbyes.
EXAMPLES = {
    **{
        key: texts
        for key, texts in CLASSIFIER_EXAMPLES.items()
        if key in ("faq/benefit_sygedagpenge", "faq/holiday_right_on_benefits", "greet")
    },
    "goodbye": ["farvel", "hej hej", "vi ses", "tak for nu farvel"],
}
ANSWERS = {
    "benefit_sygedagpenge": ("Sygedagpenge", "Sygedagpenge er penge, du kan få, når du er syg."),
    "holiday_right_on_benefits": ("Ferie", "Du kan holde ferie, når du har optjent den."),
}
SEED = (
    "Evaluering af nedlukningen\n\n"
    "Jobcentrene lukkede den 12. marts 2020 for fysisk fremmøde efter en bekendtgørelse fra "
    "staten. Borgerne kunne i hele perioden ringe til jobcentret som normalt.\n\n"
    "Fra den 15. juni 2020 blev borgerne igen indkaldt til fysiske samtaler.\n"
)
CONFIG = {
    "retrieval_intent": "faq",
    "source_passages": True,
    "passage_dense_weight": 0.0,
    "passage_min_dense": 0.0,
    "passage_min_word_coverage": 0.3,  # a three-passage corpus: low idf, low coverage
}


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> DanishRetrievalClassifier:
    seeds = tmp_path_factory.mktemp("seeds")
    (seeds / "000_0be9af2cecd9aa10.txt").write_text(SEED, encoding="utf-8")
    catalogue = write_catalogue(tmp_path_factory.mktemp("catalogue"), ANSWERS)
    config = {**CONFIG, "sources_dir": str(seeds), "catalogue_dir": str(catalogue)}
    data = training_data(EXAMPLES)
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("retrieval_classifier")
    context = ExecutionContext(None, "test")
    DanishRetrievalClassifier.create(config, storage, resource, context).train(data)
    # Loaded back from the model storage (passages included), as the Rasa server does; the seed
    # file is gone by then.
    (seeds / "000_0be9af2cecd9aa10.txt").unlink()
    return DanishRetrievalClassifier.load(config, storage, resource, context)


def _parse(classifier: DanishRetrievalClassifier, text: str) -> Message:
    message = Message(data={TEXT: text})
    classifier.process([message])
    return message


def test_a_sure_catalogue_answer_that_fits_is_tier_one(classifier) -> None:
    message = _parse(classifier, "hvad er sygedagpenge")
    assert message.get("intent")["name"] == "faq"
    assert message.get(ANSWER_ATTRIBUTE) == {"tier": 1, "revision": 0}  # the model's catalogue


SOURCE_ONLY_QUESTION = "hvornår lukkede jobcentrene for fysisk fremmøde i 2020"


def test_a_question_only_the_source_answers_gets_the_passage_with_its_source(classifier) -> None:
    message = _parse(classifier, SOURCE_ONLY_QUESTION)
    assert message.get("intent") == {"name": "source_answer", "confidence": 1.0}
    answer = message.get(ANSWER_ATTRIBUTE)
    assert answer["tier"] == 2
    assert "12. marts 2020" in answer["passage"]["text"]
    assert answer["passage"]["file"] == "000_0be9af2cecd9aa10.txt"
    assert answer["passage"]["title"].startswith("BIF: Bidrag til Københavns Kommunes evaluering")
    assert answer["passage"]["date"] == "2020"


def test_an_entry_without_the_asked_kind_of_content_is_not_given(classifier) -> None:
    # The sygedagpenge entry says what they are, not when they are paid; no passage says it.
    message = _parse(classifier, "hvornår får jeg mine sygedagpenge udbetalt")
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get(ANSWER_ATTRIBUTE) == {
        "tier": 3,
        "reason": "does not fit",
        "missing": ["time"],
    }
    # The catalogue's guess stays in the ranking (for analytics), behind the fallback.
    assert message.get("intent_ranking")[1]["name"] == "faq"


def test_intents_that_are_not_answers_pass_through(classifier) -> None:
    message = _parse(classifier, "godmorgen")
    assert message.get("intent")["name"] == "greet"
    assert message.get(ANSWER_ATTRIBUTE) is None


def test_a_question_is_never_a_goodbye(classifier) -> None:
    assert _parse(classifier, "hej hej").get("intent")["name"] == "goodbye"
    assert _parse(classifier, "hej hej, hvad kan du?").get("intent")["name"] != "goodbye"


@pytest.mark.parametrize("text", ["😀😀😀", "👍", "🙂 !", "❤️🇩🇰"])
def test_a_message_of_nothing_but_emoji_is_small_talk_that_invites_a_question(
    classifier, text
) -> None:
    # Issue 13: a row of emoji was a "don't know" or a goodbye; the greeting invites a question.
    message = _parse(classifier, text)
    assert message.get("intent") == {"name": "greet", "confidence": 1.0}
    assert message.get(ANSWER_ATTRIBUTE) is None


def test_emoji_inside_a_question_are_left_out_before_ranking(classifier) -> None:
    with_emoji = _parse(classifier, "hvad er sygedagpenge 🤒🙏")
    without = _parse(classifier, "hvad er sygedagpenge")
    assert with_emoji.get("intent") == without.get("intent")
    assert with_emoji.get(ANSWER_ATTRIBUTE) == {"tier": 1, "revision": 0}
    assert _parse(classifier, "farvel 👋").get("intent")["name"] == "goodbye"


# A sure answer also shows the source passage that covers the question best by its words
# (answer_support_min_word_coverage), unless it is the entry's own source passage.
SUPPORTED_EXAMPLES = {
    **EXAMPLES,
    "faq/lockdown_phone": [
        "kunne man ringe under nedlukningen",
        "var telefonen åben under corona",
        "kunne jeg ringe til jer da alt var lukket",
        "telefon under nedlukningen",
    ],
    "faq/lockdown_reopening": [
        "hvornår åbnede jobcentrene igen efter corona",
        "hvornår kom de fysiske samtaler tilbage",
        "hvornår skulle man møde op igen efter nedlukningen",
    ],
}


@pytest.fixture(scope="module")
def supported(tmp_path_factory) -> DanishRetrievalClassifier:
    seeds = tmp_path_factory.mktemp("seeds")
    (seeds / "000_0be9af2cecd9aa10.txt").write_text(SEED, encoding="utf-8")
    catalogue = write_catalogue(
        tmp_path_factory.mktemp("catalogue"),
        {
            **ANSWERS,
            "lockdown_phone": ("Telefon under nedlukningen", "Du kunne ringe til os hele tiden."),
            "lockdown_reopening": ("Genåbning", "De fysiske samtaler kom tilbage i juni 2020."),
        },
    )
    entries = yaml.safe_load((catalogue / "test.yml").read_text(encoding="utf-8"))
    reopening = next(entry for entry in entries if entry["id"] == "lockdown_reopening")
    reopening["source"] = {
        "file": "000_0be9af2cecd9aa10.txt",
        "date": "2020",
        "quote": "Fra den 15. juni 2020 blev borgerne igen indkaldt til fysiske samtaler.",
    }
    (catalogue / "test.yml").write_text(yaml.safe_dump(entries, allow_unicode=True), "utf-8")
    config = {
        **CONFIG,
        "sources_dir": str(seeds),
        "catalogue_dir": str(catalogue),
        "answer_support_min_word_coverage": 0.3,
        "answer_support_min_terms": 5,
    }
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("retrieval_classifier")
    context = ExecutionContext(None, "test")
    trained = DanishRetrievalClassifier.create(config, storage, resource, context)
    trained.train(training_data(SUPPORTED_EXAMPLES))
    return DanishRetrievalClassifier.load(config, storage, resource, context)


def test_a_sure_answer_carries_the_passage_that_covers_the_question_too(supported) -> None:
    message = _parse(
        supported, "kunne borgerne ringe til jobcentret i hele perioden af nedlukningen"
    )
    answer = message.get(ANSWER_ATTRIBUTE)
    assert answer["tier"] == 1
    selected = message.get("response_selector")["faq"]["response"]["intent_response_key"]
    assert selected == "faq/lockdown_phone"
    assert "ringe til jobcentret som normalt" in answer["support"]["text"]
    assert answer["support"]["file"] == "000_0be9af2cecd9aa10.txt"
    assert answer["support"]["date"] == "2020"
    assert answer["support"]["title"].startswith("BIF: Bidrag til Københavns Kommunes")


def test_no_passage_under_an_answer_written_from_it_or_when_none_covers_the_question(
    supported,
) -> None:
    reopening = _parse(supported, "hvornår blev borgerne igen indkaldt til fysiske samtaler")
    selected = reopening.get("response_selector")["faq"]["response"]["intent_response_key"]
    assert selected == "faq/lockdown_reopening"
    assert reopening.get(ANSWER_ATTRIBUTE) == {"tier": 1, "revision": 0}
    assert _parse(supported, "hvad er sygedagpenge").get(ANSWER_ATTRIBUTE) == {
        "tier": 1,
        "revision": 0,
    }
    # A short question asks for the topic, which the entry answers: no passage under it.
    short = _parse(supported, "ringe under nedlukningen")
    assert short.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/lockdown_phone"
    )
    assert short.get(ANSWER_ATTRIBUTE) == {"tier": 1, "revision": 0}


def test_the_editors_preview_shows_the_passages_the_chat_would_show(supported, classifier) -> None:
    under = supported.preview(
        PreviewRequest("kunne borgerne ringe til jobcentret i hele perioden af nedlukningen")
    )
    assert (under.tier, under.entry_id) == (1, "lockdown_phone")
    assert under.passage is not None and "ringe til jobcentret som normalt" in under.passage.text
    assert under.passage.title.startswith("BIF: Bidrag til Københavns Kommunes")
    assert under.passage.date == "2020"
    assert PreviewResult.from_json(under.to_json()) == under  # as it crosses to the case service
    # No passage under an answer written from it.
    reopening = supported.preview(
        PreviewRequest("hvornår blev borgerne igen indkaldt til fysiske samtaler")
    )
    assert (reopening.entry_id, reopening.passage) == ("lockdown_reopening", None)
    # Tier 2: the passage is the answer, with its source.
    source = classifier.preview(PreviewRequest(SOURCE_ONLY_QUESTION))
    assert source.tier == 2 and source.passage is not None
    assert source.text == source.passage.text and source.passage.date == "2020"
