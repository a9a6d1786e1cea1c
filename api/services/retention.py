"""Retention and erasure in the case service (GDPR art. 5(1)(e) and 17; docs/privacy.md).

- ``purge_expired`` deletes what is older than its period (``KK_RETENTION_*_DAYS``): feedback,
  the citizens' form texts (absence reports, reschedule requests, messages to the caseworker,
  with their idempotency keys) and audit-log rows. Run by ``python -m api.retention``.
- ``erase_citizen`` deletes one citizen's form texts and the feedback given in their
  conversations, for ``POST /admin/erasure`` (which writes the audit-log row).

Rows are DELETEd, not hidden: a form row is nothing but the citizen's text and what it was about,
so blanking the text would keep the rest (e.g. "sygdom" on a date) for no purpose. On SQLite the
deleting connection runs with ``PRAGMA secure_delete=ON`` (freed space is overwritten with zeros),
and ``scrub`` checkpoints a write-ahead log afterwards, so a deleted text cannot be read back from
the database files; on PostgreSQL dead rows are reclaimed by (auto)vacuum (docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, delete, text
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.db.base import utcnow
from api.models.absence import AbsenceReport
from api.models.audit import AuditLogEntry
from api.models.feedback import Feedback
from api.models.idempotency import IdempotentRequest
from api.models.messages import Message
from api.models.reschedule import RescheduleRequest
from kkshared.pii import mask_pii

# The citizens' free text sent through the bot's forms, in deletion order.
FORM_TABLES: tuple[tuple[str, Any], ...] = (
    ("absence_reports", AbsenceReport),
    ("reschedule_requests", RescheduleRequest),
    ("messages", Message),
)


def secure_delete(session: Session) -> None:
    """SQLite: overwrite what this session's connection deletes with zeros (per connection)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete=ON"))


def scrub(engine: Engine) -> None:
    """SQLite: move everything out of the write-ahead log (if any) and truncate it, so old page
    versions holding deleted text do not linger in ``-wal``. A no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _delete(session: Session, statement: Any) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount or 0)


def purge_expired(
    session: Session, settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """Delete everything older than its retention period and commit; counts per kind."""
    now = now or utcnow()
    form_cutoff = now - timedelta(days=settings.retention_form_text_days)
    feedback_cutoff = now - timedelta(days=settings.retention_feedback_days)
    audit_cutoff = now - timedelta(days=settings.retention_audit_days)
    secure_delete(session)
    counts: dict[str, int] = {}
    for name, model in FORM_TABLES:
        counts[name] = _delete(session, delete(model).where(model.created_at < form_cutoff))
    counts["idempotency_keys"] = _delete(
        session, delete(IdempotentRequest).where(IdempotentRequest.created_at < form_cutoff)
    )
    counts["feedback"] = _delete(
        session, delete(Feedback).where(Feedback.created_at < feedback_cutoff)
    )
    counts["audit_log"] = _delete(
        session, delete(AuditLogEntry).where(AuditLogEntry.at < audit_cutoff)
    )
    session.commit()
    return counts


def erase_citizen(
    session: Session, citizen_id: str, feedback_refs: Iterable[str] = ()
) -> dict[str, int]:
    """Delete one citizen's form texts, idempotency keys and the feedback whose conversation
    reference is in ``feedback_refs`` (``python -m bot.retention --erase-subject`` prints them:
    feedback is anonymous, only the conversation links it to a person). Does not commit."""
    secure_delete(session)
    counts: dict[str, int] = {}
    for name, model in FORM_TABLES:
        counts[name] = _delete(session, delete(model).where(model.citizen_id == citizen_id))
    counts["idempotency_keys"] = _delete(
        session, delete(IdempotentRequest).where(IdempotentRequest.citizen_id == citizen_id)
    )
    # Stored references went through mask_pii (a hex digest may contain a digit run that looks
    # like a number): match both forms.
    refs = {form for ref in feedback_refs for form in (ref, mask_pii(ref))}
    counts["feedback"] = (
        _delete(session, delete(Feedback).where(Feedback.conversation_ref.in_(sorted(refs))))
        if refs
        else 0
    )
    return counts


def describe(counts: dict[str, int]) -> str:
    """``absence_reports=2 messages=1 ...``: the audit-log detail of an erasure (counts only)."""
    return " ".join(f"{name}={count}" for name, count in counts.items())
