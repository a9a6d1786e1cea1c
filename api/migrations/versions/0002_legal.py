"""Legal guidance: legal notes and the questions sent to the lawyers (juridisk postkasse).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "legal_notes",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("source_file", sa.String(length=200), nullable=False),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.Column("source_row", sa.Text(), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column(
            "origin",
            sa.Enum(
                "knowledge-file",
                "jurist",
                name="legal_note_origin",
                native_enum=False,
                create_constraint=True,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=40), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_legal_notes_published_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_notes")),
    )
    op.create_table(
        "legal_questions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("ticket_id", sa.String(length=20), nullable=False),
        sa.Column("asker_user_id", sa.String(length=40), nullable=False),
        sa.Column("asker_role", sa.String(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("advice_status", sa.String(length=16), nullable=False),
        sa.Column("advice_note_id", sa.String(length=120), nullable=True),
        sa.Column("advice_confidence", sa.Float(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "answered",
                "published",
                name="legal_question_status",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=40), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answer_references", sa.JSON(), nullable=True),
        sa.Column("note_id", sa.String(length=120), nullable=True),
        sa.Column("seen_by_asker_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_legal_questions_answered_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["asker_user_id"], ["users.id"], name=op.f("fk_legal_questions_asker_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["legal_notes.id"], name=op.f("fk_legal_questions_note_id_legal_notes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_questions")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_legal_questions_ticket_id")),
    )
    with op.batch_alter_table("legal_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_questions_asker_user_id"), ["asker_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_legal_questions_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("legal_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_questions_status"))
        batch_op.drop_index(batch_op.f("ix_legal_questions_asker_user_id"))

    op.drop_table("legal_questions")
    op.drop_table("legal_notes")
