"""The conversation tracker store: Rasa's SQL tracker store configured from the environment.

Rasa's endpoints.yml can substitute ``${VAR}`` but has no defaults, so the database is chosen
here:

- ``KK_TRACKER_DB_URL`` unset: SQLite in ``var/tracker.db`` (relative to the working directory,
  created when missing).
- ``KK_TRACKER_DB_URL=postgresql://user:password@host:5432/kk_tracker``: PostgreSQL (psycopg2,
  installed with Rasa). Any SQLAlchemy URL Rasa's SQLTrackerStore supports works.

Only masked text ever reaches the store: the input channels mask personal data before Rasa sees
a message (bot/channels/common.py).

Rasa's SQL store reads every event of the current session back from the database on each turn
and counts the stored ones again before writing (about half of Rasa's time per message under
load, see docs/load_benchmark.md). This store keeps the latest session of recent conversations in
memory as event objects (Rasa itself shares event objects between copies of a tracker; nothing
mutates an event once it is in a tracker), and only ever inserts the events a tracker gained
since it was read. The database stays the record: every turn is written before Rasa answers, and
a conversation not in memory is read from it. Whether the database has a conversation at all is
asked first (its newest row id, one indexed query: most conversations not in memory are new, and
Rasa's session query cost ~3% of the server's CPU under load); one it did not have is remembered
as empty, so its first save inserts its events instead of counting the stored ones. Events are
inserted with one Core INSERT (no ORM unit of work) on a writer thread (the turn awaits the
commit; the event loop serves other conversations while the database works), and once committed
the same events go to the event broker (bot/event_broker.py): Rasa's ``stream_events`` would read
the conversation again to find them (a third of this store's time under load).

Several Rasa processes on one tracker database (the production profile, docs/production.md):
the copy in memory remembers the id of the newest database row it knows for the conversation.
Before it answers from memory, ``retrieve`` asks the database for the conversation's newest row
id (one indexed ``max(id)`` query instead of reading the session); when another process wrote a
turn (or ``bot.retention`` deleted the conversation) the ids differ and the session is read from
the database again. ``save`` checks the same id in the transaction that inserts: when another
process wrote since this one read, its events are inserted as always and the copy in memory is
dropped. Rasa's lock store (Redis in the production profile, ``bot/lock_store.py``) lets only one
process at a time handle a conversation, so two saves of one conversation never interleave.
``KK_TRACKER_CACHE_SIZE=0`` turns the copy in memory off (Rasa's own reads on every turn).

The tracker object a turn saved is kept with its events and handed out again on the next turn
instead of being rebuilt by replaying every event onto fresh copies of the domain's slots (Rasa's
``from_events``, ~10% of the event loop under load). It is checked out: ``retrieve`` takes it out
of memory, ``save`` puts it back, so one object never has two holders that write; a turn that
ended without saving, or a tracker holding more than the saved events, gets a rebuilt one.

Deleted conversations stay deleted: ``python -m bot.retention`` (retention and erasure, another
process) records each run that deleted something in ``kk_tracker_purges``. Before it answers from
memory, the store looks at that table (at most once a second) and, when there is a new purge,
forgets every session it holds, so the next turn of each conversation reads the database again.
``forget`` drops sessions on request. A tracker this store handed out only ever adds the events
it gained, never the ones it was read with, so a turn in flight during a purge cannot write a
deleted conversation back (at most that one turn's events remain).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import bindparam, create_engine, func, select
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot import json_codec
from bot.retention import ensure_purges_table, latest_purge
from bot.settings import load_settings
from bot.sqlite import use_wal

# How many of a tracker's events are in the database, set on the trackers this store hands out.
_PERSISTED = "_kk_persisted_events"
# How often (seconds, at most) the store looks for a purge by bot.retention before using memory.
PURGE_CHECK_SECONDS = 1.0


@dataclass
class _Session:
    """The latest session of a conversation as this process last read or wrote it."""

    events: list[Event]  # in database order; [] when the database had nothing
    last_id: int | None  # the newest database row id of the conversation it reflects
    # The tracker the last save wrote, holding exactly ``events``; None while it is handed out.
    tracker: DialogueStateTracker | None = None


def connection_settings(url: str | None = None) -> dict[str, Any]:
    """SQLTrackerStore keyword arguments for a database URL (default: KK_TRACKER_DB_URL)."""
    parsed = make_url(url or load_settings().tracker_db_url)
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
    """SQLTrackerStore whose database comes from KK_TRACKER_DB_URL (SQLite by default), with the
    latest session of recent conversations kept in memory (write-through)."""

    engine: Any  # made by Rasa's SQLTrackerStore (SQLAlchemy 1.4; neither ships types)

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        configured = load_settings()  # KK_TRACKER_DB_URL, KK_TRACKER_CACHE_SIZE (bot/settings.py)
        settings = connection_settings(kwargs.pop("url", None) or configured.tracker_db_url)
        super().__init__(domain=domain, event_broker=event_broker, **settings)
        self._cache_size = int(kwargs.get("cache_size", configured.tracker_cache_size))
        # Replicas write the same database: check the copy in memory against it every turn (the
        # newest row id, one indexed query). One process (no Redis, so no shared locks either):
        # nobody else writes, the copy is the truth and the check is left out.
        self._shared = bool(kwargs.get("shared", configured.tracker_shared))
        # sender id -> its latest session and the newest row id it reflects
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        # Saves run their inserts here, one at a time, off the event loop (``save``).
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kk-tracker-writer")
        if settings.get("dialect") == "sqlite":
            # SQLAlchemy 1.4 opens a new SQLite connection per session for a file database; keep a
            # few open instead (each is used by one thread at a time, handed out by the pool).
            inherited: Any = self.engine  # Rasa's SQLTrackerStore made it (Rasa ships no types)
            inherited.dispose()
            self.engine = create_engine(
                inherited.url,
                poolclass=QueuePool,
                pool_size=5,
                connect_args={"check_same_thread": False},
            )
            self.sessionmaker = sessionmaker(bind=self.engine)
            # Rasa's SQL store commits every turn from the event loop: with SQLite's defaults each
            # commit waits for a full fsync. WAL with synchronous=NORMAL stays crash-safe (a power
            # cut can lose the last turns, never corrupt the file) and lets readers go on.
            use_wal(self.engine)
        # The newest row id of one conversation (retrieve, save): built once, compiled once.
        self._latest_id_query = select(func.max(self.SQLEvent.id)).where(
            self.SQLEvent.sender_id == bindparam("sender_id")
        )
        # Deletions by bot.retention (retention, erasure) are announced in kk_tracker_purges.
        ensure_purges_table(self.engine)
        self._purge_check_seconds = float(kwargs.get("purge_check_seconds", PURGE_CHECK_SECONDS))
        self._purge_seen = latest_purge(self.engine)
        self._purge_checked = time.monotonic()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of ``sender_id``'s conversation, from memory or the database."""
        if self._cache_size <= 0:
            return await super().retrieve(sender_id)
        self._forget_if_purged()
        cached = self._sessions.get(sender_id)
        last_id = self._latest_row_id(sender_id) if self._shared else None
        if cached is not None and cached.last_id != last_id:
            # Another process wrote a turn (or bot.retention deleted it): read it again.
            self._sessions.pop(sender_id, None)
            cached = None
        if cached is None:
            # The id is read before the events: a row written in between makes the next
            # retrieve read again, never miss it. No row (a new conversation, most of the
            # conversations not in memory): nothing to read, Rasa's session query is skipped.
            newest = last_id if self._shared else self._latest_row_id(sender_id)
            tracker = None if newest is None else await super().retrieve(sender_id)
            if tracker is None:
                self._remember(sender_id, [], last_id)  # a new conversation: nothing stored yet
                return None
            self._remember(sender_id, list(tracker.events), last_id)
        elif not cached.events:
            self._sessions.move_to_end(sender_id)
            return None  # known to have nothing stored; Rasa creates the tracker
        else:
            self._sessions.move_to_end(sender_id)
            tracker = self._check_out(sender_id, cached)
        setattr(tracker, _PERSISTED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events ``tracker`` gained since this store handed it out."""
        persisted = getattr(tracker, _PERSISTED, None)
        cached = self._sessions.get(tracker.sender_id)
        if persisted is None and cached is not None and not cached.events:
            persisted = 0  # created after the database had nothing for this sender (retrieve)
        if persisted is None or self._cache_size <= 0:
            # A tracker this store did not hand out (new conversation, full-history reads):
            # Rasa's own way, counting what is stored; read it back from the database next time.
            self._sessions.pop(tracker.sender_id, None)
            await super().save(tracker)
            # Rasa's save may have read the conversation through retrieve before its insert.
            self._sessions.pop(tracker.sender_id, None)
            return
        new_events = list(itertools.islice(tracker.events, persisted, None))
        bodies = [e.as_dict() for e in new_events]
        rows = [self._row(tracker.sender_id, e, d) for e, d in zip(new_events, bodies, strict=True)]
        try:
            # On the writer thread: the database driver lets go of the interpreter lock while
            # the database works, so the event loop serves other conversations meanwhile. The
            # turn still waits for the commit before Rasa answers.
            before, after = await asyncio.get_running_loop().run_in_executor(
                self._writer, self._insert, tracker.sender_id, rows
            )
        except Exception:
            self._sessions.pop(tracker.sender_id, None)
            raise
        self._publish(tracker.sender_id, bodies)
        setattr(tracker, _PERSISTED, len(tracker.events))
        if (
            cached is None
            or cached.last_id != before
            or self._sessions.get(tracker.sender_id) is not cached
        ):
            # Forgotten since it was handed out or while the insert ran (a purge, pushed out of
            # memory), or another process wrote since this one read: only the new events were
            # written; the next turn reads what the database holds.
            self._sessions.pop(tracker.sender_id, None)
            return
        events = cached.events + new_events
        if any(isinstance(e, SessionStarted) for e in new_events):
            events = _latest_session(events)
        # Kept for the next turn when it holds exactly what is stored (not after a new session
        # started in it: it still holds the old session's events, which retrieve leaves out).
        kept = tracker if len(tracker.events) == len(events) else None
        self._remember(tracker.sender_id, events, after, kept)

    def _insert(self, sender_id: str, rows: list[dict[str, Any]]) -> tuple[int | None, int | None]:
        """Insert ``rows`` in one transaction; the conversation's newest row id before and after
        (both None unless the store is shared)."""
        with self.session_scope() as session:
            before = self._latest_row_id(sender_id, session) if self._shared else None
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            after = self._latest_row_id(sender_id, session) if rows and self._shared else before
            session.commit()
        return before, after

    def forget(self, sender_ids: list[str] | None = None) -> None:
        """Drop conversations (all when ``sender_ids`` is None) from memory; their next turn
        reads the database."""
        if sender_ids is None:
            self._sessions.clear()
            return
        for sender_id in sender_ids:
            self._sessions.pop(sender_id, None)

    def _forget_if_purged(self) -> None:
        """Forget every session in memory when bot.retention deleted conversations since the
        last look (any of them may be gone from the database)."""
        now = time.monotonic()
        if self._cache_size <= 0 or now - self._purge_checked < self._purge_check_seconds:
            return
        self._purge_checked = now
        latest = latest_purge(self.engine)
        if latest != self._purge_seen:
            self._purge_seen = latest
            self.forget()

    def _latest_row_id(self, sender_id: str, session: Any = None) -> int | None:
        """The id of the conversation's newest event row (None: it has none), one indexed query
        (a Core statement built once: the ORM query cost more than the database did)."""
        params = {"sender_id": sender_id}
        if session is not None:
            return session.execute(self._latest_id_query, params).scalar()
        with self.engine.connect() as connection:
            return connection.execute(self._latest_id_query, params).scalar()

    def _row(
        self, sender_id: str, event_: Event, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The columns of the database row Rasa's SQL store writes for an event (``data``: the
        event's ``as_dict()`` when the caller has it already)."""
        if data is None:
            data = event_.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event_.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json_codec.dumps(data),
        }

    def _publish(self, sender_id: str, bodies: list[dict[str, Any]]) -> None:
        """Hand the events just inserted to the event broker, as Rasa's ``stream_events`` does
        (``{"sender_id": ..., **event.as_dict()}``) but without reading the conversation again to
        find them: they are exactly the rows this save wrote."""
        if self.event_broker is None:
            return
        for data in bodies:
            self.event_broker.publish({"sender_id": sender_id, **data})

    def _check_out(self, sender_id: str, cached: _Session) -> DialogueStateTracker:
        """The conversation's tracker for one holder: the object the last save kept when it still
        holds exactly the stored events (nothing unsaved was added after that save), else a new
        one built from the events."""
        tracker, cached.tracker = cached.tracker, None
        if (
            tracker is not None
            and getattr(tracker, _PERSISTED, None) == len(cached.events)
            and len(tracker.events) == len(cached.events)
        ):
            return tracker
        return DialogueStateTracker.from_events(sender_id, cached.events, self.domain.slots)

    def _remember(
        self,
        sender_id: str,
        events: list[Event],
        last_id: int | None,
        tracker: DialogueStateTracker | None = None,
    ) -> None:
        if self._cache_size <= 0:
            return
        self._sessions[sender_id] = _Session(events, last_id, tracker)
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > self._cache_size:
            self._sessions.popitem(last=False)


def _latest_session(events: list[Event]) -> list[Event]:
    """The events Rasa's SQL store would read back: those from the latest session start on
    (by timestamp, as its query does), or all of them when no session was started."""
    starts = [e.timestamp or 0.0 for e in events if isinstance(e, SessionStarted)]
    if not starts:
        return list(events)
    return [e for e in events if (e.timestamp or 0.0) >= max(starts)]
