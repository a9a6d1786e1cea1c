"""Legal guidance: notes (from the knowledge files or published by a jurist) and the questions
caseworkers send to the lawyers' postkasse.

Nothing here is ever deleted (journalisering): a knowledge-file note that disappears from the
folder is marked withdrawn, and a question keeps who asked, who answered and when.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow


class NoteOrigin(StrEnum):
    KNOWLEDGE_FILE = "knowledge-file"
    JURIST = "jurist"


class QuestionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"  # answered to the asker only
    PUBLISHED = "published"  # answered and published as a note


class LegalNoteRecord(Base):
    """One legal note. Fields mirror ``kkshared.knowledge.LegalNote`` (see knowledge/legal/README.md)."""

    __tablename__ = "legal_notes"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    questions: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column(JSON)
    source_file: Mapped[str] = mapped_column(String(200))
    source_section: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[str | None] = mapped_column(Text)
    source_quote: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str] = mapped_column(String(10))  # "2017", "2017-08" or "2026-03-03"
    office: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(64))  # a key of kkshared.knowledge.STATUS_NOTICES
    origin: Mapped[NoteOrigin] = mapped_column(enum_type(NoteOrigin, "legal_note_origin"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The jurist who published it; None for knowledge-file notes.
    published_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    # A knowledge-file note no longer in the folder: kept, but out of the index.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LegalQuestion(Base):
    """A question escalated to the lawyers (juridisk postkasse), with its answer."""

    __tablename__ = "legal_questions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(20), unique=True)  # JUR-2026-000042
    asker_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    asker_role: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)  # stored with PII masked
    context: Mapped[str | None] = mapped_column(Text)  # conversation context, PII masked
    # What the assistant said when the question was sent (answered | clarify | refused | unavailable).
    advice_status: Mapped[str] = mapped_column(String(16))
    advice_note_id: Mapped[str | None] = mapped_column(String(120))
    advice_confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[QuestionStatus] = mapped_column(
        enum_type(QuestionStatus, "legal_question_status"), default=QuestionStatus.OPEN, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(Text)  # PII masked
    answer_references: Mapped[list[str] | None] = mapped_column(JSON)
    note_id: Mapped[str | None] = mapped_column(ForeignKey("legal_notes.id"))
    seen_by_asker_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
