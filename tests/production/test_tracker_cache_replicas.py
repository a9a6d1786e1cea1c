"""The tracker store's copy in memory across processes (bot/tracker_store.py), on the production
profile's PostgreSQL tracker database and, without the system, on SQLite: two stores stand for
two Rasa replicas and take turns on one conversation."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import KKSQLTrackerStore


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    if not os.environ.get("KK_PROD_TRACKER_DB_URL"):
        pytest.skip("KK_PROD_TRACKER_DB_URL not set: run through `./kk test production`")
    return os.environ["KK_PROD_TRACKER_DB_URL"]


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"svar på {text}"))
    tracker.update(ActionExecuted("action_listen"))


def user_texts(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_each_replica_sees_the_turns_the_other_stored(url: str) -> None:
    replica_1 = KKSQLTrackerStore(domain=Domain.empty(), url=url, shared=True)
    replica_2 = KKSQLTrackerStore(domain=Domain.empty(), url=url, shared=True)
    sender = f"anon:cache-{uuid.uuid4().hex[:8]}"

    async def conversation() -> None:
        assert await replica_1.retrieve(sender) is None  # both remember "nothing stored"
        assert await replica_2.retrieve(sender) is None
        first = DialogueStateTracker(sender, [])
        turn(first, "tur 0")
        await replica_1.save(first)
        expected = ["tur 0"]
        for number in range(1, 7):
            store = (replica_1, replica_2)[number % 2]  # alternate, like nginx would
            tracker = await store.retrieve(sender)
            assert user_texts(tracker) == expected, f"turn {number}: a stale copy"
            assert tracker is not None
            turn(tracker, f"tur {number}")
            await store.save(tracker)
            expected.append(f"tur {number}")
        for store in (replica_1, replica_2):
            assert user_texts(await store.retrieve(sender)) == expected
        # The copies in memory are used again once nobody else writes: same row id, no re-read.
        assert sender in replica_1._sessions and sender in replica_2._sessions

    try:
        asyncio.run(conversation())
    finally:
        replica_1.engine.dispose()
        replica_2.engine.dispose()


def test_a_save_after_another_replica_wrote_drops_the_copy(url: str) -> None:
    """Without a shared lock two replicas could both handle a turn from the same state; the
    second save still writes its events, and its copy in memory is dropped (read again next)."""
    replica_1 = KKSQLTrackerStore(domain=Domain.empty(), url=url, shared=True)
    replica_2 = KKSQLTrackerStore(domain=Domain.empty(), url=url, shared=True)
    sender = f"anon:race-{uuid.uuid4().hex[:8]}"

    async def conversation() -> None:
        start = DialogueStateTracker(sender, [])
        turn(start, "start")
        await replica_1.save(start)
        on_1 = await replica_1.retrieve(sender)
        on_2 = await replica_2.retrieve(sender)
        assert on_1 is not None and on_2 is not None
        turn(on_2, "fra replika 2")
        await replica_2.save(on_2)
        turn(on_1, "fra replika 1")
        await replica_1.save(on_1)
        assert sender not in replica_1._sessions
        stored = user_texts(await replica_1.retrieve(sender))
        assert stored == ["start", "fra replika 2", "fra replika 1"]

    try:
        asyncio.run(conversation())
    finally:
        replica_1.engine.dispose()
        replica_2.engine.dispose()
