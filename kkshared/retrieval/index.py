"""Ranking documents (legal notes, FAQ entries) for a question.

Scores per note, each scaled per query so the best note gets 1:
- ``char``: BM25 over character 3-5-grams of folded words (typos, inflections, ae/oe/aa);
- ``word``: BM25 over lemma terms with synonyms, compound parts and reference tokens;
- ``dense``: cosine between the question and the note's title/questions/answer (e5), when enabled;
- ``ref``: the share of the question's legal references the note cites.
The fused score is their weighted sum, and a note that has the question itself among its
questions (the same words, case, punctuation and æ/ae aside) is put first: "hvad er fleksjob",
asked verbatim, is answered by the entry that lists it, not by a neighbour that says "fleksjob"
more often. The leave-one-out split never sees this (the held-out question is not in its note).
Absolute features of the best candidate (how much of the question the note covers, the margin to
the runner-up) feed the calibrated confidence.
"""

from __future__ import annotations

import copy
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from kkshared import lexicon
from kkshared.normalize import fold
from kkshared.retrieval import english
from kkshared.retrieval.analysis_cache import AnalysisCache
from kkshared.retrieval.arrays import FloatArray, IndexArray
from kkshared.retrieval.bm25 import BM25
from kkshared.retrieval.terms import char_ngrams, reference_terms, word_terms

DEFAULT_WEIGHTS = {"char": 0.35, "word": 0.35, "dense": 0.3, "ref": 0.3}


class Encoder(Protocol):
    def query(self, text: str) -> FloatArray: ...
    def passages(self, texts: list[str]) -> FloatArray: ...


@dataclass(frozen=True)
class Document:
    """What retrieval needs of a document:
    a legal note or an FAQ entry (questions = paraphrases)."""

    id: str
    title: str
    questions: tuple[str, ...]
    answer: str
    references: tuple[str, ...] = ()


@dataclass
class Candidate:
    note_id: str
    score: float
    parts: dict[str, float] = field(default_factory=dict)


@dataclass
class Ranking:
    candidates: list[Candidate]
    features: dict[str, float]  # of the best candidate, for the confidence model

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


# The word analysers by language: Danish lemmas (terms.py) or English stems (english.py).
ANALYSERS = ("da", "en")


# Terms and n-grams are interned: the same n-gram of thousands of texts is then one string in
# memory, not one per text (these caches, the documents' counters and the BM25 postings hold
# them). In a Rasa server that was about 45 MB for the source passages alone (issue 16: RSS).
@lru_cache(maxsize=8192)
def _word_terms(text: str, language: str = "da") -> tuple[str, ...]:
    kind = f"words-{language}"
    if _analysis_cache is not None:
        known = _analysis_cache.get(kind, text)
        if known is not None:
            return known
    terms = english.word_terms(text) if language == "en" else word_terms(text)
    result = tuple(sys.intern(term) for term in terms)
    if _analysis_cache is not None:
        _analysis_cache.put(kind, text, result)
    return result


@lru_cache(maxsize=8192)
def _char_grams(text: str) -> tuple[str, ...]:
    if _analysis_cache is not None:
        known = _analysis_cache.get("grams", text)
        if known is not None:
            return known
    result = tuple(sys.intern(gram) for gram in char_ngrams(text))
    if _analysis_cache is not None:
        _analysis_cache.put("grams", text, result)
    return result


# Training keeps each text's analysis on disk (kkshared.retrieval.analysis_cache): a retrain
# analyses only texts it has not seen (issue 16). None: analyse everything (serving processes).
_analysis_cache: AnalysisCache | None = None


def train_with_analysis_cache(directory: Path | None) -> None:
    """Read (and later write) each text's analysis in ``directory`` (None: save what was
    analysed since and stop), and the Danish lexicon's built tables with them. The in-process
    caches are cleared both ways, so nothing analysed under one setting is served under the
    other."""
    global _analysis_cache
    if _analysis_cache is not None:
        _analysis_cache.save()
    _analysis_cache = AnalysisCache(directory) if directory is not None else None
    lexicon.use_cache_dir(directory)
    _word_terms.cache_clear()
    _char_grams.cache_clear()
    _note_counters.cache_clear()


def _note_texts(note: Document) -> list[str]:
    # Title and questions twice: they are written in the askers' words.
    return [note.title, note.title, *note.questions, *note.questions, note.answer]


@lru_cache(maxsize=4096)
def _note_counters(note: Document, language: str = "da") -> tuple[Counter[str], Counter[str]]:
    texts = _note_texts(note)
    words = Counter(t for text in texts for t in _word_terms(text, language))
    grams = Counter(g for text in texts for g in _char_grams(text))
    return words, grams


