"""The advisor on the real notes, with questions written for these tests (not from eval/)."""

from dataclasses import replace

import pytest

from api.legal.answering import LegalAdvisor
from kkshared.retrieval.calibration import Calibrator, DevExample
from kkshared.retrieval.index import Document
from kkshared.knowledge import load_legal_notes


@pytest.fixture(scope="module")
def notes():
    return [Document(n.id, n.title, n.questions, n.answer, n.references) for n in load_legal_notes()]


@pytest.fixture(scope="module")
def advisor(notes):
    return LegalAdvisor(notes)


def test_telephone_meetings_during_internship(advisor):
    advice = advisor.advise("maa jeg tage jobsamtalen over tlf naar borgeren er i virksomhedspraktik")
    assert advice.status in ("answered", "clarify")
    assert advice.note_id and "telefon" in advice.note_id


def test_a_question_outside_the_knowledge_base_is_refused(advisor):
    advice = advisor.advise("Hvordan beregner jeg boligstøtte til en pensionist med hund?")
    assert advice.status == "refused" and advice.note_id is None


def test_a_published_note_is_found_by_a_paraphrase_without_retraining(notes):
    new = Document(
        "jurist-2026-0001",
        "Befordringsgodtgørelse ved jobsamtale i weekenden",
        ("Får borgeren kørselsgodtgørelse til en jobsamtale om lørdagen?",),
        "Ja, hvis samtalen er en del af kontaktforløbet, og afstanden opfylder de almindelige regler.",
    )
    before = LegalAdvisor(notes).index.rank("kørepenge til samtale på en lørdag")
    after = LegalAdvisor([*notes, new]).index.rank("kørepenge til samtale på en lørdag")
    assert before.best.note_id != new.id
    assert after.best.note_id == new.id


def test_confidence_grows_with_coverage():
    examples = [
        DevExample("q", "a" if i % 2 else None, "a", {"word_coverage": 0.9 if i % 2 else 0.1}) for i in range(40)
    ]
    calibrator = Calibrator.fit(examples)
    assert calibrator.confidence({"word_coverage": 0.9}) > 0.7
    assert calibrator.confidence({"word_coverage": 0.1}) < 0.3
    assert calibrator.confidence({"word_coverage": 0.9}) > calibrator.confidence({"word_coverage": 0.5})


def test_two_close_candidates_give_clarify(notes):
    twin = replace(notes[0], id="twin-of-first")
    advisor = LegalAdvisor([*notes, twin], calibrate=False)
    advice = advisor.advise(notes[0].questions[0])
    # The uncalibrated model gives 0.5, between the thresholds; the twin is offered as the alternative.
    assert advice.status == "refused" or advice.alternative_id in {notes[0].id, "twin-of-first"}
