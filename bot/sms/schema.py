"""The ``sms_*`` tables under versioned migrations (Alembic, ``bot/sms/migrations/``).

- ``upgrade(url_or_engine)``: brings the SMS tables to the newest revision. A database whose
  tables were created by the older create-at-start code (``sms_inbox`` exists, no version row) is
  *adopted*: stamped at ``0001`` (those tables), then upgraded. Safe to run again.
- ``current(engine)`` / ``check(engine)``: the revision the database is at; ``check`` raises
  ``SchemaOutdated`` unless it is the newest, which the Rasa server's SMS channel does at start
  instead of creating tables (``./kk run`` migrates first: ``python -m bot.sms.migrate``).

The version table is ``sms_alembic_version`` in the SMS database (the tracker store's database
unless ``KK_SMS_DB_URL`` names another), separate from Rasa's tables and the case service's
``alembic_version``. Migrations should run from one process before the Rasa servers start: two
processes creating the tables of an empty PostgreSQL database at the same moment would race.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

VERSION_TABLE = "sms_alembic_version"
SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
ADOPTED_REVISION = "0001"  # the tables the create-at-start code made


class SchemaOutdated(RuntimeError):
    """The SMS tables are missing or older than this code expects."""


def _config(connection: Connection):  # -> alembic.config.Config (imported lazily)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision in ``bot/sms/migrations/versions``."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    revision = ScriptDirectory.from_config(config).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    """The revision of the SMS tables in this database (None: not migrated, or no tables)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def check(engine: Engine) -> None:
    """Raise ``SchemaOutdated`` unless the SMS tables are at the newest revision."""
    found, wanted = current(engine), head()
    if found != wanted:
        raise SchemaOutdated(
            f"the SMS tables are at revision {found or 'none'}, this code needs {wanted}: "
            "run `python -m bot.sms.migrate` (./kk run does it before Rasa starts)"
        )


def upgrade(url_or_engine: str | Engine) -> tuple[str | None, str]:
    """Adopt tables made at start by older code, then upgrade to the newest revision.

    Returns (revision before, revision after)."""
    from alembic import command

    from bot.sms.store import make_engine

    engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
    try:
        before = current(engine)
        with engine.begin() as conn:
            config = _config(conn)
            if before is None and inspect(conn).has_table("sms_inbox"):
                command.stamp(config, ADOPTED_REVISION)
            command.upgrade(config, "head")
        return before, head()
    finally:
        if not isinstance(url_or_engine, Engine):
            engine.dispose()
