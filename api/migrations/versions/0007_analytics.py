"""Conversation analytics tables (api/models/analytics.py, docs/analytics.md).

Revision ID: 0007_analytics
Revises: 0006_catalogue
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_analytics"
down_revision: str | Sequence[str] | None = "0006_catalogue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A migration is a snapshot of the schema at its revision: it keeps its own copy of the values
# (api/analytics/writer.py COUNTERS, api/models/analytics.py at the time) instead of importing them,
# so that a later change to the models cannot change what this revision creates.
HASH = 32
COUNTERS = (
    "messages",
    "turns",
    "fallbacks",
    "dont_know",
    "low_confidence",
    "handovers",
    "forms_sent",
    "answers",
    "feedback_up",
    "feedback_down",
    "legal_asked",
    "legal_answered",
    "legal_clarify",
    "legal_refused",
    "legal_escalated",
)


def upgrade() -> None:
    op.create_table(
        "analytics_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_state")),
    )
    op.create_table(
        "analytics_conversations",
        sa.Column("id", sa.String(length=HASH), nullable=False),
        sa.Column("sender_key", sa.String(length=HASH), nullable=False),
        sa.Column("feedback_key", sa.String(length=HASH), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS),
        sa.Column("active_loop", sa.String(length=64), nullable=True),
        sa.Column("last_question_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_conversations")),
    )
    for column in ("sender_key", "feedback_key", "channel", "day", "last_event_at"):
        op.create_index(
            op.f(f"ix_analytics_conversations_{column}"), "analytics_conversations", [column]
        )
    op.create_table(
        "analytics_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=HASH), nullable=False),
        sa.Column("entry_id", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_answers")),
    )
    for column in ("conversation_id", "entry_id", "day"):
        op.create_index(op.f(f"ix_analytics_answers_{column}"), "analytics_answers", [column])
    op.create_table(
        "analytics_questions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("conversation_id", sa.String(length=HASH), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_questions")),
    )
    for column in ("conversation_id", "day"):
        op.create_index(op.f(f"ix_analytics_questions_{column}"), "analytics_questions", [column])
    op.create_table(
        "analytics_feedback",
        sa.Column("feedback_id", sa.String(length=40), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("conversation_id", sa.String(length=HASH), nullable=True),
        sa.Column("entry_id", sa.String(length=120), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_analytics_feedback")),
    )
    for column in ("conversation_id", "entry_id", "day"):
        op.create_index(op.f(f"ix_analytics_feedback_{column}"), "analytics_feedback", [column])


def downgrade() -> None:
    op.drop_table("analytics_feedback")
    op.drop_table("analytics_questions")
    op.drop_table("analytics_answers")
    op.drop_table("analytics_conversations")
    op.drop_table("analytics_state")
