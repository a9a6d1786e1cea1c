"""The second tier for caseworkers: when no note fits, a passage of the source documents.

The advisor still refuses (the caseworker is offered the lawyers as before), but the answer carries
the best passage of the seed documents (``kkshared.sources``) as written there, with the document's
title and date and the legal references it states, when that passage covers the question well:

- the question prepared as for the notes (``api.legal.preparation``: abbreviations written out,
  typos corrected, here to the passages' words), then ranked by word and character BM25
  (``kkshared.retrieval.index.SearchIndex``; no e5 here);
- covered: ``idf_coverage`` and ``covered_mass`` of the best passage (``api.legal.coverage``, the
  features of the advisor's confidence, with the passages' document frequencies) at least
  ``MIN_IDF_COVERAGE`` and ``MIN_COVERED_MASS``;
- fits: it contains the kind of content the question asks for (``kkshared.answer_fit``), and a
  question that asks for a legal basis or names a reference gets a passage stating a reference
  (one of the named ones, when it names any).

The index is built once (``load_source_passages``, about 7 s for ~2,000 passages, in the advisor's
background build) and shared by every advisor snapshot: the seeds do not change while running.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from api.legal.coverage import Coverage
from api.legal.preparation import prepared
from kkshared.answer_fit import asked_kinds, missing_kinds
from kkshared.knowledge import LegalNote, default_seeds_dir
from kkshared.legal_refs import LegalRef, extract_references
from kkshared.retrieval.index import Document, SearchIndex
from kkshared.sources import Passage, read_passages, source_label, word_runs
from kkshared.vocabulary import Vocabulary

log = logging.getLogger("api.legal")

# Chosen on the development data only (bench/legal/seed_dev.py and the written development
# questions of api/legal/dev_questions.py, docs/legal_eval.md): the lowest idf coverage at which no
# refused dev question got a passage without the right content, and no off-topic question got one;
# the covered mass at which no in-domain unanswerable question got one.
MIN_IDF_COVERAGE = 0.6
MIN_COVERED_MASS = 0.7
# A passage belongs to a note's row when it is at most this many passages from one that shares a
# run of the note's quote (a row of the 2017 tables is the staff's problem text and the office's
# answer, a handful of passages in reading order).
NEAR_PASSAGES = 3
# Only in documents written as tables of the staff's problem and the office's answer (the 2017
# "Håndtering af uhensigtsmæssigheder"), where the best passage may be the problem, not the answer;
# in the prose documents the passage is the document's own statement and is shown as it is.
TABLE_SOURCES = frozenset({"002_5e6f3c0d831500e7.txt"})


def _number(passage: Passage) -> int:
    return int(passage.id.rsplit("#", 1)[1])


@dataclass(frozen=True)
class PassageAnswer:
    passage: Passage
    date: str
    title: str  # source_label: the document as people see it
    references: tuple[str, ...]
    features: dict[str, float] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.passage.text,
            "file": self.passage.file,
            "date": self.date,
            "title": self.title,
            "references": list(self.references),
        }


def reference_text(ref: LegalRef) -> str:
    """A reference found in a passage, written for people: "LAB § 16a, stk. 5"."""
    if ref.kind == "law":
        return str(ref.law)
    if ref.kind == "ruling":
        return f"principafgørelse {ref.number}"
    head = f"kapitel {ref.number}" if ref.kind == "chapter" else f"§ {ref.number}"
    text = f"{ref.law} {head}" if ref.law else head
    if ref.stk:
        text += f", stk. {ref.stk}"
    if ref.nr:
        text += f", nr. {ref.nr}"
    return text


def _states_asked_reference(question: str, found: list[LegalRef]) -> bool:
    asked = extract_references(question)
    if not asked and "legal_basis" not in asked_kinds(question):
        return True
    if not found:
        return False
    return not asked or any(a.is_satisfied_by(f) for a in asked for f in found)


class SourcePassages:
    def __init__(
        self,
        passages: list[Passage],
        min_idf_coverage: float = MIN_IDF_COVERAGE,
        min_covered_mass: float = MIN_COVERED_MASS,
    ) -> None:
        self.passages = {p.id: p for p in passages}
        documents = [Document(p.id, "", (), p.text) for p in passages]
        self.index = SearchIndex(documents)
        self.coverage = Coverage(documents)
        self.vocabulary = Vocabulary(p.text for p in passages)
        self.min_idf_coverage = min_idf_coverage
        self.min_covered_mass = min_covered_mass
        self._by_file: dict[str, list[tuple[int, frozenset[tuple[str, ...]]]]] = {}
        for passage in passages:
            runs = word_runs(passage.text, whole_if_shorter=True)
            self._by_file.setdefault(passage.file, []).append((_number(passage), runs))
        self._anchors: dict[tuple[str, str], tuple[int, ...]] = {}

    def anchors(self, file: str, quote: str) -> tuple[int, ...]:
        """Numbers of the passages of ``file`` that share a run of words with ``quote``."""
        key = (file, quote)
        if key not in self._anchors:
            quoted = word_runs(quote, whole_if_shorter=True)
            self._anchors[key] = tuple(
                number for number, runs in self._by_file.get(file, []) if runs & quoted
            )
        return self._anchors[key]

    def note_near(
        self, passage: Passage, notes: Mapping[str, LegalNote], candidates: Sequence[str]
    ) -> str | None:
        """The first of ``candidates`` (note ids, best first) whose quote lies in the row of
        ``passage``: the same file, at most ``NEAR_PASSAGES`` passages away."""
        if passage.file not in TABLE_SOURCES:
            return None
        number = _number(passage)
        for note_id in candidates:
            note = notes.get(note_id)
            if note is None or note.source.file != passage.file or not note.source.quote:
                continue
            found = self.anchors(note.source.file, note.source.quote)
            if any(abs(anchor - number) <= NEAR_PASSAGES for anchor in found):
                return note_id
        return None

    def features(self, question: str) -> tuple[Passage, dict[str, float]] | None:
        """The best passage and how well it covers ``question`` (no thresholds applied)."""
        ranking = self.index.rank(question, limit=1)
        if ranking.best is None:
            return None
        passage = self.passages[ranking.best.note_id]
        covered = self.coverage.features(question, self.coverage.documents[passage.id])
        return passage, {
            "word_coverage": ranking.features["word_coverage"],
            "idf_coverage": covered["idf_coverage"],
            "covered_mass": covered["covered_mass"],
        }

    def find(self, question: str) -> PassageAnswer | None:
        """The passage that answers ``question``, if one covers it well enough and fits it."""
        question = prepared(question, self.vocabulary)
        best = self.features(question)
        if best is None:
            return None
        passage, features = best
        if (
            features["idf_coverage"] < self.min_idf_coverage
            or features["covered_mass"] < self.min_covered_mass
            or missing_kinds(question, passage.text)
        ):
            return None
        found = extract_references(passage.text)
        if not _states_asked_reference(question, found):
            return None
        references = tuple(dict.fromkeys(reference_text(ref) for ref in found))
        document = passage.document
        return PassageAnswer(
            passage,
            document.date if document else "",
            source_label(passage.file),
            references,
            {k: round(v, 4) for k, v in features.items()},
        )


@lru_cache(maxsize=4)
def load_source_passages(seeds_dir: Path | None = None) -> SourcePassages | None:
    """The passage index over the seed documents; None when no seed document is there."""
    passages = read_passages(seeds_dir or default_seeds_dir())
    if not passages:
        log.warning("no source documents found: legal answers without source passages")
        return None
    return SourcePassages(passages)
