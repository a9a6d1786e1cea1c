"""The analytics job (api/analytics) on hand-written event sequences in an events database
shaped like the one the Rasa server's event broker writes: what is counted, conversations split
by session and continued across runs, nothing counted twice, feedback linked to its answer, no
sender id, phone number or CPR number in the analytics tables, retention.

Every test that takes the ``events`` fixture runs on three row formats: ``rasa`` (Rasa's own SQL
event broker: ``id``, ``sender_id``, ``data``; the reader's fallback path), ``typed``
(bot/event_broker.py: plus ``type_name``, ``name``, ``timestamp``, ``kkshared.event_rows``) and
``mixed`` (the typed table with every other row NULL in the typed columns: rows written before
the broker added them)."""

from __future__ import annotations

import gc
import hashlib
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from api_helpers import BACKENDS
from sqlalchemy import create_engine, delete, select, text, update

from api.analytics.decode import as_event, as_row, decode, decode_full, from_columns
from api.analytics.events import TEXT_INTENTS, EventsDatabase
from api.analytics.events import events as events_table
from api.analytics.facts import FactBuilder
from api.analytics.job import aggregate
from api.analytics.keys import Hasher
from api.analytics.report import build_report
from api.analytics.retention import purge_analytics, purge_events
from api.db.base import Base
from api.models.analytics import (
    AnalyticsAnswer,
    AnalyticsConversation,
    AnalyticsFeedback,
    AnalyticsQuestion,
    AnalyticsState,
)
from api.models.feedback import Feedback, Rating
from kkshared.event_rows import event_row, sqlite_schema

MODEL = {"model_id": "m1", "assistant_id": "kk-assistenten"}
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC).timestamp()


FORMATS = ("rasa", "typed", "mixed")


class Events:
    """An events database written like rasa/core/brokers/sql.py (``rasa``) or
    bot/event_broker.py (``typed``; ``mixed``: every other row without the typed columns)."""

    def __init__(self, path: Path, row_format: str = "rasa") -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.format = row_format
        with sqlite3.connect(path) as db:
            if row_format == "rasa":
                db.execute(
                    "CREATE TABLE events (id INTEGER NOT NULL PRIMARY KEY, "
                    "sender_id VARCHAR(255), data TEXT)"
                )
            else:
                for statement in sqlite_schema():
                    db.execute(statement)
        self.ts = T0
        self.count = 0

    def add(self, sender: str, kind: str, **fields: Any) -> None:
        self.ts += 1.0
        self.count += 1
        body = {"sender_id": sender, "event": kind, "timestamp": self.ts}
        body["metadata"] = fields.pop("metadata", dict(MODEL))
        body.update(fields)
        row = event_row(body)
        typed = self.format == "typed" or (self.format == "mixed" and self.count % 2 == 0)
        with sqlite3.connect(self.path) as db:
            if typed:
                db.execute(
                    "INSERT INTO events (sender_id, data, type_name, name, timestamp) "
                    "VALUES (:sender_id, :data, :type_name, :name, :timestamp)",
                    row.as_params(),
                )
            else:
                db.execute("INSERT INTO events (sender_id, data) VALUES (?, ?)", (sender, row.data))

    def start(self, sender: str) -> None:
        self.action(sender, "action_session_start")
        self.bot(sender, "utter_ai_notice")
        self.add(sender, "session_started")
        self.action(sender, "action_listen")

    def action(self, sender: str, name: str) -> None:
        self.add(sender, "action", name=name, policy="RulePolicy", confidence=1.0)

    def bot(self, sender: str, utter: str, custom: dict | None = None) -> None:
        self.add(
            sender,
            "bot",
            metadata={"utter_action": utter, **MODEL},
            text="Svar.",
            data={"buttons": None, "custom": custom},
        )

    def user(self, sender: str, message: str, intent: str, tier: int | None = None) -> None:
        parse: dict[str, Any] = {
            "intent": {"name": intent, "confidence": 0.9},
            "entities": [],
            "text": message,
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
        }
        if tier is not None:
            parse["kk_answer"] = {"tier": tier}
        self.add(sender, "user", text=message, parse_data=parse, input_channel="rest")
        self.add(sender, "user_featurization", use_text_for_featurization=False)
        self.add(sender, "slot", name="x", value=message)

    def loop(self, sender: str, name: str | None) -> None:
        self.add(sender, "active_loop", name=name)


