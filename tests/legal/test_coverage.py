"""Coverage of a question by a note (api.legal.coverage) and the development data it is fit on."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import yaml

from api.legal.calibration import LEGAL_FEATURES, development_cases, fit_calibrator
from api.legal.coverage import Coverage, Unit, question_units
from api.legal.dev_questions import IN_DOMAIN, OFF_TOPIC, PARAPHRASES
from bench.legal.eval_mapping import EVAL_FILE
from kkshared.knowledge import load_legal_notes
from kkshared.normalize import fold
from kkshared.retrieval.calibration import FEATURES, Calibrator, DevExample
from kkshared.retrieval.index import Document

GROUP_NOTE = (
    "katalog-005-gruppeindkaldte-samtaler"  # its answer says "Udeblivelser koster ikke ventetid"
)


@pytest.fixture(scope="module")
def notes():
    return [
        Document(n.id, n.title, n.questions, n.answer, n.references) for n in load_legal_notes()
    ]


@pytest.fixture(scope="module")
def coverage(notes):
    return Coverage(notes)


def by_id(notes, note_id):
    return next(n for n in notes if n.id == note_id)


def test_a_compound_is_one_unit_with_its_parts():
    units = question_units(
        "Kan en sygedagpengemodtager der udeblev fra samtalen sanktioneres jf. LAB § 16a?"
    )
    assert Unit("sygedagpenge", ("sygedag", "penge")) in units
    assert {u.term for u in units} == {
        "sygedagpenge",
        "udeblivelse",
        "samtale",
        "sanktion",
    }  # no stop words, no refs


def test_conversational_particles_are_not_content_words():
    plain = {u.term for u in question_units("Kan vi sanktionere borgeren for udeblivelse?")}
    coloured = question_units(
        "Kan vi ikke bare sanktionere borgeren for udeblivelse, eller er det egentlig "
        "overhovedet muligt?"
    )
    assert {u.term for u in coloured} - {"mulig"} == plain


def test_words_no_note_contains_count_against_the_coverage(notes, coverage):
    features = coverage.features("hvad koster en hotdog i tivoli", by_id(notes, GROUP_NOTE))
    assert features["unknown"] == pytest.approx(2 / 3)  # hotdog, tivoli
    assert features["term_coverage"] == pytest.approx(1 / 3)  # koste, in the answer only
    assert features["asked_coverage"] == 0.0
    assert features["idf_coverage"] < 0.35  # the unknown words weigh the most
    assert features["covered_mass"] < 0.5


def test_a_paraphrase_is_covered(notes, coverage):
    features = coverage.features(
        "Må vi indkalde flere borgere til samtale på samme tidspunkt?", by_id(notes, GROUP_NOTE)
    )
    assert (
        features["unknown"] == 0.0
        and features["idf_coverage"] > 0.9
        and features["covered_mass"] > 0.5
    )


def test_a_typing_error_counts_as_the_word(notes, coverage):
    note = by_id(notes, "bif2017-010-opfoelgning-og-forlaengelse-af-praktik")
    used = ("term_coverage", "idf_coverage", "unknown", "covered_mass")
    right = coverage.features("Hvem aftaler forlængelse af praktikken?", note)
    typo = coverage.features(
        "Hvem aftaler forlængelse af praktkken?", note
    )  # no lemma for the typo
    assert {k: typo[k] for k in used} == {k: right[k] for k in used}
    assert right["unknown"] == 0.0 and right["term_coverage"] == 1.0
    exact_only = Coverage(notes, typos=False).features(
        "Hvem aftaler forlængelse af praktkken?", note
    )
    assert exact_only["unknown"] > 0 and exact_only["idf_coverage"] < right["idf_coverage"]


def test_a_left_out_note_takes_its_words_with_it(notes, coverage):
    note = by_id(notes, "bif2017-022-facebook-i-sagsbehandlingen")
    other = by_id(notes, "bif2017-051-sikker-post-til-borgere")
    question = "Må jeg bruge Facebook i sagen?"
    assert coverage.features(question, other)["unknown"] == 0.0  # facebook is known (from its note)
    assert coverage.features(question, other, exclude=frozenset({note.id}))["unknown"] > 0.0
    # Holding one question out of a note drops the words only that question had.
    held_out = replace(note, questions=note.questions[1:])
    only_in_first = coverage.features(note.questions[0], held_out, substitute=held_out)
    assert (
        only_in_first["idf_coverage"] <= coverage.features(note.questions[0], note)["idf_coverage"]
    )


def test_the_development_split_has_every_kind_and_labels_them(notes):
    cases = development_cases(notes)
    kinds = {kind for kind, _ in cases}
    assert kinds == {"held-out question", "note absent", "paraphrase", "off-topic"}
    for kind, example in cases:
        assert (example.expected is None) == (kind in ("note absent", "off-topic"))
        assert set(LEGAL_FEATURES) <= set(example.features)
    assert sum(kind == "off-topic" for kind, _ in cases) == len(OFF_TOPIC) + len(IN_DOMAIN)
    assert sum(kind == "paraphrase" for kind, _ in cases) == len(PARAPHRASES)


def test_paraphrases_name_existing_notes(notes):
    ids = {n.id for n in notes}
    assert {note_id for note_id, _ in PARAPHRASES} <= ids


def test_the_development_questions_are_not_taken_from_the_evaluation_set():
    evaluation = {
        fold(raw["question"]) for raw in yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    }
    written = [*OFF_TOPIC, *IN_DOMAIN, *(q for _, q in PARAPHRASES)]
    assert not {fold(q) for q in written} & evaluation


def test_the_fitted_weights_point_the_right_way(notes):
    calibrator = fit_calibrator([e for _, e in development_cases(notes)])
    weights = dict(zip(calibrator.features, calibrator.weights[1:], strict=True))
    assert weights["unknown"] < 0  # words no note knows lower the confidence
    assert weights["covered_mass"] > 0  # many specific words in common raise it
    assert weights["margin"] > 0


def test_the_shared_calibrator_keeps_its_default_features():
    # The bot's retrieval classifier stores only the weights and rebuilds Calibrator(weights).
    assert Calibrator().features == FEATURES and len(Calibrator().weights) == len(FEATURES) + 1
    restored = Calibrator(np.arange(len(FEATURES) + 1, dtype=float))
    assert restored.confidence({"word_coverage": 1.0, "unknown": 5.0}) == restored.confidence(
        {"word_coverage": 1.0}
    )
    examples = [
        DevExample("q", "a" if i % 2 else None, "a", {"unknown": 0.0 if i % 2 else 1.0})
        for i in range(20)
    ]
    own = Calibrator.fit(examples, features=("unknown",))
    assert own.features == ("unknown",) and len(own.weights) == 2
    assert own.confidence({"unknown": 0.0}) > 0.5 > own.confidence({"unknown": 1.0})
