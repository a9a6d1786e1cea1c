"""The aggregation job: new events of the events database -> analytics tables.

One run (``aggregate``):

1. takes the lease in ``analytics_state`` (one row): ``UPDATE ... SET lease_owner = me,
   lease_until = now + LEASE WHERE lease_until < now OR lease_owner = me``. Another worker (a
   second uvicorn worker, the CLI next to the service) finds it taken and skips its run; a worker
   that dies leaves a lease that simply runs out;
2. reads events after ``last_event_id`` in windows of ``BATCH_ROWS`` ids
   (``EventsDatabase.window``: only the events that count, by the broker's typed columns, from
   their JSON where a row has none) and turns each window into facts (``api.analytics.facts``),
   continuing the conversations earlier runs left open;
3. writes each batch in ONE transaction that first moves the watermark with a compare-and-set:
   ``UPDATE analytics_state SET last_event_id = <batch end> WHERE last_event_id = <batch start>
   AND lease_owner = me``. If that changes no row (the lease ran out and another worker took
   over), the transaction is rolled back and the run stops: an event range is counted exactly
   once, whatever happens between workers. On PostgreSQL the UPDATE also row-locks the state row
   until commit, so a second writer waits and then finds the watermark moved;
4. links new feedback (``api.analytics.feedback``) and gives the lease back.

The background loop (``AnalyticsLoop``) runs it every ``KK_ANALYTICS_INTERVAL_SECONDS`` in a
thread of the case service; ``python -m api.cli aggregate-analytics`` and
``POST /analytics/aggregate`` run it on demand.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.analytics.decode import Event
from api.analytics.events import BATCH_ROWS, EventsDatabase
from api.analytics.facts import Conversation, FactBuilder, Facts, utc
from api.analytics.feedback import link_feedback
from api.analytics.keys import Hasher, analytics_key
from api.core.config import Settings
from api.db.base import utcnow
from api.models.analytics import (
    AnalyticsAnswer,
    AnalyticsConversation,
    AnalyticsQuestion,
    AnalyticsState,
)

log = logging.getLogger("api.analytics")

LEASE = timedelta(minutes=5)
STATE_ID = 1
PRELOAD_CHUNK = 500
COUNTERS = (
    "messages",
    "turns",
    "fallbacks",
    "dont_know",
    "low_confidence",
    "handovers",
    "forms_sent",
    "answers",
    "feedback_up",
    "feedback_down",
    "legal_asked",
    "legal_answered",
    "legal_clarify",
    "legal_refused",
    "legal_escalated",
)


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


def _conversation_from_row(row: AnalyticsConversation) -> Conversation:
    conversation = Conversation(
        id=row.id,
        sender_key=row.sender_key,
        feedback_key=row.feedback_key,
        channel=row.channel,
        kind=row.kind,
        day=row.day,
        started_at=row.started_at.timestamp(),
        last_event_at=row.last_event_at.timestamp(),
        active_loop=row.active_loop,
        last_question_id=row.last_question_id,
        stored=True,
    )
    for name in COUNTERS:
        setattr(conversation, name, getattr(row, name))
    return conversation


def _resume_open(session: Session, builder: FactBuilder, events: list[Event]) -> None:
    """Continue earlier runs' conversations: each conversation id's newest stored conversation
    (``FactBuilder.apply`` starts a new one when a session start follows a user message)."""
    senders = {builder.hasher.sender_key(s): s for s in dict.fromkeys(e.sender_id for e in events)}
    keys = list(senders)
    newest: dict[str, AnalyticsConversation] = {}
    for start in range(0, len(keys), PRELOAD_CHUNK):
        chunk = keys[start : start + PRELOAD_CHUNK]
        for row in session.scalars(
            select(AnalyticsConversation).where(AnalyticsConversation.sender_key.in_(chunk))
        ):
            known = newest.get(row.sender_key)
            if known is None or row.started_at > known.started_at:
                newest[row.sender_key] = row
    for key, row in newest.items():
        builder.resume(senders[key], _conversation_from_row(row))


def _conversation_values(conversation: Conversation) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": conversation.id,
        "sender_key": conversation.sender_key,
        "feedback_key": conversation.feedback_key,
        "channel": conversation.channel,
        "kind": conversation.kind,
        "day": conversation.day,
        "started_at": utc(conversation.started_at),
        "last_event_at": utc(conversation.last_event_at),
        "active_loop": conversation.active_loop,
        "last_question_id": conversation.last_question_id,
    }
    for name in COUNTERS:
        values[name] = getattr(conversation, name)
    return values


def _write(session: Session, facts: Facts) -> None:
    """Core executemany (the ORM's bulk paths cost several times more here)."""
    connection = session.connection()
    conversations = cast(Table, AnalyticsConversation.__table__)
    new = [_conversation_values(c) for c in facts.conversations if not c.stored]
    if new:
        connection.execute(conversations.insert(), new)
    changed = [_conversation_values(c) for c in facts.conversations if c.stored]
    if changed:
        for values in changed:
            values["key"] = values.pop("id")
        columns = [name for name in changed[0] if name != "key"]
        connection.execute(
            conversations.update()
            .where(conversations.c.id == bindparam("key"))
            .values({name: bindparam(name) for name in columns}),
            changed,
        )
    if facts.answers:
        connection.execute(
            cast(Table, AnalyticsAnswer.__table__).insert(),
            [
                {
                    "conversation_id": a.conversation_id,
                    "entry_id": a.entry_id[:120],
                    "channel": a.channel,
                    "day": a.day,
                    "at": utc(a.at),
                }
                for a in facts.answers
            ],
        )
    if facts.questions:
        connection.execute(
            cast(Table, AnalyticsQuestion.__table__).insert(),
            [
                {
                    "id": q.id,
                    "conversation_id": q.conversation_id,
                    "outcome": q.outcome,
                    "text": q.text,
                    "channel": q.channel,
                    "day": q.day,
                    "at": utc(q.at),
                }
                for q in facts.questions.values()
            ],
        )
    for question_id, outcome in facts.question_updates.items():
        connection.execute(
            update(AnalyticsQuestion)
            .where(AnalyticsQuestion.id == question_id)
            .values(outcome=outcome)
        )
    for conversation in facts.conversations:
        conversation.stored = True


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
) -> RunResult:
    """One run of the job (see the module docstring). Commits per batch."""
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
        while True:
            state = _state(session)
            start_id = state.last_event_id
            window = events_db.window(start_id, limit=batch_rows)
            if window is None:
                result.last_event_id = start_id
                break
            end_id = window.end_id
            events = window.events
            builder = FactBuilder(hasher, tz)
            _resume_open(session, builder, events)
            for event in events:
                builder.apply(event)
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
            result.events += window.rows
            result.conversations += sum(1 for c in builder.facts.conversations)
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
