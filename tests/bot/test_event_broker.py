"""The event broker (bot/event_broker.py): Rasa's SQL event broker table with typed columns,
written in batches from one background thread. On SQLite and, when a PostgreSQL server can be
had, on PostgreSQL: ``KK_TEST_POSTGRES_URL`` (the api suite's cluster), else a throwaway cluster
started like tools/pg_cluster.py does when PostgreSQL's programs are installed; otherwise the
PostgreSQL cases are skipped, saying why."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bot_paths import REPO_ROOT
from postgres_database import throwaway_database
from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

import bot.event_broker as broker_module
from bot.event_broker import KKSQLEventBroker

T0 = 1_796_000_000.0


# --- databases -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL (psycopg2, the bot environment's driver)."""
    url = os.environ.get("KK_TEST_POSTGRES_URL", "").strip()
    if url:
        yield make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        return
    from tools import pg_cluster

    if pg_cluster.find_pg_bin() is None:
        pytest.skip(
            "PostgreSQL is not installed here (no initdb) and KK_TEST_POSTGRES_URL is not set; "
            "`./kk test api` installs it, after which these cases run"
        )
    cluster = pg_cluster.start(owner_pid=os.getpid())
    try:
        yield (
            make_url(cluster.url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
    finally:
        pg_cluster.stop(cluster.dir)


@pytest.fixture(params=["sqlite", "postgresql"])
def events_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'events.db'}"
        return
    with throwaway_database(request.getfixturevalue("postgres_server"), "kk_events_test") as url:
        yield url


@pytest.fixture
def reader(events_url: str) -> Iterator[Engine]:
    """Another connection to the events database (the case service's, in production)."""
    engine = create_engine(events_url)
    yield engine
    engine.dispose()


def make_broker(url: str, **kwargs: Any) -> KKSQLEventBroker:
    return asyncio.run(
        EventBroker.create(
            EndpointConfig(url=url, type="bot.event_broker.KKSQLEventBroker", **kwargs)
        )
    )


@pytest.fixture
def broker(events_url: str) -> Iterator[KKSQLEventBroker]:
    made = make_broker(events_url)
    yield made
    asyncio.run(made.close())


def publish(broker: KKSQLEventBroker, sender_id: str, event_: Event) -> dict[str, Any]:
    """What Rasa's tracker store does for each new event (TrackerStore._stream_new_events)."""
    body = {"sender_id": sender_id}
    body.update(event_.as_dict())
    broker.publish(body)
    return body


def stored(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        result = conn.execute(
            text("SELECT id, sender_id, data, type_name, name, timestamp FROM events ORDER BY id")
        )
        return [dict(row._mapping) for row in result]


class WriteCounter:
    """Counts the broker's INSERT statements and the rows each one carried."""

    def __init__(self, engine: Engine) -> None:
        self.batches: list[int] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool):
        if statement.lstrip().upper().startswith("INSERT INTO EVENTS"):
            self.batches.append(len(params) if many else 1)


class BlockedWriter:
    """Holds the writer thread inside its first write until ``release``: everything published
    meanwhile is queued, so what the next batches hold does not depend on timing."""

    def __init__(self, broker: KKSQLEventBroker, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self._go = threading.Event()
        real = broker._write

        def write(batch: list[Any]) -> None:
            if not self.entered.is_set():
                self.entered.set()
                self._go.wait(30)
            real(batch)

        monkeypatch.setattr(broker, "_write", write)

    def release(self) -> None:
        self._go.set()


# --- Rasa loads it -------------------------------------------------------------------------------


def test_endpoints_yml_names_this_broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'events.db'}"
    monkeypatch.setenv("KK_EVENTS_DB_URL", url)
    for name in ("KK_ACTIONS_PORT", "KK_ACTIONS_TOKEN"):  # the file's other endpoints
        monkeypatch.setenv(name, os.environ.get(name) or "1")
    endpoints = AvailableEndpoints.read_endpoints(str(REPO_ROOT / "bot" / "endpoints.yml"))
    made = asyncio.run(EventBroker.create(endpoints.event_broker))
    try:
        # Rasa logs a warning and runs WITHOUT a broker when the class cannot be imported.
        assert isinstance(made, KKSQLEventBroker) and isinstance(made, SQLEventBroker)
        assert made.flush_seconds == 0.05
        assert (tmp_path / "var" / "events.db").exists()
    finally:
        asyncio.run(made.close())


# --- what is written -----------------------------------------------------------------------------


def test_rasa_columns_and_typed_columns_for_every_kind_of_event(broker, reader) -> None:
    sender = "kk:u-1:web1"
    intent = {"name": "nlu_fallback", "confidence": 0.3}
    kinds = [
        ActionExecuted("action_session_start", timestamp=T0),
        SessionStarted(timestamp=T0 + 1),
        ActionExecuted("action_listen", timestamp=T0 + 2),
        UserUttered("hvad koster det", intent, timestamp=T0 + 3, input_channel="kk"),
        BotUttered(
            "Det ved jeg ikke.", metadata={"utter_action": "utter_dont_know"}, timestamp=T0 + 4
        ),
        BotUttered("uden svar-navn", timestamp=T0 + 5),
        SlotSet("legal_question", "paragraf 13", timestamp=T0 + 6),
        ActiveLoop("legal_mode", timestamp=T0 + 7),
        ActiveLoop(None, timestamp=T0 + 8),
        UserUtteranceReverted(timestamp=T0 + 9),
        UserUttered("ingen intent", timestamp=T0 + 10),
    ]
    bodies = [publish(broker, sender, e) for e in kinds]
    assert broker.flush()
    rows = stored(reader)
    assert [(r["type_name"], r["name"]) for r in rows] == [
        ("action", "action_session_start"),
        ("session_started", None),
        ("action", "action_listen"),
        ("user", "nlu_fallback"),
        ("bot", "utter_dont_know"),
        ("bot", None),
        ("slot", None),
        ("active_loop", "legal_mode"),
        ("active_loop", None),
        ("rewind", None),
        ("user", None),
    ]
    for row, body in zip(rows, bodies, strict=True):
        assert row["sender_id"] == sender
        assert row["data"] == json.dumps(body)  # exactly what Rasa's own broker writes
        assert row["timestamp"] == body["timestamp"]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def test_the_typed_index_exists_and_sqlite_is_in_wal(broker, reader, events_url) -> None:
    indexes = {i["name"] for i in inspect(reader).get_indexes("events")}
    assert {"ix_events_kk_typed", "ix_events_kk_sender"} <= indexes
    if events_url.startswith("sqlite"):
        with broker.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_an_existing_rasa_table_gets_the_columns_and_keeps_its_rows(events_url, reader) -> None:
    """A database Rasa's own broker wrote: additive migration when the broker starts; the old
    rows keep NULL in the new columns (the analytics read those from their JSON)."""
    old = SQLEventBroker(host=events_url)
    old.publish({"sender_id": "anon:old", **UserUttered("hej", timestamp=T0).as_dict()})
    old.engine.dispose()
    for _ in range(2):  # a second start finds nothing to add
        new = make_broker(events_url)
        publish(new, "anon:new", ActionExecuted("action_listen", timestamp=T0 + 1))
        asyncio.run(new.close())
    rows = stored(reader)
    assert [(r["sender_id"], r["type_name"], r["name"]) for r in rows] == [
        ("anon:old", None, None),
        ("anon:new", "action", "action_listen"),
        ("anon:new", "action", "action_listen"),
    ]
    columns = {c["name"] for c in inspect(reader).get_columns("events")}
    assert {"id", "sender_id", "data", "type_name", "name", "timestamp"} <= columns


# --- batches, order, close -----------------------------------------------------------------------


def test_events_queued_meanwhile_are_written_in_one_transaction(broker, reader, monkeypatch):
    counter = WriteCounter(broker.engine)
    blocked = BlockedWriter(broker, monkeypatch)
    publish(broker, "anon:a", ActionExecuted("action_listen", timestamp=T0))
    assert blocked.entered.wait(30)
    for n in range(120):
        publish(broker, f"anon:{n % 3}", SlotSet("n", n, timestamp=T0 + n))
    blocked.release()
    assert broker.flush()
    assert counter.batches == [1, 120]  # one executemany, one transaction, for all 120
    assert len(stored(reader)) == 121


def test_a_batch_holds_at_most_max_batch_events(events_url, reader, monkeypatch) -> None:
    small = make_broker(events_url, max_batch=50)
    try:
        counter = WriteCounter(small.engine)
        blocked = BlockedWriter(small, monkeypatch)
        publish(small, "anon:a", ActionExecuted("action_listen", timestamp=T0))
        assert blocked.entered.wait(30)
        for n in range(120):
            publish(small, "anon:a", SlotSet("n", n, timestamp=T0 + n))
        blocked.release()
        assert small.flush()
        assert counter.batches == [1, 50, 50, 20]
    finally:
        asyncio.run(small.close())


def test_close_writes_what_is_queued(events_url, reader, monkeypatch) -> None:
    """Nothing would be written for a minute (the writer waits that long); close writes it."""
    slow = make_broker(events_url, flush_seconds=60)
    bodies = [publish(slow, "anon:c", SlotSet("n", n, timestamp=T0 + n)) for n in range(25)]
    asyncio.run(slow.close())
    assert [r["data"] for r in stored(reader)] == [json.dumps(b) for b in bodies]
    assert not slow.is_ready()
    publish(slow, "anon:c", SlotSet("n", 99, timestamp=T0 + 99))  # after close: logged, not raised
    assert len(stored(reader)) == 25


def test_concurrent_publishers_lose_nothing_and_keep_each_conversations_order(broker, reader):
    threads, per_thread = 8, 150

    def conversation(number: int) -> None:
        for n in range(per_thread):
            publish(broker, f"anon:t{number}", SlotSet("n", n, timestamp=T0 + n))

    workers = [threading.Thread(target=conversation, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert broker.flush()
    rows = stored(reader)
    assert len(rows) == threads * per_thread
    for t in range(threads):
        values = [json.loads(r["data"])["value"] for r in rows if r["sender_id"] == f"anon:t{t}"]
        assert values == list(range(per_thread))  # in id order = published order


def test_a_database_that_refuses_writes_does_not_fail_the_turn(events_url, reader, monkeypatch):
    monkeypatch.setattr(broker_module, "WRITE_ATTEMPTS", 2)
    monkeypatch.setattr(broker_module, "RETRY_SECONDS", (0.0,))
    failing = make_broker(events_url)
    try:
        with reader.begin() as conn:
            conn.execute(text("DROP TABLE events"))
        publish(failing, "anon:x", SlotSet("n", 1, timestamp=T0))  # does not raise
        assert failing.flush()
        assert failing.dropped == 1
    finally:
        asyncio.run(failing.close())


def test_the_writer_keeps_one_sqlite_connection_open_across_batches(tmp_path: Path) -> None:
    """A new SQLite connection per batch (SQLAlchemy 1.4's default for a file) cost the writer
    thread more than its inserts; one stays open for all batches."""
    made = make_broker(f"sqlite:///{tmp_path / 'events.db'}")
    connects: list[object] = []
    event.listen(made.engine, "connect", lambda dbapi_connection, _record: connects.append(1))
    try:
        for n in range(3):
            publish(made, f"anon:{n}", UserUttered(f"besked {n}", timestamp=100.0 + n))
            assert made.flush()
        assert len(stored(made.engine)) == 3
    finally:
        asyncio.run(made.close())
    assert len(connects) <= 1  # the pool may have opened it before listening started
