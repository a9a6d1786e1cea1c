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
        return AskResult(
            "refused",
            None,
            None,
            [],
            confidence,
            texts.REFUSED_WITH_PASSAGE if found else texts.REFUSED,
            source_passage=found.as_json() if found else None,
        )
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
