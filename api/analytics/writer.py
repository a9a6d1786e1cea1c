"""Writing a run's facts into the analytics tables, fast.

A first aggregation of 100,000 conversations writes about 100,000 conversation rows, 150,000
answer rows and 27,000 questions. Through SQLAlchemy Core's ``executemany`` most of the time went
into SQLAlchemy's per-value bind processing (``UTCDateTime``, ``Date``); here each value is
converted once, by the rules those types apply (``sql_time``, ``sql_day``), and the rows go to
the driver's ``executemany`` (``Connection.exec_driver_sql``) in the session's transaction:

- SQLite (pysqlite, ``?``): times as naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` and days as
  ``YYYY-MM-DD``, exactly what SQLAlchemy's SQLite ``DATETIME`` and ``DATE`` store (the report
  compares them as text); ``tests/api/test_analytics_writer.py`` checks this against SQLAlchemy's
  own bind processors and reads the rows back through the ORM;
- PostgreSQL (psycopg, ``%s``): aware UTC datetimes and dates, as ``UTCDateTime`` hands them over.

New conversations are inserted in the order of their primary key (a keyed hash): SQLite then
appends to its primary-key B-tree instead of inserting at random places. On SQLite, a write that
at least doubles the conversations (a first aggregation, a large backlog; at least
``BULK_MIN_ROWS``) drops the tables' secondary indexes, inserts, and creates them again in the
same transaction: building an index from all rows at once costs a third of adding the rows one by
one to indexes on random keys. Readers never see the tables without them (the transaction is not
committed before they are back). PostgreSQL keeps its indexes (dropping them would lock the
tables against the pages for the length of the write).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Index, Table, func, select

from api.analytics.facts import Conversation, Facts
from api.models.analytics import AnalyticsAnswer, AnalyticsConversation, AnalyticsQuestion

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
CONVERSATION_COLUMNS = (
    "id",
    "sender_key",
    "feedback_key",
    "channel",
    "kind",
    "day",
    "started_at",
    "last_event_at",
    "active_loop",
    "last_question_id",
    *COUNTERS,
)
ANSWER_COLUMNS = ("conversation_id", "entry_id", "channel", "day", "at")
QUESTION_COLUMNS = ("id", "conversation_id", "outcome", "text", "channel", "day", "at")
ENTRY_ID_CHARS = 120  # analytics_answers.entry_id
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
BULK_MIN_ROWS = 5_000
CHUNK_ROWS = 10_000
BULK_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (AnalyticsConversation, AnalyticsAnswer, AnalyticsQuestion)
)


def sqlite_time(timestamp: float) -> str:
    """What SQLAlchemy's SQLite ``DATETIME`` stores for ``UTCDateTime`` (naive UTC)."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(" ", "microseconds")[:26]


def sqlite_day(day: date) -> str:
    return day.isoformat()


def aware_time(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def same_day(day: date) -> date:
    return day


class RowWriter:
    """Inserts and updates of analytics rows on one connection (in its transaction)."""

    def __init__(self, connection: Connection) -> None:
        dialect = connection.dialect
        placeholder = PLACEHOLDERS.get(dialect.paramstyle)
        if placeholder is None:  # pragma: no cover - SQLite and psycopg are what the service runs
            raise RuntimeError(f"analytics: unsupported DBAPI paramstyle {dialect.paramstyle}")
        self.connection = connection
        self.sqlite = dialect.name == "sqlite"
        self.placeholder = placeholder
        self.sql_time: Callable[[float], Any]
        self.sql_day: Callable[[date], Any]
        if self.sqlite:
            self.sql_time, self.sql_day = sqlite_time, sqlite_day
        else:
            self.sql_time, self.sql_day = aware_time, same_day

    def _insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """``executemany`` in chunks of CHUNK_ROWS (the converted values of a first import would
        otherwise take as much memory again as the facts)."""
        marks = ", ".join([self.placeholder] * len(columns))
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        rows = iter(rows)
        while chunk := list(islice(rows, CHUNK_ROWS)):
            self.connection.exec_driver_sql(statement, chunk)

    def _update(
        self, table: str, columns: Sequence[str], key: str, rows: list[tuple[Any, ...]]
    ) -> None:
        """``rows``: the values of ``columns``, then the key."""
        if not rows:
            return
        assignments = ", ".join(f"{name} = {self.placeholder}" for name in columns)
        self.connection.exec_driver_sql(
            f"UPDATE {table} SET {assignments} WHERE {key} = {self.placeholder}", rows
        )

    def _indexes_to_rebuild(self, new_conversations: int) -> list[Index]:
        """The secondary indexes to drop for this write and create after it (see the module
        docstring); none on PostgreSQL or for a write that adds less than the tables hold."""
        if not self.sqlite or new_conversations < BULK_MIN_ROWS:
            return []
        stored = self.connection.execute(
            select(func.count()).select_from(AnalyticsConversation.__table__)
        ).scalar()
        if int(stored or 0) > new_conversations:
            return []
        return [index for table in BULK_TABLES for index in sorted(table.indexes, key=_name)]

    def conversation_values(self, c: Conversation) -> tuple[Any, ...]:
        """The values of CONVERSATION_COLUMNS."""
        return (
            c.id,
            c.sender_key,
            c.feedback_key,
            c.channel,
            c.kind,
            self.sql_day(c.day),
            self.sql_time(c.started_at),
            self.sql_time(c.last_event_at),
            c.active_loop,
            c.last_question_id,
            c.messages,
            c.turns,
            c.fallbacks,
            c.dont_know,
            c.low_confidence,
            c.handovers,
            c.forms_sent,
            c.answers,
            c.feedback_up,
            c.feedback_down,
            c.legal_asked,
            c.legal_answered,
            c.legal_clarify,
            c.legal_refused,
            c.legal_escalated,
        )

    def write(self, facts: Facts) -> None:
        """Insert new conversations, answers and questions; update the conversations and
        questions an earlier run stored. Marks the conversations stored."""
        new = sorted((c for c in facts.conversations if not c.stored), key=lambda c: c.id)
        rebuilt = self._indexes_to_rebuild(len(new))
        for index in rebuilt:
            index.drop(self.connection)
        self._insert(
            "analytics_conversations",
            CONVERSATION_COLUMNS,
            (self.conversation_values(c) for c in new),
        )
        changed = [self.conversation_values(c) for c in facts.conversations if c.stored]
        self._update(
            "analytics_conversations",
            CONVERSATION_COLUMNS[1:],
            "id",
            [(*values[1:], values[0]) for values in changed],
        )
        time, day = self.sql_time, self.sql_day
        day_values: dict[date, Any] = {}
        self._insert(
            "analytics_answers",
            ANSWER_COLUMNS,
            (
                (
                    a.conversation_id,
                    a.entry_id[:ENTRY_ID_CHARS],
                    a.channel,
                    day_values.get(a.day) or day_values.setdefault(a.day, day(a.day)),
                    time(a.at),
                )
                for a in facts.answers
            ),
        )
        self._insert(
            "analytics_questions",
            QUESTION_COLUMNS,
            (
                (q.id, q.conversation_id, q.outcome, q.text, q.channel, day(q.day), time(q.at))
                for q in facts.questions.values()
            ),
        )
        self._update(
            "analytics_questions",
            ("outcome",),
            "id",
            [(outcome, question_id) for question_id, outcome in facts.question_updates.items()],
        )
        for index in rebuilt:
            index.create(self.connection)
        for conversation in facts.conversations:
            conversation.stored = True


def _name(index: Index) -> str:
    return str(index.name)
