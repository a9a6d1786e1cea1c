"""The source-passage tier (api.legal.passages) with passages written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.legal.decision import Advice
from api.legal.live_advisor import Snapshot
from api.legal.passages import SourcePassages, load_source_passages, reference_text
from api.legal.response import ask_result
from kkshared.knowledge import LegalNote, legal_note_from_dict
from kkshared.legal_refs import extract_references
from kkshared.sources import Passage, source_label

FILE = "002_5e6f3c0d831500e7.txt"
TEXTS = (
    "Efter LAB § 16 a, stk. 5, skal jobcentret journalisere samtaleskemaet for aktivitetsparate "
    "unge senest tre hverdage efter samtalen.",
    "Kantinen i forvaltningen har åbent for alle medarbejdere fra klokken otte til fjorten.",
    "Borgere i virksomhedspraktik kan holde jobsamtaler over telefonen, når praktikstedet ligger "
    "langt fra jobcentret.",
    "Leverandørerne sender hver måned en rapport om borgernes fremmøde til jobcentret.",
    "Under nedlukningen blev fysiske samtaler erstattet af telefonsamtaler og videosamtaler.",
    "Ledige på sprogkursus kan få befordringsgodtgørelse, når afstanden er over tolv kilometer.",
)
ONLY_A_PASSAGE = "Hvornår skal samtaleskemaet for aktivitetsparate unge journaliseres?"
NOTHING = "Hvem vandt Superligaen sidste år?"


@pytest.fixture(scope="module")
def passages() -> SourcePassages:
    return SourcePassages([Passage(f"{FILE}#{i}", FILE, t) for i, t in enumerate(TEXTS)])


class _Refuses:
    def advise(self, question: str) -> Advice:
        return Advice("refused", None, 0.1)


def snapshot(passages: SourcePassages | None) -> Snapshot:
    return Snapshot(_Refuses(), {}, 0, datetime.now(UTC), 0.0, passages)


def test_a_question_only_a_passage_answers_is_refused_with_the_passage(passages):
    snap = snapshot(passages)
    result = ask_result(snap, snap.advise(ONLY_A_PASSAGE), ONLY_A_PASSAGE)
    assert result.status == "refused" and result.answer is None and result.citations == []
    assert result.source_passage == {
        "text": TEXTS[0],
        "file": FILE,
        "date": "2017",
        "title": source_label(FILE),
        "references": ["LAB § 16a, stk. 5"],
    }
    assert "ingen juridisk note" in result.notice


@pytest.mark.parametrize(
    ("spelt", "misspelt"),
    [
        (
            "Er rehabiliteringsteamets indstilling en afgørelse?",
            "Er rehabiliteringstemets indstiling en afgørelse?",
        ),
        (
            "Skal jeg bruge pakkeforløbene for alle sygedagpengemodtagere?",
            "Skal jeg bruge pakkefoløbene for alle sygedagpengemdtagere?",
        ),
        (
            "Hvor melder jeg forslag til ændringer af brevskabeloner ind?",
            "Hvor melder jeg forslag til ændrnger af brevskbeloner ind?",
        ),
    ],
)
def test_typos_are_corrected_to_the_passages_words(spelt, misspelt):
    """api.legal.preparation, over the real seed passages: the misspelt question finds the
    passage the spelt one finds (with abbreviations written out only, it found another or
    none; over the 324 note questions with two typos each: 309 against 250 the same)."""
    seeds = load_source_passages()
    assert seeds is not None
    found = seeds.find(spelt)
    assert found is not None
    again = seeds.find(misspelt)
    assert again is not None and again.passage == found.passage


def test_a_question_nothing_answers_gets_a_plain_refusal(passages):
    snap = snapshot(passages)
    for question in (NOTHING, "Hvad koster en kop kaffe i kantinen?"):
        result = ask_result(snap, snap.advise(question), question)
        assert result.status == "refused" and result.source_passage is None
        assert "ingen juridisk note" not in result.notice


def test_without_passages_or_question_the_refusal_is_plain(passages):
    assert (
        ask_result(snapshot(None), Advice("refused", None, 0.1), ONLY_A_PASSAGE).source_passage
        is None
    )
    assert ask_result(snapshot(passages), Advice("refused", None, 0.1)).source_passage is None


def test_a_question_for_the_legal_basis_needs_a_passage_stating_one(passages):
    # The telephone passage covers the words but states no reference.
    assert passages.find("Må jobsamtaler i virksomhedspraktik holdes over telefonen?")
    assert passages.find("Hvilken hjemmel er der til jobsamtaler over telefonen i praktik?") is None
    # A named reference must be one the passage states.
    assert passages.find(
        "Hvornår skal samtaleskemaet for aktivitetsparate unge journaliseres efter LAB § 16 a?"
    )
    assert (
        passages.find(
            "Hvornår skal samtaleskemaet for aktivitetsparate unge journaliseres efter LAS § 13?"
        )
        is None
    )


def test_a_passage_without_the_asked_kind_of_content_is_not_shown(passages):
    # Asks how much; the passage on transport allowance has no amount.
    assert passages.find("Hvor meget får ledige på sprogkursus i befordringsgodtgørelse?") is None


def test_reference_text_is_readable():
    refs = extract_references(
        "jf. LAB § 16 a, stk. 5, § 17, principafgørelse 44-17 og serviceloven"
    )
    assert [reference_text(r) for r in refs] == [
        "LAB § 16a, stk. 5",
        "LAB § 17",
        "principafgørelse 44-17",
        "SEL",
    ]


class _RefusesRanking:
    """Refuses, with ``ranked`` as the advisor's ranking (note ids, best first)."""

    def __init__(self, ranked: tuple[str, ...]) -> None:
        self.ranked = ranked

    def advise(self, question: str) -> Advice:
        return Advice("refused", None, 0.3, ranked=self.ranked)


