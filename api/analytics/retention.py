"""Retention of the analytics data (docs/privacy.md, docs/analytics.md), run by
``python -m api.retention``:

- analytics conversations, with their answers and unanswered questions, are deleted when their
  last event is older than the conversation's period (``KK_RETENTION_ANON_DAYS`` 30,
  ``KK_RETENTION_KK_DAYS`` 90, ``KK_RETENTION_SMS_DAYS`` 30: the tracker store's periods, the same
  variables ``python -m bot.retention`` reads);
- analytics feedback rows after ``KK_RETENTION_FEEDBACK_DAYS`` (180), like ``feedback`` itself;
- in the events database, every conversation whose newest event is older than its period
  (events Rasa adds while this runs are kept). On SQLite with ``secure_delete`` and a WAL
  checkpoint afterwards, as the tracker store's retention does.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.analytics.events import EventsDatabase
from api.analytics.facts import channel_of
from api.core.config import Settings
from api.models.analytics import (
    AnalyticsAnswer,
    AnalyticsConversation,
    AnalyticsFeedback,
    AnalyticsQuestion,
)

CHUNK = 500


def periods(settings: Settings) -> dict[str, timedelta]:
    return {
        "anon": timedelta(days=settings.retention_anon_days),
        "kk": timedelta(days=settings.retention_kk_days),
        "sms": timedelta(days=settings.retention_sms_days),
    }


def purge_analytics(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Delete expired analytics rows; counts per table. Does not commit."""
    counts = {"analytics_conversations": 0, "analytics_answers": 0, "analytics_questions": 0}
    for kind, period in periods(settings).items():
        expired = list(
            session.scalars(
                select(AnalyticsConversation.id).where(
                    AnalyticsConversation.kind == kind,
                    AnalyticsConversation.last_event_at < now - period,
                )
            )
        )
        for start in range(0, len(expired), CHUNK):
            chunk = expired[start : start + CHUNK]
            for table, model in (
                ("analytics_answers", AnalyticsAnswer),
                ("analytics_questions", AnalyticsQuestion),
            ):
                result = session.execute(delete(model).where(model.conversation_id.in_(chunk)))
                counts[table] += int(getattr(result, "rowcount", 0) or 0)
            result = session.execute(
                delete(AnalyticsConversation).where(AnalyticsConversation.id.in_(chunk))
            )
            counts["analytics_conversations"] += int(getattr(result, "rowcount", 0) or 0)
    feedback_cutoff = now - timedelta(days=settings.retention_feedback_days)
    result = session.execute(
        delete(AnalyticsFeedback).where(AnalyticsFeedback.at < feedback_cutoff)
    )
    counts["analytics_feedback"] = int(getattr(result, "rowcount", 0) or 0)
    return counts


def purge_events(events_db: EventsDatabase, settings: Settings, now: datetime) -> dict[str, int]:
    """Delete the events of expired conversations from the events database."""
    if not events_db.available():
        return {"event_conversations": 0, "events": 0}
    up_to = events_db.max_id()
    last = list(events_db.last_events())
    limits = periods(settings)
    expired: list[str] = []
    for start in range(0, len(last), CHUNK):
        chunk = last[start : start + CHUNK]
        data = events_db.data_of([event_id for _, event_id in chunk])
        for sender_id, event_id in chunk:
            try:
                timestamp = float(json.loads(data.get(event_id, "{}")).get("timestamp") or 0.0)
            except (ValueError, AttributeError):
                timestamp = 0.0
            _, kind = channel_of(sender_id)
            if timestamp < (now - limits[kind]).timestamp():
                expired.append(sender_id)
    deleted = events_db.delete_conversations(expired, up_to) if expired else 0
    if deleted:
        events_db.scrub()
    return {"event_conversations": len(expired), "events": deleted}
