"""The unanswered questions grouped by similarity.

Each question becomes its Danish retrieval terms (``kkshared.retrieval.terms.word_terms``: lemmas
with ae/oe/aa restored, domain synonyms unified, compounds split, stop words dropped: the same
terms the bot's BM25 ranking uses). Newest first, a question joins the first group whose first
(newest) question shares at least ``MIN_OVERLAP`` of the smaller term set (overlap coefficient)
and otherwise starts a group. Simple and predictable; good enough to see that twelve people asked
about the same thing in different words. No e5 vectors: the case service does not load the
encoder for this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kkshared.retrieval.terms import word_terms

MIN_OVERLAP = 0.6


@dataclass(frozen=True)
class UnansweredQuestion:
    id: int
    text: str
    outcome: str
    channel: str
    at: datetime


@dataclass
class QuestionGroup:
    terms: frozenset[str]
    questions: list[UnansweredQuestion] = field(default_factory=list)

    @property
    def newest(self) -> UnansweredQuestion:
        return self.questions[0]

    @property
    def count(self) -> int:
        return len(self.questions)

    def outcomes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for question in self.questions:
            counts[question.outcome] = counts.get(question.outcome, 0) + 1
        return counts

    def examples(self, limit: int = 5) -> list[str]:
        seen: list[str] = []
        for question in self.questions:
            if question.text not in seen:
                seen.append(question.text)
            if len(seen) == limit:
                break
        return seen


def _terms(text: str) -> frozenset[str]:
    terms = frozenset(word_terms(text))
    return terms or frozenset(text.lower().split())


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / min(len(a), len(b)) >= MIN_OVERLAP


def group_questions(questions: list[UnansweredQuestion]) -> list[QuestionGroup]:
    """Groups, newest first; ``questions`` in any order."""
    groups: list[QuestionGroup] = []
    for question in sorted(questions, key=lambda q: (q.at, q.id), reverse=True):
        terms = _terms(question.text)
        for group in groups:
            if similar(terms, group.terms):
                group.questions.append(question)
                break
        else:
            groups.append(QuestionGroup(terms, [question]))
    return groups
