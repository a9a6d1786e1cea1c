"""``audit_log.citizen_id`` may be NULL: rows about changes that concern no citizen (closures,
opening hours, the catalogue, the off switch) no longer store an empty string.

Revision ID: 0010_audit_without_citizen
Revises: 0009_reminders
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_audit_without_citizen"
down_revision: str | Sequence[str] | None = "0009_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.alter_column("citizen_id", existing_type=sa.String(length=40), nullable=True)
    op.execute(sa.text("UPDATE audit_log SET citizen_id = NULL WHERE citizen_id = ''"))


def downgrade() -> None:
    op.execute(sa.text("UPDATE audit_log SET citizen_id = '' WHERE citizen_id IS NULL"))
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.alter_column("citizen_id", existing_type=sa.String(length=40), nullable=False)
