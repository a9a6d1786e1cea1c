"""What ``POST /legal/ask`` gives back: the note's answer with its status notice, and citations.

Citations come only from the note itself, one per reference exactly as the note writes it (a note
without references gets one citation with ``reference: null``), each with the note's source file,
date and quote, so the caseworker always sees where and how old the answer is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.legal import texts
from api.legal.decision import Advice
from api.legal.live_advisor import Snapshot
from api.legal.passages import PassageAnswer
from kkshared.knowledge import LegalNote, status_notice
from kkshared.sources import source_label as source_title


@dataclass
class AskResult:
    status: str
    answer: str | None
    note_id: str | None
    citations: list[dict[str, Any]]
    confidence: float
    notice: str
    alternative: dict[str, Any] | None = None
    ticket_id: str | None = None
    source_passage: dict[str, Any] | None = (
        None  # with a refusal: a source passage that covers the question
    )


def answer_text(note: LegalNote) -> str:
    return " ".join(part for part in (note.answer, status_notice(note)) if part)


def citations(note: LegalNote) -> list[dict[str, Any]]:
    base = {
        "source_file": note.source.file,
        "source_date": note.date,
        "source_title": source_title(note.source.file, note.date),
        "quote": note.source.quote,
    }
    if not note.references:
        return [{"reference": None, **base}]
    return [{"reference": reference, **base} for reference in note.references]


def ask_result(snapshot: Snapshot, advice: Advice, question: str | None = None) -> AskResult:
    """``question`` (masked): when the advice is a refusal, the source passage that covers it
    is added (``api.legal.passages``); the status stays ``refused``, so the lawyers are offered."""
    confidence = round(advice.confidence, 3)
    note = snapshot.notes.get(advice.note_id) if advice.note_id else None
    if advice.status == "refused" or note is None:
        found = snapshot.source_passage(question) if question else None
        row_note = _note_of_row(snapshot, advice, found)
        if row_note is not None:
            return _note_result(
                snapshot, Advice("clarify", row_note.id, advice.confidence), row_note
            )
        return AskResult(
            "refused",
            None,
            None,
            [],
            confidence,
            texts.REFUSED_WITH_PASSAGE if found else texts.REFUSED,
            source_passage=found.as_json() if found else None,
        )
    return _note_result(snapshot, advice, note)


# How far down the advisor's ranking a note may be to answer for the row of the covering passage.
ROW_NOTE_RANK = 3


def _note_of_row(
    snapshot: Snapshot, advice: Advice, found: PassageAnswer | None
) -> LegalNote | None:
    """The note written from the row of the passage that covers a refused question, when the
    advisor also ranks it among its first ``ROW_NOTE_RANK``: two routes (the notes, the source
    passages) agree on the row, so the note answers as ``clarify``. This replaces a passage that
    may be the staff's description of the problem rather than the office's answer to it."""
    if found is None or snapshot.passages is None:
        return None
    note_id = snapshot.passages.note_near(
        found.passage, snapshot.notes, advice.ranked[:ROW_NOTE_RANK]
    )
    return snapshot.notes.get(note_id) if note_id else None


def _note_result(snapshot: Snapshot, advice: Advice, note: LegalNote) -> AskResult:
    confidence = round(advice.confidence, 3)
    alternative = None
    notice = texts.ANSWERED
    if advice.status == "clarify":
        notice = texts.CLARIFY
        other = snapshot.notes.get(advice.alternative_id) if advice.alternative_id else None
        if other is not None:
            alternative = {"note_id": other.id, "title": other.title}
            notice += " " + texts.CLARIFY_ALTERNATIVE.format(title=other.title)
    return AskResult(
        advice.status, answer_text(note), note.id, citations(note), confidence, notice, alternative
    )


def unavailable_result() -> AskResult:
    return AskResult("refused", None, None, [], 0.0, texts.UNAVAILABLE)
