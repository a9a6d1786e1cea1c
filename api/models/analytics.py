"""Conversation analytics (docs/analytics.md): facts the aggregation job (``api.analytics``)
derives from the events Rasa's SQL event broker writes into the events database.

Nothing here names a person: conversation ids are keyed hashes (HMAC with the analytics key), the
only text is the already-masked question of an unanswered turn (masked again when stored), and
the rows are deleted after the same periods as the conversations themselves (docs/privacy.md).

- ``analytics_state``: one row: the id of the last event aggregated and the job's lease.
- ``analytics_conversations``: one row per conversation (a Rasa session) with its counts.
- ``analytics_answers``: one row per catalogue answer given (``utter_faq/<entry id>``).
- ``analytics_questions``: the unanswered turns (fallback, "don't know", low confidence).
- ``analytics_feedback``: one row per thumbs up/down (``feedback``), linked to its conversation
  and the answer it most likely rated when the web chat's conversation reference matches.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime

# Keyed hashes are 32 hex digits (128 bits of HMAC-SHA256).
HASH_LENGTH = 32


class AnalyticsState(Base):
    __tablename__ = "analytics_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # A worker holding the lease aggregates; others skip until it runs out (crash-safe).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnalyticsConversation(Base):
    __tablename__ = "analytics_conversations"

    # HMAC of "<sender id>\n<start timestamp>"; never the sender id itself.
    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    # HMAC of the sender id: the events of a later job run find their open conversation by it.
    sender_key: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    # HMAC of the web chat's feedback reference for this sender (None: SMS, hashed senders).
    feedback_key: Mapped[str | None] = mapped_column(String(HASH_LENGTH), index=True)
    # web_anonymous | web_logged_in | sms | legal (not indexed: the report selects by day)
    channel: Mapped[str] = mapped_column(String(16))
    # The retention kind of the conversation id (anon | kk | sms): which period applies.
    kind: Mapped[str] = mapped_column(String(8))
    day: Mapped[date] = mapped_column(Date, index=True)  # local (Europe/Copenhagen) start date
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    turns: Mapped[int] = mapped_column(Integer, default=0)  # user messages outside forms/legal
    fallbacks: Mapped[int] = mapped_column(Integer, default=0)  # not understood (tier 3, ...)
    dont_know: Mapped[int] = mapped_column(Integer, default=0)  # of which "det ved jeg ikke"
    low_confidence: Mapped[int] = mapped_column(Integer, default=0)  # answered by a source passage
    handovers: Mapped[int] = mapped_column(Integer, default=0)
    forms_sent: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    feedback_up: Mapped[int] = mapped_column(Integer, default=0)
    feedback_down: Mapped[int] = mapped_column(Integer, default=0)
    legal_asked: Mapped[int] = mapped_column(Integer, default=0)
    legal_answered: Mapped[int] = mapped_column(Integer, default=0)
    legal_clarify: Mapped[int] = mapped_column(Integer, default=0)
    legal_refused: Mapped[int] = mapped_column(Integer, default=0)
    legal_escalated: Mapped[int] = mapped_column(Integer, default=0)
    # Carried between job runs: the form or legal mode active at the last event, and the last
    # unanswered question (a later "don't know" in the same turn marks it).
    active_loop: Mapped[str | None] = mapped_column(String(64))
    last_question_id: Mapped[int | None] = mapped_column(BigInteger)


class AnalyticsAnswer(Base):
    __tablename__ = "analytics_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    entry_id: Mapped[str] = mapped_column(String(120))  # counted per range of days: not indexed
    channel: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnalyticsQuestion(Base):
    __tablename__ = "analytics_questions"

    # The events database's id of the user event: unique, and the order of arrival.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    conversation_id: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    # fallback | dont_know | low_confidence
    outcome: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)  # PII-masked
    channel: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnalyticsFeedback(Base):
    __tablename__ = "analytics_feedback"

    feedback_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # feedback.id
    rating: Mapped[str] = mapped_column(String(8))  # up | down
    conversation_id: Mapped[str | None] = mapped_column(String(HASH_LENGTH), index=True)
    entry_id: Mapped[str | None] = mapped_column(String(120), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # "unknown" when no conversation matched
    day: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
