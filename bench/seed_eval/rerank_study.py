"""Would a learned re-ranker put the right catalogue entry first more often? (issue 13, session 18)

The ranking fuses BM25 over words and character n-grams with e5 by fixed weights
(``kkshared.retrieval.index``). This study learns a linear re-ranker over the ten best candidates
(softmax over the list, L2-regularised), trained on the catalogue's own leave-one-out split (each
entry's example question asked with that question removed from the entry: no evaluation text),
with per-candidate features the fusion does not use separately: e5 similarity to the title, to
the answer, to the best example question and the mean of the best three, the number of
examples, the fused score relative to the best, and the position. It then reports how often the
best candidate's answer is right (the outside scorer's matching) on the *development* seed sets,
before and after re-ranking, for Danish and English.

    .venvs/bot/bin/python -m bench.seed_eval.rerank_study [--model models/kk.tar.gz]

Held-out sets are never read. Result (docs/seed_eval.md, "Session 18"): no gain worth a change.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize

from bench.seed_eval.run_eval import SETS_DIR, load_scorer
from bench.seed_eval.tune_tiers import DEV_FILES, ROOT, faq_replies, load_classifier, ranked_text
from kkshared.retrieval import dense
from kkshared.retrieval.index import Document, SearchIndex

LIST_LENGTH = 10
QUESTIONS_PER_ENTRY = 8
FEATURES = (
    "word",
    "char",
    "dense",
    "ref",
    "fused - best fused",
    "e5 title - best",
    "e5 answer - best",
    "e5 best question - best",
    "e5 mean of best 3 questions - best",
    "log(1 + examples)",
    "1 / position",
)
RELATIVE = (4, 5, 6, 7, 8)  # columns taken relative to the list's best value


@lru_cache(maxsize=2)
def _vectors_by_id(index: SearchIndex) -> dict[str, np.ndarray]:
    """Each indexed note's e5 vectors (title, questions, answer) by its id, built once."""
    return dict(zip((note.id for note in index.notes), index.dense_vectors, strict=True))


def candidate_features(
    index: SearchIndex, question: str, substitute: Document | None = None
) -> tuple[list[str], np.ndarray]:
    """The ids of the best ``LIST_LENGTH`` entries for ``question`` and one row of ``FEATURES``
    per entry."""
    ranking = index.rank(question, limit=LIST_LENGTH, substitute=substitute)
    assert index.encoder is not None
    query = index.encoder.query(question)
    rows = []
    for place, candidate in enumerate(ranking.candidates):
        if substitute is not None and substitute.id == candidate.note_id:
            vectors = index._note_vectors(substitute)  # title, questions, answer, as indexed
        else:
            vectors = _vectors_by_id(index)[candidate.note_id]
        similarity = vectors @ query
        asked = np.sort(similarity[1:-1])[::-1] if len(similarity) > 2 else np.zeros(1)
        parts = candidate.parts
        rows.append(
            [
                parts.get("word", 0.0),
                parts.get("char", 0.0),
                parts.get("dense", 0.0),
                parts.get("ref", 0.0),
                candidate.score,
                similarity[0],
                similarity[-1],
                asked[0],
                asked[:3].mean(),
                np.log1p(len(similarity) - 2),
                1.0 / (place + 1),
            ]
        )
    matrix = np.array(rows).reshape(len(rows), len(FEATURES))
    for column in RELATIVE:
        if len(matrix):
            matrix[:, column] -= matrix[:, column].max()
    return [c.note_id for c in ranking.candidates], matrix


def training_lists(index: SearchIndex, documents: list[Document]) -> list[tuple[np.ndarray, int]]:
    """(features, position of the right entry) for each held-out example question whose entry is
    among the candidates."""
    asked = [
        (question, document, n)
        for document in documents
        if len(document.questions) >= 2
        for n, question in enumerate(document.questions[:QUESTIONS_PER_ENTRY])
    ]
    assert isinstance(index.encoder, dense.E5Encoder)
    index.encoder.prepare_queries([question for question, _, _ in asked])
    lists = []
    for question, document, n in asked:
        kept = replace(
            document, questions=tuple(q for i, q in enumerate(document.questions) if i != n)
        )
        ids, matrix = candidate_features(index, question, kept)
        if document.id in ids:
            lists.append((matrix, ids.index(document.id)))
    return lists


def fit(lists: list[tuple[np.ndarray, int]], l2: float = 1.0) -> np.ndarray:
    """Weights of the linear score that maximise the right entry's softmax probability."""

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = l2 * weights @ weights / 2, l2 * weights
        for matrix, right in lists:
            scores = matrix @ weights
            p = np.exp(scores - scores.max())
            p /= p.sum()
            total -= np.log(p[right] + 1e-12)
            gradient = gradient + matrix.T @ p - matrix[right]
        return total, gradient

    return minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "kk.tar.gz")
    args = parser.parse_args()
    score = load_scorer()
    replies = {"da": faq_replies(), "en": faq_replies("en")}
    files = {
        "da": list(DEV_FILES),
        "en": sorted(
            p for p in (SETS_DIR / "english").glob("english_dev*.yml") if "heldout" not in p.stem
        ),
    }
    dense.train_with_disk_cache(ROOT / "var" / "e5-cache")
    with tempfile.TemporaryDirectory() as tmp:
        classifier = load_classifier(args.model, Path(tmp))
        for language, live in (("da", classifier._live), ("en", classifier._live.english)):
            lists = training_lists(live.index, list(live.documents))
            weights = fit(lists)
            split_before = sum(right == 0 for _, right in lists)
            split_after = sum(int(np.argmax(m @ weights)) == right for m, right in lists)
            before = after = items = 0
            first_right: Counter[str] = Counter()  # where the first right answer is ranked
            for path in files[language]:
                for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
                    if item["audience"] != "citizen":
                        continue
                    ids, matrix = candidate_features(live.index, ranked_text(live, item["text"]))
                    if not ids:
                        continue
                    hits = [score.matches(item, replies[language].get(i, "")) for i in ids]
                    items += 1
                    before += hits[0]
                    after += hits[int(np.argmax(matrix @ weights))]
                    place = next((n for n, hit in enumerate(hits) if hit), None)
                    first_right[
                        "none"
                        if place is None
                        else "1"
                        if place == 0
                        else "2"
                        if place == 1
                        else "3+"
                    ] += 1
            print(
                f"{language}: weights "
                + ", ".join(f"{name} {w:+.2f}" for name, w in zip(FEATURES, weights, strict=True))
            )
            print(
                f"{language}: leave-one-out split, right entry first {split_before} -> "
                f"{split_after} of {len(lists)}; development items whose first answer is right "
                f"{before} -> {after} of {items}"
            )
            print(
                f"{language}: the first right answer among the {LIST_LENGTH} best is ranked "
                + ", ".join(f"{k}: {first_right[k]}" for k in ("1", "2", "3+", "none"))
            )


if __name__ == "__main__":
    main()
