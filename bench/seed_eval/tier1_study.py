"""Which second check of a tier-1 answer cuts confident-wrong answers on unseen sets? (issue 13)

Reads the rows of ``tier1_features`` (the Danish citizen *development* sets only) and replays the
tier decision at config.yml's thresholds with one more condition for tier 1: a candidate feature
of the answer (agreement of the two rankers, neighbouring entries of one topic, the entry's
source passage among the retrieved ones, the question's words missing from the entry ...) must
pass a threshold, else the question goes on to tier 2 (a fitting passage) or tier 3. Scored as
``tune_tiers`` scores: right / don't know / confident-wrong, objective right − 3 × wrong.

Cross-validation across the four development files: for each file, the feature's threshold (and
direction) is chosen on the other three and counted on that one; the totals say whether a check
generalises. Then the grid of the adopted check (``answer_min_dense_margin``) per file.

    .venvs/bot/bin/python -m bench.seed_eval.tier1_features --out /tmp/tier1_rows.pkl
    .venvs/bot/bin/python -m bench.seed_eval.tier1_study /tmp/tier1_rows.pkl
"""

from __future__ import annotations

import argparse
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bench.seed_eval.run_eval import load_scorer
from bench.seed_eval.tune_tiers import DEV_FILES, classifier_config

Row = dict[str, Any]
Gate = Callable[[Row], bool]


def _gate(name: str, threshold: float, sign: int) -> Gate:
    """Keep tier 1 when feature ``name`` is at least (sign 1) or at most (sign -1) the threshold."""
    return lambda r: sign * r["f"].get(name, 0.0) >= sign * threshold


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def features(row: Row) -> dict[str, float]:
    """The candidate checks' inputs for one row."""
    f = {"confidence": row["confidence"], **row["features"]}
    candidates, passages = row["candidates"], row["passages"]
    second = candidates[1] if len(candidates) > 1 else None
    f["same_topic_runner_up"] = float(second is not None and second[2] == candidates[0][2])
    f["runner_up_ratio"] = second[1] / candidates[0][1] if second and candidates[0][1] else 0.0
    f["neighbour"] = f["same_topic_runner_up"] * f["runner_up_ratio"]
    f["best_passage_same_file"] = float(bool(passages) and passages[0][0] == row["entry_file"])
    quote = _words(row["entry_quote"] or "")
    f["quote_overlap"] = max(
        [len(_words(p[1]) & quote) / max(1, len(_words(p[1]))) for p in passages[:3]] or [0.0]
    )
    total = sum(w for _, w, _ in row["terms"]) or 1.0
    f["term_coverage"] = sum(w for _, w, present in row["terms"] if present) / total
    f["max_missing_idf"] = max([w for _, w, present in row["terms"] if not present] or [0.0])
    if candidates and len(candidates[0]) > 3:  # e5 part per candidate (newer rows)
        dense = [c[3] for c in candidates]
        f["e5_rank"] = float(sorted(dense, reverse=True).index(dense[0]))
        f["e5_gap"] = max(dense) - dense[0]
    return f


class Replay:
    def __init__(self, rows: list[Row]) -> None:
        config = classifier_config()
        self.t1 = config["answer_threshold"]
        self.cov = config["passage_min_word_coverage"]
        self.dense = config["passage_min_dense"]
        self.score = load_scorer()
        self.items = {
            i["id"]: i
            for path in DEV_FILES
            for i in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
        }
        self.rows = [r for r in rows if r["intent"] == "faq"]
        for row in self.rows:
            row["f"] = features(row)

    def verdict(self, row: Row, gate: Gate) -> str:
        item = self.items[row["id"]]
        sure = row["confidence"] >= self.t1 and row["fits"] and gate(row)
        passage = row["passage_fits"] and row["coverage"] >= self.cov and row["dense"] >= self.dense
        if row["audience"] == "oos":
            return "wrong" if sure or passage else "right"
        if sure:
            return "right" if row["right"] else "wrong"
        if passage:
            reply = f"{row['passage_title']}\n{row['passage_text']}"
            return "right" if self.score.matches(item, reply) else "wrong"
        return "dk"

    def tally(self, rows: list[Row], gate: Gate) -> tuple[int, int, int]:
        verdicts = [self.verdict(r, gate) for r in rows]
        return verdicts.count("right"), verdicts.count("dk"), verdicts.count("wrong")


def _objective(counts: tuple[int, int, int]) -> int:
    return counts[0] - 3 * counts[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=Path, help="the pickle tier1_features wrote")
    replay = Replay(pickle.loads(parser.parse_args().rows.read_bytes()))
    rows = replay.rows
    sets = sorted({r["set"] for r in rows})
    every: Gate = lambda r: True  # noqa: E731
    base = {s: replay.tally([r for r in rows if r["set"] == s], every) for s in sets}
    print(f"{len(rows)} items on the catalogue path; thresholds {replay.t1} / {replay.cov} / ")
    print(f"{replay.dense}; right / don't know / wrong per file today: {base}")
    print("\nleave-one-file-out: threshold chosen on three files, counted on the fourth")
    for name in rows[0]["f"]:
        values = np.array([r["f"].get(name, 0.0) for r in rows])
        thresholds = np.unique(np.quantile(values, np.linspace(0.02, 0.98, 25)))
        total, before = np.zeros(3, int), np.zeros(3, int)
        picked = []
        for test in sets:
            train = [r for r in rows if r["set"] != test]
            best = (_objective(replay.tally(train, every)), None, 1)
            for sign in (1, -1):
                for t in thresholds:
                    value = _objective(replay.tally(train, _gate(name, t, sign)))
                    if value > best[0]:
                        best = (value, t, sign)
            _, t, sign = best
            picked.append("-" if t is None else f"{'>=' if sign > 0 else '<='}{t:.3f}")
            chosen: Gate = every if t is None else _gate(name, t, sign)
            total += replay.tally([r for r in rows if r["set"] == test], chosen)
            before += base[test]
        print(
            f"{name:22} right {total[0]:3} (today {before[0]}), don't know {total[1]:3} "
            f"({before[1]}), wrong {total[2]:3} ({before[2]}); objective change "
            f"{_objective(tuple(total)) - _objective(tuple(before)):+d}; kept when "
            f"{' / '.join(picked)}"
        )
    print("\nanswer_min_dense_margin per file (right / don't know / wrong)")
    for margin in (None, -0.02, -0.015, -0.01, -0.007, -0.005, -0.003, 0.0):
        gate = every if margin is None else (lambda r, m=margin: r["f"]["dense_margin"] >= m)
        counts = [replay.tally([r for r in rows if r["set"] == s], gate) for s in sets]
        total = tuple(int(sum(c[i] for c in counts)) for i in range(3))
        shown = " | ".join(f"{s} {c[0]}/{c[1]}/{c[2]}" for s, c in zip(sets, counts, strict=True))
        print(f"{margin!s:6} {shown} || all {total[0]}/{total[1]}/{total[2]}")


if __name__ == "__main__":
    main()
