"""Calibrated confidence: P(the best-ranked note answers the question), by logistic regression.

Trained on a development split made from the notes themselves, never on the evaluation set:
- positives/negatives by leaving one question out: each note question is asked of an index where
  that note keeps its other questions and answer (label: did the right note come first?);
- "unanswerable" questions by leaving one note out: its questions are asked of an index without
  the note, so the right answer is absent (label 0).
Corpus statistics stay those of the full index (one index, no rebuilds), a negligible leak that
makes refitting fast enough to redo whenever a jurist publishes a note.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from kkshared.retrieval.arrays import FloatArray
from kkshared.retrieval.index import Document, Encoder, Ranking, SearchIndex

FEATURES = (
    "word_coverage",
    "char_coverage",
    "margin",
    "dense",
    "dense_margin",
    "ref_match",
    "ref_miss",
)


def _vector(features: dict[str, float], names: Sequence[str] = FEATURES) -> FloatArray:
    return np.array([1.0] + [features.get(name, 0.0) for name in names])


@dataclass
class DevExample:
    question: str
    expected: str | None  # the note that answers it, or None when it is absent from the index
    predicted: str | None
    features: dict[str, float]

    @property
    def correct(self) -> bool:
        return self.expected is not None and self.predicted == self.expected


# Features of one development question: (question, ranking, substitute note, excluded ids).
FeatureFunction = Callable[[str, Ranking, "Document | None", frozenset[str]], dict[str, float]]


def _ranking_features(
    question: str, ranking: Ranking, substitute: Document | None, exclude: frozenset[str]
) -> dict[str, float]:
    return ranking.features


def development_cases(
    notes: Sequence[Document],
    index: SearchIndex,
    per_document: int | None = None,
    features: FeatureFunction = _ranking_features,
) -> list[tuple[str, DevExample]]:
    """(kind, example) of the leave-one-out split, kind "held-out question" or "note absent";
    ``per_document`` caps the questions held out per document, ``features`` adds to the
    ranking's."""
    cases: list[tuple[str, DevExample]] = []
    for note in notes:
        if len(note.questions) >= 2:
            for q_index, question in enumerate(note.questions[:per_document]):
                kept = replace(
                    note, questions=tuple(q for i, q in enumerate(note.questions) if i != q_index)
                )
                ranking = index.rank(question, substitute=kept)
                example = DevExample(
                    question,
                    note.id,
                    ranking.best.note_id if ranking.best else None,
                    features(question, ranking, kept, frozenset()),
                )
                cases.append(("held-out question", example))
        for question in note.questions[:2]:
            exclude = frozenset({note.id})
            ranking = index.rank(question, exclude=exclude)
            best = ranking.best.note_id if ranking.best else None
            cases.append(
                (
                    "note absent",
                    DevExample(question, None, best, features(question, ranking, None, exclude)),
                )
            )
    return cases


def development_examples(
    notes: Sequence[Document],
    encoder: Encoder | None,
    weights: dict[str, float] | None = None,
    per_document: int | None = None,
    language: str = "da",
) -> list[DevExample]:
    """The leave-one-out split of ``notes`` on a new index (``development_cases``) with the word
    analyser of ``language``."""
    index = SearchIndex(notes, encoder, weights, language=language)
    return [e for _, e in development_cases(notes, index, per_document)]


class Calibrator:
    """L2-regularised logistic regression fitted by Newton's method (a handful of features).

    ``features`` names the inputs (default ``FEATURES``, the ranking's own); a caller that adds
    features of its own to ``DevExample.features`` (the legal advisor's coverage) passes their
    names.
    """

    def __init__(
        self, weights: FloatArray | None = None, features: Sequence[str] = FEATURES
    ) -> None:
        self.features = tuple(features)
        self.weights = weights if weights is not None else np.zeros(len(self.features) + 1)

    @classmethod
    def fit(
        cls,
        examples: Sequence[DevExample],
        l2: float = 1.0,
        iterations: int = 50,
        features: Sequence[str] = FEATURES,
    ) -> Calibrator:
        if not examples:
            return cls(features=features)
        x = np.vstack([_vector(e.features, features) for e in examples])
        y = np.array([1.0 if e.correct else 0.0 for e in examples])
        w = np.zeros(x.shape[1])
        penalty = l2 * np.eye(x.shape[1])
        penalty[0, 0] = 0.0  # no penalty on the intercept
        for _ in range(iterations):
            p = 1.0 / (1.0 + np.exp(-(x @ w)))
            gradient = x.T @ (p - y) + penalty @ w
            hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(x.shape[1])
            step = np.linalg.solve(hessian, gradient)
            w -= step
            if np.abs(step).max() < 1e-8:
                break
        return cls(w, features)

    def confidence(self, features: dict[str, float]) -> float:
        return float(1.0 / (1.0 + np.exp(-(_vector(features, self.features) @ self.weights))))
