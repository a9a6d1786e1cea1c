"""The legal advisor's development split and the inputs of its calibrated confidence.

The split is that of ``kkshared.retrieval.calibration`` (each note question asked with that question
left out: answerable; with the whole note left out: unanswerable), plus the questions written for it
in ``api.legal.dev_questions``, asked of the full index: paraphrases of notes in caseworkers' styles
(answerable) and off-topic or unanswerable questions (unanswerable). Each example carries the
ranking's features and the coverage features of ``api.legal.coverage``, computed with the same note
left out or changed. Never the evaluation set.

The confidence is a logistic regression on ``LEGAL_FEATURES``: the ranking's own features plus
``idf_coverage``, ``unknown`` and ``covered_mass``. The other coverage features were measured and
did not pay (see ``bench/legal/tune_thresholds.py --compare`` and docs/legal_eval.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from api.legal.coverage import Coverage
from api.legal.dev_questions import PARAPHRASES, UNANSWERABLE
from api.legal.focus import split_question
from kkshared.retrieval.bm25 import BM25
from kkshared.retrieval.calibration import FEATURES, Calibrator, DevExample
from kkshared.retrieval.calibration import development_cases as shared_development_cases
from kkshared.retrieval.index import Document, Encoder, Ranking, SearchIndex
from kkshared.retrieval.terms import char_ngrams, word_terms

LEGAL_FEATURES: tuple[str, ...] = FEATURES + ("idf_coverage", "unknown", "covered_mass")
# L2 penalty of the logistic regression: 0.1 had the lowest two-fold log loss on the development
# split (0.01-1.0 tried); the shared default 1.0 shrinks the few [0, 1] features too much.
L2 = 0.1


def best_document(coverage: Coverage, note_id: str, substitute: Document | None = None) -> Document:
    """The indexed document ``note_id`` (its changed version while a question is held out)."""
    return (
        substitute
        if substitute is not None and substitute.id == note_id
        else coverage.documents[note_id]
    )


@lru_cache(maxsize=4096)
def _note_terms(document: Document) -> tuple[frozenset[str], frozenset[str]]:
    """(word terms, character n-grams) of a document's texts, as the index counts them."""
    texts = (document.title, *document.questions, document.answer)
    words = frozenset(t for text in texts for t in word_terms(text))
    grams = frozenset(g for text in texts for g in char_ngrams(text))
    return words, grams


def _rescaled(
    coverage: float, bm25: BM25, terms: list[str], asked: set[str], note: frozenset[str]
) -> float:
    """``coverage`` (best note's BM25 over the attainable score of ``terms``) with the context
    terms the note lacks left out of the attainable score; the note's score is unchanged (those
    terms add nothing to it)."""
    kept = [t for t in terms if t in asked or t in note]
    full, reduced = bm25.max_score(terms), bm25.max_score(kept)
    return min(1.0, coverage * full / reduced) if kept and reduced > 0 else coverage


def focused_ranking_features(
    index: SearchIndex, question: str, ranking: Ranking, note: Document
) -> dict[str, float]:
    """The ranking's word and character coverage, counting a word of the described situation
    only when the best note has it (``api.legal.focus``); unchanged without a context part."""
    parts = split_question(question)
    features = dict(ranking.features)
    if not parts.has_context:
        return features
    note_words, note_grams = _note_terms(note)
    words, grams = word_terms(question), char_ngrams(question)
    features["word_coverage"] = _rescaled(
        features["word_coverage"], index._word, words, set(word_terms(parts.asked)), note_words
    )
    features["char_coverage"] = _rescaled(
        features["char_coverage"], index._char, grams, set(char_ngrams(parts.asked)), note_grams
    )
    return features


def legal_features(
    coverage: Coverage,
    question: str,
    ranking: Ranking,
    exclude: frozenset[str] = frozenset(),
    substitute: Document | None = None,
    index: SearchIndex | None = None,
) -> dict[str, float]:
    """The ranking's features and the coverage of the question by its best note; with ``index``,
    the situation a caseworker describes before the question counts only where the note covers
    it (``api.legal.focus``)."""
    note = (
        best_document(coverage, ranking.best.note_id, substitute)
        if ranking.best is not None
        else None
    )
    if index is None or note is None:
        return ranking.features | coverage.features(question, note, exclude, substitute)
    asked = split_question(question).asked
    return focused_ranking_features(index, question, ranking, note) | coverage.features(
        question, note, exclude, substitute, question_part=asked
    )


def development_cases(
    notes: Sequence[Document],
    encoder: Encoder | None = None,
    unanswerable: Sequence[str] = UNANSWERABLE,
    paraphrases: Sequence[tuple[str, str]] = PARAPHRASES,
    index: SearchIndex | None = None,
    coverage: Coverage | None = None,
) -> list[tuple[str, DevExample]]:
    """(kind, example) of the development split; kinds: "held-out question", "note absent"
    (kkshared.retrieval.calibration), "paraphrase", "off-topic". ``index``/``coverage`` reuse the
    advisor's."""
    index = index if index is not None else SearchIndex(notes, encoder)
    coverage = coverage if coverage is not None else Coverage(notes)

    def features(
        question: str, ranking: Ranking, substitute: Document | None, exclude: frozenset[str]
    ) -> dict[str, float]:
        return legal_features(coverage, question, ranking, exclude, substitute, index)

    cases = shared_development_cases(notes, index, features=features)
    known = {note.id for note in notes}
    asked: list[tuple[str | None, str, str]] = [
        (note_id, "paraphrase", q) for note_id, q in paraphrases if note_id in known
    ]  # a test may index only some notes
    asked += [(None, "off-topic", q) for q in unanswerable]
    for expected, kind, question in asked:
        ranking = index.rank(question)
        best = ranking.best.note_id if ranking.best else None
        cases.append(
            (
                kind,
                DevExample(
                    question, expected, best, features(question, ranking, None, frozenset())
                ),
            )
        )
    return cases


def fit_calibrator(
    examples: Sequence[DevExample], features: Sequence[str] = LEGAL_FEATURES, l2: float = L2
) -> Calibrator:
    return Calibrator.fit(examples, l2=l2, features=features)
