"""Citations never name a reference that is not in the note, for every note; the jurist checks."""

from __future__ import annotations

import pytest
from api_helpers import today_cph
from legal_helpers import NOTES_DIR, real_snapshot

from api.legal.jurist_notes import check_answer_references, jurist_note, note_problems, quote_of
from api.legal.response import ask_result, citations
from kkshared.knowledge import SourceTexts, default_seeds_dir, load_legal_notes

NOTES = load_legal_notes(NOTES_DIR)
needs_seeds = pytest.mark.skipif(
    not (default_seeds_dir() / "002_5e6f3c0d831500e7.txt").exists(),
    reason="seed documents not available",
)


@pytest.fixture(scope="module")
def texts() -> SourceTexts:
    return SourceTexts()


def _assert_citations_belong_to(note, cited: list[dict]) -> None:
    assert [c["reference"] for c in cited] == (list(note.references) or [None])
    for citation in cited:
        assert citation["source_file"] == note.source.file
        assert citation["source_date"] == note.date
        assert citation["quote"] == note.source.quote


@needs_seeds
def test_every_note_passes_the_checks_and_cites_only_its_own_references(texts):
    assert len(NOTES) >= 90
    for note in NOTES:
        assert note_problems(note, texts) == [], note.id
        _assert_citations_belong_to(note, citations(note))


@needs_seeds
def test_whatever_the_advisor_answers_is_cited_from_that_note_only(texts):
    snapshot = real_snapshot()
    answered = 0
    for note in NOTES:
        # The title is not one of the note's questions: a fair, different wording.
        result = ask_result(snapshot, snapshot.advise(note.title))
        if result.note_id is None:
            assert result.citations == [] and result.answer is None
            continue
        answered += 1
        shown = snapshot.notes[result.note_id]
        _assert_citations_belong_to(shown, result.citations)
        assert note_problems(shown, texts) == []
        assert result.answer.startswith(shown.answer)
    assert answered >= len(NOTES) * 0.8


def test_a_jurist_note_passes_only_with_its_references():
    note = jurist_note(
        "JUR-2026-000001",
        "T",
        ("Spørgsmål?",),
        "Det følger af LAB § 82, stk. 2.",
        ("LAB § 82, stk. 2",),
        today_cph(),
    )
    assert note_problems(note, SourceTexts()) == []
    _assert_citations_belong_to(note, citations(note))
    broken = jurist_note(
        "JUR-2026-000002",
        "T",
        (),
        "Det følger af LAB § 82 og LAS § 13.",
        ("LAB § 82",),
        today_cph(),
    )
    assert note_problems(broken, SourceTexts()) == [
        "the answer cites LAS §13, which is not among the references"
    ]


@pytest.mark.parametrize(
    ("answer", "references", "codes"),
    [
        ("Ja, jf. LAB § 16 a, stk. 5, § 17, stk. 2.", ["LAB § 16 a, stk. 5", "§ 17, stk. 2"], []),
        ("Ja, jf. lov om aktiv socialpolitik § 10a.", ["LAS § 10 a"], []),
        # A listed reference may be more precise than the citation, never less precise.
        ("Ja, jf. LAB § 16 a.", ["LAB § 16 a, stk. 5"], []),
        ("Ja, jf. LAB § 16 a, stk. 5.", ["LAB § 16 a"], ["not_among_references"]),
        ("Ja, jf. LAS § 17, stk. 2.", ["LAB § 17, stk. 2"], ["not_among_references"]),
        ("Se principafgørelse 44-17.", [], ["not_among_references"]),
        ("Nej.", ["det står i vejledningen"], ["not_a_reference"]),
        ("Nej.", [], []),
    ],
)
def test_reference_check(answer, references, codes):
    assert [p.code for p in check_answer_references(answer, references)] == codes


def test_quote_is_at_most_30_words():
    assert quote_of("kort svar") == "kort svar"
    long = " ".join(f"ord{i}" for i in range(45))
    assert len(quote_of(long).split()) == 31 and quote_of(long).endswith("…")
