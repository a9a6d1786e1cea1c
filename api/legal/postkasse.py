"""The lawyers' postkasse: a caseworker's question is filed as a ticket (JUR-2026-000042), a jurist
answers it, and may publish the answer as a new note that the advisor answers from at once.

Free text (question, context, answer, title, paraphrases) is stored after ``mask_pii``. Nothing is
deleted: a ticket keeps who asked, who answered and when (journalisering).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import BackgroundTasks, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.db.base import new_id
from api.legal.jurist_notes import Problem, check_answer_references, jurist_note
from api.legal.live_advisor import LegalGuidance
from api.legal.notes_store import active_notes, record_fields
from api.legal.response import citations
from api.models.legal import LegalNoteRecord, LegalQuestion, NoteOrigin, QuestionStatus
from api.models.users import Role, User
from api.security.principal import Principal
from api.services.references import next_reference
from kkshared.normalize import fold
from kkshared.pii import mask_pii

TICKET_PREFIX = "JUR"
QUESTION_NOT_FOUND = "question not found"
LAWYER_ROLES = frozenset({Role.JURIST, Role.ADMIN})
ASKER_ROLES = frozenset({Role.STAFF, Role.JURIST, Role.ADMIN})
MAX_PARAPHRASE_CHARS = 500


class AnswerRejected(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.english() for p in problems))
        self.problems = list(problems)


class QuestionNotOpen(Exception):
    """The question has already been answered."""


@dataclass(frozen=True)
class JuristAnswer:
    answer: str
    references: Sequence[str]
    publish: bool
    title: str | None = None
    questions: Sequence[str] = ()


def file_question(
    session: Session,
    asker: Principal,
    question: str,
    context: str | None,
    advice_status: str,
    advice_note_id: str | None,
    advice_confidence: float | None,
    tz: ZoneInfo,
) -> LegalQuestion:
    """File an (already masked) question; the caller commits."""
    now = now_utc()
    row = LegalQuestion(
        id=new_id("jq"),
        ticket_id=next_reference(session, TICKET_PREFIX, now.astimezone(tz).year),
        asker_user_id=asker.user_id,
        asker_role=asker.role.value if asker.role else "",
        question=mask_pii(question),
        context=mask_pii(context) if context else None,
        advice_status=advice_status,
        advice_note_id=advice_note_id,
        advice_confidence=advice_confidence,
        status=QuestionStatus.OPEN,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def readable_question_or_404(
    session: Session, principal: Principal, ticket_id: str
) -> LegalQuestion:
    """The asker, jurists and admins see a ticket; others get 404, as for an unknown ticket."""
    row = session.scalars(select(LegalQuestion).where(LegalQuestion.ticket_id == ticket_id)).first()
    if row is None or not (
        principal.role in LAWYER_ROLES or row.asker_user_id == principal.user_id
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, QUESTION_NOT_FOUND)
    return row


def own_question_or_404(session: Session, principal: Principal, ticket_id: str) -> LegalQuestion:
    row = session.scalars(select(LegalQuestion).where(LegalQuestion.ticket_id == ticket_id)).first()
    if row is None or row.asker_user_id != principal.user_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, QUESTION_NOT_FOUND)
    return row


def _paraphrases(asked: str, given: Sequence[str]) -> list[str]:
    """The jurist's paraphrases, then the asker's own words (when short enough), without repeats."""
    seen: set[str] = set()
    result = []
    candidates = [mask_pii(q) for q in given]
    if len(asked) <= MAX_PARAPHRASE_CHARS:
        candidates.append(asked)
    for text in candidates:
        key = fold(text)
        if key and key not in seen:
            seen.add(key)
            result.append(" ".join(text.split()))
    return result


def answer_question(
    session: Session, row: LegalQuestion, jurist: Principal, data: JuristAnswer, tz: ZoneInfo
) -> LegalNoteRecord | None:
    """Record the answer; with ``publish`` also create the note. Raises AnswerRejected or
    QuestionNotOpen. The caller commits and then rebuilds the advisor."""
    if row.status is not QuestionStatus.OPEN:
        raise QuestionNotOpen(row.ticket_id)
    answer = " ".join(mask_pii(data.answer).split())
    references = [" ".join(mask_pii(r).split()) for r in data.references]
    problems = check_answer_references(answer, references)
    if problems:
        raise AnswerRejected(problems)
    now = now_utc()
    row.answer = answer
    row.answer_references = references
    row.answered_at = now
    row.answered_by = jurist.user_id
    row.status = QuestionStatus.ANSWERED
    record = None
    if data.publish:
        title = " ".join(mask_pii(data.title or "").split())
        note = jurist_note(
            row.ticket_id,
            title,
            _paraphrases(row.question, data.questions),
            answer,
            references,
            now.astimezone(tz).date(),
        )
        record = LegalNoteRecord(
            id=note.id,
            origin=NoteOrigin.JURIST,
            published_at=now,
            published_by=jurist.user_id,
            updated_at=now,
            **record_fields(note),
        )
        session.add(record)
        row.note_id = note.id
        row.status = QuestionStatus.PUBLISHED
    session.flush()
    return record


def question_citations(row: LegalQuestion, tz: ZoneInfo) -> list[dict[str, Any]]:
    if row.answer is None or row.answered_at is None:
        return []
    note = jurist_note(
        row.ticket_id,
        "",
        (),
        row.answer,
        row.answer_references or (),
        row.answered_at.astimezone(tz).date(),
    )
    return citations(note)


def question_view(session: Session, row: LegalQuestion, tz: ZoneInfo) -> dict[str, Any]:
    """The fields of ``QuestionOut``."""
    answered_by = session.get(User, row.answered_by) if row.answered_by else None
    return {
        "ticket_id": row.ticket_id,
        "status": row.status,
        "question": row.question,
        "context": row.context,
        "asker_user_id": row.asker_user_id,
        "asker_role": row.asker_role,
        "asked_at": row.created_at,
        "advice_status": row.advice_status,
        "advice_note_id": row.advice_note_id,
        "answer": row.answer,
        "answer_references": list(row.answer_references or ()),
        "citations": question_citations(row, tz),
        "answered_at": row.answered_at,
        "answered_by": row.answered_by,
        "answered_by_name": answered_by.display_name if answered_by else None,
        "note_id": row.note_id,
        "seen_by_asker_at": row.seen_by_asker_at,
    }


def list_questions(
    session: Session, status_filter: QuestionStatus | None, limit: int
) -> list[LegalQuestion]:
    query = select(LegalQuestion)
    if status_filter is not None:
        query = query.where(LegalQuestion.status == status_filter)
    # Oldest open question first: that is the one waiting longest.
    return list(
        session.scalars(
            query.order_by(LegalQuestion.created_at, LegalQuestion.ticket_id).limit(limit)
        )
    )


def my_questions(session: Session, principal: Principal, unseen_only: bool) -> list[LegalQuestion]:
    query = select(LegalQuestion).where(LegalQuestion.asker_user_id == principal.user_id)
    if unseen_only:
        query = query.where(
            LegalQuestion.status != QuestionStatus.OPEN, LegalQuestion.seen_by_asker_at.is_(None)
        )
    return list(
        session.scalars(
            query.order_by(LegalQuestion.created_at.desc(), LegalQuestion.ticket_id.desc())
        )
    )


def schedule_rebuild(session: Session, guidance: LegalGuidance, background: BackgroundTasks) -> int:
    """After a note was published (and committed): rebuild the advisor once the response is sent.

    The notes are read here, in the request's session, so the build sees the new note; the
    sequence number is taken right after reading so an older build never replaces a newer one.
    """
    notes = active_notes(session)
    seq = guidance.next_seq()
    background.add_task(guidance.rebuild, notes, seq)
    return seq
