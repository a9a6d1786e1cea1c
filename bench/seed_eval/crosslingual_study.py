"""Would ranking English questions against the Danish catalogue too help? (issue 20, session 19)

English questions are ranked against the English catalogue only. e5 is multilingual, so the
Danish catalogue's (more numerous) example questions could add evidence. This study ranks each
*development* English item both ways and reports how often the best entry's English answer is
right (the outside scorer's matching) with the English ranking alone, the Danish one alone, and
their fusion: fused scores (English + w x Danish, also with the Danish e5 part only) and
reciprocal-rank fusion.

    .venvs/bot/bin/python -m bench.seed_eval.crosslingual_study [--model models/kk.tar.gz]

Held-out sets are never read. Result (docs/seed_eval.md, "Session 19"): no gain beyond noise.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import yaml

from bench.seed_eval.run_eval import SETS_DIR, load_scorer
from bench.seed_eval.tune_tiers import ROOT, faq_replies, load_classifier, ranked_text
from kkshared.retrieval import dense

LIMIT = 30
WEIGHTS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "kk.tar.gz")
    args = parser.parse_args()
    score = load_scorer()
    replies = faq_replies("en")
    files = sorted(
        p for p in (SETS_DIR / "english").glob("english_dev*.yml") if "heldout" not in p.stem
    )
    dense.train_with_disk_cache(ROOT / "var" / "e5-cache")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        classifier = load_classifier(args.model, Path(tmp))
        danish, english = classifier._live, classifier._live.english
        for path in files:
            for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
                if item["audience"] != "citizen":
                    continue
                by_english = english.index.rank(ranked_text(english, item["text"]), limit=LIMIT)
                by_danish = danish.index.rank(item["text"], limit=LIMIT)
                ids = {c.note_id for c in by_english.candidates + by_danish.candidates}
                rows.append(
                    (
                        [c.note_id for c in by_english.candidates],
                        [c.note_id for c in by_danish.candidates],
                        {c.note_id: c.score for c in by_english.candidates},
                        {c.note_id: c.score for c in by_danish.candidates},
                        {c.note_id: c.parts.get("dense", 0.0) for c in by_danish.candidates},
                        {i: score.matches(item, replies.get(i, "")) for i in ids},
                    )
                )

    def right(best: str | None, hits: dict[str, bool]) -> int:
        return int(best is not None and hits.get(best, False))

    def fused(weight: float, danish_part: int) -> int:
        total = 0
        for _, _, english_scores, *danish_scores, hits in rows:
            other = danish_scores[danish_part]
            scores = {
                i: english_scores.get(i, 0.0) + weight * other.get(i, 0.0)
                for i in set(english_scores) | set(other)
            }
            total += right(max(scores, key=scores.__getitem__, default=None), hits)
        return total

    def reciprocal(weight: float) -> int:
        total = 0
        for english_ids, danish_ids, *_, hits in rows:
            scores: dict[str, float] = {}
            for place, i in enumerate(english_ids):
                scores[i] = scores.get(i, 0.0) + 1 / (60 + place)
            for place, i in enumerate(danish_ids):
                scores[i] = scores.get(i, 0.0) + weight / (60 + place)
            total += right(max(scores, key=scores.__getitem__, default=None), hits)
        return total

    print(f"English development items: {len(rows)}")
    print(f"English ranking alone: {sum(right(r[0][0] if r[0] else None, r[5]) for r in rows)}")
    print(f"Danish ranking alone: {sum(right(r[1][0] if r[1] else None, r[5]) for r in rows)}")
    for weight in WEIGHTS:
        print(
            f"w {weight}: fused {fused(weight, 0)}, Danish e5 part only {fused(weight, 1)}, "
            f"reciprocal-rank fusion {reciprocal(weight)}"
        )


if __name__ == "__main__":
    main()
