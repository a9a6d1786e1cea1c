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

On SQLite one ``INSERT`` statement carries several rows (``_insert``), and the times' text is made
without a ``datetime`` per value (``sqlite_time``).

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
from itertools import chain, islice
from math import modf
from operator import attrgetter
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
# The columns whose values are converted (``sql_day``, ``sql_time``), then the ones written as
# they are (taken from a conversation in one ``attrgetter`` call); the key ``id`` among them.
CONVERTED_COLUMNS = ("day", "started_at", "last_event_at")
PLAIN_COLUMNS = (
    "id",
    "sender_key",
    "feedback_key",
    "channel",
    "kind",
    "active_loop",
    "last_question_id",
    *COUNTERS,
)
CONVERSATION_COLUMNS = (*CONVERTED_COLUMNS, *PLAIN_COLUMNS)
_plain_values = attrgetter(*PLAIN_COLUMNS)
ANSWER_COLUMNS = ("conversation_id", "entry_id", "channel", "day", "at")
QUESTION_COLUMNS = ("id", "conversation_id", "outcome", "text", "channel", "day", "at")
ENTRY_ID_CHARS = 120  # analytics_answers.entry_id
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
BULK_MIN_ROWS = 5_000
CHUNK_ROWS = 10_000
# Values per INSERT statement on SQLite (its lowest limit, before 3.32: 999).
SQLITE_VARIABLES = 999
MINUTES_KEPT = 100_000  # sqlite_time's cache: at most about 3 MB
_MINUTES: dict[int, str] = {}
BULK_TABLES: tuple[Table, ...] = tuple(
    # Declarative models type __table__ as FromClause; these are plain Tables.
    model.__table__  # type: ignore[misc]
    for model in (AnalyticsConversation, AnalyticsAnswer, AnalyticsQuestion)
)


def sqlite_time(timestamp: float) -> str:
    """What SQLAlchemy's SQLite ``DATETIME`` stores for ``UTCDateTime`` (naive UTC):
    ``datetime.fromtimestamp(timestamp, UTC).isoformat(" ", "microseconds")[:26]``, a third
    faster. The microseconds are rounded as ``datetime.fromtimestamp`` rounds them (the fraction
    of the second times 10**6, half to even, carried into the second at 10**6); the text up to the
    minute is kept per minute (``_MINUTES``; a run's events fall in few minutes, compared with
    how many there are). ``tests/api/test_analytics_writer.py`` compares with SQLAlchemy."""
    fraction, whole = modf(timestamp)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        micro -= 1_000_000
        whole += 1.0
    elif micro < 0:
        micro += 1_000_000
        whole -= 1.0
    minute, second = divmod(int(whole), 60)
    prefix = _MINUTES.get(minute)
    if prefix is None:
        if len(_MINUTES) >= MINUTES_KEPT:
            _MINUTES.clear()
        prefix = _MINUTES[minute] = datetime.fromtimestamp(minute * 60, UTC).isoformat(" ")[:17]
    return f"{prefix}{second:02d}.{micro:06d}"


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
        otherwise take as much memory again as the facts). On SQLite, one statement inserts
        several rows (``VALUES (...), (...)``, at most SQLITE_VARIABLES values): a fifth less
        time per row than one statement per row; the rows keep their order."""
        marks = "(" + ", ".join([self.placeholder] * len(columns)) + ")"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        per = max(1, SQLITE_VARIABLES // len(columns)) if self.sqlite else 1
        several = head + ", ".join([marks] * per)
        rows = iter(rows)
        while chunk := list(islice(rows, CHUNK_ROWS)):
            whole = len(chunk) - len(chunk) % per if per > 1 else 0
            if whole:
                self.connection.exec_driver_sql(
                    several,
                    [tuple(chain.from_iterable(chunk[i : i + per])) for i in range(0, whole, per)],
                )
            if whole < len(chunk):
                self.connection.exec_driver_sql(head + marks, chunk[whole:])

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
            self.sql_day(c.day),
            self.sql_time(c.started_at),
            self.sql_time(c.last_event_at),
            *_plain_values(c),
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
        key = CONVERSATION_COLUMNS.index("id")
        self._update(
            "analytics_conversations",
            CONVERSATION_COLUMNS[:key] + CONVERSATION_COLUMNS[key + 1 :],
            "id",
            [
                (*values[:key], *values[key + 1 :], values[key])
                for values in (self.conversation_values(c) for c in facts.conversations if c.stored)
            ],
        )
        time, day = self.sql_time, self.sql_day
        day_values: dict[date, Any] = {}
        self._insert(
            "analytics_answers",
            ANSWER_COLUMNS,
            (
                (
                    conversation_id,
                    entry_id[:ENTRY_ID_CHARS],
                    channel,
                    day_values.get(on) or day_values.setdefault(on, day(on)),
                    time(at),
                )
                for conversation_id, entry_id, channel, on, at in facts.answers
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
