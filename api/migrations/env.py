"""Alembic environment for the case service.

The URL comes from (in order): a connection passed in ``config.attributes["connection"]`` (tests),
``config.attributes["url"]``, or the ``KK_DATABASE_URL`` setting.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

import api.models  # noqa: F401  (registers every table)
from api.core.config import get_settings
from api.db.base import Base, UTCDateTime
from api.db.session import make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our UTCDateTime as a plain timestamp so migrations do not import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _sqlite_foreign_keys_off(connection: Connection) -> None:
    """SQLite alters a table by copying it, dropping the old one and renaming the copy; with
    foreign keys on, dropping a parent table applies its ON DELETE rules (``citizens.user_id``
    became NULL when 0005 altered ``users``). SQLite's own advice for such changes: foreign keys
    off for the migration (the pragma is a no-op inside a transaction, hence outside it), then
    ``PRAGMA foreign_key_check``. Only on a connection of the migration's own engine, which
    is disposed afterwards."""
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and raw is not None:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken after the migration: {broken[:5]}")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
        _check_foreign_keys(connection)


def run_migrations_offline() -> None:
    url = config.attributes.get("url") or get_settings().database_url
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or get_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _sqlite_foreign_keys_off(conn)
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