def _note(note_id: str, file: str, quote: str) -> LegalNote:
    return legal_note_from_dict(
        {
            "id": note_id,
            "title": "Jobsamtaler over telefonen i praktik",
            "questions": ["Må jobsamtalen holdes over telefonen i praktik?"],
            "answer": "Ja, jobsamtalen kan holdes over telefonen, når borgeren er i praktik.",
            "references": [],
            "source": {"file": file, "quote": quote},
            "date": "2017",
            "office": "1. kontor",
            "status": "skal revurderes",
        }
    )


ROW_QUESTION = "Må jobsamtaler i virksomhedspraktik holdes over telefonen?"
# Shares six words with TEXTS[2], the passage that covers ROW_QUESTION.
ROW_QUOTE = "kan holde jobsamtaler over telefonen, når praktikstedet ligger langt"


def test_a_passage_in_the_row_of_a_ranked_note_gives_that_note_as_clarify(passages):
    note = _note("phone", FILE, ROW_QUOTE)
    snap = Snapshot(
        _RefusesRanking(("other", "phone")), {"phone": note}, 0, datetime.now(UTC), 0.0, passages
    )
    result = ask_result(snap, snap.advise(ROW_QUESTION), ROW_QUESTION)
    assert result.status == "clarify" and result.note_id == "phone"
    assert result.answer and result.answer.startswith(note.answer)
    assert result.citations and result.source_passage is None


def test_the_row_note_must_be_ranked_and_from_a_table_document(passages):
    note = _note("phone", FILE, ROW_QUOTE)
    # Not among the advisor's first three: the refusal keeps the passage.
    snap = Snapshot(
        _RefusesRanking(("a", "b", "c", "phone")),
        {"phone": note},
        0,
        datetime.now(UTC),
        0.0,
        passages,
    )
    result = ask_result(snap, snap.advise(ROW_QUESTION), ROW_QUESTION)
    assert result.status == "refused" and result.source_passage is not None
    # A prose document (the 2022 plan): its passage is its own statement and is shown as it is.
    prose = "003_fdb3bbd829f81f33.txt"
    prose_passages = SourcePassages(
        [Passage(f"{prose}#{i}", prose, t) for i, t in enumerate(TEXTS)]
    )
    snap = Snapshot(
        _RefusesRanking(("phone",)),
        {"phone": _note("phone", prose, ROW_QUOTE)},
        0,
        datetime.now(UTC),
        0.0,
        prose_passages,
    )
    result = ask_result(snap, snap.advise(ROW_QUESTION), ROW_QUESTION)
    assert result.status == "refused" and result.source_passage is not None


def test_anchors_are_the_passages_sharing_a_run_of_the_quote(passages):
    assert passages.anchors(FILE, ROW_QUOTE) == (2,)
    assert passages.anchors(FILE, "ord der ikke står nogen steder i kilden") == ()