def _top(values: FloatArray, count: int) -> IndexArray:
    """The positions of the ``count`` largest ``values``, largest first, ties in position order:
    exactly ``np.argsort(-values, kind="stable")[:count]`` without sorting them all."""
    if count <= 0:
        return np.zeros(0, dtype=np.intp)
    if count >= len(values):
        return np.argsort(-values, kind="stable")[:count]
    threshold = values[np.argpartition(-values, count - 1)[:count]].min()
    candidates = np.flatnonzero(values >= threshold)  # every tie at the threshold, in order
    return candidates[np.argsort(-values[candidates], kind="stable")][:count]


def exact_key(text: str) -> str:
    """What two questions must share to be the same question: their folded words."""
    return " ".join(_KEY_WORD.findall(fold(text)))


_KEY_WORD = re.compile(r"\w+")


def _scaled(values: FloatArray) -> FloatArray:
    top = values.max(initial=0.0)
    return values / top if top > 0 else values


class SearchIndex:
    def __init__(
        self,
        notes: Sequence[Document],
        encoder: Encoder | None = None,
        weights: dict[str, float] | None = None,
        vectors: Sequence[FloatArray] | None = None,
        language: str = "da",
    ) -> None:
        """``vectors``: the notes' dense vectors as ``dense_vectors`` returned them before (a saved
        model), so that loading does not encode every note again. ``language``: the word
        analyser (``ANALYSERS``), Danish by default."""
        if language not in ANALYSERS:
            raise ValueError(f"no analyser for language {language!r}")
        self.language = language
        self.notes = list(notes)
        self.encoder = encoder
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        if encoder is None:
            self.weights["dense"] = 0.0
        self._positions = {note.id: i for i, note in enumerate(self.notes)}
        self._word = BM25([_note_counters(n, language)[0] for n in self.notes])
        self._char = BM25([_note_counters(n, language)[1] for n in self.notes])
        self._refs = [self._note_refs(n) for n in self.notes]
        self._exact: dict[str, tuple[int, ...]] = {}
        for i, note in enumerate(self.notes):
            for key in {exact_key(q) for q in note.questions} - {""}:
                self._exact[sys.intern(key)] = (*self._exact.get(key, ()), i)
        if encoder is None:
            self._dense: list[FloatArray] = []
        elif vectors is not None and len(vectors) == len(self.notes):
            self._dense = [np.asarray(v, dtype=float) for v in vectors]
        else:
            # All texts in one call: the encoder batches them, shows progress and caches them.
            texts = [self._note_texts_for_vectors(n) for n in self.notes]
            flat = encoder.passages([t for note_texts in texts for t in note_texts])
            bounds = np.cumsum([0] + [len(note_texts) for note_texts in texts])
            self._dense = [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        self._stacked = self._stack_dense()

    def _stack_dense(self) -> tuple[FloatArray, IndexArray] | None:
        """Every note's vectors as rows of one matrix, with the row where each note starts, and
        the notes' vectors made views of it (one copy in memory). None when a note has no vector,
        which ``np.maximum.reduceat`` cannot express."""
        if not self._dense or not all(len(vectors) for vectors in self._dense):
            return None
        sizes = [len(vectors) for vectors in self._dense]
        matrix = np.vstack(self._dense)
        starts: IndexArray = np.cumsum([0, *sizes[:-1]], dtype=np.intp)
        self._dense = [matrix[a : a + n] for a, n in zip(starts, sizes, strict=True)]
        return matrix, starts

    def without_dense(self) -> SearchIndex:
        """The same index ranking by BM25 alone;
        shares this one's structures (nothing is rebuilt)."""
        view = copy.copy(self)
        view.encoder, view._dense, view._stacked = None, [], None
        view.weights = {**self.weights, "dense": 0.0}
        return view

    @property
    def dense_vectors(self) -> list[FloatArray]:
        """Per note, one unit vector per text (title, questions, answer);
        empty without an encoder."""
        return list(self._dense)

    def terms(self, text: str) -> tuple[str, ...]:
        """``text``'s word terms as this index analyses them (lemmas or stems, compound parts)."""
        return _word_terms(text, self.language)

    def knows_term(self, term: str) -> bool:
        """Whether some document of the index contains the word term."""
        return self._word.contains(term)

    def _exact_positions(self, question: str, substitute: Document | None) -> tuple[int, ...]:
        """The notes that have ``question`` itself among their questions (``substitute`` in
        place of the indexed version of its note)."""
        key = exact_key(question)
        positions = self._exact.get(key, ())
        if substitute is None:
            return positions
        i = self._positions[substitute.id]
        has_it = key in {exact_key(q) for q in substitute.questions}
        return (*(p for p in positions if p != i), *((i,) if has_it else ()))

    @staticmethod
    def _note_refs(note: Document) -> set[str]:
        return reference_terms("; ".join(note.references))

    @staticmethod
    def _note_texts_for_vectors(note: Document) -> list[str]:
        return [note.title, *note.questions, note.answer]

    def _note_vectors(self, note: Document) -> FloatArray:
        if self.encoder is None:
            raise RuntimeError("this index has no dense encoder")
        return self.encoder.passages(self._note_texts_for_vectors(note))

    def best_by_words(self, question: str) -> tuple[Document, float] | None:
        """The note whose words score best for ``question`` (word BM25 alone: no character
        n-grams, no e5) and its word coverage, the ``word_coverage`` feature of ``rank``. Cheap:
        one pass over the question's terms' postings. None when no note shares a word."""
        words = list(_word_terms(question, self.language))
        if not words:
            return None
        scores = self._word.scores(words)
        best = int(np.argmax(scores))
        if scores[best] <= 0.0:
            return None
        return self.notes[best], float(scores[best]) / self._word.max_score(words)

    def rank(
        self,
        question: str,
        limit: int = 5,
        exclude: frozenset[str] = frozenset(),
        substitute: Document | None = None,
    ) -> Ranking:
        """Best notes for ``question``.

        ``exclude`` (note ids) and ``substitute`` (a changed version of an indexed note) serve the
        leave-one-out development split without rebuilding the index; corpus statistics (idf,
        average length) stay those of the full index.
        """
        words = list(_word_terms(question, self.language))
        grams = list(_char_grams(question))
        asked_refs = {t for t in words if t.startswith("ref:")}
        word_raw, char_raw = self._word.scores(words), self._char.scores(grams)
        refs = list(self._refs)
        dense_vectors = list(self._dense)
        if substitute is not None:
            i = self._positions[substitute.id]
            word_counter, char_counter = _note_counters(substitute, self.language)
            word_raw[i] = self._word.score_document(words, word_counter)
            char_raw[i] = self._char.score_document(grams, char_counter)
            refs[i] = self._note_refs(substitute)
            if self.encoder is not None:
                dense_vectors[i] = self._note_vectors(substitute)
        keep = np.array([note.id not in exclude for note in self.notes], dtype=bool)
        if not keep.any():
            return Ranking([], {})
        word_raw, char_raw = word_raw * keep, char_raw * keep
        parts = {"word": _scaled(word_raw), "char": _scaled(char_raw)}
        parts["ref"] = (
            np.array([len(asked_refs & r) / len(asked_refs) if asked_refs else 0.0 for r in refs])
            * keep
        )
        dense_raw = np.zeros(len(self.notes))
        if self.encoder is not None:
            query = self.encoder.query(question)
            stacked = self._stacked if substitute is None else None
            if stacked is not None:
                # One product over every text's vector, then each note's best: the same numbers
                # as the loop below without a Python step per note.
                matrix, starts = stacked
                dense_raw = np.maximum.reduceat(matrix @ query, starts) * keep
            else:
                dense_raw = (
                    np.array([float((vectors @ query).max()) for vectors in dense_vectors]) * keep
                )
            low = dense_raw[keep].min()
            parts["dense"] = _scaled(np.clip(dense_raw - low, 0.0, None) * keep)
        fused: FloatArray = np.zeros(len(self.notes))
        for name, values in parts.items():
            fused = fused + self.weights.get(name, 0.0) * values
        exact = self._exact_positions(question, substitute)
        if exact:
            # More than all parts together can give: an asked question of the note's own.
            fused[list(exact)] += sum(self.weights.values())
        fused = np.where(keep, fused, -np.inf)
        order = _top(fused, min(limit, int(keep.sum())))
        candidates = [
            Candidate(
                self.notes[i].id, float(fused[i]), {name: float(v[i]) for name, v in parts.items()}
            )
            for i in order
        ]
        best, runner_up = order[0], (order[1] if len(order) > 1 else None)
        second = float(fused[runner_up]) if runner_up is not None else 0.0
        dense_second = float(dense_raw[runner_up]) if runner_up is not None else 0.0
        features = {
            "word_coverage": float(word_raw[best]) / self._word.max_score(words) if words else 0.0,
            "char_coverage": float(char_raw[best]) / self._char.max_score(grams) if grams else 0.0,
            "margin": (float(fused[best]) - second) / (float(fused[best]) or 1.0),
            "dense": float(dense_raw[best]),
            "dense_margin": float(dense_raw[best]) - dense_second,
            "ref_match": float(parts["ref"][best]),
            "ref_miss": float(bool(asked_refs) and parts["ref"][best] == 0.0),
        }
        return Ranking(candidates, features)
