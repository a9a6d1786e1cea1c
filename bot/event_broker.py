"""The event broker: Rasa's SQL event broker, written in batches from a background thread, with
typed columns the case service's analytics select by.

Rasa's ``SQLEventBroker`` (``rasa/core/brokers/sql.py``) writes every event the tracker store
saves into the ``events`` table of the events database (``KK_EVENTS_DB_URL``; docs/analytics.md)
— one session and one commit per event, synchronously on Rasa's event loop: 8-20 ms per event
on SQLite, 5-15 events per turn, while no other conversation is served. This subclass keeps the
table and what it records (``id``, ``sender_id``, ``data`` = Rasa's JSON of the event, written
exactly as Rasa writes it) and changes how and what more it writes:

- **Typed columns** ``type_name``, ``name`` and ``timestamp``, filled from the event
  (``kkshared.event_rows``), with an index that holds them in id order: the analytics job selects
  the events it counts by them instead of reading every event's JSON. An existing database gets
  the columns and indexes when the broker starts (``ALTER TABLE ... ADD COLUMN`` for the ones
  missing; rows written before keep NULL there and are read from their JSON). Creating the index
  on a large existing table takes a while once (seconds per million events).
- **No waiting on the disk in a turn**: ``publish`` serialises the event (the JSON is made on the
  caller's thread, so nothing the event loop changes later can reach the row) and puts it on a
  queue; one background thread writes the queue in batches, one transaction per batch
  (``executemany``). The thread wakes for the first event of a batch, waits ``flush_seconds``
  (0.05) and writes everything queued by then, ``max_batch`` events per transaction; events
  queued while it waits do not wake it (a wake-up per event took the interpreter lock from the
  event loop for every event: ~5% of Rasa's event loop under load). ``close()`` (Rasa calls it
  when the server stops) and process exit end the wait and write what is left. One writer
  thread and a FIFO queue keep the events in the order they were published, so the events of a
  conversation keep their order (ids ascending).
- **SQLite**: WAL and ``synchronous=NORMAL`` on every connection (a commit does not wait for a
  full fsync; a power cut can lose the last commits, never corrupt the file), a busy timeout for
  the moments the case service's retention deletes.
- **PostgreSQL**: every batch takes a transaction-scoped advisory lock before it inserts, so the
  batches of several Rasa processes commit one after the other in id order: the analytics job's
  watermark (the last id it read) can never pass an event another process commits later.

**The crash window.** Events that were published but not yet written are lost when the process
is killed (``kill -9``, out of memory, power cut): at most the last ``flush_seconds`` of events
plus a batch being written (rolled back). The conversation itself is not: the tracker store
wrote the turn before Rasa answered. The events database only feeds the analytics, which are
totals; losing the last fraction of a second of events before a crash (a turn counted without
its answer, or not at all) does not change what the job centre reads from them, and the job's
exactly-once reading of what *was* written is unaffected. A database that refuses writes does
not fail the turns either (Rasa's broker would raise into the turn): the batch is retried
``WRITE_ATTEMPTS`` times, then dropped with an error in the log (counts only, never content); at
most ``MAX_QUEUED`` events wait, more are dropped the same way.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import queue
import threading
import time
from asyncio import AbstractEventLoop
from pathlib import Path
from typing import Any

from rasa.core.brokers.sql import SQLEventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.sqlite import use_wal
from kkshared.event_rows import TABLE, TYPED_COLUMNS, EventRow, event_row
from kkshared.event_table import events, indexes, metadata

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.05  # how long the writer lets events gather after the first of a batch
MAX_BATCH = 500
MAX_QUEUED = 100_000  # events; beyond this (database down for long) new events are dropped
WRITE_ATTEMPTS = 5
RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0)
CLOSE_SECONDS = 10.0
# pg_advisory_xact_lock key of the events table's writers (and of the start-up migration).
PG_LOCK_KEY = 0x6B6B_6576_656E_7473  # "kkevents"


def make_engine(url: str) -> Engine:
    """An engine for the events database; SQLite files in WAL with synchronous=NORMAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=2)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # SQLAlchemy 1.4 opens a new connection per transaction for a SQLite file (NullPool), with
    # the pragmas each time; the writer thread keeps one open instead (retention's deletes and
    # the case service's reads use their own connections).
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=1,
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    use_wal(engine)
    return engine


