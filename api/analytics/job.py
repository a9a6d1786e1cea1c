"""The aggregation job: new events of the events database -> analytics tables.

One run (``aggregate``):

1. takes the lease in ``analytics_state`` (one row): ``UPDATE ... SET lease_owner = me,
   lease_until = now + LEASE WHERE lease_until < now OR lease_owner = me``. Another worker (a
   second uvicorn worker, the CLI next to the service) finds it taken and skips its run; a worker
   that dies leaves a lease that simply runs out;
2. reads events after ``last_event_id`` in windows of ``BATCH_ROWS`` ids
   (``EventsDatabase.rows``: only the events that count, by the broker's typed columns, from
   their JSON where a row has none; plain tuples) and turns them into facts
   (``api.analytics.facts``, ``FactBuilder.apply_rows``),
   continuing the conversations earlier runs left open. One ``FactBuilder`` goes on over the
   windows until it holds ``WRITE_CONVERSATIONS`` conversations or ``WRITE_SECONDS`` have passed
   (a conversation that spans two windows is then written once, not written and updated);
3. writes what it read in ONE transaction that first moves the watermark with a compare-and-set:
   ``UPDATE analytics_state SET last_event_id = <end of the last window> WHERE last_event_id =
   <start of the first> AND lease_owner = me``. If that changes no row (the lease ran out and
   another worker took over), the transaction is rolled back and the run stops: an event range is
   counted exactly once, whatever happens between workers. On PostgreSQL the UPDATE also
   row-locks the state row until commit, so a second writer waits and then finds the watermark
   moved. The rows go in through ``api.analytics.writer`` (values converted once, the driver's
   ``executemany``; on SQLite a write that at least doubles the tables rebuilds their indexes
   after it instead of updating them row by row);
4. links new feedback (``api.analytics.feedback``) and gives the lease back.

The background loop (``AnalyticsLoop``) runs it every ``KK_ANALYTICS_INTERVAL_SECONDS`` in a
thread of the case service; ``python -m api.cli aggregate-analytics`` and
``POST /analytics/aggregate`` run it on demand.
"""

from __future__ import annotations

import gc
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.analytics.decode import Row
from api.analytics.events import BATCH_ROWS, EventsDatabase
from api.analytics.facts import Conversation, FactBuilder, Facts
from api.analytics.feedback import link_feedback
from api.analytics.keys import Hasher, analytics_key
from api.analytics.writer import COUNTERS, RowWriter
from api.core.config import Settings
from api.db.base import utcnow
from api.models.analytics import AnalyticsConversation, AnalyticsState

log = logging.getLogger("api.analytics")

LEASE = timedelta(minutes=5)
STATE_ID = 1
PRELOAD_CHUNK = 500
# When the facts read so far are written (and the watermark moved): at this many conversations
# (a first aggregation of 100,000 peaks at about 90 MB more than one window at a time did), or
# after this many seconds of reading (well within the lease, which each write renews).
WRITE_CONVERSATIONS = 150_000
WRITE_SECONDS = 120.0


@dataclass
class RunResult:
    events: int = 0
    conversations: int = 0
    answers: int = 0
    questions: int = 0
    feedback: int = 0
    last_event_id: int = 0
    skipped: bool = False  # another worker holds the lease
    available: bool = True  # the events database exists

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _state(session: Session) -> AnalyticsState:
    state = session.get(AnalyticsState, STATE_ID, populate_existing=True)
    if state is not None:
        return state
    try:
        with session.begin_nested():
            session.add(AnalyticsState(id=STATE_ID, last_event_id=0))
        session.commit()
    except IntegrityError:  # another worker made it at the same moment
        session.rollback()
    state = session.get(AnalyticsState, STATE_ID, populate_existing=True)
    assert state is not None
    return state


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _take_lease(session: Session, owner: str, now: datetime) -> bool:
    _state(session)
    taken = _rowcount(
        session.execute(
            update(AnalyticsState)
            .where(
                AnalyticsState.id == STATE_ID,
                (AnalyticsState.lease_until.is_(None))
                | (AnalyticsState.lease_until < now)
                | (AnalyticsState.lease_owner == owner),
            )
            .values(lease_owner=owner, lease_until=now + LEASE)
        )
    )
    session.commit()
    return taken == 1