@pytest.fixture(params=FORMATS)
def events(request: pytest.FixtureRequest, tmp_path: Path) -> Events:
    return Events(tmp_path / "events.db", request.param)


@pytest.fixture
def run(db_session, settings, events):
    def run_job(**kwargs: Any):
        job_settings = settings.model_copy(update={"events_db_url": events.url})
        database = EventsDatabase(events.url)
        try:
            return aggregate(db_session, job_settings, database, **kwargs)
        finally:
            database.dispose()

    return run_job


def conversations(db_session) -> list[AnalyticsConversation]:
    return list(db_session.scalars(select(AnalyticsConversation).order_by("started_at")))


# --- decoding ------------------------------------------------------------------------------------


def test_fast_decoding_agrees_with_full_parsing(events):
    sender = "anon:abc"
    events.start(sender)
    events.user(sender, 'hun skrev "text": "x" og \\"intent\\" – æøå', "nlu_fallback", 3)
    events.bot(sender, "utter_faq/benefit_payment")
    events.bot(sender, "utter_legal_answer", {"legal": {"status": "clarify"}})
    events.loop(sender, "legal_mode")
    events.loop(sender, None)
    with sqlite3.connect(events.path) as db:
        rows = db.execute("SELECT id, sender_id, data FROM events").fetchall()
    for event_id, sender_id, data in rows:
        assert decode(event_id, sender_id, data) == decode_full(event_id, sender_id, data)
    user = decode_full(rows[4][0], sender, rows[4][2])
    assert user is not None and user.text.startswith('hun skrev "text"')


def everything(events: Events) -> None:
    """One of every kind of event the job reads or skips, with escapes, a question and a legal
    answer longer than the prefix the reader fetches (read again in full)."""
    citizen, caseworker = "anon:every", "kk:u-2:every"
    events.start(citizen)
    events.user(citizen, 'hun skrev "text": "x" og \\"intent\\" – æøå', "nlu_fallback", 3)
    events.bot(citizen, "utter_dont_know")
    events.user(citizen, "lang " * 500, "source_answer", 2)
    events.bot(citizen, "utter_source_answer")
    events.user(citizen, "hvornår får jeg penge", "faq", 1)
    events.action(citizen, "utter_faq")
    events.bot(citizen, "utter_faq/benefit_payment")
    events.user(citizen, "et menneske tak", "request_human")
    events.action(citizen, "action_handover")
    events.bot(citizen, "utter_handover_intro")
    events.add(citizen, "bot", text="Svar uden navn.")
    events.start(caseworker)
    events.user(caseworker, "/legal_mode_start", "legal_mode_start")
    events.loop(caseworker, "legal_mode")
    events.user(caseworker, "må samtalen holdes pr telefon", "faq", 1)
    events.bot(caseworker, "utter_legal_answer", {"legal": {"status": "clarify", "x": "y" * 2000}})
    events.bot(caseworker, "utter_legal_escalated")
    events.loop(caseworker, None)


def read_all(url: str) -> list[Any]:
    database = EventsDatabase(url)
    try:
        found, after = [], 0
        while (window := database.window(after, limit=7)) is not None:
            found.extend(window.events)
            after = window.end_id
        return found
    finally:
        database.dispose()


def without_unneeded_text(found: list[Any]) -> list[Any]:
    """The JSON path decodes every user message's text; the typed path only the ones kept."""
    return [
        replace(e, text=None) if e.kind == "user" and e.intent not in TEXT_INTENTS else e
        for e in found
    ]


