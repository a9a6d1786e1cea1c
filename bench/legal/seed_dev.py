"""The seed-driven development set through the same code path as ``POST /legal/ask``.

    .venvs/api/bin/python -m bench.legal.seed_dev            # BM25 (the production default)
    .venvs/api/bin/python -m bench.legal.seed_dev --e5       # with the e5 vectors
    .venvs/api/bin/python -m bench.legal.seed_dev -v         # also the misses
    .venvs/api/bin/python -m bench.legal.seed_dev --no-passages   # refusals without source passages

Builds the advisor as the case service does (``live_advisor.build_snapshot`` over the notes
in ``knowledge/legal/notes``), masks the question as the route does, turns the advice into the
route's ``AskOut`` body and scores ``json.dumps(body, ensure_ascii=False)`` with ``matches()`` of
the shared scorer (``../shared/eval/score.py``). Only the development split
(``eval/seed_sets/legal/legal_dev.yml``) is read; the held-out split never is.

Three rates: *right* (every keyword group matched), *don't know* (``refused`` or ``clarify``
without the keywords) and *confident-wrong* (``answered`` without the keywords, or ``refused``
with a source passage without them: strict, a passage shown counts as an answer).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml

from api.legal.live_advisor import build_snapshot
from api.legal.passages import load_source_passages
from api.legal.response import ask_result
from api.schemas.legal import AskOut
from bench.seed_eval.run_eval import load_scorer
from kkshared.knowledge import load_legal_notes
from kkshared.pii import mask_pii

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO / "eval" / "seed_sets" / "legal" / "legal_dev.yml"


def load_matches() -> Callable[..., bool]:
    matches: Callable[..., bool] = load_scorer().matches
    return matches


def ask_body(snapshot, question: str) -> dict:
    """The JSON body ``POST /legal/ask {"question"}`` returns (no escalation)."""
    masked = mask_pii(question)
    result = ask_result(snapshot, snapshot.advise(masked), masked)
    return AskOut.model_validate(result, from_attributes=True).model_dump(mode="json")


def classify(item: dict, body: dict, matches) -> str:
    if matches(item, json.dumps(body, ensure_ascii=False)):
        return "right"
    shown = body["status"] == "answered" or body.get("source_passage") is not None
    return "wrong" if shown else "dont_know"


def load_items(path: Path = DEV_SET) -> list[dict]:
    if "heldout" in path.name:
        raise ValueError("the held-out split is for reports only; this harness reads the dev split")
    return [i for i in yaml.safe_load(path.read_text("utf-8"))["items"] if i["audience"] == "staff"]


def score(snapshot, items: list[dict], matches=None) -> tuple[Counter, list[tuple[str, dict]]]:
    """Outcome counts (right, dont_know, wrong) and the misses as (outcome, item, body)."""
    matches = matches or load_matches()
    outcomes: Counter = Counter()
    misses = []
    for item in items:
        body = ask_body(snapshot, item["text"])
        outcome = classify(item, body, matches)
        outcomes[outcome] += 1
        if outcome != "right":
            misses.append((outcome, item, body))
    return outcomes, misses


def summary(outcomes: Counter) -> str:
    n = sum(outcomes.values())
    return ", ".join(
        f"{label} {outcomes[key]}/{n} = {outcomes[key] / n:.1%}"
        for key, label in (
            ("right", "right"),
            ("dont_know", "don't know"),
            ("wrong", "confident-wrong"),
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEV_SET)
    parser.add_argument("--e5", action="store_true", help="rank with the e5 vectors too")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the misses")
    parser.add_argument(
        "--no-passages", action="store_true", help="refusals without source passages (the tier off)"
    )
    args = parser.parse_args(argv)

    items = load_items(args.file)
    encoder = None
    if args.e5:
        from kkshared.retrieval.dense import default_encoder

        encoder = default_encoder()
    start = time.perf_counter()
    passages = None if args.no_passages else load_source_passages()
    snapshot = build_snapshot(load_legal_notes(), encoder, passages=passages)
    build = time.perf_counter() - start
    outcomes, misses = score(snapshot, items)
    if args.verbose:
        for outcome, item, body in misses:
            alternative = (body["alternative"] or {}).get("note_id", "-")
            passage = "passage" if body.get("source_passage") else "-"
            print(
                f"{outcome.upper():9} {item['id']} {body['status']:8} {body['confidence']:.3f} "
                f"{body['note_id'] or '-'} | alt {alternative} | {passage}"
            )
    encoder_label = "BM25 + e5" if args.e5 else "BM25"
    print(f"{args.file.name} ({encoder_label}, build {build:.1f} s): {summary(outcomes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
