"""Tracker store settings: SQLite by default, any SQL database from KK_TRACKER_DB_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import KKSQLTrackerStore, connection_settings


def test_default_is_sqlite_in_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KK_TRACKER_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert connection_settings() == {"dialect": "sqlite", "db": "var/tracker.db"}
    assert (tmp_path / "var").is_dir()


def test_postgresql_url_is_split_into_rasa_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "KK_TRACKER_DB_URL", "postgresql://kk:s3cret@db.example:5433/kk_tracker?sslmode=require"
    )
    assert connection_settings() == {
        "dialect": "postgresql",
        "host": "db.example",
        "port": 5433,
        "db": "kk_tracker",
        "username": "kk",
        "password": "s3cret",
        "query": {"sslmode": "require"},
    }


def test_store_saves_and_retrieves_from_the_configured_sqlite(monkeypatch, tmp_path: Path) -> None:
    import asyncio

    db = tmp_path / "t.db"
    monkeypatch.setenv("KK_TRACKER_DB_URL", f"sqlite:///{db}")
    store = KKSQLTrackerStore(domain=Domain.empty())
    tracker = DialogueStateTracker.from_events("anon:x", [UserUttered("mit cpr er [CPR]")])
    asyncio.run(store.save(tracker))
    assert db.exists()
    restored = asyncio.run(store.retrieve("anon:x"))
    assert restored.latest_message.text == "mit cpr er [CPR]"


def test_sqlite_store_uses_wal_and_normal_sync(monkeypatch, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    monkeypatch.setenv("KK_TRACKER_DB_URL", f"sqlite:///{db}")
    store = KKSQLTrackerStore(domain=Domain.empty())
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def _events_in_db(store: KKSQLTrackerStore, sender_id: str) -> list[dict]:
    import json

    with store.session_scope() as session:
        rows = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender_id)
            .order_by(store.SQLEvent.id)
        )
        return [json.loads(row.data) for row in rows]


def _turn(tracker: DialogueStateTracker, text: str, at: float) -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered

    tracker.update(UserUttered(text, timestamp=at))
    tracker.update(ActionExecuted("utter_greet", timestamp=at + 0.1))
    tracker.update(BotUttered(f"svar på {text}", timestamp=at + 0.2))
    tracker.update(ActionExecuted("action_listen", timestamp=at + 0.3))


def _session_start(tracker: DialogueStateTracker, at: float) -> None:
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    tracker.update(ActionExecuted("action_session_start", timestamp=at))
    tracker.update(SessionStarted(timestamp=at + 0.01))
    tracker.update(ActionExecuted("action_listen", timestamp=at + 0.02))


@pytest.fixture
def stores(monkeypatch, tmp_path) -> tuple[KKSQLTrackerStore, KKSQLTrackerStore]:
    """A store with the in-memory sessions and one without, on the same new SQLite database."""
    monkeypatch.setenv("KK_TRACKER_DB_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    return KKSQLTrackerStore(domain=Domain.empty()), KKSQLTrackerStore(
        domain=Domain.empty(), cache_size=0
    )


def test_cached_store_writes_each_event_once_and_reads_back_what_the_database_holds(stores) -> None:
    import asyncio

    store, uncached = stores

    async def conversation() -> None:
        tracker = DialogueStateTracker("kk:a:1", [])
        _session_start(tracker, 100.0)
        await store.save(tracker)  # a new conversation: not handed out by the store
        for turn in range(4):
            tracker = await store.retrieve("kk:a:1")
            _turn(tracker, f"besked {turn}", 200.0 + turn)
            await store.save(tracker)
            await store.save(tracker)  # Rasa may save the same tracker twice in a turn
        from_memory = await store.retrieve("kk:a:1")
        from_database = await uncached.retrieve("kk:a:1")
        assert [e.as_dict() for e in from_memory.events] == [
            e.as_dict() for e in from_database.events
        ]

    asyncio.run(conversation())
    stored = _events_in_db(store, "kk:a:1")
    assert len(stored) == 3 + 4 * 4  # session start + four turns, no event twice
    assert [e["text"] for e in stored if e["event"] == "user"] == [f"besked {n}" for n in range(4)]


def test_cached_store_hands_out_only_the_latest_session_like_rasa(stores) -> None:
    import asyncio

    store, uncached = stores

    async def conversation() -> None:
        tracker = DialogueStateTracker("anon:s", [])
        _session_start(tracker, 100.0)
        await store.save(tracker)
        tracker = await store.retrieve("anon:s")
        _turn(tracker, "gammel session", 200.0)
        await store.save(tracker)
        tracker = await store.retrieve("anon:s")
        _session_start(tracker, 5000.0)  # the session expired: a new one starts in this turn
        _turn(tracker, "ny session", 5001.0)
        await store.save(tracker)
        _turn(tracker, "samme tracker igen", 5002.0)
        await store.save(tracker)
        from_memory = await store.retrieve("anon:s")
        from_database = await uncached.retrieve("anon:s")
        texts = [e.text for e in from_memory.events if isinstance(e, UserUttered)]
        assert texts == ["ny session", "samme tracker igen"]
        assert [e.as_dict() for e in from_memory.events] == [
            e.as_dict() for e in from_database.events
        ]

    asyncio.run(conversation())
    assert len(_events_in_db(store, "anon:s")) == 3 + 4 + 3 + 4 + 4


def test_a_failed_write_is_not_kept_in_memory(stores) -> None:
    import asyncio

    store, _ = stores

    async def conversation() -> None:
        tracker = DialogueStateTracker("anon:f", [])
        _session_start(tracker, 100.0)
        await store.save(tracker)
        tracker = await store.retrieve("anon:f")
        _turn(tracker, "bliver ikke gemt", 200.0)
        broken = store.sessionmaker

        def failing_session():
            session = broken()
            session.commit = lambda: (_ for _ in ()).throw(RuntimeError("database gone"))
            return session

        store.sessionmaker = failing_session
        with pytest.raises(RuntimeError):
            await store.save(tracker)
        store.sessionmaker = broken
        again = await store.retrieve("anon:f")
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == []

    asyncio.run(conversation())


def test_a_new_conversation_is_inserted_without_counting_stored_events(stores, monkeypatch) -> None:
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore

    store, uncached = stores
    counted = []

    async def rasas_save(self, tracker) -> None:
        counted.append(tracker.sender_id)

    async def conversation() -> None:
        assert await store.retrieve("anon:n") is None
        assert await store.retrieve("anon:n") is None  # still nothing: Rasa creates the tracker
        monkeypatch.setattr(SQLTrackerStore, "save", rasas_save)
        tracker = DialogueStateTracker("anon:n", [])  # what Rasa's create_tracker saves
        _session_start(tracker, 100.0)
        await store.save(tracker)
        tracker = await store.retrieve("anon:n")
        _turn(tracker, "første besked", 200.0)
        await store.save(tracker)
        from_database = await uncached.retrieve("anon:n")
        assert [e.as_dict() for e in tracker.events] == [e.as_dict() for e in from_database.events]

    asyncio.run(conversation())
    assert counted == []  # Rasa's save, which counts the stored events first, was not needed
    assert len(_events_in_db(store, "anon:n")) == 3 + 4


class _RecordingBroker:
    """Stands in for the event broker: keeps what the store publishes."""

    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


def test_each_stored_event_is_published_once_without_reading_the_conversation_again(
    stores, monkeypatch
) -> None:
    import asyncio

    store, _ = stores
    broker = _RecordingBroker()
    store.event_broker = broker
    reads: list[str] = []
    real_retrieve = store.retrieve

    async def counting_retrieve(sender_id: str):
        reads.append(sender_id)
        return await real_retrieve(sender_id)

    monkeypatch.setattr(store, "retrieve", counting_retrieve)

    async def conversation() -> None:
        tracker = DialogueStateTracker("kk:p:1", [])
        _session_start(tracker, 100.0)
        await store.save(tracker)  # not handed out by the store: Rasa's way (one read)
        for turn in range(3):
            tracker = await store.retrieve("kk:p:1")
            _turn(tracker, f"besked {turn}", 200.0 + turn)
            await store.save(tracker)
            await store.save(tracker)  # nothing new: nothing published

    asyncio.run(conversation())
    stored = _events_in_db(store, "kk:p:1")
    assert len(stored) == 3 + 3 * 4
    assert broker.published == [{"sender_id": "kk:p:1", **row} for row in stored]
    assert len(reads) == 1 + 3  # Rasa's first save and the turns' own reads, none per save


@pytest.mark.parametrize(
    ("env", "shared"),
    [
        ({}, False),  # one Rasa process: no Redis, so no shared conversation locks either
        ({"KK_REDIS_URL": "redis://localhost:6379/0"}, True),  # replicas
        ({"KK_REDIS_URL": "redis://localhost:6379/0", "KK_TRACKER_SHARED": "false"}, False),
        ({"KK_TRACKER_SHARED": "yes"}, True),
    ],
)
def test_the_store_is_shared_when_redis_is_or_when_told(env: dict, shared: bool) -> None:
    from bot.settings import BotSettings

    assert BotSettings.from_env(env).tracker_shared is shared


def test_a_wrong_shared_value_is_refused_with_its_name() -> None:
    from bot.settings import BotSettings

    with pytest.raises(ValueError, match="KK_TRACKER_SHARED"):
        BotSettings.from_env({"KK_TRACKER_SHARED": "maybe"})


@pytest.mark.parametrize("shared", [False, True])
def test_only_a_shared_store_asks_the_database_for_the_newest_row_every_turn(
    tmp_path: Path, shared: bool
) -> None:
    """One process: the copy in memory is the truth and a turn costs no query but the insert.
    Replicas: every retrieve and save checks the newest row id (another process may have
    written). Either way the conversation read back is the one stored."""
    import asyncio

    from sqlalchemy import event

    store = KKSQLTrackerStore(
        domain=Domain.empty(), url=f"sqlite:///{tmp_path / 't.db'}", shared=shared
    )
    statements: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement.lower()),
    )

    async def conversation() -> DialogueStateTracker:
        tracker = DialogueStateTracker("anon:shared", [])
        _turn(tracker, "første", 100.0)
        await store.save(tracker)  # a new conversation: Rasa's own way
        for turn in range(3):
            tracker = await store.retrieve("anon:shared")
            _turn(tracker, f"besked {turn}", 200.0 + turn)
            await store.save(tracker)
        return await store.retrieve("anon:shared")

    statements.clear()
    final = asyncio.run(conversation())
    newest_row_queries = [s for s in statements if "max(events.id)" in s]
    if shared:
        assert len(newest_row_queries) >= 3 * 3  # retrieve, before and after each turn's insert
    else:
        assert len(newest_row_queries) == 1  # once, when the conversation is first read
    assert [e.text for e in final.events if isinstance(e, UserUttered)] == [
        "første",
        "besked 0",
        "besked 1",
        "besked 2",
    ]
    assert len(_events_in_db(store, "anon:shared")) == 4 * 4


def _domain_with_a_slot() -> Domain:
    return Domain.from_dict(
        {
            "slots": {
                "language": {"type": "text", "mappings": [{"type": "custom"}]},
            }
        }
    )


async def _started(store: KKSQLTrackerStore, sender_id: str) -> None:
    """A new conversation with its session start saved (not handed out by the store)."""
    tracker = DialogueStateTracker(sender_id, store.domain.slots)
    _session_start(tracker, 100.0)
    await store.save(tracker)


@pytest.fixture
def slot_stores(monkeypatch, tmp_path) -> tuple[KKSQLTrackerStore, KKSQLTrackerStore]:
    """Like ``stores``, with a domain that has a slot."""
    monkeypatch.setenv("KK_TRACKER_DB_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    domain = _domain_with_a_slot()
    return KKSQLTrackerStore(domain=domain), KKSQLTrackerStore(domain=domain, cache_size=0)


def test_the_saved_tracker_is_handed_out_again_and_equals_one_read_from_the_database(
    slot_stores,
) -> None:
    import asyncio

    from rasa.shared.core.events import SlotSet

    store, uncached = slot_stores

    async def conversation() -> None:
        await _started(store, "kk:r:1")
        saved = None
        for turn in range(3):
            tracker = await store.retrieve("kk:r:1")
            if saved is not None:
                assert tracker is saved  # no replay of the events
            _turn(tracker, f"besked {turn}", 200.0 + turn)
            tracker.update(SlotSet("language", f"sprog {turn}", timestamp=200.5 + turn))
            await store.save(tracker)
            saved = tracker
        from_memory = await store.retrieve("kk:r:1")
        from_database = await uncached.retrieve("kk:r:1")
        assert from_memory is saved
        assert from_memory.current_state() == from_database.current_state()
        assert from_memory.get_slot("language") == "sprog 2"

    asyncio.run(conversation())


def test_a_tracker_is_handed_to_one_holder_and_unsaved_events_are_not_handed_out(
    slot_stores,
) -> None:
    import asyncio

    store, _ = slot_stores

    async def conversation() -> None:
        await _started(store, "kk:r:2")
        first = await store.retrieve("kk:r:2")
        _turn(first, "gemt", 200.0)
        await store.save(first)
        holder = await store.retrieve("kk:r:2")
        assert holder is first
        other = await store.retrieve("kk:r:2")  # while ``holder`` has it: a copy of its own
        assert other is not holder
        assert [e.as_dict() for e in other.events] == [e.as_dict() for e in holder.events]
        _turn(holder, "aldrig gemt", 300.0)  # a turn that fails before it saves
        await store.save(other)  # nothing new: puts ``other`` back
        again = await store.retrieve("kk:r:2")
        texts = [e.text for e in again.events if isinstance(e, UserUttered)]
        assert texts == ["gemt"]
        assert again is not holder

    asyncio.run(conversation())


def test_a_saved_tracker_that_gained_unsaved_events_is_rebuilt(slot_stores) -> None:
    import asyncio

    store, _ = slot_stores

    async def conversation() -> None:
        await _started(store, "kk:r:3")
        tracker = await store.retrieve("kk:r:3")
        _turn(tracker, "gemt", 200.0)
        await store.save(tracker)
        _turn(tracker, "efter gem", 300.0)  # the holder went on after its save, then failed
        again = await store.retrieve("kk:r:3")
        assert again is not tracker
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["gemt"]

    asyncio.run(conversation())


def test_a_conversation_forgotten_while_its_insert_runs_is_not_remembered(slot_stores) -> None:
    """A purge (``forget``) that lands while a save's insert runs on the writer thread: the copy
    in memory is not put back, the next turn reads the database."""
    import asyncio

    store, _ = slot_stores

    async def conversation() -> None:
        await _started(store, "kk:r:4")
        tracker = await store.retrieve("kk:r:4")
        _turn(tracker, "under sletning", 200.0)
        saving = asyncio.ensure_future(store.save(tracker))
        await asyncio.sleep(0)  # the save now waits for the writer thread
        store.forget()
        await saving
        assert "kk:r:4" not in store._sessions
        again = await store.retrieve("kk:r:4")  # from the database: the saved turn is there
        assert again is not tracker
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["under sletning"]

    asyncio.run(conversation())


def test_a_conversation_the_database_lacks_is_not_read_and_a_stored_one_is(tmp_path: Path) -> None:
    """A retrieve of a sender with no row costs one newest-row query, not Rasa's session query;
    a conversation another store wrote (not in this one's memory) is read from the database."""
    import asyncio

    from sqlalchemy import event

    url = f"sqlite:///{tmp_path / 't.db'}"
    writer = KKSQLTrackerStore(domain=Domain.empty(), url=url, shared=False)
    reader = KKSQLTrackerStore(domain=Domain.empty(), url=url, shared=False)
    statements: list[str] = []
    event.listen(
        reader.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement.lower()),
    )

    async def conversation() -> tuple[DialogueStateTracker | None, DialogueStateTracker | None]:
        tracker = DialogueStateTracker("anon:stored", [])
        _turn(tracker, "gemt", 100.0)
        await writer.save(tracker)
        return await reader.retrieve("anon:new"), await reader.retrieve("anon:stored")

    new, stored = asyncio.run(conversation())
    assert new is None
    assert stored is not None
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["gemt"]
    reads = [s for s in statements if s.lstrip().startswith("select")]
    assert len([s for s in reads if "max(events.id)" in s]) == 2  # one per sender
    assert len(reads) > 2  # the stored conversation's events were read
