"""How much of a question the best note covers: features for the calibrated confidence.

The ranking's own features (``kkshared.retrieval.index``) scale BM25 by the question's attainable
score over the terms the notes *know*, so "hvad koster en hotdog i tivoli" — whose only known term,
"koste", occurs in one note's answer — looks fully covered. Here every content word of the question
counts, known or not:

- ``term_coverage``: share of the question's content words that occur in the note;
- ``idf_coverage``: the same weighted by idf, a word no note contains weighing the most;
- ``unknown``: share of the content words that occur in no note at all;
- ``covered_mass``: the idf of the words the note covers, summed (capped at two words no other note
  has): a long case description covers a small share of its words but many specific ones;
- ``asked_coverage``: share found in the note's title and questions (the askers' own words),
  rather than somewhere in a long answer;
- ``domain``: 1 when a content word belongs to the domain vocabulary (benefit and legal terms, see
  ``domain_vocabulary``), else 0.

A content word is a retrieval term of ``kkshared.retrieval.terms.word_terms`` (lemma, synonym,
ae/oe/aa restored), stop words, reference tokens and the conversational particles of ``FILLERS``
("kan vi ikke bare ...", "hvad gælder egentlig ...") left out; a compound counts as covered when
its parts all are (sygedagpengemodtager → sygedagpenge + modtager), and a word one or two typing
errors away from a note's word (by length) counts as that word.

Document frequencies follow the development split: a note left out (``exclude``) or changed
(``substitute``) no longer contributes its words, so a word only the left-out note used is unknown.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kkshared.edit_distance import edit_distance
from kkshared.lexicon import domain_words
from kkshared.normalize import fold
from kkshared.retrieval.index import Document
from kkshared.retrieval.synonyms import PHRASE_SYNONYMS, WORD_SYNONYMS
from kkshared.retrieval.terms import compound_parts, word_terms

_WORD = re.compile(r"[a-z]+")
COVERAGE_FEATURES = (
    "term_coverage",
    "idf_coverage",
    "unknown",
    "covered_mass",
    "asked_coverage",
    "domain",
)
# covered_mass counts in units of this many words that no other note contains (2 had the lowest dev
# log loss of 1.5, 2, 3, 4 and 6 among the scales that keep the feature simple).
COVERED_MASS_UNIT = 2.0
# Particles that colour a caseworker's question but name nothing a note could cover; the shared stop
# words (spaCy's Danish list) lack them, so "kan vi ikke bare sanktionere" counted "bare" as an
# uncovered word. Retrieval terms as ``word_terms`` gives them ("overhovedet" -> "overhoved"), each
# left out with its compound parts; words that can carry content ("direkte", "selv", "kun") stay.
FILLERS = frozenset({"bare", "egentlig", "faktisk", "overhoved", "altsaa", "vel", "mon"})


@lru_cache(maxsize=16384)
def _terms(text: str) -> tuple[str, ...]:
    return tuple(word_terms(text))


@dataclass(frozen=True)
class Unit:
    """One content word of a question and its compound parts (empty when not a known compound)."""

    term: str
    parts: tuple[str, ...] = ()


@lru_cache(maxsize=8192)
def question_units(question: str) -> tuple[Unit, ...]:
    """The question's content words, each once, with the compound parts ``word_terms`` added."""
    terms = [t for t in _terms(question) if not t.startswith("ref:")]
    units: dict[str, Unit] = {}
    position = 0
    while position < len(terms):
        term = terms[position]
        parts = tuple(WORD_SYNONYMS.get(p, p) for p in compound_parts(term))
        if parts and tuple(terms[position + 1 : position + 1 + len(parts)]) == parts:
            position += 1 + len(parts)
        else:
            parts = ()
            position += 1
        if term not in FILLERS:
            units.setdefault(term, Unit(term, parts))
    return tuple(units.values())


@lru_cache(maxsize=4096)
def _document_terms(document: Document) -> tuple[frozenset[str], frozenset[str]]:
    """(all terms, terms of the title and questions) of a document."""
    asked = frozenset(t for text in (document.title, *document.questions) for t in _terms(text))
    return asked | frozenset(_terms(document.answer)), asked


