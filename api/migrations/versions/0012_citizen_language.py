"""``citizens.preferred_language``: the language a citizen chose in the assistant ("da"/"en";
NULL: never chose one), so that SMS reminders can be written in it (issue 20).

Revision ID: 0012_citizen_language
Revises: 0011_analytics_speed
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_citizen_language"
down_revision: str | Sequence[str] | None = "0011_analytics_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("citizens") as batch_op:
        batch_op.add_column(sa.Column("preferred_language", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("citizens") as batch_op:
        batch_op.drop_column("preferred_language")
