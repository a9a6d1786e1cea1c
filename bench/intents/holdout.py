"""Quick held-out check of the NLU on the bot's own intents (not the project's evaluation set).

Splits the examples of ``nlu_data/*.yml`` (small talk, out of scope, handover; not the FAQ)
80/20 per intent with a fixed seed, trains the NLU pipeline of ``config.yml`` on the 80 % with
the normaliser in the given mode, and reports intent accuracy on the 20 %, on the same 20 % with
æ/ø/å written as ae/oe/aa, and with ae/oe/aa written as æ/ø/å where the lexicon knows the word.

    python -m bench.intents.holdout --mode fold
    python -m bench.intents.holdout --mode restore
    python -m bench.intents.holdout --mode fold --with-faq   # trained like the real model
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

from kkshared.catalogue_yaml import REPO_ROOT
from kkshared.normalize import restore_danish

ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def load_examples(data_dir: Path) -> dict[str, list[str]]:
    examples: dict[str, list[str]] = defaultdict(list)
    for path in sorted(data_dir.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples[block["intent"]].append(line[2:].strip())
    return examples


def split(examples: dict[str, list[str]], seed: int, share: float = 0.2):
    rng = random.Random(seed)
    train, test = {}, []
    for intent, texts in sorted(examples.items()):
        texts = texts[:]
        rng.shuffle(texts)
        n_test = max(1, round(len(texts) * share))
        test += [(t, intent) for t in texts[:n_test]]
        train[intent] = texts[n_test:]
    return train, test


def write_nlu(train: dict[str, list[str]], path: Path) -> None:
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in train.items():
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines += [f"    - {t}" for t in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["fold", "restore"], default="fold")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--errors", action="store_true", help="list misclassified examples")
    parser.add_argument(
        "--with-faq",
        action="store_true",
        help="also train on nlu_data/faq/ (as the real model), test only own intents",
    )
    parser.add_argument(
        "--diet",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a DIETClassifier setting, e.g. number_of_transformer_layers=1",
    )
    args = parser.parse_args()

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    train, test = split(load_examples(REPO_ROOT / "nlu_data"), args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        data_dir = tmpdir / "data"
        data_dir.mkdir()
        write_nlu(train, data_dir / "train.yml")
        if args.with_faq:  # train as the real model does, with all FAQ examples (never tested)
            for path in sorted((REPO_ROOT / "nlu_data" / "faq").glob("*.yml")):
                shutil.copy(path, data_dir / f"faq_{path.name}")
        config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
        for component in config["pipeline"]:
            if component["name"].endswith("DanishNormalizingTokenizer"):
                component["mode"] = args.mode
        # The FallbackClassifier is simulated below for several thresholds from one model.
        config["pipeline"] = [
            c
            for c in config["pipeline"]
            if c["name"] not in ("ResponseSelector", "FallbackClassifier")
        ]
        for setting in args.diet:
            key, value = setting.split("=", 1)
            for component in config["pipeline"]:
                if component["name"] == "DIETClassifier":
                    component[key] = yaml.safe_load(value)
        (tmpdir / "config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        started = time.monotonic()
        model = train_nlu(
            str(tmpdir / "config.yml"), str(data_dir), str(tmpdir), fixed_model_name="nlu"
        )
        train_seconds = time.monotonic() - started
        agent = Agent.load(model)

        async def predictions(pairs):
            out = []
            for text, intent in pairs:
                ranking = (await agent.parse_message(text)).get("intent_ranking", [])
                out.append((text, intent, ranking))
            return out

        def fallback_fires(ranking, threshold, ambiguity):
            if not ranking:
                return True
            first = ranking[0]["confidence"]
            second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
            return first < threshold or first - second < ambiguity

        variants = {
            "as written": test,
            "æøå -> ae/oe/aa": [
                (t.translate(ASCII), i) for t, i in test if t != t.translate(ASCII)
            ],
            "ae/oe/aa -> æøå": [(restore_danish(t), i) for t, i in test if restore_danish(t) != t],
        }
        print(
            f"mode={args.mode} train={sum(map(len, train.values()))} test={len(test)} "
            f"train_seconds={train_seconds:.0f}"
        )
        for name, pairs in variants.items():
            if not pairs:
                continue
            results = asyncio.run(predictions(pairs))
            n = len(results)
            top1 = sum(r[2] and r[2][0]["name"] == r[1] for r in results) / n
            print(f"  {name:18s} n={n} top1={top1:.3f}")
            for threshold, ambiguity in ((0.3, 0.05), (0.4, 0.1), (0.5, 0.1)):
                fired = [fallback_fires(r[2], threshold, ambiguity) for r in results]
                right = (
                    sum(
                        not f and r[2][0]["name"] == r[1]
                        for f, r in zip(fired, results, strict=True)
                    )
                    / n
                )
                wrong = (
                    sum(
                        not f and r[2][0]["name"] != r[1]
                        for f, r in zip(fired, results, strict=True)
                    )
                    / n
                )
                print(
                    f"    fallback {threshold}/{ambiguity}: right={right:.3f} wrong={wrong:.3f} "
                    f"to_fallback={sum(fired) / n:.3f}"
                )
            if args.errors:
                for text, intent, ranking in results:
                    if ranking and ranking[0]["name"] != intent:
                        print(f"    {text!r}: {intent} -> {ranking[0]['name']}")


if __name__ == "__main__":
    main()