def test_typed_columns_and_json_are_read_alike(tmp_path):
    """The same events as Rasa's broker and as ours wrote them: the reader hands the job the
    same events (in small windows, the mixed table too)."""
    read = {}
    for row_format in FORMATS:
        events = Events(tmp_path / f"{row_format}.db", row_format)
        everything(events)
        read[row_format] = without_unneeded_text(read_all(events.url))
    assert len(read["rasa"]) == 17
    assert read["typed"] == read["rasa"] and read["mixed"] == read["rasa"]
    texts = [e.text for e in read["typed"] if e.text is not None]
    assert texts[0].startswith('hun skrev "text"') and texts[1] == "lang " * 500
    assert [e.status for e in read["typed"] if e.status] == ["clarify"]


def test_the_reader_builds_typed_events_as_from_columns_does(tmp_path):
    """The reader builds the events of typed rows itself (inlined for speed): the same as
    ``decode.from_columns``."""
    events = Events(tmp_path / "typed.db", "typed")
    everything(events)
    with sqlite3.connect(events.path) as db:
        rows = {
            r[0]: r
            for r in db.execute("SELECT id, sender_id, type_name, name, timestamp FROM events")
        }
    read = [e for e in read_all(events.url) if e.text is None and e.status is None]
    assert {e.kind for e in read} == {"user", "bot", "action", "active_loop", "session_started"}
    for event in read:
        assert event == from_columns(*rows[event.id])


def test_the_job_applies_the_rows_the_reader_hands_over(tmp_path):
    """The job applies ``EventsDatabase.rows`` (plain tuples; a typed row as the database cursor
    made it): the same events as ``window`` hands over, and the same facts as applying those
    events one by one."""
    hasher, tz = Hasher(b"k" * 32), ZoneInfo("Europe/Copenhagen")
    for row_format in FORMATS:
        events = Events(tmp_path / f"{row_format}.db", row_format)
        everything(events)
        database = EventsDatabase(events.url)
        try:
            rows, window = database.rows(0), database.window(0)
        finally:
            database.dispose()
        assert rows is not None and window is not None and len(rows.events) == 17
        assert [as_row(event) for event in window.events] == rows.events
        assert [as_event(row) for row in rows.events] == window.events
        by_rows, by_events = FactBuilder(hasher, tz), FactBuilder(hasher, tz)
        by_rows.apply_rows(rows.events)
        for event in window.events:
            by_events.apply(event)
        assert by_rows.facts == by_events.facts
        assert len(by_rows.facts.conversations) == 2 and len(by_rows.facts.answers) == 1
        assert [q.outcome for q in by_rows.facts.questions.values()] == [
            "dont_know",
            "low_confidence",
        ]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_paused_only_while_the_job_reads_and_writes(
    run, events, monkeypatch, enabled
):
    events.start("anon:x")
    events.user("anon:x", "hej", "greet")
    import api.analytics.job as job

    real, seen = job.FactBuilder.apply_rows, []

    def apply_and_look(self, rows):  # noqa: ANN001
        seen.append(gc.isenabled())
        real(self, rows)

    monkeypatch.setattr(job.FactBuilder, "apply_rows", apply_and_look)
    try:
        if not enabled:
            gc.disable()
        assert run().conversations == 1
        assert seen == [False] and gc.isenabled() is enabled
    finally:
        gc.enable()


