"""The events database: the ``events`` table the Rasa server's event broker writes
(``bot/event_broker.py``, a subclass of Rasa's ``rasa/core/brokers/sql.py``: ``id`` INTEGER
primary key, ``sender_id``, ``data`` = the event as Rasa's JSON, plus the typed columns
``type_name``, ``name`` and ``timestamp`` of ``kkshared.event_rows``). The case service reads it by
id and deletes conversations from it when their retention period has run out; it never creates it
(Rasa does, when it starts).

Reading (``EventsDatabase.rows``, the job's; ``window`` hands the same over as ``Event``
objects): the database picks the events analytics count by the typed columns (an index holds them
in id order, so the JSON of the other events is never read) and hands over a row's JSON only where
a field is needed that has no column: the text of a user message that may become an unanswered
question (``TEXT_INTENTS``) and a legal answer's status.
Rows without typed columns (written by Rasa's own broker, before the columns were added, or a
table that does not have them yet) are filtered by a few characters of their JSON and decoded
from it (``api.analytics.decode``), as before. The job gets the events as plain tuples
(``api.analytics.decode.Row``): the query selects a typed row's columns in the tuple's order, so
the tuple the database cursor makes is handed over as it is, without an object per event.

``KK_EVENTS_DB_URL``: the same URL the Rasa server gets (``sqlite:///./var/events.db`` by default;
``postgresql://...`` or ``postgresql+psycopg://...`` for PostgreSQL).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Float,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    column,
    create_engine,
    delete,
    event,
    func,
    inspect,
    literal,
    null,
    or_,
    quoted_name,
    select,
    table,
)
from sqlalchemy.engine import make_url
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.compiler import SQLCompiler

from api.analytics.decode import Event, Row, Undecodable, as_event, as_row, decode
from api.analytics.facts import (
    DONT_KNOW_RESPONSE,
    FAILURE_INTENTS,
    FAQ_PREFIX,
    FORM_RECEIPTS,
    HANDOVER_ACTION,
    HANDOVER_AFTER_FALLBACK,
    LEGAL_ANSWER,
    LEGAL_ESCALATED,
    LEGAL_REFUSALS,
    LEGAL_UNAVAILABLE,
    SESSION_START_ACTION,
    SOURCE_ANSWER_INTENT,
)
from kkshared.event_rows import INDEXES, TABLE, TYPED_COLUMNS
from kkshared.event_table import events

log = logging.getLogger("api.analytics")

# The broker's index of the typed columns in id order (kkshared.event_rows.INDEXES).
TYPED_INDEX = INDEXES[0][0]
# Rows read per query; also the unit of one transaction of the job.
BATCH_ROWS = 50_000
# Characters of ``data`` read: enough for every field ``decode`` needs (they all come before a
# user event's NLU ranking and a bot message's text); a longer event is read again in full.
PREFIX_CHARS = 1600
DELETE_BATCH = 200
# The first 16 characters of the responses analytics count (api/analytics/facts.py); catalogue
# answers ("utter_faq/<id>") are matched on their first 10.
BOT_PREFIXES = (
    'utter_dont_know"',
    "utter_handover_a",
    "utter_absence_se",
    "utter_reschedule",
    "utter_message_se",
    "utter_legal_answ",
    "utter_legal_refu",
    "utter_legal_sour",
    "utter_legal_unav",
    "utter_legal_esca",
)
ACTION_PREFIXES = ("action_session_s", 'action_handover"')

# The same selection on the typed columns (the definitions of api/analytics/facts.py).
COUNTED_TYPES = ("user", "session_started", "active_loop")
COUNTED_RESPONSES = tuple(
    sorted(
        {
            DONT_KNOW_RESPONSE,
            HANDOVER_AFTER_FALLBACK,
            *FORM_RECEIPTS,
            LEGAL_ANSWER,
            *LEGAL_REFUSALS,
            LEGAL_UNAVAILABLE,
            LEGAL_ESCALATED,
        }
    )
)
COUNTED_ACTIONS = (SESSION_START_ACTION, HANDOVER_ACTION)
# User messages whose text analytics keep (unanswered questions); the only other field read from
# the JSON of a typed row is a legal answer's status.
TEXT_INTENTS = tuple(sorted({*FAILURE_INTENTS, SOURCE_ANSWER_INTENT}))
JSON_RESPONSES = (LEGAL_ANSWER,)


@dataclass(frozen=True, slots=True)
class Window:
    """The events analytics read among the ids ``(after_id, end_id]``, in id order; the job's
    watermark moves to ``end_id``. ``rows``: how many rows the database selected."""

    end_id: int
    events: list[Event]
    rows: int


@dataclass(frozen=True, slots=True)
class RowWindow:
    """``Window`` with the events as ``Row`` tuples (what the job applies)."""

    end_id: int
    events: list[Row]
    rows: int


@dataclass(frozen=True, slots=True)
class _Columns:
    """The columns of ``events`` the reader's queries use: the table's, or unqualified ones (for a
    FROM clause with an index hint)."""

    id: ColumnElement[int]
    sender_id: ColumnElement[str]
    data: ColumnElement[str]
    type_name: ColumnElement[str]
    name: ColumnElement[str]
    timestamp: ColumnElement[float]

    @classmethod
    def of(cls, source: Table) -> _Columns:
        c = source.c
        return cls(c.id, c.sender_id, c.data, c.type_name, c.name, c.timestamp)

    @classmethod
    def unqualified(cls) -> _Columns:
        return cls(
            column("id", Integer),
            column("sender_id", String),
            column("data", Text),
            column("type_name", String),
            column("name", String),
            column("timestamp", Float),
        )


def engine_url(url: str) -> str:
    """SQLAlchemy 2 needs a driver for PostgreSQL; Rasa's URL (``postgresql://``) means psycopg2,
    which the case service does not have, so the case service uses psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


