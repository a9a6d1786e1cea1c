"""Which replies the fit check of intents that are not catalogue answers changes (issue 13).

Replays the citizen classifier of a trained model (offline, as Rasa loads it) over the own-case
set and the older citizen sets (eval/citizen/), the citizen and English development sets
(``*_dev*.yml`` of eval/seed_sets/; held-out files are never opened) and, optionally, a file of
your own messages (one per line), once with the check off and once per setting, and prints every
message whose intent changes (bot/nlu/intent_fit.py, docs/answer_tiers.md "Intents that are not
answers"):

    .venvs/bot/bin/python -m bench.seed_eval.intent_fit_study --model models/kk.tar.gz \\
        --unknown 0.5 --unknown 0.3 --margin 0.01 [--extra my_messages.txt]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from bench.seed_eval.run_eval import ROOT, SETS_DIR
from bench.seed_eval.tune_tiers import load_classifier

OLD_SETS = ("own_case.yml", "messages.yml", "fresh_2026_11.yml")


def messages(extra: Path | None) -> list[tuple[str, str]]:
    """(set, text) of every message replayed."""
    out: list[tuple[str, str]] = []
    for name in OLD_SETS:
        for item in yaml.safe_load((ROOT / "eval" / "citizen" / name).read_text("utf-8")):
            out.append((name, item["message"]))
    for path in sorted(SETS_DIR.glob("*/*.yml")):
        if not re.fullmatch(r"\w+_dev\d*", path.stem) or "heldout" in path.stem:
            continue
        for item in yaml.safe_load(path.read_text("utf-8"))["items"]:
            if item["audience"] in ("citizen", "oos"):
                out.append((f"{path.stem}/{item['audience']}", item["text"]))
    if extra is not None:
        out += [("extra", line.strip()) for line in extra.read_text("utf-8").splitlines() if line]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "kk.tar.gz")
    parser.add_argument("--unknown", type=float, action="append", default=[])
    parser.add_argument("--margin", type=float, action="append", default=[])
    parser.add_argument("--extra", type=Path, default=None)
    args = parser.parse_args()
    texts = messages(args.extra)
    with tempfile.TemporaryDirectory() as tmp:
        classifier = load_classifier(args.model, Path(tmp))
        config = classifier._config

        def replay(unknown: float | None, margin: float | None) -> list[tuple[str, str | None]]:
            config.update(intent_max_unknown_share=unknown, intent_min_dense_margin=margin)
            results = []
            for _, text in texts:
                result = classifier.classify_text(text)
                reason = (result.get("kk_answer") or {}).get("reason")
                results.append((result["intent"]["name"], reason))
            return results

        before = replay(None, None)
        for unknown in args.unknown or [None]:
            for margin in args.margin or [None]:
                after = replay(unknown, margin)
                changed = [
                    (name, text, old[0], new)
                    for (name, text), old, new in zip(texts, before, after, strict=True)
                    if old[0] != new[0]
                ]
                counts = Counter(name for name, *_ in changed)
                print(f"unknown share {unknown}, margin {margin}: {len(changed)} changed", end="")
                print(f" of {len(texts)} ({dict(counts)})")
                for name, text, old_intent, (new_intent, reason) in changed:
                    print(f"  {name}: {text[:70]!r} {old_intent} -> {new_intent} ({reason})")


if __name__ == "__main__":
    main()
