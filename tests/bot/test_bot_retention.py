"""Retention and erasure of conversations (bot/retention.py), on SQLite and, when
``KK_TEST_POSTGRES_URL`` is set, PostgreSQL: rows counted before and after, the SQLite files
grepped for deleted text, and the tracker store's memory never serving a deleted conversation."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import time
from pathlib import Path

import pytest
from postgres_database import throwaway_database
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import retention
from bot.retention import (
    DAY,
    RetentionSettings,
    erase_phone,
    erase_subject,
    events,
    feedback_refs,
    kind_of,
    make_engine,
    purge_expired,
)
from bot.sms.identity import phone_hash, tracker_id
from bot.sms.store import PENDING, Reply, SmsStore, inbox, outbox, preferences, recipients
from bot.tracker_store import KKSQLTrackerStore

NOW = 2_000_000_000.0
HMAC_KEY = "test-hmac-key-" + "k" * 32
POSTGRES_URL = os.environ.get("KK_TEST_POSTGRES_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=BACKENDS)
def tracker_url(request, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    # A throwaway database in the test cluster (psycopg2, the driver the bot environment has).
    with throwaway_database(POSTGRES_URL, "kk_bot_retention") as url:
        yield url


@pytest.fixture
def store(tracker_url: str):
    """The tracker store as Rasa uses it (in-memory sessions), checking for purges every time."""
    s = KKSQLTrackerStore(domain=Domain.empty(), url=tracker_url, purge_check_seconds=0)
    yield s
    s.engine.dispose()


@pytest.fixture
def engine(tracker_url: str, store):
    """The retention job's own connection (another process in production)."""
    e = make_engine(tracker_url)
    yield e
    e.dispose()


def conversation(sender_id: str, last_at: float, said: str = "hej") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender_id,
        [
            ActionExecuted("action_listen", timestamp=last_at - 2),
            UserUttered(said, timestamp=last_at - 1),
            BotUttered(f"svar på {said}", timestamp=last_at),
        ],
    )


def save(store: KKSQLTrackerStore, *trackers: DialogueStateTracker) -> None:
    async def run() -> None:
        for tracker in trackers:
            await store.save(tracker)

    asyncio.run(run())


def rows_per_conversation(engine) -> dict[str, int]:
    with engine.connect() as conn:
        query = select(events.c.sender_id, func.count()).group_by(events.c.sender_id)
        return dict(conn.execute(query).fetchall())


def files(url: str) -> bytes:
    path = Path(make_url(url).database)
    return b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()
    )


# --- settings -----------------------------------------------------------------------------------


def test_settings_defaults_and_environment() -> None:
    default = RetentionSettings.from_env({})
    assert (default.anon_days, default.kk_days, default.sms_days) == (30, 90, 30)
    assert default.db_url == "sqlite:///var/tracker.db"
    custom = RetentionSettings.from_env(
        {"KK_RETENTION_KK_DAYS": "365", "KK_TRACKER_DB_URL": "sqlite:////tmp/x.db"}
    )
    assert custom.period("kk") == 365 * DAY and custom.period("anon") == 30 * DAY
    assert custom.db_url == "sqlite:////tmp/x.db"


@pytest.mark.parametrize("value", ["0", "0.5", "-3", "tredive"])
def test_settings_refuse_nonsense(value: str) -> None:
    with pytest.raises(ValueError, match="KK_RETENTION_SMS_DAYS"):
        RetentionSettings.from_env({"KK_RETENTION_SMS_DAYS": value})


def test_kind_comes_from_the_conversation_id_prefix() -> None:
    assert kind_of("anon:wabc") == "anon"
    assert kind_of("kk:u-3f9c2a1b:wabc") == "kk"
    assert kind_of("sms:" + "a" * 64) == "sms"
    assert kind_of("default") == "anon"  # anything else: the anonymous period


def test_feedback_refs_match_the_web_chat() -> None:
    sha, fnv = feedback_refs("wabcdefghijklmnopqrstuvw")
    expected = hashlib.sha256(b"kk-chat:wabcdefghijklmnopqrstuvw").hexdigest()[:32]
    assert sha == expected and fnv.startswith("f") and len(fnv) <= 9


# --- retention ----------------------------------------------------------------------------------


