"""The live citizen answer catalogue: state (revision), entries, versions, drafts.

Revision ID: 0006_catalogue
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_catalogue"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("published", "retired")
ACTIONS = ("create", "edit", "retire", "restore", "rollback", "import")


def _status(name: str) -> sa.Enum:
    return sa.Enum(*STATUSES, name=name, native_enum=False, create_constraint=True, length=17)


def upgrade() -> None:
    op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_state")),
    )
    op.create_table(
        "catalogue_entries",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("status", _status("catalogue_entry_status"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_entries")),
    )
    op.create_index(
        op.f("ix_catalogue_entries_topic"), "catalogue_entries", ["topic"], unique=False
    )
    op.create_table(
        "catalogue_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", _status("catalogue_version_status"), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                *ACTIONS,
                name="catalogue_action",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("author_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["catalogue_entries.id"],
            name=op.f("fk_catalogue_versions_entry_id_catalogue_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_versions")),
        sa.UniqueConstraint("entry_id", "version", name=op.f("uq_catalogue_versions_entry_id")),
    )
    op.create_index(
        op.f("ix_catalogue_versions_entry_id"), "catalogue_versions", ["entry_id"], unique=False
    )
    op.create_table(
        "catalogue_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("author_user_id", sa.String(length=40), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_drafts")),
        sa.UniqueConstraint(
            "entry_id", "author_user_id", name=op.f("uq_catalogue_drafts_entry_id")
        ),
    )
    op.create_index(
        op.f("ix_catalogue_drafts_entry_id"), "catalogue_drafts", ["entry_id"], unique=False
    )
    # The single state row: revision 0 is "nothing imported yet".
    op.execute(
        sa.text(
            "INSERT INTO catalogue_state (id, revision, changed_at) "
            "VALUES (1, 0, CURRENT_TIMESTAMP)"
        )
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_catalogue_drafts_entry_id"), table_name="catalogue_drafts")
    op.drop_table("catalogue_drafts")
    op.drop_index(op.f("ix_catalogue_versions_entry_id"), table_name="catalogue_versions")
    op.drop_table("catalogue_versions")
    op.drop_index(op.f("ix_catalogue_entries_topic"), table_name="catalogue_entries")
    op.drop_table("catalogue_entries")
    op.drop_table("catalogue_state")
