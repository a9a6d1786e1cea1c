"""bot/sqlite.py: the bot's SQLite files in WAL with synchronous=NORMAL, also when another
process holds the file while this one starts (two Rasa replicas starting on one file)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from bot.sqlite import use_wal


def locked_by_another_connection(path: Path) -> sqlite3.Connection:
    """A connection that holds the (not yet WAL) file exclusively, as a starting process does."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE IF NOT EXISTS t (x)")
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_wal_and_normal_sync(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    use_wal(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_waits_for_another_process_to_let_go_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    other = locked_by_another_connection(path)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    use_wal(engine, seconds=10)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    other.close()


def test_gives_up_with_the_error_when_the_file_stays_locked(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    other = locked_by_another_connection(path)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})
    with pytest.raises(OperationalError, match="locked"):
        use_wal(engine, seconds=0.3)
    other.execute("COMMIT")
    other.close()