def test_expired_conversations_are_deleted_per_kind(store, engine, tracker_url) -> None:
    secret = f"HEMMELIG-{secrets.token_hex(6)}"
    sms = tracker_id(phone_hash("+4512345678", HMAC_KEY))
    save(
        store,
        conversation("anon:old", NOW - 31 * DAY, secret),
        conversation("anon:recent", NOW - 29 * DAY),
        conversation("kk:u-1:old", NOW - 91 * DAY, secret),
        conversation("kk:u-1:recent", NOW - 60 * DAY),
        conversation(sms, NOW - 31 * DAY, secret),
        conversation("sms:" + "b" * 64, NOW - 5 * DAY),
        conversation("legacy", NOW - 31 * DAY, secret),
    )
    before = rows_per_conversation(engine)
    assert set(before.values()) == {3}
    if tracker_url.startswith("sqlite"):
        assert secret.encode() in files(tracker_url)

    deleted = purge_expired(engine, RetentionSettings(db_url=tracker_url), NOW)

    assert deleted == {
        "anon": {"conversations": 2, "events": 6},  # "legacy" counts as anonymous
        "kk": {"conversations": 1, "events": 3},
        "sms": {"conversations": 1, "events": 3},
    }
    after = rows_per_conversation(engine)
    assert after == {"anon:recent": 3, "kk:u-1:recent": 3, "sms:" + "b" * 64: 3}
    assert sum(before.values()) - sum(after.values()) == 12
    if tracker_url.startswith("sqlite"):
        assert secret.encode() not in files(tracker_url)
        assert not Path(make_url(tracker_url).database + "-wal").stat().st_size
    # A second run finds nothing more.
    again = purge_expired(engine, RetentionSettings(db_url=tracker_url), NOW)
    assert all(c == {"conversations": 0, "events": 0} for c in again.values())


def test_periods_are_configurable(store, engine, tracker_url) -> None:
    save(store, conversation("kk:u-1:a", NOW - 10 * DAY), conversation("anon:a", NOW - 10 * DAY))
    settings = RetentionSettings(db_url=tracker_url, kk_days=7, anon_days=14)
    deleted = purge_expired(engine, settings, NOW)
    assert deleted["kk"]["conversations"] == 1 and deleted["anon"]["conversations"] == 0
    assert set(rows_per_conversation(engine)) == {"anon:a"}


def test_an_event_added_while_the_job_runs_is_kept(store, engine, tracker_url) -> None:
    save(store, conversation("anon:back", NOW - 40 * DAY))
    with engine.begin() as conn:  # the user came back: a new event after the job's cut-off
        conn.execute(
            events.insert().values(
                sender_id="anon:back", timestamp=NOW, type_name="user", data="{}"
            )
        )
    expired = retention.expired_conversations(engine, RetentionSettings(), NOW - 0.5)
    assert expired["anon"] == []  # its last event is new now
    deleted = retention._delete_conversations(engine, ["anon:back"], before=NOW - 30 * DAY)
    assert deleted == 3 and rows_per_conversation(engine) == {"anon:back": 1}


