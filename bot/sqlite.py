"""SQLite settings of the bot side's database files (tracker store, event broker): WAL with
synchronous=NORMAL. A commit then does not wait for a full fsync, readers go on while one
process writes, and a power cut can lose the last commits but never corrupts the file."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

WAL_SECONDS = 30.0  # how long another process may hold the file while this one switches to WAL


def _normal_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def use_wal(engine: Engine, seconds: float = WAL_SECONDS) -> None:
    """Every connection of ``engine`` with synchronous=NORMAL, and the file in WAL mode.

    The journal mode is kept in the file, so it is set once here, not per connection. Switching
    it needs the file to itself, and SQLite answers "database is locked" at once (without its
    busy timeout) while another process, e.g. a second Rasa replica starting on the same file,
    is in a transaction: that is retried for up to ``seconds``."""
    event.listen(engine, "connect", _normal_sync)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            return
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
