"""The SMS channel's tables as they were created at start before migrations existed.

A database made by that older code is adopted: ``bot.sms.schema.upgrade`` stamps it at this
revision instead of running it (the tables are already there).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_inbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gateway_id", sa.String(40), nullable=False, unique=True),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("receiver", sa.String(16), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("pii_kinds", sa.String(40), nullable=False),
        sa.Column("senttime", sa.Float, nullable=True),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("processed_at", sa.Float, nullable=True),
    )
    for column in ("phone_hash", "received_at", "status"):
        op.create_index(f"ix_sms_inbox_{column}", "sms_inbox", [column])
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("inbox_id", sa.Integer, nullable=True, unique=True),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(16), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("encoding", sa.String(8), nullable=False),
        sa.Column("segments", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("gateway_message_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("sent_at", sa.Float, nullable=True),
    )
    for column in ("phone_hash", "status"):
        op.create_index(f"ix_sms_outbox_{column}", "sms_outbox", [column])
    op.create_table(
        "sms_recipients",
        sa.Column("phone_hash", sa.String(64), primary_key=True),
        sa.Column("msisdn", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "sms_preferences",
        sa.Column("phone_hash", sa.String(64), primary_key=True),
        sa.Column("opted_out", sa.Boolean, nullable=False),
        sa.Column("citizen_id", sa.String(40), nullable=True),
        sa.Column("synced", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("sms_preferences", "sms_recipients", "sms_outbox", "sms_inbox"):
        op.drop_table(table)