def test_no_tracker_table_yet_is_not_an_error(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        deleted = purge_expired(engine, RetentionSettings(), NOW)
        assert all(c["conversations"] == 0 for c in deleted.values())
        assert erase_subject(engine, "u-1")["conversations"] == 0
    finally:
        engine.dispose()


# --- the tracker store's memory -----------------------------------------------------------------


def test_memory_does_not_bring_back_a_deleted_conversation(store, engine, tracker_url) -> None:
    """The store keeps recent sessions in memory; after bot.retention (another process) deleted a
    conversation, the store answers from the database again: the conversation is gone."""
    now = time.time()
    save(store, conversation("anon:old", now - 40 * DAY, "gammel tekst"))

    async def scenario() -> None:
        assert (await store.retrieve("anon:old")).latest_message.text == "gammel tekst"
        assert "anon:old" in store._sessions  # served from memory from here on
        purge_expired(engine, RetentionSettings(db_url=tracker_url), now)
        assert await store.retrieve("anon:old") is None
        assert store._sessions["anon:old"].events == []  # now remembered as having nothing stored

    asyncio.run(scenario())
    assert rows_per_conversation(engine) == {}


def test_without_looking_for_purges_memory_still_does_not_serve_it(tracker_url, engine) -> None:
    """The newest row id a shared store checks on every turn (several Rasa processes, see
    bot/tracker_store.py) also notices a deleted conversation before the purge table does."""
    now = time.time()
    blind = KKSQLTrackerStore(
        domain=Domain.empty(), url=tracker_url, purge_check_seconds=3600, shared=True
    )
    try:
        save(blind, conversation("anon:old", now - 40 * DAY, "gammel tekst"))

        async def scenario() -> None:
            await blind.retrieve("anon:old")
            purge_expired(engine, RetentionSettings(db_url=tracker_url), now)
            assert await blind.retrieve("anon:old") is None

        asyncio.run(scenario())
    finally:
        blind.engine.dispose()


def test_a_turn_in_flight_during_an_erasure_does_not_write_the_old_events_back(
    store, engine
) -> None:
    now = time.time()
    save(store, conversation("kk:u-1:w", now - 60, "før sletningen"))

    async def scenario() -> None:
        tracker = await store.retrieve("kk:u-1:w")  # a turn starts ...
        assert erase_subject(engine, "u-1", now)["events"] == 3  # ... the admin erases ...
        await store.retrieve("anon:someone-else")  # (another turn: the store sees the purge)
        tracker.update(UserUttered("efter sletningen", timestamp=now))
        await store.save(tracker)  # ... and the turn ends

    asyncio.run(scenario())
    with engine.connect() as conn:
        stored = [
            json.loads(row[0])
            for row in conn.execute(select(events.c.data).where(events.c.sender_id == "kk:u-1:w"))
        ]
    assert [e.get("text") for e in stored] == ["efter sletningen"]


def test_forget_drops_conversations_from_memory(store) -> None:
    save(store, conversation("anon:a", time.time()), conversation("anon:b", time.time()))

    async def scenario() -> None:
        await store.retrieve("anon:a")
        await store.retrieve("anon:b")
        store.forget(["anon:a"])
        assert set(store._sessions) == {"anon:b"}
        store.forget()
        assert not store._sessions

    asyncio.run(scenario())


# --- erasure ------------------------------------------------------------------------------------


def test_erase_subject_deletes_only_that_persons_conversations(store, engine, tracker_url) -> None:
    secret = f"HEMMELIG-{secrets.token_hex(6)}"
    save(
        store,
        conversation("kk:u-1:wabc", NOW, secret),
        conversation("kk:u-1:wdef", NOW - DAY, secret),
        conversation("anon:wabc", NOW - 2 * DAY, secret),  # the same chat window before log-in
        conversation("anon:wzzz", NOW),
        conversation("kk:u-10:wabc", NOW),  # another subject with the same beginning
        conversation("kk:u_1:wabc", NOW),  # "_" is a LIKE wildcard: must not match u-1 ...
        conversation("kk:u-1x:wabc", NOW),
    )
    before = rows_per_conversation(engine)
    if tracker_url.startswith("sqlite"):
        assert secret.encode() in files(tracker_url)
    result = erase_subject(engine, "u-1", NOW)
    assert result["conversations"] == 3 and result["events"] == 9
    assert set(feedback_refs("wabc")) | set(feedback_refs("wdef")) == set(result["feedback_refs"])
    after = rows_per_conversation(engine)
    assert set(before) - set(after) == {"kk:u-1:wabc", "kk:u-1:wdef", "anon:wabc"}
    assert set(after) == {"anon:wzzz", "kk:u-10:wabc", "kk:u_1:wabc", "kk:u-1x:wabc"}
    # ... and erasing "u_1" does not touch u-1's neighbours either.
    assert erase_subject(engine, "u_1", NOW)["conversations"] == 1
    assert "kk:u-10:wabc" in rows_per_conversation(engine)
    if tracker_url.startswith("sqlite"):
        assert secret.encode() not in files(tracker_url)


@pytest.mark.parametrize("subject", ["", "u:1", "a\nb", "x" * 201])
def test_erase_subject_refuses_odd_subjects(engine, subject) -> None:
    with pytest.raises(ValueError):
        erase_subject(engine, subject)


def test_erase_phone_deletes_the_sms_conversation_and_rows(store, engine, tracker_url) -> None:
    secret = f"HEMMELIG-SMS-{secrets.token_hex(6)}"
    mine, other = phone_hash("+4512345678", HMAC_KEY), phone_hash("+4587654321", HMAC_KEY)
    save(store, conversation(tracker_id(mine), NOW, secret), conversation(tracker_id(other), NOW))
    sms = SmsStore(engine)
    numbers = ((mine, "+4512345678", secret), (other, "+4587654321", "en anden tekst"))
    for n, (hashed, number, said) in enumerate(numbers):
        sms.receive(f"g{n}", hashed, number, "4500000000", said, set(), None, NOW)
        [row] = [r for r in sms.claim_inbox(NOW, 60, 10) if r.phone_hash == hashed]
        sms.defer_inbox(row.id, NOW + 60, Reply(f"svar: {said}", "GSM", 1, None), NOW)
    sms.set_preference(mine, True, "c-1", True, NOW)  # STOP: kept
    sms.set_preference(other, False, "c-2", True, NOW)

    def sms_rows(hashed: str) -> dict[str, int]:
        with engine.connect() as conn:
            return {
                table.name: conn.execute(
                    select(func.count()).select_from(table).where(table.c.phone_hash == hashed)
                ).scalar()
                for table in (inbox, outbox, recipients, preferences)
            }

    assert sms_rows(mine) == {
        "sms_inbox": 1,
        "sms_outbox": 1,
        "sms_recipients": 1,
        "sms_preferences": 1,
    }
    other_before = sms_rows(other)
    if tracker_url.startswith("sqlite"):
        assert secret.encode() in files(tracker_url)

    result = erase_phone(engine, "+45 12 34 56 78", HMAC_KEY, now=NOW)

    assert result == {
        "conversations": 1,
        "events": 3,
        "sms_rows": {"inbox": 1, "outbox": 1, "recipients": 1, "preferences": 0},
    }
    assert sms_rows(mine) == {
        "sms_inbox": 0,
        "sms_outbox": 0,
        "sms_recipients": 0,
        "sms_preferences": 1,  # the opt-out stays, so the number still gets nothing
    }
    assert sms_rows(other) == other_before
    assert set(rows_per_conversation(engine)) == {tracker_id(other)}
    with engine.connect() as conn:
        pending = conn.execute(select(func.count()).select_from(outbox)).scalar()
        assert pending == 1 and sms.pending_inbox() == 1  # the other number's
        assert conn.execute(select(outbox.c.status)).scalar() == PENDING
    if tracker_url.startswith("sqlite"):
        assert secret.encode() not in files(tracker_url)
        assert b"+4512345678" not in files(tracker_url)


def test_erase_phone_needs_a_number_and_the_key(engine) -> None:
    with pytest.raises(ValueError, match="phone number"):
        erase_phone(engine, "ikke et nummer", HMAC_KEY)
    with pytest.raises(ValueError, match="KK_SMS_HMAC_KEY"):
        erase_phone(engine, "+4512345678", "")


# --- command line -------------------------------------------------------------------------------


def test_command_line(store, tracker_url, capsys) -> None:
    save(
        store, conversation("kk:u-7:w", time.time()), conversation("anon:x", time.time() - 99 * DAY)
    )
    env = {"KK_TRACKER_DB_URL": tracker_url, "KK_SMS_HMAC_KEY": HMAC_KEY}

    assert retention.main([], env) == 0
    purged = json.loads(capsys.readouterr().out)
    assert purged["deleted"]["anon"] == {"conversations": 1, "events": 3}

    assert retention.main(["--erase-subject", "u-7", "--erase-phone", "+4512345678"], env) == 0
    erased = json.loads(capsys.readouterr().out)
    assert erased["subject"]["conversations"] == 1 and erased["phone"]["conversations"] == 0
    assert erased["phone"]["sms_rows"] == {
        "inbox": 0,
        "outbox": 0,
        "recipients": 0,
        "preferences": 0,
    }

    assert retention.main(["--erase-phone", "+4512345678"], {**env, "KK_SMS_HMAC_KEY": ""}) == 2
    assert "KK_SMS_HMAC_KEY" in capsys.readouterr().err
    assert retention.main([], {**env, "KK_RETENTION_KK_DAYS": "nul"}) == 2


def test_the_purges_table_race_of_processes_starting_together_is_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two Rasa replicas starting on one database both create kk_tracker_purges: the one that
    loses the race ("already exists") goes on, because the table is there."""
    from sqlalchemy import create_engine, inspect

    import bot.retention as retention

    engine = create_engine(f"sqlite:///{tmp_path / 'race.db'}")
    real_create_all = retention.purge_metadata.create_all
    real_create_all(engine)  # the other process was first, after this one looked:

    def looked_before_the_other_created_it(bind: object, checkfirst: bool = True) -> None:
        real_create_all(bind, checkfirst=False)

    monkeypatch.setattr(retention.purge_metadata, "create_all", looked_before_the_other_created_it)
    retention.ensure_purges_table(engine)
    assert inspect(engine).has_table("kk_tracker_purges")
