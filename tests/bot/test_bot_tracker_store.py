"""Tracker store settings: SQLite by default, any SQL database from KK_TRACKER_DB_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import KKSQLTrackerStore, connection_settings


def test_default_is_sqlite_in_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KK_TRACKER_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert connection_settings() == {"dialect": "sqlite", "db": "var/tracker.db"}
    assert (tmp_path / "var").is_dir()


def test_postgresql_url_is_split_into_rasa_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_TRACKER_DB_URL", "postgresql://kk:s3cret@db.example:5433/kk_tracker?sslmode=require")
    assert connection_settings() == {
        "dialect": "postgresql", "host": "db.example", "port": 5433, "db": "kk_tracker",
        "username": "kk", "password": "s3cret", "query": {"sslmode": "require"},
    }


def test_store_saves_and_retrieves_from_the_configured_sqlite(monkeypatch, tmp_path: Path) -> None:
    import asyncio

    db = tmp_path / "t.db"
    monkeypatch.setenv("KK_TRACKER_DB_URL", f"sqlite:///{db}")
    store = KKSQLTrackerStore(domain=Domain.empty())
    tracker = DialogueStateTracker.from_events("anon:x", [UserUttered("mit cpr er [CPR]")])
    asyncio.run(store.save(tracker))
    assert db.exists()
    restored = asyncio.run(store.retrieve("anon:x"))
    assert restored.latest_message.text == "mit cpr er [CPR]"


def test_sqlite_store_uses_wal_and_normal_sync(monkeypatch, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    monkeypatch.setenv("KK_TRACKER_DB_URL", f"sqlite:///{db}")
    store = KKSQLTrackerStore(domain=Domain.empty())
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
