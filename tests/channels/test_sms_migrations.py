"""The sms_* tables under versioned migrations (bot/sms/migrations, bot.sms.schema)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, Table, create_engine

from bot.sms import schema, store
from bot.sms.store import REMINDER, Reply, SmsStore

REPO = Path(__file__).resolve().parents[2]


def _old_create_at_start(url: str) -> None:
    """The tables as the code before migrations created them at start (no dedupe_key)."""
    old = MetaData()
    for table in store.metadata.sorted_tables:
        columns = [
            Column(
                c.name,
                c.type,
                primary_key=c.primary_key,
                nullable=c.nullable,
                unique=c.unique,
                index=c.index,
            )
            for c in table.columns
            if c.name != "dedupe_key"
        ]
        Table(table.name, old, *columns)
    engine = create_engine(url)
    old.create_all(engine)
    engine.dispose()


def _schema_diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            return [
                d
                for d in compare_metadata(context, store.metadata)
                # the version table is the migrations', not the store's
                if not (d[0] == "remove_table" and d[1].name == schema.VERSION_TABLE)
            ]
    finally:
        engine.dispose()


def test_a_new_database_gets_exactly_the_tables_the_store_uses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert schema.upgrade(url) == (None, schema.head())
    diff = _schema_diff(url)
    # dedupe_key's unique index is declared in the migration only (the store just reads it)
    assert [d for d in diff if d[0] != "remove_index"] == []
    assert [d[1].name for d in diff] == ["ux_sms_outbox_dedupe_key"]


def test_tables_created_at_start_by_older_code_are_adopted_then_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_create_at_start(f"sqlite:///{db}")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO sms_preferences (phone_hash, opted_out, citizen_id, synced, updated_at)"
            " VALUES ('h', 1, NULL, 1, 1.0)"
        )
    assert schema.upgrade(f"sqlite:///{db}") == (None, schema.head())
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM sms_alembic_version").fetchall() == [
            (schema.head(),)
        ]
        assert conn.execute("SELECT opted_out FROM sms_preferences").fetchall() == [(1,)]
    assert [d for d in _schema_diff(f"sqlite:///{db}") if d[0] != "remove_index"] == []
    # and again: nothing to do
    assert schema.upgrade(f"sqlite:///{db}") == (schema.head(), schema.head())


def test_the_rasa_side_store_checks_instead_of_creating(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(schema.SchemaOutdated, match="python -m bot.sms.migrate"):
        SmsStore(url, migrate=False)
    schema.upgrade(url)
    SmsStore(url, migrate=False).close()


def test_the_migrate_command(tmp_path: Path) -> None:
    env = {"KK_SMS_DB_URL": f"sqlite:///{tmp_path / 'cmd.db'}", "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot.sms.migrate", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("--check").returncode == 1
    first = run()
    assert first.returncode == 0 and "migrated from revision none" in first.stdout
    assert run("--check").returncode == 0
    assert "(current)" in run().stdout


def test_a_notice_is_queued_once_per_key_and_never_to_a_stopped_number(tmp_path: Path) -> None:
    s = SmsStore(f"sqlite:///{tmp_path / 'n.db'}")
    reply = Reply("Påmindelse", "GSM", 1, "4500000000", REMINDER)
    first = s.queue_notice("reminder:1", "h1", "+4511111111", reply, 1.0)
    assert first[1] is True
    assert s.queue_notice("reminder:1", "h1", "+4511111111", reply, 2.0) == (first[0], False)
    s.set_preference("h2", True, None, True, 1.0)
    assert s.queue_notice("reminder:2", "h2", "+4522222222", reply, 1.0) == (0, False)
    assert s.outbox_status("reminder:1") == "pending" and s.outbox_status("reminder:2") is None
    assert s.msisdn("h1") == "+4511111111"  # kept until the reminder is sent
    s.close()