class EventsDatabase:
    """Read and purge access to the events database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._typed: bool | None = None
        self._typed_index = False
        self._compiled: SQLCompiler | None = None

    def available(self) -> bool:
        """False while Rasa has not created the database (SQLite file or table missing)."""
        path = _sqlite_file(self.url)
        if path is not None and not path.exists():
            return False
        return inspect(self.engine).has_table("events")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            path = _sqlite_file(self.url)
            if path is not None:
                self._engine = create_engine(
                    engine_url(self.url), connect_args={"check_same_thread": False, "timeout": 30}
                )
                event.listen(self._engine, "connect", _sqlite_secure_delete)
                if path.exists():
                    # WAL is a property of the file: Rasa's broker then commits an event in
                    # about a third of the time, and this reader never blocks its writes.
                    with self._engine.connect() as conn:
                        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            else:
                self._engine = create_engine(engine_url(self.url), pool_pre_ping=True)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._typed = None
        self._compiled = None

    def max_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(events.c.id))).scalar() or 0)

    def _position(self, c: _Columns, needle: str) -> Any:
        """1-based position of ``needle`` in ``data`` (0: absent), in this database's dialect."""
        if self.engine.dialect.name == "sqlite":
            return func.instr(c.data, needle)
        return func.strpos(c.data, needle)

    def typed(self) -> bool:
        """Whether the table has the typed columns (the broker adds them when it starts)."""
        if self._typed is None:
            inspector = inspect(self.engine)
            columns = {column["name"] for column in inspector.get_columns("events")}
            self._typed = set(TYPED_COLUMNS) <= columns
            indexes = {index["name"] for index in inspector.get_indexes("events")}
            self._typed_index = TYPED_INDEX in indexes
        return self._typed

    def _relevant_json(self, c: _Columns) -> ColumnElement[bool]:
        """The events ``decode`` reads (``api.analytics.decode.KINDS``; bot events only with a
        response analytics count, actions only a session start or a handover), found by the
        database on a few characters: Rasa's broker writes ``{"sender_id": "<id>", "event":
        "<kind>", ...`` (ids are ASCII without escapes, so the kind is at a known position), the
        response name comes first in a bot event's metadata, the name early in an action. What
        this lets through ``decode`` checks again; what it leaves out carries nothing counted."""
        kind = func.substr(c.data, func.length(c.sender_id) + 29, 7)
        utter = func.substr(c.data, self._position(c, '"utter_action": "') + 17, 16)
        action = func.substr(c.data, self._position(c, '"name": "') + 9, 16)
        return or_(
            kind.in_(('user", ', "session", "active_")),
            and_(
                kind == 'bot", "',
                or_(func.substr(utter, 1, 10) == "utter_faq/", utter.in_(BOT_PREFIXES)),
            ),
            and_(kind == 'action"', action.in_(ACTION_PREFIXES)),
        )

    @staticmethod
    def _relevant_typed(c: _Columns) -> ColumnElement[bool]:
        """The same events by the typed columns."""
        return or_(
            c.type_name.in_(COUNTED_TYPES),
            and_(
                c.type_name == "bot",
                or_(
                    # Not a range (name >= 'utter_faq/'): PostgreSQL's locale collations order
                    # punctuation differently; equality is the same in every collation.
                    func.substr(c.name, 1, len(FAQ_PREFIX)) == FAQ_PREFIX,
                    c.name.in_(COUNTED_RESPONSES),
                ),
            ),
            and_(c.type_name == "action", c.name.in_(COUNTED_ACTIONS)),
        )

    @staticmethod
    def _needs_json(c: _Columns) -> ColumnElement[bool]:
        """Typed rows with a needed field that has no column."""
        return or_(
            and_(c.type_name == "user", c.name.in_(TEXT_INTENTS)),
            and_(c.type_name == "bot", c.name.in_(JSON_RESPONSES)),
        )

    def window(self, after_id: int, limit: int = BATCH_ROWS) -> Window | None:
        """The events analytics read among the next ``limit`` ids after ``after_id`` (fewer rows
        where ids are missing: deleted conversations); None when there are no new events."""
        rows = self.rows(after_id, limit)
        if rows is None:
            return None
        return Window(rows.end_id, [as_event(row) for row in rows.events], rows.rows)

    def rows(self, after_id: int, limit: int = BATCH_ROWS) -> RowWindow | None:
        """``window`` as plain tuples (``api.analytics.decode.Row``), what the job applies: a
        typed row that needs nothing from its JSON is handed over as the database cursor made it
        (the query selects the columns in the tuple's order), no object is built per event."""
        with self.engine.connect() as conn:
            # Two lookups in the primary key (min and max together would scan the range).
            first = conn.execute(
                select(func.min(events.c.id)).where(events.c.id > after_id)
            ).scalar()
            last = conn.execute(select(func.max(events.c.id))).scalar()
            if first is None or last is None:
                return None
            end_id = min(int(last), int(first) - 1 + limit)
            if self._compiled is None:  # once: compiling the query costs 3 ms
                self._compiled = self._query().compile(
                    dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
                )
            rows = _fetch_all(conn, self._compiled, {"after_id": after_id, "end_id": end_id})
        found: list[Row] = []
        append = found.append
        for row in rows:
            if row[5] is None and row[2] is not None:  # typed, no JSON needed: already a Row
                append(row)
                continue
            event = self._decode_json(row[0], row[1], row[5] or "")
            if event is not None:
                append(as_row(event))
        return RowWindow(end_id, found, len(rows))

    def _query(self) -> Select[Any]:
        """The relevant rows among the ids ``(:after_id, :end_id]``, by id, as ``Row`` tuples
        ``(id, sender_id, type_name, name, timestamp, data prefix, NULL)``: the JSON only where it
        is read (then ``rows`` decodes the row into a ``Row``)."""
        after_id = bindparam("after_id", 0, type_=Integer)  # values given when run
        end_id = bindparam("end_id", 0, type_=Integer)
        if not self.typed():
            c = _Columns.of(events)
            return (
                select(
                    c.id,
                    func.coalesce(c.sender_id, ""),
                    null(),
                    null(),
                    null(),
                    func.substr(c.data, 1, PREFIX_CHARS),
                    null(),
                )
                .where(c.id > after_id, c.id <= end_id, self._relevant_json(c))
                .order_by(c.id)
            )
        source: FromClause = events
        c = _Columns.of(events)
        if self.engine.dialect.name == "sqlite" and self._typed_index:
            # SQLite's planner goes through the table by its primary key, reading every row with
            # its JSON; the index holds the typed columns in id order, and SQLite then reads a row
            # only where the query needs its JSON (a quarter less time at 100k conversations).
            # SQLAlchemy has no SQLite index hints: the table is named with the hint and the
            # columns are left unqualified.
            source = table(quoted_name(f"{TABLE} INDEXED BY {TYPED_INDEX}", quote=False))
            c = _Columns.unqualified()
        untyped = c.type_name.is_(None)
        with_json = or_(untyped, self._needs_json(c))
        return (
            select(
                c.id,
                func.coalesce(c.sender_id, ""),
                c.type_name,
                c.name,
                func.coalesce(c.timestamp, literal(0.0, Float)),
                case((with_json, func.substr(c.data, 1, PREFIX_CHARS)), else_=null()),
                null(),
            )
            .select_from(source)
            .where(
                c.id > after_id,
                c.id <= end_id,
                or_(self._relevant_typed(c), and_(untyped, self._relevant_json(c))),
            )
            .order_by(c.id)
        )

    def _decode_json(self, event_id: int, sender_id: str, data: str) -> Event | None:
        """An event from its JSON (read again in full when the prefix was not enough)."""
        try:
            return decode(event_id, sender_id, data)
        except Undecodable:
            if len(data) >= PREFIX_CHARS:  # cut off: maybe whole in full
                try:
                    return decode(event_id, sender_id, self.full_data(event_id))
                except Undecodable:
                    pass
        log.warning("analytics: event %s is not a Rasa event; skipped", event_id)
        return None

    def full_data(self, event_id: int) -> str:
        with self.engine.connect() as conn:
            value = conn.execute(select(events.c.data).where(events.c.id == event_id)).scalar()
        return str(value or "")

    def last_events(self) -> Iterator[tuple[str, int]]:
        """(conversation id, id of its newest event) for every conversation."""
        query = select(events.c.sender_id, func.max(events.c.id)).group_by(events.c.sender_id)
        with self.engine.connect() as conn:
            for sender_id, last_id in conn.execute(query):
                yield str(sender_id or ""), int(last_id)

    def data_of(self, event_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(event_ids), DELETE_BATCH):
                chunk = list(event_ids[start : start + DELETE_BATCH])
                query = select(events.c.id, events.c.data).where(events.c.id.in_(chunk))
                found.update({int(i): str(d or "") for i, d in conn.execute(query)})
        return found

    def delete_conversations(self, sender_ids: Iterable[str], up_to_id: int) -> int:
        """Delete the events of these conversations with ids up to ``up_to_id`` (an event Rasa
        adds while this runs, a returning user, is kept). Returns how many were deleted."""
        deleted = 0
        senders = list(sender_ids)
        for start in range(0, len(senders), DELETE_BATCH):
            chunk = senders[start : start + DELETE_BATCH]
            statement = delete(events).where(events.c.sender_id.in_(chunk), events.c.id <= up_to_id)
            with self.engine.begin() as conn:
                deleted += int(conn.execute(statement).rowcount or 0)
        return deleted

    def scrub(self) -> None:
        """SQLite: checkpoint a write-ahead log so deleted text does not stay in ``-wal``."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _fetch_all(
    conn: Connection, compiled: SQLCompiler, values: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows of the compiled query with these ``values`` of its parameters, as the DBAPI cursor
    gives them (tuples), without SQLAlchemy's result rows: a first aggregation reads over half a
    million. The selected columns need no result processing (integers, floats, text)."""
    params: Any = {**compiled.params, **values}
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _sqlite_secure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
