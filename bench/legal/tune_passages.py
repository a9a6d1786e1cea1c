"""Thresholds of the source-passage tier (``api.legal.passages``), on development data only.

    .venvs/api/bin/python -m bench.legal.tune_passages

For each pair (``idf_coverage``, ``covered_mass``) it counts, on
- the staff questions of ``eval/seed_sets/legal/legal_dev.yml`` that the advisor refuses: passages
  shown with the keywords (right) and without them (confident-wrong, as ``seed_dev`` counts them);
- the written off-topic and in-domain unanswerable questions (``api.legal.dev_questions``): any
  passage shown (none of them is answered by the sources).
Rule: the lowest thresholds at which the dev confident-wrong rate stays ≤ 3% and no off-topic or
in-domain unanswerable question gets a passage, taking the one with the most right answers.
The held-out split is never read.
"""

from __future__ import annotations

import sys

from api.legal.dev_questions import IN_DOMAIN, OFF_TOPIC
from api.legal.live_advisor import build_snapshot
from api.legal.passages import SourcePassages, load_source_passages
from bench.legal import seed_dev
from kkshared.answer_fit import missing_kinds
from kkshared.knowledge import load_legal_notes
from kkshared.pii import mask_pii

IDF_STEPS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
MASS_STEPS = (0.0, 0.5, 0.6, 0.7, 0.8)


def candidates(passages: SourcePassages, questions: list[str]) -> list[dict | None]:
    """Per question: the best passage's features, or None when it does not fit the question."""
    rows: list[dict | None] = []
    for question in questions:
        best = passages.features(question)
        if best is None or missing_kinds(question, best[0].text):
            rows.append(None)
        else:
            rows.append({"passage": best[0], **best[1]})
    return rows


def shown(row: dict | None, idf: float, mass: float) -> bool:
    return row is not None and row["idf_coverage"] >= idf and row["covered_mass"] >= mass


def main() -> int:
    passages = load_source_passages()
    if passages is None:
        print("no seed documents", file=sys.stderr)
        return 1
    snapshot = build_snapshot(load_legal_notes())
    matches = seed_dev.load_matches()
    items = seed_dev.load_items()
    refused = [
        item for item in items if seed_dev.ask_body(snapshot, item["text"])["status"] == "refused"
    ]
    dev = candidates(passages, [mask_pii(i["text"]) for i in refused])
    labels = [
        row is not None and matches(i, row["passage"].text)
        for i, row in zip(refused, dev, strict=True)
    ]
    off, indomain = candidates(passages, list(OFF_TOPIC)), candidates(passages, list(IN_DOMAIN))
    print(f"{len(items)} dev questions, {len(refused)} refused by the advisor")
    print(
        "| idf_coverage | covered_mass | dev right | dev confident-wrong | off-topic shown | "
        "in-domain unanswerable shown |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for mass in MASS_STEPS:
        for idf in IDF_STEPS:
            right = sum(shown(r, idf, mass) and ok for r, ok in zip(dev, labels, strict=True))
            wrong = sum(shown(r, idf, mass) and not ok for r, ok in zip(dev, labels, strict=True))
            print(
                f"| {idf:.2f} | {mass:.1f} | +{right} | {wrong} ({wrong / len(items):.1%}) | "
                f"{sum(shown(r, idf, mass) for r in off)}/{len(off)} | "
                f"{sum(shown(r, idf, mass) for r in indomain)}/{len(indomain)} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