def _give_back_lease(session: Session, owner: str) -> None:
    session.rollback()
    session.execute(
        update(AnalyticsState)
        .where(AnalyticsState.id == STATE_ID, AnalyticsState.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )
    session.commit()


_RESUME_COLUMNS = (
    AnalyticsConversation.id,
    AnalyticsConversation.sender_key,
    AnalyticsConversation.feedback_key,
    AnalyticsConversation.channel,
    AnalyticsConversation.kind,
    AnalyticsConversation.day,
    AnalyticsConversation.started_at,
    AnalyticsConversation.last_event_at,
    AnalyticsConversation.active_loop,
    AnalyticsConversation.last_question_id,
    *(getattr(AnalyticsConversation, name) for name in COUNTERS),
)


def _conversation_from_row(row: Any) -> Conversation:
    """A stored conversation (``_RESUME_COLUMNS``) to continue."""
    conversation = Conversation(
        id=row[0],
        sender_key=row[1],
        feedback_key=row[2],
        channel=row[3],
        kind=row[4],
        day=row[5],
        started_at=row[6].timestamp(),
        last_event_at=row[7].timestamp(),
        active_loop=row[8],
        last_question_id=row[9],
        stored=True,
    )
    for name, value in zip(COUNTERS, row[10:], strict=True):
        setattr(conversation, name, value)
    return conversation


def _resume_open(session: Session, builder: FactBuilder, events: list[Row]) -> None:
    """Continue earlier runs' conversations: each conversation id's newest stored conversation
    (``FactBuilder.apply`` starts a new one when a session start follows a user message)."""
    sender_key = builder.hasher.sender_key
    is_open = builder.open
    senders = {sender_key(s): s for s in dict.fromkeys(e[1] for e in events) if s not in is_open}
    keys = list(senders)
    newest: dict[str, Any] = {}
    for start in range(0, len(keys), PRELOAD_CHUNK):
        chunk = keys[start : start + PRELOAD_CHUNK]
        for row in session.execute(
            select(*_RESUME_COLUMNS).where(AnalyticsConversation.sender_key.in_(chunk))
        ):
            known = newest.get(row[1])
            if known is None or row[6] > known[6]:
                newest[row[1]] = row
    for key, row in newest.items():
        builder.resume(senders[key], _conversation_from_row(row))


def _write(session: Session, facts: Facts) -> None:
    """The facts into the analytics tables (``api.analytics.writer``), in the session's
    transaction."""
    RowWriter(session.connection()).write(facts)


def _read(
    events_db: EventsDatabase,
    session: Session,
    builder: FactBuilder,
    start_id: int,
    batch_rows: int,
    write_every: int,
) -> tuple[int, int]:
    """Apply the windows after ``start_id`` until the builder holds ``write_every``
    conversations or WRITE_SECONDS have passed; returns (the last window's end id, rows read)."""
    end_id, rows = start_id, 0
    deadline = time.monotonic() + WRITE_SECONDS
    # Only the lease holder writes conversations: none stored now, none to continue (a first
    # aggregation does not look up each sender).
    stored = session.execute(select(AnalyticsConversation.id).limit(1)).first() is not None
    session.commit()  # ends the read transaction: SQLite writers are not held up meanwhile
    while True:
        window = events_db.rows(end_id, limit=batch_rows)
        if window is None:
            return end_id, rows
        if stored:
            _resume_open(session, builder, window.events)
            session.commit()
        builder.apply_rows(window.events)
        end_id, rows = window.end_id, rows + window.rows
        if len(builder.facts.conversations) >= write_every or time.monotonic() > deadline:
            return end_id, rows


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a run reads and writes: its facts are hundreds
    of thousands of objects that all stay alive until written, and each collection of the older
    generations walks all of them again (a tenth of a first aggregation's CPU time). Nothing the
    job makes is a cycle that needs the collector; reference counting frees the facts of each
    write as before, before the collector is back (else its first collection would walk them once
    more). It is switched back on afterwards unless it was off already (another caller's
    choice)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LeaseLost(RuntimeError):
    """The watermark moved under this worker: another one took over (nothing was written)."""


def aggregate(
    session: Session,
    settings: Settings,
    events_db: EventsDatabase,
    *,
    owner: str | None = None,
    now: Callable[[], datetime] = utcnow,
    batch_rows: int = BATCH_ROWS,
    write_every: int = WRITE_CONVERSATIONS,
) -> RunResult:
    """One run of the job (see the module docstring): windows of ``batch_rows`` ids, written
    (and committed) whenever ``write_every`` conversations have been read, and at the end."""
    owner = owner or f"w-{secrets.token_hex(6)}"
    result = RunResult()
    if not events_db.available():
        result.available = False
        return result
    if not _take_lease(session, owner, now()):
        result.skipped = True
        return result
    hasher = Hasher(analytics_key(settings))
    tz = ZoneInfo(settings.timezone)
    try:
        with _gc_paused():  # the facts of a write are freed before it ends
            while True:
                start_id = _state(session).last_event_id
                builder = FactBuilder(hasher, tz)
                end_id, rows = _read(events_db, session, builder, start_id, batch_rows, write_every)
                if end_id == start_id:
                    result.last_event_id = start_id
                    break
                moved = _rowcount(
                    session.execute(
                        update(AnalyticsState)
                        .where(
                            AnalyticsState.id == STATE_ID,
                            AnalyticsState.last_event_id == start_id,
                            AnalyticsState.lease_owner == owner,
                        )
                        .values(last_event_id=end_id, updated_at=now(), lease_until=now() + LEASE)
                    )
                )
                if moved != 1:
                    session.rollback()
                    raise LeaseLost("the analytics watermark moved; another worker aggregates")
                _write(session, builder.facts)
                session.commit()
                session.expire_all()  # bulk writes bypass the identity map
                result.events += rows
                result.conversations += len(builder.facts.conversations)
                result.answers += len(builder.facts.answers)
                result.questions += len(builder.facts.questions)
        # Feedback given before the events were read to the end refers to aggregated answers.
        read_up_to = now()
        since = read_up_to - timedelta(days=settings.retention_feedback_days)
        result.feedback = link_feedback(session, hasher, tz, since, read_up_to)
        session.commit()
    except LeaseLost:
        log.warning("analytics: lease lost; this run stopped")
        result.skipped = True
    finally:
        _give_back_lease(session, owner)
    return result


def run_once(session_factory: sessionmaker[Session], settings: Settings) -> RunResult:
    events_db = EventsDatabase(settings.events_db_url)
    try:
        with session_factory() as session:
            return aggregate(session, settings, events_db)
    finally:
        events_db.dispose()


class AnalyticsLoop:
    """Runs the job every ``interval`` seconds in a daemon thread until ``stop``."""

    def __init__(
        self, session_factory: sessionmaker[Session], settings: Settings, interval: float
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="analytics", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            started = time.monotonic()
            try:
                result = run_once(self.session_factory, self.settings)
            except Exception as error:  # keep the loop alive; the next run tries again
                log.error("analytics: aggregation failed (%s)", type(error).__name__)
                continue
            if result.events or result.feedback:
                log.info(
                    "analytics: aggregated",
                    extra={
                        "events": result.events,
                        "feedback": result.feedback,
                        "seconds": round(time.monotonic() - started, 3),
                    },
                )
