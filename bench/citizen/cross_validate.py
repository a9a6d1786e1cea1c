"""Rasa's NLU cross-validation of the citizen bot, summarised in docs/nlu_cross_validation.md.

    .venvs/bot/bin/python -m bench.citizen.cross_validate [--folds 5]

Runs ``rasa test nlu --cross-validation`` on nlu_data/ with config.yml (each fold trains the
pipeline on the other folds' examples and tests on the held-out fold), then reports the
intent and FAQ-answer (response selection) scores and the most frequent confusions. This
measures the training data's internal consistency; the held-out evaluation of answers on
unseen messages is bench/citizen/run_eval.py (docs/citizen_eval.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "bench" / "cross_validation"
REPORT = ROOT / "docs" / "nlu_cross_validation.md"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def confusions(report: dict, top: int = 15) -> list[tuple[str, str, int]]:
    counter: Counter = Counter()
    for label, scores in report.items():
        if not isinstance(scores, dict):
            continue
        for other, count in (scores.get("confused_with") or {}).items():
            counter[(label, other)] += count
    return [(a, b, n) for (a, b), n in counter.most_common(top)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    started = time.monotonic()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "test",
            "nlu",
            "--nlu",
            "nlu_data",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(args.folds),
            "--out",
            str(OUT),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    seconds = time.monotonic() - started
    intents = load(OUT / "intent_report.json")
    responses = load(OUT / "response_selection_report.json")
    lines = [
        "# NLU cross-validation (citizen bot)",
        "",
        f"`rasa test nlu --cross-validation --folds {args.folds}` on `nlu_data/` with "
        "`config.yml`, "
        f"run {time.strftime('%Y-%m-%d')} in {seconds / 60:.1f} min on this machine. Reproduce:",
        "",
        "```sh",
        f".venvs/bot/bin/python -m bench.citizen.cross_validate --folds {args.folds}",
        "```",
        "",
        "It tests each training example with a model trained without its fold: a measure of how "
        "separable the training data is, not of accuracy on unseen citizens' messages (that is "
        "docs/citizen_eval.md).",
        "",
        "| what | accuracy | macro F1 | weighted F1 |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, report in (("intents", intents), ("FAQ answers (faq/<id>)", responses)):
        if report:
            lines.append(
                f"| {name} | {report.get('accuracy', float('nan')):.3f} | "
                f"{report.get('macro avg', {}).get('f1-score', float('nan')):.3f} | "
                f"{report.get('weighted avg', {}).get('f1-score', float('nan')):.3f} |"
            )
    lines += [
        "",
        "## Weakest intents (F1)",
        "",
        "| intent | F1 | support |",
        "| --- | ---: | ---: |",
    ]
    scored = [
        (k, v)
        for k, v in intents.items()
        if isinstance(v, dict)
        and "f1-score" in v
        and k not in ("macro avg", "weighted avg", "micro avg")
    ]
    for name, scores in sorted(scored, key=lambda kv: kv[1]["f1-score"])[:12]:
        lines.append(f"| {name} | {scores['f1-score']:.2f} | {scores.get('support', 0)} |")
    lines += [
        "",
        "## Most frequent confusions (intent → predicted)",
        "",
        "| intent | predicted | count |",
        "| --- | --- | ---: |",
    ]
    for a, b, n in confusions(intents):
        lines.append(f"| {a} | {b} | {n} |")
    if responses:
        lines += [
            "",
            "## Most frequent FAQ-answer confusions",
            "",
            "| answer | predicted | count |",
            "| --- | --- | ---: |",
        ]
        for a, b, n in confusions(responses):
            lines.append(f"| {a} | {b} | {n} |")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