def _within_typos(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` (≥ 5 letters, same first letter) are 1 edit apart (2 from 9)."""
    if a[:1] != b[:1] or min(len(a), len(b)) < 5:
        return False
    budget = 1 if min(len(a), len(b)) < 9 else 2
    if abs(len(a) - len(b)) > budget or len(set(a) ^ set(b)) > 2 * budget:  # cheap filters first
        return False
    return edit_distance(a, b, budget) <= budget


@lru_cache(maxsize=1)
def domain_vocabulary() -> frozenset[str]:
    """Benefit and legal vocabulary: ``kkshared/data/domain_words.txt`` and the domain synonyms."""
    words: set[str] = set()
    for text in (*domain_words(), *PHRASE_SYNONYMS):
        words.update(_terms(text))
    for key, value in WORD_SYNONYMS.items():
        words.update((fold(key), value))
    return frozenset(w for w in words if not w.startswith("ref:"))


class Coverage:
    """Coverage features of a question against one note (with the collection's document
    frequencies)."""

    def __init__(
        self, documents: Sequence[Document], domain: Iterable[str] | None = None, typos: bool = True
    ) -> None:
        self.typos = typos
        self.documents = {d.id: d for d in documents}
        self.size = len(self.documents)
        self.frequency: Counter[str] = Counter()
        for document in documents:
            self.frequency.update(_document_terms(document)[0])
        # Spellings a typing error is compared with: the terms, and the notes' words as written
        # (a typo in an inflected form, "praktkken", has no lemma; "praktikken" has).
        spellings = {term: term for term in self.frequency}
        for document in documents:
            for text in (document.title, *document.questions, document.answer):
                for word in _WORD.findall(fold(text)):
                    if len(word) >= 5 and word not in spellings and (terms := _terms(word)):
                        spellings[word] = terms[0]  # the word itself; compound parts follow
        self.spellings_by_initial: dict[str, list[tuple[str, str]]] = {}
        for spelling in sorted(spellings):  # sorted: the same spelling wins on every run
            self.spellings_by_initial.setdefault(spelling[:1], []).append(
                (spelling, spellings[spelling])
            )
        self.domain = frozenset(domain_vocabulary() if domain is None else domain)

    def _idf(self, frequency: int) -> float:
        return math.log(1.0 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def _frequency(self, term: str, exclude: frozenset[str], substitute: Document | None) -> int:
        count = self.frequency.get(term, 0)
        for note_id in exclude:
            if note_id in self.documents and term in _document_terms(self.documents[note_id])[0]:
                count -= 1
        if substitute is not None and substitute.id in self.documents:
            count -= term in _document_terms(self.documents[substitute.id])[0]
            count += term in _document_terms(substitute)[0]
        return count

    def known_share(
        self,
        question: str,
        exclude: frozenset[str] = frozenset(),
        substitute: Document | None = None,
    ) -> float:
        """Share of the question's attainable word-BM25 mass that the notes know.

        The attainable mass is the idf of each distinct term of the question.
        """
        terms = set(_terms(question))
        known = total = 0.0
        for term in terms:
            frequency = self._frequency(term, exclude, substitute)
            weight = self._idf(frequency)
            total += weight
            known += weight if frequency > 0 else 0.0
        return known / total if total else 1.0

    def _spelled_like(
        self, term: str, exclude: frozenset[str], substitute: Document | None
    ) -> str | None:
        """The term of a word of the collection one or two typing errors from ``term``, if any."""
        for spelling, known in self.spellings_by_initial.get(term[:1], ()):
            if (
                spelling != term
                and _within_typos(term, spelling)
                and self._frequency(known, exclude, substitute) > 0
            ):
                return known
        return None

    def features(
        self,
        question: str,
        note: Document | None,
        exclude: frozenset[str] = frozenset(),
        substitute: Document | None = None,
        question_part: str | None = None,
    ) -> dict[str, float]:
        """``question_part``: the question part of a text that describes a situation first
        (``api.legal.focus``); a word only in the situation counts when the note covers it."""
        units = question_units(question)
        asked_terms = (
            None
            if question_part is None or question_part == question
            else {u.term for u in question_units(question_part)}
        )
        domain = float(
            any(u.term in self.domain or any(p in self.domain for p in u.parts) for u in units)
        )
        if note is None:
            return dict.fromkeys(COVERAGE_FEATURES, 0.0) | {"unknown": 1.0, "domain": domain}
        if not units:  # only references or stop words: nothing uncovered, nothing specific covered
            return dict.fromkeys(COVERAGE_FEATURES, 1.0) | {"covered_mass": 0.0, "domain": domain}
        everything, asked = _document_terms(note)

        def in_terms(unit: Unit, terms: frozenset[str], spelled: str | None) -> bool:
            if unit.term in terms or (spelled is not None and spelled in terms):
                return True
            return bool(unit.parts) and all(p in terms for p in unit.parts)

        covered = covered_idf = total_idf = unknown = in_asked = 0.0
        n = 0
        for unit in units:
            frequency = self._frequency(unit.term, exclude, substitute)
            spelled = None
            if frequency == 0 and self.typos:
                spelled = self._spelled_like(unit.term, exclude, substitute)
                if spelled is not None:
                    frequency = self._frequency(spelled, exclude, substitute)
            if frequency == 0 and unit.parts:
                part_frequencies = [self._frequency(p, exclude, substitute) for p in unit.parts]
                frequency = min(part_frequencies)
            found = in_terms(unit, everything, spelled)
            if asked_terms is not None and unit.term not in asked_terms and not found:
                continue  # a detail of the situation that the note does not mention
            n += 1
            if frequency == 0:
                unknown += 1
            weight = self._idf(frequency)
            total_idf += weight
            if found:
                covered += 1
                covered_idf += weight
            if in_terms(unit, asked, spelled):
                in_asked += 1
        n = n or 1
        return {
            "term_coverage": covered / n,
            "idf_coverage": covered_idf / total_idf if total_idf else 0.0,
            "unknown": unknown / n,
            "asked_coverage": in_asked / n,
            "domain": domain,
            "covered_mass": min(1.0, covered_idf / (COVERED_MASS_UNIT * self._idf(0))),
        }
