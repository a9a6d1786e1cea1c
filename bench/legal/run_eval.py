"""Legal-guidance evaluation: top-1/top-3, refusals of unanswerable questions, citation exactness.

    .venvs/api/bin/python -m bench.legal.run_eval            # writes docs/legal_eval.md

Compares, in one run on the held-out set (eval/legal/questions.yml): the production advisor
(char + word BM25 with Danish normalisation, references, e5 vectors, calibrated confidence),
the same without e5, and a plain word-BM25 baseline without Danish normalisation.
Thresholds come from the development split (leave-one-out on the notes' own questions).
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from api.legal.answering import LegalAdvisor
from kkshared.retrieval.bm25 import BM25
from kkshared.retrieval.dense import default_encoder
from kkshared.retrieval.index import Document
from bench.legal.eval_mapping import EvalQuestion, load_eval
from kkshared.knowledge import SourceTexts, check_legal_note, load_legal_notes

REPORT = Path(__file__).resolve().parents[2] / "docs" / "legal_eval.md"


def note_docs(notes) -> list[Document]:
    return [Document(n.id, n.title, n.questions, n.answer, n.references) for n in notes]


class PlainBM25:
    """Baseline: lowercase word tokens, no Danish normalisation, no references, no confidence."""

    def __init__(self, docs: list[Document]) -> None:
        self.ids = [d.id for d in docs]
        self.bm25 = BM25([self.tokens(" ".join([d.title, *d.questions, d.answer])) for d in docs])

    @staticmethod
    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    def top(self, question: str, k: int = 3) -> list[str]:
        scores = self.bm25.scores(self.tokens(question))
        return [self.ids[i] for i in np.argsort(-scores, kind="stable")[:k]]


def evaluate(advisor: LegalAdvisor | None, baseline: PlainBM25 | None, questions: list[EvalQuestion]):
    rows = []
    for q in questions:
        if advisor is not None:
            advice = advisor.advise(q.question)
            top = list(advice.ranked[:3])
            status, answered_id = advice.status, advice.note_id
        else:
            top = baseline.top(q.question)
            status, answered_id = "answered", top[0]
        rows.append((q, top, status, answered_id))
    return rows


def summarise(rows) -> dict[str, float]:
    answerable = [r for r in rows if r[0].kind == "answerable"]
    unanswerable = [r for r in rows if r[0].kind in ("none", "uncovered")]
    top1 = sum(r[1][:1] == [r[0].expected] for r in answerable)
    top3 = sum(r[0].expected in r[1][:3] for r in answerable)
    answered_right = sum(r[2] != "refused" and r[3] == r[0].expected for r in answerable)
    answered_wrong = sum(r[2] != "refused" and r[3] != r[0].expected for r in answerable)
    refused_none = sum(r[2] == "refused" for r in unanswerable)
    return {
        "answerable": len(answerable),
        "top1": top1 / len(answerable),
        "top3": top3 / len(answerable),
        "answered_right": answered_right / len(answerable),
        "answered_wrong": answered_wrong / len(answerable),
        "refused_answerable": sum(r[2] == "refused" for r in answerable) / len(answerable),
        "unanswerable": len(unanswerable),
        "not_answered_none": refused_none / len(unanswerable) if unanswerable else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--no-e5", action="store_true", help="skip the e5 variant (it takes minutes)")
    args = parser.parse_args()

    texts = SourceTexts()
    notes = load_legal_notes()
    questions = load_eval(notes, texts)
    docs = note_docs(notes)

    citation_problems = {n.id: p for n in notes if (p := check_legal_note(n, texts))}

    results: dict[str, dict] = {}
    per_style: dict[str, Counter] = defaultdict(Counter)
    confusions: list[str] = []
    timings: dict[str, float] = {}
    variants = [("advisor (BM25 only)", None)]
    if not args.no_e5:
        variants.append(("advisor (BM25 + e5)", default_encoder()))
    for name, encoder in variants:
        start = time.perf_counter()
        advisor = LegalAdvisor(docs, encoder)
        build = time.perf_counter() - start
        start = time.perf_counter()
        rows = evaluate(advisor, None, questions)
        timings[name] = (time.perf_counter() - start) / len(questions) * 1000
        results[name] = summarise(rows) | {"build_s": build}
        if name == "advisor (BM25 only)":
            for q, top, status, answered in rows:
                ok = (q.kind == "answerable" and status != "refused" and answered == q.expected) or (
                    q.kind != "answerable" and status == "refused"
                )
                per_style[q.style]["ok" if ok else "wrong"] += 1
                if not ok:
                    confusions.append(
                        f"| {q.id} | {q.kind} | {q.style} | {q.expected or '-'} | {status} | {answered or '-'} |"
                    )
    baseline_rows = evaluate(None, PlainBM25(docs), questions)
    results["plain word BM25 (baseline)"] = summarise(baseline_rows)

    lines = [
        "# Legal-guidance evaluation",
        "",
        "Produced by `.venvs/api/bin/python -m bench.legal.run_eval` on the held-out set",
        f"`eval/legal/questions.yml` ({len(questions)} questions, written from the seeds by a helper that never",
        f"saw the notes) against {len(notes)} notes. Questions whose seed row has no note are *uncovered* and",
        "count with the *none* questions as questions that must not be answered.",
        "",
        "| system | top-1 | top-3 | answered right | answered wrong | refused (answerable) | none/uncovered not answered | ms/question |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        not_answered = f"{r['not_answered_none']:.0%}" if not name.startswith("plain") else "0% (always answers)"
        lines.append(
            f"| {name} | {r['top1']:.1%} | {r['top3']:.1%} | {r['answered_right']:.1%} | {r['answered_wrong']:.1%} | "
            f"{r['refused_answerable']:.1%} | {not_answered} | {timings.get(name, float('nan')):.1f} |"
        )
    counts = Counter(q.kind for q in questions)
    lines += [
        "",
        f"Answerable: {counts['answerable']}, none: {counts['none']}, uncovered rows: {counts['uncovered']}.",
        f"Citation exactness: {len(notes) - len(citation_problems)}/{len(notes)} notes pass the source checks "
        f"({sum(len(p) for p in citation_problems.values())} problems); an answer cites only its note's references.",
        "",
        "## Per style (production advisor, BM25 only: answered right, or refused when it should)",
        "",
        "| style | right | wrong |",
        "| --- | --- | --- |",
        *[f"| {s} | {c['ok']} | {c['wrong']} |" for s, c in sorted(per_style.items())],
        "",
        "## Misses (production advisor, BM25 only)",
        "",
        "| question | kind | style | expected | status | answered note |",
        "| --- | --- | --- | --- | --- | --- |",
        *confusions,
        "",
    ]
    args.report.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[:14]))


if __name__ == "__main__":
    main()