def test_typed_rows_are_read_from_their_columns(tmp_path, db_session, settings):
    """The JSON of a typed row is not read unless a field without a column is needed: spoiling
    it changes nothing; spoiling a question's JSON loses only that question."""
    events = Events(tmp_path / "typed.db", "typed")
    everything(events)
    with sqlite3.connect(events.path) as db:
        db.execute(
            "UPDATE events SET data = 'not json' WHERE NOT (type_name = 'user' AND name IN "
            "('nlu_fallback', 'gibberish', 'source_answer')) AND name IS NOT 'utter_legal_answer'"
        )
    job_settings = settings.model_copy(update={"events_db_url": events.url})
    database = EventsDatabase(events.url)
    try:
        aggregate(db_session, job_settings, database)
    finally:
        database.dispose()
    first, legal = conversations(db_session)
    assert (first.messages, first.fallbacks, first.dont_know, first.low_confidence) == (4, 1, 1, 1)
    assert (first.answers, first.handovers) == (1, 1)
    assert (legal.channel, legal.legal_clarify, legal.legal_escalated) == ("legal", 1, 1)
    assert len(db_session.scalars(select(AnalyticsQuestion)).all()) == 2


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="KK_TEST_POSTGRES_URL is not set")
def test_the_reader_on_postgresql(tmp_path, fresh_database_url):
    """strpos/substr/CASE on PostgreSQL: typed and untyped rows read as on SQLite."""
    sqlite = Events(tmp_path / "mixed.db", "mixed")
    everything(sqlite)
    url = fresh_database_url("postgresql")
    engine = create_engine(url)
    try:
        events_table.metadata.create_all(engine)  # the table with the broker's indexes
        with sqlite3.connect(sqlite.path) as db:
            rows = db.execute(
                "SELECT id, sender_id, data, type_name, name, timestamp FROM events ORDER BY id"
            ).fetchall()
        columns = ("id", "sender_id", "data", "type_name", "name", "timestamp")
        with engine.begin() as conn:
            conn.execute(events_table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
    finally:
        engine.dispose()
    assert read_all(url) == read_all(sqlite.url)


# --- what is counted -----------------------------------------------------------------------------


def test_an_anonymous_conversation_is_counted(run, events, db_session):
    sender = "anon:web1"
    events.start(sender)
    events.user(sender, "hvornår får jeg min kontanthjælp", "faq", 1)
    events.action(sender, "utter_faq")
    events.bot(sender, "utter_faq/benefit_payment")
    events.action(sender, "action_listen")
    events.user(sender, "hvor mange penge får jeg om måneden", "nlu_fallback", 3)
    events.action(sender, "action_clarify")
    events.bot(sender, "utter_dont_know")
    events.user(sender, "asdkjh qwe", "gibberish")
    events.bot(sender, "utter_ask_rephrase")
    events.user(sender, "kan jobcentret betale min cykel", "source_answer", 2)
    events.bot(sender, "utter_source_answer")
    events.user(sender, "jeg vil tale med et menneske", "request_human")
    events.action(sender, "action_handover")
    events.bot(sender, "utter_handover_intro")

    result = run()
    assert result.events > 0 and not result.skipped
    [c] = conversations(db_session)
    assert (c.channel, c.kind, c.messages, c.turns) == ("web_anonymous", "anon", 5, 5)
    assert (c.fallbacks, c.dont_know, c.low_confidence, c.handovers) == (2, 1, 1, 1)
    assert (c.answers, c.forms_sent) == (1, 0)
    answers = list(db_session.scalars(select(AnalyticsAnswer.entry_id)))
    assert answers == ["benefit_payment"]
    outcomes = {q.text: q.outcome for q in db_session.scalars(select(AnalyticsQuestion))}
    assert outcomes == {
        "hvor mange penge får jeg om måneden": "dont_know",
        "asdkjh qwe": "fallback",
        "kan jobcentret betale min cykel": "low_confidence",
    }


def test_forms_and_legal_mode(run, events, db_session):
    citizen, caseworker = "kk:u-1:w1", "kk:u-2:w2"
    events.start(citizen)
    events.user(citizen, "jeg er syg", "report_absence")
    events.loop(citizen, "absence_form")
    events.user(citizen, "1", "faq", 1)  # inside the form: a message, not a turn
    events.user(citizen, "ja", "nlu_fallback", 3)  # not a fallback either
    events.loop(citizen, None)
    events.bot(citizen, "utter_absence_sent")
    events.start(caseworker)
    events.user(caseworker, "/legal_mode_start", "legal_mode_start")
    events.loop(caseworker, "legal_mode")
    events.user(caseworker, "må samtalen holdes pr telefon", "faq", 1)
    events.bot(caseworker, "utter_legal_answer", {"legal": {"status": "answered"}})
    events.user(caseworker, "hvad med paragraf 99", "nlu_fallback", 3)
    events.bot(caseworker, "utter_legal_answer", {"legal": {"status": "clarify"}})
    events.bot(caseworker, "utter_legal_clarify")
    events.user(caseworker, "noget helt andet", "nlu_fallback", 3)
    events.bot(caseworker, "utter_legal_refused_answer")
    events.user(caseworker, "/legal_escalate", "legal_escalate")
    events.bot(caseworker, "utter_legal_escalated")
    run()
    form, legal = conversations(db_session)
    assert (form.channel, form.messages, form.turns, form.fallbacks, form.forms_sent) == (
        "web_logged_in",
        3,
        1,
        0,
        1,
    )
    assert legal.channel == "legal" and legal.turns == 1 and legal.fallbacks == 0
    assert (
        legal.legal_asked,
        legal.legal_answered,
        legal.legal_clarify,
        legal.legal_refused,
        legal.legal_escalated,
    ) == (3, 1, 1, 1, 1)
    assert db_session.scalars(select(AnalyticsQuestion)).all() == []


def test_sessions_split_conversations_and_runs_continue_them(run, events, db_session):
    sender = "sms:" + "ab" * 32
    events.start(sender)
    events.user(sender, "hej", "greet")
    events.bot(sender, "utter_greet")
    run()
    # The same conversation goes on (no new session) and is found again by the next run ...
    events.user(sender, "hvad er jeres telefonnummer", "nlu_fallback", 3)
    events.bot(sender, "utter_dont_know")
    run()
    [c] = conversations(db_session)
    assert (c.channel, c.messages, c.fallbacks, c.dont_know) == ("sms", 2, 1, 1)
    # ... a new session is a new conversation.
    events.start(sender)
    events.user(sender, "tak", "thanks")
    run()
    first, second = conversations(db_session)
    assert (first.messages, second.messages) == (2, 1)
    assert first.sender_key == second.sender_key and first.id != second.id


def test_a_dont_know_after_the_batch_ended_marks_the_stored_question(run, events, db_session):
    sender = "anon:b1"
    events.start(sender)
    events.user(sender, "hvor mange penge får jeg", "nlu_fallback", 3)
    run()
    events.bot(sender, "utter_dont_know")
    run()
    assert db_session.scalars(select(AnalyticsQuestion.outcome)).all() == ["dont_know"]


def test_small_batches_give_the_same_numbers(run, events, db_session):
    for n in range(4):
        sender = f"anon:s{n}"
        events.start(sender)
        events.user(sender, "hvad er klokken", "nlu_fallback", 3)
        events.bot(sender, "utter_dont_know")
        events.user(sender, "tak", "thanks")
    run(batch_rows=3)
    rows = conversations(db_session)
    assert len(rows) == 4
    assert all((c.messages, c.fallbacks, c.dont_know) == (2, 1, 1) for c in rows)


def analytics_rows(db_session) -> dict[str, list[tuple[Any, ...]]]:
    """Every analytics row (answers without their surrogate id), in a fixed order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for model in (AnalyticsConversation, AnalyticsAnswer, AnalyticsQuestion):
        columns = [
            c for c in model.__table__.columns if model is not AnalyticsAnswer or c.key != "id"
        ]
        found[model.__tablename__] = sorted(
            tuple(row) for row in db_session.execute(select(*columns)).all()
        )
    return found


def start_over(db_session) -> None:
    for model in (AnalyticsConversation, AnalyticsAnswer, AnalyticsQuestion):
        db_session.execute(delete(model))
    db_session.execute(update(AnalyticsState).values(last_event_id=0))
    db_session.flush()


def spanning_conversations(events: Events) -> None:
    """Conversations interleaved so that windows of a few ids end inside them, a "don't know"
    after the window with its question, and a new session of a sender."""
    everything(events)
    for n in range(3):
        sender = f"anon:span{n}"
        events.start(sender)
        events.user(sender, f"hvad koster det {n}", "nlu_fallback", 3)
    for n in range(3):
        sender = f"anon:span{n}"
        events.bot(sender, "utter_dont_know")
        events.user(sender, "hvornår får jeg penge", "faq", 1)
        events.bot(sender, "utter_faq/benefit_payment")
    events.start("anon:span0")
    events.user("anon:span0", "tak", "thanks")


def test_writing_every_window_or_all_at_once_gives_the_same_rows(run, events, db_session):
    """Written after every window (conversations and questions continued from the database) or
    once after reading everything (continued in memory): the same rows."""
    spanning_conversations(events)
    run(batch_rows=4, write_every=1)
    one_by_one = analytics_rows(db_session)
    assert len(one_by_one["analytics_conversations"]) == 6
    assert len(one_by_one["analytics_questions"]) == 5
    start_over(db_session)
    run(batch_rows=4)
    assert analytics_rows(db_session) == one_by_one
    start_over(db_session)
    run()
    assert analytics_rows(db_session) == one_by_one


def test_a_first_import_rebuilds_the_indexes_on_sqlite(run, events, db_session, monkeypatch):
    """A write that at least doubles the tables drops their indexes and makes them again (SQLite
    only): the same rows, and afterwards the schema is the migration's again."""
    import api.analytics.writer as writer

    spanning_conversations(events)
    run()
    expected = analytics_rows(db_session)
    start_over(db_session)
    rebuilt: list[list[str]] = []
    real = writer.RowWriter._indexes_to_rebuild

    def spy(self, new_conversations):  # noqa: ANN001
        indexes = real(self, new_conversations)
        rebuilt.append([str(index.name) for index in indexes])
        return indexes

    monkeypatch.setattr(writer, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(writer.RowWriter, "_indexes_to_rebuild", spy)
    run(batch_rows=4, write_every=1)
    assert analytics_rows(db_session) == expected
    connection = db_session.connection()
    if connection.dialect.name == "sqlite":
        # The first write filled empty tables; a later one that added less than the tables
        # held kept the indexes.
        assert "ix_analytics_conversations_sender_key" in rebuilt[0]
        assert [] in rebuilt[1:]
    else:
        assert all(names == [] for names in rebuilt)
    diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []


# --- exactly once --------------------------------------------------------------------------------


def test_running_again_counts_nothing_twice(run, events, db_session):
    events.start("anon:x")
    events.user("anon:x", "hej", "greet")
    first = run()
    second = run()
    assert first.events > 0 and second.events == 0
    [c] = conversations(db_session)
    assert c.messages == 1


def test_another_workers_lease_is_respected(run, events, db_session):
    events.start("anon:x")
    events.user("anon:x", "hej", "greet")
    state = db_session.get(AnalyticsState, 1) or AnalyticsState(id=1, last_event_id=0)
    state.lease_owner = "other-worker"
    state.lease_until = datetime.now(UTC) + timedelta(minutes=5)
    db_session.add(state)
    db_session.flush()
    result = run(owner="me")
    assert result.skipped and conversations(db_session) == []
    state.lease_until = datetime.now(UTC) - timedelta(seconds=1)  # it ran out: take over
    db_session.flush()
    assert not run(owner="me").skipped and len(conversations(db_session)) == 1


def test_a_moved_watermark_writes_nothing(run, events, db_session, monkeypatch):
    """Another worker moved the watermark meanwhile (its lease ran out under it): this run's
    batch is rolled back instead of counted a second time."""
    events.start("anon:x")
    events.user("anon:x", "hej", "greet")
    import api.analytics.job as job

    real = job.FactBuilder.apply_rows

    def apply_and_interfere(self, rows):  # noqa: ANN001
        real(self, rows)
        db_session.execute(text("UPDATE analytics_state SET last_event_id = 999999"))

    monkeypatch.setattr(job.FactBuilder, "apply_rows", apply_and_interfere)
    result = run(owner="me")
    assert result.skipped
    assert conversations(db_session) == []


# --- feedback, privacy, report, retention --------------------------------------------------------


def test_feedback_is_linked_to_the_rated_answer(run, events, db_session):
    raw = "widget-sender-1"
    sender = f"anon:{raw}"
    events.start(sender)
    events.user(sender, "hvornår får jeg min kontanthjælp", "faq", 1)
    events.bot(sender, "utter_faq/benefit_payment")
    run()
    ref = hashlib.sha256(f"kk-chat:{raw}".encode()).hexdigest()[:32]  # web/widget/kk-chat.js
    db_session.add(
        Feedback(
            id="fb-1",
            conversation_ref=ref,
            message_id="m1",
            rating=Rating.DOWN,
            created_at=datetime.fromtimestamp(events.ts + 5, UTC),
        )
    )
    db_session.add(
        Feedback(id="fb-2", conversation_ref="unknown-ref", message_id="m2", rating=Rating.UP)
    )
    db_session.flush()
    assert run().feedback == 2
    linked = db_session.get(AnalyticsFeedback, "fb-1")
    assert (linked.rating, linked.entry_id, linked.channel) == (
        "down",
        "benefit_payment",
        "web_anonymous",
    )
    assert db_session.get(AnalyticsFeedback, "fb-2").channel == "unknown"
    [c] = conversations(db_session)
    assert (c.feedback_up, c.feedback_down) == (0, 1)
    assert run().feedback == 0  # linked once


def test_no_sender_id_phone_or_cpr_in_the_analytics_tables(run, events, db_session):
    sender = "kk:u-c00abebf73:20304050"
    events.start(sender)
    # A message that reached the events unmasked (the channels mask before Rasa; this is the
    # second line of defence).
    events.user(sender, "mit cpr er 010190-1234 ring på 22 33 44 55 hvad nu", "nlu_fallback", 3)
    events.bot(sender, "utter_dont_know")
    run()
    dump = []
    for model in (AnalyticsConversation, AnalyticsAnswer, AnalyticsQuestion, AnalyticsFeedback):
        for row in db_session.scalars(select(model)):
            dump.append(json.dumps({k: str(v) for k, v in vars(row).items() if k[0] != "_"}))
    stored = "\n".join(dump)
    assert "[CPR]" in stored and "[TELEFON]" in stored
    for secret in ("010190", "1234", "22 33 44 55", "u-c00abebf73", "20304050", sender):
        assert secret not in stored


def test_report_numbers(run, events, db_session, settings):
    for n, intent in enumerate(["faq", "nlu_fallback", "nlu_fallback", "request_human"]):
        sender = f"anon:r{n}"
        events.start(sender)
        events.user(sender, f"spørgsmål nummer {n} om ferie", intent, 1)
        if intent == "request_human":
            events.action(sender, "action_handover")
        if intent == "faq":
            events.bot(sender, "utter_faq/holiday")
    run()
    day = datetime.fromtimestamp(T0, settings.tz).date()
    report = build_report(db_session, day, day, "day", settings.tz)
    total = report.totals["all"]
    assert (total.conversations, total.contained, total.fallbacks, total.handovers) == (4, 1, 2, 1)
    assert total.containment == 0.25 and total.fallback_rate == 0.5
    assert [(a.entry_id, a.answers) for a in report.answers] == [("holiday", 1)]
    assert sum(g.count for g in report.unanswered) == 2


def test_retention_deletes_expired_analytics_and_events(run, events, db_session, settings):
    events.start("anon:old")
    events.user("anon:old", "hvad er klokken", "nlu_fallback", 3)
    events.start("kk:u-1:old")
    events.user("kk:u-1:old", "hvad er klokken", "nlu_fallback", 3)
    run()
    job_settings = settings.model_copy(update={"events_db_url": events.url})
    # 31 days later: the anonymous conversation (30 days) goes, the logged-in one (90) stays.
    later = datetime.fromtimestamp(events.ts, UTC) + timedelta(days=31)
    counts = purge_analytics(db_session, job_settings, later)
    assert counts["analytics_conversations"] == 1 and counts["analytics_questions"] == 1
    assert [c.kind for c in conversations(db_session)] == ["kk"]
    database = EventsDatabase(events.url)
    try:
        removed = purge_events(database, job_settings, later)
    finally:
        database.dispose()
    assert removed["event_conversations"] == 1 and removed["events"] > 0
    with sqlite3.connect(events.path) as db:
        senders = {s for (s,) in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert senders == {"kk:u-1:old"}


def test_a_missing_events_database_is_not_created(run, events, db_session, settings, tmp_path):
    missing = tmp_path / "nothing-here.db"
    database = EventsDatabase(f"sqlite:///{missing}")
    result = aggregate(db_session, settings, database)
    assert not result.available and not missing.exists()
