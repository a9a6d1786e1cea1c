"""The legal advisor's development split and the inputs of its calibrated confidence.

The split is that of ``kkshared.retrieval.calibration`` (each note question asked with that
question left out: answerable; with the whole note left out: unanswerable), plus the questions
written for it in ``api.legal.dev_questions``, asked of the full index: paraphrases of notes in
caseworkers' styles (answerable) and off-topic or unanswerable questions (unanswerable). Each example carries the ranking's features and the coverage features of
``api.legal.coverage``, computed with the same note left out or changed. Never the evaluation set.

The confidence is a logistic regression on ``LEGAL_FEATURES``: the ranking's own features plus
``idf_coverage``, ``unknown`` and ``covered_mass``. The other coverage features were measured and
did not pay (see ``bench/legal/tune_thresholds.py --compare`` and docs/legal_eval.md).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from api.legal.coverage import Coverage
from api.legal.dev_questions import PARAPHRASES, UNANSWERABLE
from kkshared.retrieval.calibration import FEATURES, Calibrator, DevExample
from kkshared.retrieval.index import Document, Encoder, Ranking, SearchIndex

LEGAL_FEATURES: tuple[str, ...] = FEATURES + ("idf_coverage", "unknown", "covered_mass")
# L2 penalty of the logistic regression: 0.1 had the lowest two-fold log loss on the development
# split (0.01-1.0 tried); the shared default 1.0 shrinks the few [0, 1] features too much.
L2 = 0.1


def best_document(coverage: Coverage, note_id: str, substitute: Document | None = None) -> Document:
    """The indexed document ``note_id`` (its changed version while the split holds a question out)."""
    return substitute if substitute is not None and substitute.id == note_id else coverage.documents[note_id]


def legal_features(
    coverage: Coverage,
    question: str,
    ranking: Ranking,
    exclude: frozenset[str] = frozenset(),
    substitute: Document | None = None,
) -> dict[str, float]:
    """The ranking's features and the coverage of the question by its best note."""
    note = best_document(coverage, ranking.best.note_id, substitute) if ranking.best is not None else None
    return ranking.features | coverage.features(question, note, exclude, substitute)


def development_cases(
    notes: Sequence[Document],
    encoder: Encoder | None = None,
    unanswerable: Sequence[str] = UNANSWERABLE,
    paraphrases: Sequence[tuple[str, str]] = PARAPHRASES,
    index: SearchIndex | None = None,
    coverage: Coverage | None = None,
) -> list[tuple[str, DevExample]]:
    """(kind, example) of the development split; kinds: "held-out question", "note absent",
    "paraphrase", "off-topic". ``index``/``coverage`` reuse the advisor's."""
    index = index if index is not None else SearchIndex(notes, encoder)
    coverage = coverage if coverage is not None else Coverage(notes)
    cases: list[tuple[str, DevExample]] = []
    for note in notes:
        if len(note.questions) >= 2:
            for q_index, question in enumerate(note.questions):
                substitute = replace(note, questions=tuple(q for i, q in enumerate(note.questions) if i != q_index))
                ranking = index.rank(question, substitute=substitute)
                features = legal_features(coverage, question, ranking, substitute=substitute)
                cases.append(("held-out question", DevExample(question, note.id, ranking.best.note_id, features)))
        for question in note.questions[:2]:
            exclude = frozenset({note.id})
            ranking = index.rank(question, exclude=exclude)
            best = ranking.best.note_id if ranking.best else None
            features = legal_features(coverage, question, ranking, exclude)
            cases.append(("note absent", DevExample(question, None, best, features)))
    known = {note.id for note in notes}
    for note_id, question in paraphrases:
        if note_id in known:  # a test or a rebuild may index only some notes
            ranking = index.rank(question)
            best = ranking.best.note_id if ranking.best else None
            cases.append(("paraphrase", DevExample(question, note_id, best, legal_features(coverage, question, ranking))))
    for question in unanswerable:
        ranking = index.rank(question)
        best = ranking.best.note_id if ranking.best else None
        cases.append(("off-topic", DevExample(question, None, best, legal_features(coverage, question, ranking))))
    return cases


def legal_development_examples(
    notes: Sequence[Document],
    encoder: Encoder | None = None,
    unanswerable: Sequence[str] = UNANSWERABLE,
    paraphrases: Sequence[tuple[str, str]] = PARAPHRASES,
    index: SearchIndex | None = None,
    coverage: Coverage | None = None,
) -> list[DevExample]:
    return [e for _, e in development_cases(notes, encoder, unanswerable, paraphrases, index, coverage)]


def fit_calibrator(
    examples: Sequence[DevExample], features: Sequence[str] = LEGAL_FEATURES, l2: float = L2
) -> Calibrator:
    return Calibrator.fit(examples, l2=l2, features=features)
