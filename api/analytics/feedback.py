"""Thumbs up/down (``feedback``, sent by the web chat) linked to conversations and answers.

The web chat sends a hash of its sender id as ``conversation_ref``; the job computes the same
reference for every web conversation it aggregates and keeps only its keyed hash
(``analytics_conversations.feedback_key``). A feedback row is linked to the newest conversation
with that reference that began before it, and to the newest catalogue answer of that
conversation given before it (the chat asks for a rating under the answer just given). Feedback
whose conversation is not known (SMS has no thumbs; a conversation already deleted by retention)
counts under channel ``unknown`` without an answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from api.analytics.keys import Hasher
from api.models.analytics import AnalyticsAnswer, AnalyticsConversation, AnalyticsFeedback
from api.models.feedback import Feedback, Rating

UNKNOWN_CHANNEL = "unknown"
# The chat's clock and Rasa's may differ a little: an answer up to this much "after" the
# feedback still counts as the rated one.
CLOCK_SLACK = timedelta(seconds=5)


def link_feedback(
    session: Session, hasher: Hasher, tz: ZoneInfo, since: datetime, before: datetime
) -> int:
    """Add every feedback row created in [since, before) that is not linked yet; returns how many.
    Does not commit."""
    already = exists().where(AnalyticsFeedback.feedback_id == Feedback.id)
    rows = session.execute(
        select(Feedback.id, Feedback.conversation_ref, Feedback.rating, Feedback.created_at)
        .where(Feedback.created_at >= since, Feedback.created_at < before, ~already)
        .order_by(Feedback.created_at)
    ).all()
    for feedback_id, ref, rating, created_at in rows:
        conversation = session.scalars(
            select(AnalyticsConversation)
            .where(
                AnalyticsConversation.feedback_key == hasher.feedback_key(ref),
                AnalyticsConversation.started_at <= created_at + CLOCK_SLACK,
            )
            .order_by(AnalyticsConversation.started_at.desc())
            .limit(1)
        ).first()
        entry_id = None
        if conversation is not None:
            entry_id = session.scalars(
                select(AnalyticsAnswer.entry_id)
                .where(
                    AnalyticsAnswer.conversation_id == conversation.id,
                    AnalyticsAnswer.at <= created_at + CLOCK_SLACK,
                )
                .order_by(AnalyticsAnswer.at.desc(), AnalyticsAnswer.id.desc())
                .limit(1)
            ).first()
            if rating is Rating.UP:
                conversation.feedback_up += 1
            else:
                conversation.feedback_down += 1
        session.add(
            AnalyticsFeedback(
                feedback_id=feedback_id,
                rating=rating.value,
                conversation_id=conversation.id if conversation else None,
                entry_id=entry_id,
                channel=conversation.channel if conversation else UNKNOWN_CHANNEL,
                day=created_at.astimezone(tz).date(),
                at=created_at,
            )
        )
    return len(rows)
