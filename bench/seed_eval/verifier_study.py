"""Would a second check of a tier-1 answer cut confident-wrong answers? (issue 13)

For every citizen item of the *development* seed sets that the classifier answers from the
catalogue with tier-1 confidence, two independent checks are computed and compared between right
and wrong answers (scored with the outside scorer):

- **passage agreement**: among the five source passages retrieved for the question independently
  of the catalogue, is one within ``near`` characters of the chosen entry's own source quote?
- **content coverage**: the IDF-weighted share of the question's lemma terms that occur in the
  chosen entry (title, answer, example questions).

For each threshold it prints what demoting the answers that fail the check (to "don't know")
would do, scored as right − 3 × confident-wrong (the objective of ``tune_tiers``).

    .venvs/bot/bin/python -m bench.seed_eval.verifier_study [--model models/kk.tar.gz]

Held-out sets are never read here. Result on 2026-12-06: neither check separates right from
wrong (docs/answer_tiers.md, "What did not help").
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.seed_eval.run_eval import ROOT, load_scorer
from bench.seed_eval.tune_tiers import DEV_FILES, analyse, faq_replies, load_classifier
from kkshared.knowledge import SourceTexts, load_citizen_entries
from kkshared.normalize import normalize_source_text
from kkshared.retrieval.terms import word_terms

ANSWER_THRESHOLD = 0.6


@dataclass
class Row:
    right: bool
    distance: int | None  # characters from the entry's quote to the nearest retrieved passage
    coverage: float


def _position(texts: SourceTexts, file: str, text: str) -> int | None:
    try:
        found = texts.normalized(file).find(normalize_source_text(text))
    except (FileNotFoundError, OSError):
        return None
    return found if found >= 0 else None


def study(model: Path) -> list[Row]:
    score = load_scorer()
    entries = {e.id: e for e in load_citizen_entries()}
    texts = SourceTexts()
    answers = faq_replies()
    items = []
    for path in DEV_FILES:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        items += [i for i in raw["items"] if i["audience"] == "citizen"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        classifier = load_classifier(model, Path(tmp))
        index = classifier._live.index
        documents = {d.id: d for d in index.notes}
        for item in items:
            case = analyse(classifier, item)
            if case.intent != "faq" or not case.answer_key:
                continue
            if case.confidence < ANSWER_THRESHOLD or not case.fits:
                continue  # not a tier-1 answer
            entry = entries.get(case.answer_key.removeprefix("faq/"))
            quote_at = (
                _position(texts, entry.source.file, entry.source.quote)
                if entry and entry.source.quote
                else None
            )
            distances = []
            for candidate in classifier._passage_index.rank(item["text"], limit=5).candidates:
                passage = classifier._passages[candidate.note_id]
                if entry and passage.file == entry.source.file and quote_at is not None:
                    at = _position(texts, passage.file, passage.text[:200])
                    if at is not None:
                        distances.append(abs(at - quote_at))
            document = documents[case.answer_key]
            asked = set(word_terms(item["text"]))
            present = set(
                word_terms(" ".join([document.title, document.answer, *document.questions]))
            )
            weights = {t: index._word.idf(t) for t in asked}
            total = sum(weights.values()) or 1.0
            coverage = sum(w for t, w in weights.items() if t in present) / total
            right = score.matches(item, answers.get(case.answer_key, ""))
            rows.append(Row(right, min(distances) if distances else None, coverage))
    return rows


def _line(label: str, kept: list[Row], demoted: list[Row]) -> str:
    right = sum(r.right for r in kept)
    wrong = len(kept) - right
    lost = sum(r.right for r in demoted)
    return (
        f"{label:28} keep {len(kept):3} (right {right:3}, wrong {wrong:2}) "
        f"demote {len(demoted):3} (right {lost:3}, wrong {len(demoted) - lost:2}) "
        f"objective {right - 3 * wrong}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "kk.tar.gz")
    rows = study(parser.parse_args().model)
    print(_line("no second check", rows, []))
    for near in (500, 1500, 3000):
        agree = [r for r in rows if r.distance is not None and r.distance <= near]
        print(_line(f"passage within {near} chars", agree, [r for r in rows if r not in agree]))
    for threshold in (0.4, 0.5, 0.6, 0.7):
        covered = [r for r in rows if r.coverage >= threshold]
        print(_line(f"coverage >= {threshold}", covered, [r for r in rows if r not in covered]))


if __name__ == "__main__":
    main()
