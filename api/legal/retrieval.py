"""Ranking legal notes for a caseworker's question.

Scores per note, each scaled per query so the best note gets 1:
- ``char``: BM25 over character 3-5-grams of folded words (typos, inflections, ae/oe/aa);
- ``word``: BM25 over lemma terms with synonyms, compound parts and reference tokens;
- ``dense``: cosine between the question and the note's title/questions/answer (e5), when enabled;
- ``ref``: the share of the question's legal references the note cites.
The fused score is their weighted sum. Absolute features of the best candidate (how much of the
question the note covers, the margin to the runner-up) feed the calibrated confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, Sequence

import numpy as np

from api.legal.bm25 import BM25
from api.legal.text_features import char_ngrams, reference_terms, word_terms

DEFAULT_WEIGHTS = {"char": 0.35, "word": 0.35, "dense": 0.3, "ref": 0.3}


class Encoder(Protocol):
    def query(self, text: str) -> np.ndarray: ...
    def passages(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class NoteDoc:
    """What retrieval needs of a note."""

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


@lru_cache(maxsize=8192)
def _word_terms(text: str) -> tuple[str, ...]:
    return tuple(word_terms(text))


@lru_cache(maxsize=8192)
def _char_grams(text: str) -> tuple[str, ...]:
    return tuple(char_ngrams(text))


def _note_texts(note: NoteDoc) -> list[str]:
    # Title and questions twice: they are written in the askers' words.
    return [note.title, note.title, *note.questions, *note.questions, note.answer]


def _scaled(values: np.ndarray) -> np.ndarray:
    top = values.max(initial=0.0)
    return values / top if top > 0 else values


class LegalIndex:
    def __init__(
        self,
        notes: Sequence[NoteDoc],
        encoder: Encoder | None = None,
        weights: dict[str, float] | None = None,
    ) -> None:
        self.notes = list(notes)
        self.encoder = encoder
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        if encoder is None:
            self.weights["dense"] = 0.0
        self._word = BM25([[t for text in _note_texts(n) for t in _word_terms(text)] for n in self.notes])
        self._char = BM25([[g for text in _note_texts(n) for g in _char_grams(text)] for n in self.notes])
        self._refs = [reference_terms("; ".join(n.references)) for n in self.notes]
        self._dense: list[np.ndarray] = []
        if encoder is not None:
            self._dense = [encoder.passages([n.title, *n.questions, n.answer]) for n in self.notes]

    def rank(self, question: str, limit: int = 5) -> Ranking:
        if not self.notes:
            return Ranking([], {})
        words, grams = list(_word_terms(question)), list(_char_grams(question))
        word_raw, char_raw = self._word.scores(words), self._char.scores(grams)
        parts = {"word": _scaled(word_raw), "char": _scaled(char_raw)}
        asked_refs = {t for t in words if t.startswith("ref:")}
        parts["ref"] = np.array(
            [len(asked_refs & refs) / len(asked_refs) if asked_refs else 0.0 for refs in self._refs]
        )
        dense_raw = np.zeros(len(self.notes))
        if self.encoder is not None:
            query = self.encoder.query(question)
            dense_raw = np.array([float((vectors @ query).max()) for vectors in self._dense])
            low = dense_raw.min()
            parts["dense"] = _scaled(np.clip(dense_raw - low, 0.0, None))
        fused = sum(self.weights.get(name, 0.0) * values for name, values in parts.items())
        order = np.argsort(-fused, kind="stable")[:limit]
        candidates = [
            Candidate(self.notes[i].id, float(fused[i]), {name: float(v[i]) for name, v in parts.items()})
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
