"""SMS reminders (issue 19): citizens' opt-in, the reminder log, the answers about meetings.

``reminder_opt_ins`` (opt-in per citizen, with date), ``reminder_log`` (one row per reminder,
unique on meeting, kind and day: claimed before it is sent), ``meeting_confirmations`` (the
citizen's latest answer about a meeting). See api/models/reminders.py and docs/reminders.md.

Revision ID: 0009_reminders
Revises: 0008_assistant_status
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_reminders"
down_revision: str | Sequence[str] | None = "0008_assistant_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_opt_ins",
        sa.Column("citizen_id", sa.String(length=40), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["users.id"],
            name=op.f("fk_reminder_opt_ins_changed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_reminder_opt_ins_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("citizen_id", name=op.f("pk_reminder_opt_ins")),
    )
    op.create_table(
        "meeting_confirmations",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "confirmed",
                "cannot_attend",
                "new_time",
                name="meeting_answer",
                native_enum=False,
                create_constraint=True,
                length=21,
            ),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_confirmations_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_confirmations")),
    )
    op.create_table(
        "reminder_log",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("citizen_id", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "day_before",
                "closure",
                name="reminder_kind",
                native_enum=False,
                create_constraint=True,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "claimed",
                "queued",
                "skipped",
                "failed",
                name="reminder_status",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("closure_id", sa.String(length=40), nullable=True),
        sa.Column(
            "reply",
            sa.Enum(
                "confirmed",
                "cannot_attend",
                "new_time",
                name="meeting_answer",
                native_enum=False,
                create_constraint=True,
                length=21,
            ),
            nullable=True,
        ),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_reminder_log_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["closure_id"],
            ["closures.id"],
            name=op.f("fk_reminder_log_closure_id_closures"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_reminder_log_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_log")),
        sa.UniqueConstraint("meeting_id", "kind", "day", name="uq_reminder_log_key"),
    )
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_log_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reminder_log_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_log_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_log_citizen_id"))

    op.drop_table("reminder_log")
    op.drop_table("meeting_confirmations")
    op.drop_table("reminder_opt_ins")
