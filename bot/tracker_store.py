"""The conversation tracker store: Rasa's SQL tracker store configured from the environment.

Rasa's endpoints.yml can substitute ``${VAR}`` but has no defaults, so the database is chosen
here:

- ``KK_TRACKER_DB_URL`` unset: SQLite in ``var/tracker.db`` (relative to the working directory,
  created when missing).
- ``KK_TRACKER_DB_URL=postgresql://user:password@host:5432/kk_tracker``: PostgreSQL (psycopg2,
  installed with Rasa). Any SQLAlchemy URL Rasa's SQLTrackerStore supports works.

Only masked text ever reaches the store: the input channels mask personal data before Rasa sees
a message (bot/channels/common.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy import event
from sqlalchemy.engine.url import make_url

DEFAULT_URL = "sqlite:///var/tracker.db"
ENV_VAR = "KK_TRACKER_DB_URL"


def connection_settings(url: Optional[str] = None) -> dict[str, Any]:
    """SQLTrackerStore keyword arguments for a database URL (default: KK_TRACKER_DB_URL)."""
    parsed = make_url(url or os.environ.get(ENV_VAR) or DEFAULT_URL)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or "var/tracker.db"
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        return {"dialect": "sqlite", "db": database}
    return {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


class KKSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose database comes from KK_TRACKER_DB_URL (SQLite by default)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        settings = connection_settings(kwargs.pop("url", None))
        super().__init__(domain=domain, event_broker=event_broker, **settings)
        if settings.get("dialect") == "sqlite":
            # Rasa's SQL store commits every turn from the event loop: with SQLite's defaults each
            # commit waits for a full fsync. WAL with synchronous=NORMAL stays crash-safe (a power
            # cut can lose the last turns, never corrupt the file) and lets readers go on.
            event.listen(self.engine, "connect", _sqlite_pragmas)
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
