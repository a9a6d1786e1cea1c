"""Choose the answer-tier thresholds on the development sets (docs/answer_tiers.md).

Loads the citizen classifier from the trained model (no Rasa server), and for every citizen item
of the *development* seed sets computes once: the catalogue's best answer and its calibrated
confidence, whether it fits the question, and the best source passage with its features. It then
replays the tier decision for a grid of thresholds and scores what each would have said with the
outside scorer's matching (``../shared/eval/score.py``): right / don't know / confident-wrong.
The out-of-scope items of the same sets count too: one the classifier sends to the catalogue
path is right when it ends in tier 3 and confident-wrong when a catalogue entry (tier 1) or a
passage (tier 2) answers it (another intent, e.g. ``oos_general``, is not touched by these
thresholds and is left out).

    .venvs/bot/bin/python -m bench.seed_eval.tune_tiers [--model models/kk.tar.gz]

Held-out sets are never read here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import re
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.seed_eval.run_eval import DONT_KNOW, ROOT, SETS_DIR, WRONG, load_scorer
from bot.nlu.ranker_agreement import rankers_disagree
from kkshared.answer_fit import missing_kinds

# The development parts (``*_dev.yml``, ``*_dev2.yml`` ...) of the Danish citizen sets, whether
# or not run_eval lists them yet; held-out files (``*_heldout*``) are never opened.
DEV_FILES = sorted(
    path
    for path in (SETS_DIR / "citizen").glob("*.yml")
    if re.fullmatch(r"\w+_dev\d*", path.stem) and "heldout" not in path.stem
)
AUDIENCES = ("citizen", "oos")
COMPONENT = "DanishRetrievalClassifier"


def classifier_config() -> dict:
    """The DanishRetrievalClassifier's settings in config.yml."""
    return next(
        step
        for step in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
        if step["name"].endswith(COMPONENT)
    )


def load_classifier(model: Path, workdir: Path):
    """The trained DanishRetrievalClassifier of ``model``, loaded as Rasa loads it."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.nlu.retrieval_classifier import DanishRetrievalClassifier

    with tarfile.open(model) as archive:
        members = [m for m in archive.getmembers() if COMPONENT in m.name]
        archive.extractall(workdir, members=members)
    component = next(p for p in (workdir / "components").iterdir() if COMPONENT in p.name)
    config = classifier_config()
    return DanishRetrievalClassifier.load(
        {k: v for k, v in config.items() if k != "name"},
        LocalModelStorage(workdir / "components"),
        Resource(component.name),
        None,
    )


@dataclass
class Case:
    item: dict
    intent: str
    confidence: float
    answer_key: str | None
    fits: bool
    passage_text: str
    passage_title: str
    coverage: float
    dense: float
    passage_fits: bool
    # e5 similarity of the chosen document minus the runner-up's (0: BM25 alone ranked it)
    dense_margin: float = 0.0
    # The passage a sure answer would show under it at any coverage (the classifier's
    # ``_support_passage``; "" when none qualifies) and its word coverage of the question.
    support_text: str = ""
    support_title: str = ""
    support_coverage: float = 0.0


def analyse(classifier, item: dict) -> Case:
    text = item["text"]
    config = classifier._config
    saved = dict(config)
    config.update(
        answer_threshold=0.0,
        fallback_threshold=0.0,
        answer_min_dense_margin=None,
        answer_support_min_word_coverage=0.0,
    )
    try:
        result = classifier.classify_text(text)
        features = ranking_features(classifier, text)
    finally:
        config.clear()
        config.update(saved)
    ranking = result.get("intent_ranking") or [{}]
    top = ranking[1] if ranking[0].get("name") in {"nlu_fallback", "source_answer"} else ranking[0]
    selector = (result.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    answer = classifier._live.answers.get(key, "") if key else ""
    passage_ranking = classifier._passage_index.rank(text, limit=1)
    best = passage_ranking.best
    passage = classifier._passages[best.note_id] if best else None
    return Case(
        item,
        str(top.get("name")),
        float(top.get("confidence") or 0.0),
        key,
        not missing_kinds(text, answer),
        passage.text if passage else "",
        passage.file if passage else "",
        passage_ranking.features.get("word_coverage", 0.0),
        passage_ranking.features.get("dense", 0.0),
        bool(passage) and not missing_kinds(text, passage.text),
        features.get("dense_margin", 0.0),
        *support_passage(classifier, text, result),
    )


def support_passage(classifier, text: str, result: dict) -> tuple[str, str, float]:
    """The passage the classifier put under its tier-1 answer in ``result`` (computed at
    coverage 0), its document title and its word coverage of ``text``."""
    support = (result.get("kk_answer") or {}).get("support")
    found = classifier._passage_index.best_by_words(text) if support else None
    if not support or found is None:
        return "", "", 0.0
    return support["text"], f"{support['title']}, {support['date']}", found[1]


def ranked_text(live, text: str) -> str:
    """``text`` as the classifier ranks it against ``live`` (a LiveIndex): emoji left out, typos
    corrected to its vocabulary."""
    from bot.nlu.emoji_text import strip_emoji

    text = strip_emoji(text)
    return live.vocabulary.correct(text) if live.vocabulary is not None else text


def ranking_features(classifier, text: str) -> dict[str, float]:
    """The catalogue ranking's features for ``text`` as the classifier ranks it."""
    live = classifier._live
    ranking, _ = classifier._rank(live, ranked_text(live, text))
    return dict(ranking.features)


