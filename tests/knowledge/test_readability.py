"""Citizen answers are plain Danish (issue 20): LIX within limits and no unexplained abbreviations.

LIX is counted by ``kkshared.readability`` (its docstring says how sentences and words are
counted) over the answer as loaded, i.e. with the YAML line breaks folded into spaces. Each
answer must be at most ``MAX_LIX``; the median over the whole catalogue at most
``MAX_MEDIAN_LIX``. A hard answer is rewritten, not exempted: shorter sentences, everyday words,
the same facts.
"""

import statistics

import pytest

from kkshared.knowledge import load_citizen_entries
from kkshared.readability import lix, lix_counts, unexplained_abbreviations

MAX_LIX = 45
MAX_MEDIAN_LIX = 38

CITIZEN = load_citizen_entries()


@pytest.mark.parametrize("entry", CITIZEN, ids=lambda e: e.id)
def test_answer_is_readable(entry):
    counts = lix_counts(entry.answer)
    assert counts.lix <= MAX_LIX, (
        f"LIX {counts.lix:.1f} > {MAX_LIX} ({counts.words} words, {counts.sentences} sentences, "
        f"{counts.long_words} long words): split sentences, use shorter everyday words"
    )


def test_median_lix_of_the_catalogue():
    median = statistics.median(lix(entry.answer) for entry in CITIZEN)
    assert median <= MAX_MEDIAN_LIX, f"median LIX {median:.1f} > {MAX_MEDIAN_LIX}"


@pytest.mark.parametrize("entry", CITIZEN, ids=lambda e: e.id)
def test_no_unexplained_abbreviations(entry):
    # Answers only: titles are short labels ("... (KL, hele landet)") shown with their answer.
    assert unexplained_abbreviations(entry.answer) == [], (
        "write the full name next to the abbreviation, e.g. "
        "'Styrelsen for Arbejdsmarked og Rekruttering (STAR)', or leave it out"
    )
