"""Map the held-out legal questions (which name a seed row and quote) to note ids.

The evaluation set was written from the seeds, never from the notes, so it names rows, not notes.
A question maps to the note of the same source file whose row title contains the question's row
title, or whose quote sits within ``NEAR`` characters of the question's quote. A question whose row
has no note is "uncovered": the knowledge base cannot answer it, so it should not be answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kkshared.knowledge import LegalNote, SourceTexts
from kkshared.normalize import fold, normalize_source_text

EVAL_FILE = Path(__file__).resolve().parents[2] / "eval" / "legal" / "questions.yml"
NEAR = 150


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    style: str
    expected: str | None  # note id; None for "none" and uncovered questions
    kind: str  # "answerable" | "none" | "uncovered"
    row: str = ""


def _words(text: str) -> set[str]:
    """Words of a row title without its parenthesis, numbering and "Cluster:" prefix."""
    main = re.sub(r"\(.*?\)", " ", text).split(":")[-1]
    return {word for word in re.findall(r"\w+", fold(main)) if not word.isdigit()}


def load_eval(
    notes: list[LegalNote], texts: SourceTexts, path: Path = EVAL_FILE
) -> list[EvalQuestion]:
    positions = {
        note.id: texts.normalized(note.source.file).find(
            normalize_source_text(note.source.quote or "")
        )
        for note in notes
    }
    result = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        expected = raw["expected"]
        if expected == "none":
            result.append(EvalQuestion(raw["id"], raw["question"], raw["style"], None, "none"))
            continue
        where = texts.normalized(expected["file"]).find(normalize_source_text(expected["quote"]))
        row_words = _words(expected["row"])
        same_file = [n for n in notes if n.source.file == expected["file"]]
        by_place = sorted(same_file, key=lambda n: abs(positions[n.id] - where))
        by_row = [n for n in by_place if row_words and row_words <= _words(n.source.row or "")]
        match = by_row[0] if by_row else None
        if match is None and by_place and abs(positions[by_place[0].id] - where) <= NEAR:
            match = by_place[0]
        kind = "answerable" if match else "uncovered"
        result.append(
            EvalQuestion(
                raw["id"],
                raw["question"],
                raw["style"],
                match.id if match else None,
                kind,
                expected["row"],
            )
        )
    return result