def replay(
    case: Case,
    answers: dict[str, str],
    t1: float,
    cov: float,
    dense: float,
    score,
    support: float | None = None,
    margin: float | None = None,
):
    """(verdict, tier) of the tier decision with these thresholds; tier 0 = not an answer.
    ``support``: ``answer_support_min_word_coverage`` (a tier-1 answer also shows its support
    passage when that covers this much of the question; None: never).
    ``margin``: ``answer_min_dense_margin`` (None: no ranker-agreement check)."""
    if case.intent != "faq":
        return None, 0
    passage_ok = case.passage_fits and case.coverage >= cov and case.dense >= dense
    sure = case.confidence >= t1 and case.fits
    sure = sure and not rankers_disagree({"dense_margin": case.dense_margin}, margin)
    if case.item["audience"] == "oos":
        if sure:
            return "confident-wrong", 1
        return ("confident-wrong", 2) if passage_ok else ("right", 3)
    if sure:
        reply = answers.get(case.answer_key or "", "")
        if support is not None and case.support_text and case.support_coverage >= support:
            reply += f"\n{case.support_title}\n{case.support_text}"
        return ("right" if score.matches(case.item, reply) else "confident-wrong"), 1
    if passage_ok:
        reply = f"{case.passage_title}\n{case.passage_text}"
        return ("right" if score.matches(case.item, reply) else "confident-wrong"), 2
    return "don't know", 3


