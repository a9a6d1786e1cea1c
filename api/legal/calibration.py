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

from api.legal.coverage import Coverage
from api.legal.dev_questions import PARAPHRASES, UNANSWERABLE
from kkshared.retrieval.calibration import FEATURES, Calibrator, DevExample
from kkshared.retrieval.calibration import development_cases as shared_development_cases
from kkshared.retrieval.index import Document, Encoder, Ranking, SearchIndex

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


def legal_features(
    coverage: Coverage,
    question: str,
    ranking: Ranking,
    exclude: frozenset[str] = frozenset(),
    substitute: Document | None = None,
) -> dict[str, float]:
    """The ranking's features and the coverage of the question by its best note."""
    note = (
        best_document(coverage, ranking.best.note_id, substitute)
        if ranking.best is not None
        else None
    )
    return ranking.features | coverage.features(question, note, exclude, substitute)


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
        question: str, ranking: Ranking, substitute: Document | None, exclude: frozenset
    ) -> dict[str, float]:
        return legal_features(coverage, question, ranking, exclude, substitute)

    cases = shared_development_cases(notes, index, features=features)
    known = {note.id for note in notes}
    asked = [
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