def _lock(connection: Connection) -> None:
    """PostgreSQL: one writer of the events table at a time, until this transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


def ensure_schema(engine: Engine) -> list[str]:
    """Create the table when missing, add the typed columns and indexes an existing one lacks
    (additive only: nothing is dropped or rewritten). Returns what was added."""
    added: list[str] = []
    with engine.begin() as connection:
        _lock(connection)  # two Rasa processes starting at once on PostgreSQL
        if not inspect(connection).has_table(TABLE):
            metadata.create_all(connection)
            return [TABLE]
        present = {c["name"] for c in inspect(connection).get_columns(TABLE)}
        preparer = connection.dialect.identifier_preparer
        for name in TYPED_COLUMNS:
            if name in present:
                continue
            column_type = events.c[name].type.compile(dialect=connection.dialect)
            connection.execute(
                text(f"ALTER TABLE {TABLE} ADD COLUMN {preparer.quote(name)} {column_type}")
            )
            added.append(name)
        existing = {i["name"] for i in inspect(connection).get_indexes(TABLE)}
        for index in indexes:
            if index.name not in existing:
                index.create(connection)
                added.append(str(index.name))
    return added


class KKSQLEventBroker(SQLEventBroker):
    """Rasa's SQL event broker writing in batches from a background thread, with typed columns
    (see the module docstring). Configured in ``bot/endpoints.yml``::

        event_broker:
          type: bot.event_broker.KKSQLEventBroker
          url: ${KK_EVENTS_DB_URL}
    """

    def __init__(
        self,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "events.db",
        username: str | None = None,
        password: str | None = None,
        flush_seconds: float = FLUSH_SECONDS,
        max_batch: int = MAX_BATCH,
        max_queued: int = MAX_QUEUED,
    ) -> None:
        from rasa.core.tracker_store import SQLTrackerStore

        url = SQLTrackerStore.get_db_url(dialect, host, port, db, username, password)
        # Not SQLEventBroker.__init__: its engine is made for Rasa's three-column table.
        self.engine = make_engine(str(url) if not isinstance(url, str) else url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        added = ensure_schema(self.engine)
        if added:
            logger.info("events database: added %s", ", ".join(added))
        self.flush_seconds = float(flush_seconds)
        self.max_batch = int(max_batch)
        self.max_queued = int(max_queued)
        self._queue: queue.SimpleQueue[EventRow | None] = queue.SimpleQueue()  # None: close
        self._progress = threading.Condition()
        self._published = 0  # events accepted by publish
        self._done = 0  # events written or given up
        self._dropped = 0
        self._closed = False
        self._closing = threading.Event()  # ends the writer's wait at close
        self._thread = threading.Thread(target=self._run, name="kk-event-broker", daemon=True)
        self._thread.start()
        atexit.register(self._stop, CLOSE_SECONDS)

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: AbstractEventLoop | None = None,
    ) -> KKSQLEventBroker:
        return cls(host=broker_config.url, **broker_config.kwargs)

    # --- what Rasa calls ------------------------------------------------------------------------

    def publish(self, event: dict[str, Any]) -> None:
        """Queue the event (``{"sender_id": ..., **event.as_dict()}``); returns at once."""
        row = event_row(event)
        with self._progress:
            if self._closed:
                logger.error("event broker closed: an event was not written")
                return
            if self._published - self._done >= self.max_queued:
                self._dropped += 1
                self._done += 1
                self._published += 1
                if self._dropped % 1000 == 1:
                    logger.error("events database: queue full, %d events dropped", self._dropped)
                return
            self._published += 1
            self._queue.put(row)  # under the lock: never after close's end-of-queue marker

    def is_ready(self) -> bool:
        return self._thread.is_alive()

    async def close(self) -> None:
        """Write what is queued, stop the thread and close the connections."""
        await asyncio.get_running_loop().run_in_executor(None, self._stop, CLOSE_SECONDS)

    # --- for tests and tools --------------------------------------------------------------------

    def flush(self, timeout: float = CLOSE_SECONDS) -> bool:
        """Wait until every event published before the call is written (or given up)."""
        with self._progress:
            target = self._published
            return self._progress.wait_for(lambda: self._done >= target, timeout)

    @property
    def dropped(self) -> int:
        """Events given up (database refused them ``WRITE_ATTEMPTS`` times, or queue full)."""
        return self._dropped

    # --- the writer thread ----------------------------------------------------------------------

    def _stop(self, timeout: float) -> None:
        with self._progress:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
            self._closing.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.error("events database: %d events not written at close", self._pending())
        self.engine.dispose()
        atexit.unregister(self._stop)

    def _pending(self) -> int:
        with self._progress:
            return self._published - self._done

    def _run(self) -> None:
        closing = False
        while not closing:
            first = self._queue.get()
            if first is None:
                break
            # Let the rest of the turn's events (and other turns') gather without waking this
            # thread once per event; close ends the wait.
            self._closing.wait(self.flush_seconds)
            batch = [first]
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    closing = True
                    break
                batch.append(item)
                if len(batch) >= self.max_batch:
                    self._write(batch)
                    batch = []
            if batch:
                self._write(batch)

    def _write(self, batch: list[EventRow]) -> None:
        rows = [row.as_params() for row in batch]
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    _lock(connection)
                    connection.execute(events.insert(), rows)
                break
            except Exception as error:  # the database refused: wait and try again
                if attempt == WRITE_ATTEMPTS - 1:
                    with self._progress:
                        self._dropped += len(batch)
                    logger.error(
                        "events database: %d events not written (%s)",
                        len(batch),
                        type(error).__name__,
                    )
                    break
                time.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
        with self._progress:
            self._done += len(batch)
            self._progress.notify_all()
