"""Legal notes in the database: loading the reviewed knowledge files, and reading them back.

``load_knowledge_notes`` is idempotent: a note is inserted when new, updated in place when its file
changed, left alone otherwise; a knowledge-file note whose file is gone is marked withdrawn (never
deleted) and leaves the index. Jurists' notes are never touched by the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.models.legal import LegalNoteRecord, NoteOrigin
from kkshared.knowledge import LegalNote, Source, load_legal_notes


@dataclass
class LoadSummary:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0


def record_fields(note: LegalNote) -> dict[str, Any]:
    return {
        "title": note.title,
        "questions": list(note.questions),
        "answer": note.answer,
        "references": list(note.references),
        "source_file": note.source.file,
        "source_section": note.source.section,
        "source_row": note.source.row,
        "source_quote": note.source.quote,
        "date": note.date,
        "office": note.office,
        "status": note.status,
    }


def load_knowledge_notes(session: Session, directory: Path | None = None) -> LoadSummary:
    """Upsert the notes of ``knowledge/legal/notes`` (or ``directory``); the caller commits."""
    notes = load_legal_notes(directory)
    now = now_utc()
    summary = LoadSummary()
    existing = {
        row.id: row
        for row in session.scalars(
            select(LegalNoteRecord).where(LegalNoteRecord.origin == NoteOrigin.KNOWLEDGE_FILE)
        )
    }
    for note in notes:
        fields = record_fields(note)
        row = existing.pop(note.id, None)
        if row is None:
            if session.get(LegalNoteRecord, note.id) is not None:
                raise ValueError(f"note id {note.id} is already used by a jurist's note")
            session.add(
                LegalNoteRecord(
                    id=note.id,
                    origin=NoteOrigin.KNOWLEDGE_FILE,
                    published_at=now,
                    updated_at=now,
                    **fields,
                )
            )
            summary.inserted += 1
            continue
        changed = row.withdrawn_at is not None or any(
            getattr(row, k) != v for k, v in fields.items()
        )
        if changed:
            for key, value in fields.items():
                setattr(row, key, value)
            row.withdrawn_at = None
            row.updated_at = now
            summary.updated += 1
        else:
            summary.unchanged += 1
    for row in existing.values():
        if row.withdrawn_at is None:
            row.withdrawn_at = now
            row.updated_at = now
            summary.withdrawn += 1
    session.flush()
    return summary


def to_legal_note(row: LegalNoteRecord) -> LegalNote:
    """The shared note type (what retrieval, checks and status notices work on)."""
    return LegalNote(
        id=row.id,
        title=row.title,
        questions=tuple(row.questions or ()),
        answer=row.answer,
        references=tuple(row.references or ()),
        source=Source(
            file=row.source_file,
            date=row.date,
            quote=row.source_quote,
            section=row.source_section,
            row=row.source_row,
        ),
        date=row.date,
        office=row.office,
        status=row.status,
        extra={"origin": row.origin.value},
    )


def active_notes(session: Session) -> list[LegalNote]:
    """Every note the advisor may answer from (not withdrawn), in id order."""
    rows = session.scalars(
        select(LegalNoteRecord)
        .where(LegalNoteRecord.withdrawn_at.is_(None))
        .order_by(LegalNoteRecord.id)
    )
    return [to_legal_note(row) for row in rows]
