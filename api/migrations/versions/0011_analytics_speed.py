"""Analytics: drop two indexes no query uses, so that a first aggregation writes less.

``ix_analytics_conversations_channel``: the report filters conversations by day and groups by day
and channel (``ix_analytics_conversations_day``); nothing selects by channel alone.
``ix_analytics_answers_entry_id``: the top answers are counted over a range of days
(``ix_analytics_answers_day``) and grouped by entry; nothing looks an entry's answers up.
Each cost an index entry per row written (docs/analytics_benchmark.md).

Revision ID: 0011_analytics_speed
Revises: 0010_audit_without_citizen
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_analytics_speed"
down_revision: str | Sequence[str] | None = "0010_audit_without_citizen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = (
    ("analytics_conversations", "channel"),
    ("analytics_answers", "entry_id"),
)


def upgrade() -> None:
    for table, column in DROPPED:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)


def downgrade() -> None:
    for table, column in DROPPED:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
