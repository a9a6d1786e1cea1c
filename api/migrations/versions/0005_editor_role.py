"""The ``editor`` role (job-centre staff who edit the citizen answers): ``users.role`` check.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = ("citizen", "staff", "jurist", "admin")
NEW_ROLES = (*OLD_ROLES, "editor")


def _set_roles(roles: Sequence[str]) -> None:
    # SQLite cannot alter a constraint: batch mode copies the table (recreate), PostgreSQL alters.
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), sa.column("role").in_(roles))


def upgrade() -> None:
    _set_roles(NEW_ROLES)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM users WHERE role = 'editor'"))
    _set_roles(OLD_ROLES)
