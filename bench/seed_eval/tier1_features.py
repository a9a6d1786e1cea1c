"""Features of every tier-1 candidate answer on the development seed sets (issue 13).

For each citizen and out-of-scope item of the Danish citizen *development* sets (the files
``tune_tiers`` replays; held-out files are never opened) this records, once, what a second check
of the catalogue's best answer could weigh: the catalogue ranking (top entries with their topics
and scores), the best source passages retrieved independently, the chosen entry's own source
(file and quote), the question's lemma terms the entry lacks (IDF-weighted), and whether the best
and the runner-up entry would have been right (the outside scorer's matching). The rows are
pickled for ``tier1_study``, which fits and cross-validates rules on them.

    .venvs/bot/bin/python -m bench.seed_eval.tier1_features --model models/kk.tar.gz \\
        --out /tmp/tier1_rows.pkl
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.seed_eval.run_eval import ROOT, load_scorer
from bench.seed_eval.tune_tiers import (
    AUDIENCES,
    DEV_FILES,
    analyse,
    faq_replies,
    load_classifier,
    ranked_text,
)
from kkshared.normalize import normalize_source_text
from kkshared.retrieval.terms import word_terms


@dataclass
class Row:
    id: str
    set: str
    audience: str
    text: str
    intent: str
    confidence: float
    fits: bool
    key: str | None
    right: bool  # the best entry's reply matches the item (citizen items only)
    features: dict[str, float]  # the catalogue ranking's
    # (faq key, fused score, topic, scaled e5 part, word part), best first
    candidates: list[tuple[str, float, str, float, float]]
    second_right: bool  # the runner-up entry's reply would have matched
    entry_file: str | None
    entry_quote: str | None
    passages: list[tuple[str, str, float]]  # (file, text, score) of the best 5 passages
    passage_features: dict[str, float]
    coverage: float  # Case.coverage/dense/passage_fits: tune_tiers' tier-2 inputs
    dense: float
    passage_fits: bool
    passage_text: str
    passage_title: str
    terms: list[tuple[str, float, bool]] = field(default_factory=list)  # (lemma, idf, in entry)


def rows(model: Path) -> list[Row]:
    score = load_scorer()
    answers = faq_replies()
    items = []
    for path in DEV_FILES:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        items += [(path.stem, i) for i in raw["items"] if i["audience"] in AUDIENCES]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        classifier = load_classifier(model, Path(tmp))
        live = classifier._live
        documents = {d.id: d for d in live.documents}
        for name, item in items:
            case = analyse(classifier, item)
            text = ranked_text(live, item["text"])
            ranking, _ = classifier._rank(live, text)
            faq = [c for c in ranking.candidates if c.note_id.startswith("faq/")]
            candidates = []
            for c in faq:
                entry = live.entries.get(c.note_id.removeprefix("faq/"))
                candidates.append(
                    (
                        c.note_id,
                        c.score,
                        entry.topic if entry else "",
                        c.parts.get("dense", 0.0),
                        c.parts.get("word", 0.0),
                    )
                )
            key = case.answer_key
            entry = live.entries.get(key.removeprefix("faq/")) if key else None
            citizen = item["audience"] == "citizen"
            right = citizen and bool(key) and score.matches(item, answers.get(key or "", ""))
            second = faq[1].note_id if len(faq) > 1 else ""
            second_right = citizen and bool(second) and score.matches(item, answers.get(second, ""))
            passage_ranking = classifier._passage_index.rank(text, limit=5)
            passages = [
                (
                    classifier._passages[c.note_id].file,
                    classifier._passages[c.note_id].text,
                    c.score,
                )
                for c in passage_ranking.candidates
            ]
            terms = []
            if key and key in documents:
                document = documents[key]
                present = set(
                    word_terms(" ".join([document.title, document.answer, *document.questions]))
                )
                for term in dict.fromkeys(word_terms(text)):
                    terms.append((term, live.index._word.idf(term), term in present))
            out.append(
                Row(
                    item["id"],
                    name,
                    item["audience"],
                    item["text"],
                    case.intent,
                    case.confidence,
                    case.fits,
                    key,
                    right,
                    dict(ranking.features),
                    candidates,
                    second_right,
                    entry.source.file if entry else None,
                    normalize_source_text(entry.source.quote)
                    if entry and entry.source.quote
                    else None,
                    passages,
                    dict(passage_ranking.features),
                    case.coverage,
                    case.dense,
                    case.passage_fits,
                    case.passage_text,
                    case.passage_title,
                    terms,
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "kk.tar.gz")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data: list[dict[str, Any]] = [asdict(r) for r in rows(args.model)]
    args.out.write_bytes(pickle.dumps(data))
    print(f"{len(data)} rows written to {args.out}")


if __name__ == "__main__":
    main()
