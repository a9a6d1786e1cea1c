"""Run the Alembic migrations programmatically (``python -m api.cli migrate`` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

API_DIR = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config(str(API_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(API_DIR / "migrations"))
    # Our JSON logging is configured by the caller; keep alembic.ini's logging out of it.
    config.attributes["configure_logger"] = False
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(
    url: str | None = None, *, connection: Connection | None = None, rev: str = "heads"
) -> None:
    """Upgrade to ``rev``; by default to every head, so revisions written on parallel branches
    (several features at once) all apply before they are chained."""
    command.upgrade(alembic_config(url, connection), rev)


def downgrade(
    url: str | None = None, *, connection: Connection | None = None, rev: str = "base"
) -> None:
    command.downgrade(alembic_config(url, connection), rev)


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def is_up_to_date(engine: Engine) -> bool:
    return current_revisions(engine) == head_revisions()
