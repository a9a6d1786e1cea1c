"""Okapi BM25 over token lists we make ourselves (a corpus of hundreds of notes).

Each term's contribution to every document containing it is computed once at build time
(idf * saturated term frequency), so scoring a query is one vector addition per query term.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from numpy.typing import NDArray

from kkshared.retrieval.arrays import FloatArray


class BM25:
    def __init__(
        self, documents: list[list[str] | Counter[str]], k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.k1, self.b = k1, b
        counters = [doc if isinstance(doc, Counter) else Counter(doc) for doc in documents]
        self.size = len(counters)
        self.lengths = np.array([sum(c.values()) for c in counters], dtype=float)
        self.average_length = float(self.lengths.mean()) if self.size else 0.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for index, counter in enumerate(counters):
            for term, count in counter.items():
                postings.setdefault(term, []).append((index, count))
        norm = self.k1 * (1.0 - self.b + self.b * self.lengths / max(self.average_length, 1e-9))
        # term -> (document indices, that term's score in each of them)
        self._weights: dict[str, tuple[NDArray[np.intp], FloatArray]] = {}
        for term, entries in postings.items():
            indices = np.array([i for i, _ in entries], dtype=np.intp)
            counts = np.array([c for _, c in entries], dtype=float)
            weights = (
                self.idf(term, len(entries)) * counts * (self.k1 + 1.0) / (counts + norm[indices])
            )
            self._weights[term] = (indices, weights)

    def idf(self, term: str, frequency: int | None = None) -> float:
        if frequency is None:
            entry = self._weights.get(term)
            frequency = len(entry[0]) if entry else 0
        return math.log(1.0 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def contains(self, term: str) -> bool:
        """Whether some document contains ``term``."""
        return term in self._weights

    def scores(self, query: list[str]) -> FloatArray:
        result = np.zeros(self.size)
        for term, query_count in Counter(query).items():
            entry = self._weights.get(term)
            if entry is not None:
                indices, weights = entry
                result[indices] += (
                    query_count * weights
                )  # a term occurs once per document: no repeats
        return result

    def score_document(self, query: list[str], document: Counter[str]) -> float:
        """Score of one document that is not (or no longer) in the index, with the index's
        statistics."""
        norm = self.k1 * (
            1.0 - self.b + self.b * sum(document.values()) / max(self.average_length, 1e-9)
        )
        return sum(
            query_count
            * self.idf(term)
            * document[term]
            * (self.k1 + 1.0)
            / (document[term] + norm)
            for term, query_count in Counter(query).items()
            if document.get(term)
        )

    def max_score(self, query: list[str]) -> float:
        """Upper bound of a query's score (every term present, saturated):
        a scale for confidence."""
        return (
            sum(self.idf(term) * (self.k1 + 1.0) for term in set(query) if term in self._weights)
            or 1.0
        )