def faq_replies(language: str = "da") -> dict[str, str]:
    """Each catalogue answer as the REST channel sends it (text and custom JSON), rendered as
    action_answer_faq renders it in ``language``, from the catalogue in the repository."""
    from actions.faq_render import answer_message
    from kkshared.catalogue_yaml import read_seed

    replies = {}
    for entry in read_seed(with_examples=False).entries:
        message = answer_message(entry, 0, language)
        custom = json.dumps(message["json_message"], ensure_ascii=False)
        replies[f"faq/{entry.id}"] = f"{message['text']}\n{custom}"
    return replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "kk.tar.gz")
    parser.add_argument(
        "--show", action="store_true", help="print the cases at the best grid point"
    )
    parser.add_argument(
        "--cases",
        type=Path,
        help="a pickle of the analysed cases: written after the analysis, read instead of "
        "loading the model when it exists (a replay of other grids in seconds)",
    )
    parser.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="T1,COV,DENSE",
        help="also print right / don't know / confident-wrong per file at these thresholds "
        "(with config.yml's support coverage; repeatable)",
    )
    parser.add_argument(
        "--margin",
        type=lambda x: None if x.lower() == "none" else float(x),
        default=classifier_config().get("answer_min_dense_margin"),
        help="answer_min_dense_margin for every replay ('none': no ranker-agreement check; "
        "default: config.yml's)",
    )
    args = parser.parse_args()
    margin = args.margin
    score = load_scorer()
    items = []
    for path in DEV_FILES:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        items += [i for i in raw["items"] if i["audience"] in AUDIENCES]
    if args.cases and args.cases.exists():
        current, cases = pickle.loads(args.cases.read_bytes())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            classifier = load_classifier(args.model, Path(tmp))
            config = classifier._config
            current = (
                config["answer_threshold"],
                config["passage_min_word_coverage"],
                config["passage_min_dense"],
                config["answer_support_min_word_coverage"],
            )
            cases = [analyse(classifier, item) for item in items]
        if args.cases:
            args.cases.write_bytes(pickle.dumps((current, cases)))
    answers = faq_replies()
    grid = itertools.product(
        sorted({0.1, 0.3, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, current[0]}),
        sorted({0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 1.1, current[1]}),
        sorted({0.8, 0.82, 0.83, 0.84, 0.86, 0.9, current[2]}),
        sorted({0.35, 0.4, 0.45, 0.5, 0.6, current[3]} - {None}, key=float) + [None],
    )
    results = []
    for t1, cov, dense, support in grid:
        verdicts = [replay(c, answers, t1, cov, dense, score, support, margin)[0] for c in cases]
        counted = [v for v in verdicts if v is not None]
        n = len(counted) or 1
        right = counted.count("right") / n
        wrong = counted.count("confident-wrong") / n
        oos_wrong = sum(
            v == "confident-wrong"
            for v, c in zip(verdicts, cases, strict=True)
            if c.item["audience"] == "oos"
        )
        results.append((right - 3 * wrong, right, wrong, t1, cov, dense, support, n, oos_wrong))
    oos = sum(c.item["audience"] == "oos" for c in cases)
    not_faq = sum(c.intent != "faq" for c in cases)
    files = ", ".join(p.name for p in DEV_FILES)
    print(f"{len(cases)} development items ({oos} out of scope) from {files}; {not_faq} not FAQ")
    print("objective = right - 3 x confident-wrong (a wrong answer costs three right ones)")
    print(f"answer_min_dense_margin {margin} in every replay")
    ranked = sorted(results, key=lambda r: r[:3], reverse=True)
    for objective, right, wrong, t1, cov, dense, support, n, oos_wrong in ranked[:15]:
        print(
            f"answer_threshold {t1:.2f} coverage {cov:.2f} dense {dense:.2f} support {support}: "
            f"right {right:.0%} wrong {wrong:.0%} (n={n}, out of scope answered {oos_wrong}, "
            f"objective {objective:.3f})"
        )
    best_per_support = {r[6]: r for r in reversed(ranked)}  # the first (best) row per value
    labelled = [("best with support " + str(r[6]), r) for r in best_per_support.values()]
    labelled += [("current config.yml", r) for r in results if r[3:7] == current]
    for label, (objective, right, wrong, t1, cov, dense, _, n, oos_wrong) in labelled:
        print(
            f"{label} ({t1:.2f} / {cov:.2f} / {dense:.2f}): right {right:.0%} wrong "
            f"{wrong:.0%} (n={n}, out of scope answered {oos_wrong}, objective {objective:.3f})"
        )
    for point in [",".join(map(str, current[:3])), *args.at]:
        t1, cov, dense = (float(x) for x in point.split(","))
        per_file: dict[str, Counter[str]] = {}
        for c in cases:
            verdict = replay(c, answers, t1, cov, dense, score, current[3], margin)[0]
            if verdict is not None and c.item["audience"] == "citizen":
                per_file.setdefault(c.item["id"].split("-")[0], Counter())[verdict] += 1
        shown = " | ".join(
            f"{name} {n['right']} / {n[DONT_KNOW]} / {n[WRONG]}"
            for name, n in sorted(per_file.items())
        )
        print(f"at {t1} / {cov} / {dense}, citizen items right / don't know / wrong: {shown}")
    if args.show:
        _, _, _, t1, cov, dense, support, _, _ = ranked[0]
        for c in cases:
            verdict, tier = replay(c, answers, t1, cov, dense, score, support, margin)
            # Would the catalogue's best guess have been right (the "Mente du" of tier 3)?
            guess = c.item["audience"] == "citizen" and score.matches(
                c.item, answers.get(c.answer_key or "", "")
            )
            print(
                f"{verdict!s:15} tier {tier} conf {c.confidence:.2f} fits {c.fits:d} "
                f"dm {c.dense_margin:+.3f} "
                f"guess {guess:d} cov {c.coverage:.2f} dense {c.dense:.2f} | {c.item['id']} "
                f"{c.item['text'][:70]}"
            )


if __name__ == "__main__":
    main()
