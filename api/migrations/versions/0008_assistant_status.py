"""The off switch (issue 17): ``assistant_status``, one row saying whether the assistant is paused.

Revision ID: 0008_assistant_status
Revises: 0007_analytics
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_assistant_status"
down_revision: str | Sequence[str] | None = "0007_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistant_status",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_assistant_status_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_status")),
    )


def downgrade() -> None:
    op.drop_table("assistant_status")
