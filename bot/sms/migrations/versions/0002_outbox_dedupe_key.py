"""Outbox rows the channel starts itself (reminders, closure alerts) carry a unique key, so the
reminder job queues each one once even when it is restarted or runs twice.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sms_outbox", sa.Column("dedupe_key", sa.String(80), nullable=True))
    op.create_index("ux_sms_outbox_dedupe_key", "sms_outbox", ["dedupe_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_sms_outbox_dedupe_key", table_name="sms_outbox")
    with op.batch_alter_table("sms_outbox") as batch:
        batch.drop_column("dedupe_key")
