"""Alembic environment of the SMS channel's tables (``sms_*``, bot venv, SQLAlchemy 1.4).

Run through ``bot.sms.schema`` (``python -m bot.sms.migrate``), which passes the connection in
``config.attributes["connection"]``. The version table is ``sms_alembic_version``, so these
migrations never meet Rasa's tables or the case service's ``alembic_version``.
"""

from __future__ import annotations

from alembic import context

from bot.sms.schema import VERSION_TABLE

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=None,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the SMS migrations run online only (python -m bot.sms.migrate)")
run_migrations_online()
