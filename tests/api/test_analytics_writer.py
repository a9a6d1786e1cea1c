"""The aggregation job's shortcuts give exactly what the slow, obvious code gave
(docs/analytics_benchmark.md): values written without SQLAlchemy's bind processing, masking that
skips texts ``mask_pii`` cannot change."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.dialects import sqlite

from api.analytics.facts import MAX_QUESTION_CHARS, mask_question, utc
from api.analytics.keys import Hasher, client_sender, mask_hex_reference
from api.analytics.writer import sqlite_day, sqlite_time
from api.models.analytics import AnalyticsConversation
from kkshared.pii import mask_pii

TIMESTAMPS = [
    datetime(2026, 12, 1, 9, 0, tzinfo=UTC).timestamp(),  # no microseconds
    1_796_000_000.5,
    1_796_000_000.123456,
    1_796_000_000.0000004,  # rounds down
    1_796_000_059.9999996,  # rounds up into the next minute
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC).timestamp(),  # the night summer time begins
    86_400.25,
]


@pytest.mark.parametrize("timestamp", TIMESTAMPS)
def test_sqlite_times_are_what_sqlalchemy_stores(timestamp: float) -> None:
    dialect = sqlite.dialect()
    column = AnalyticsConversation.__table__.c.started_at
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert sqlite_time(timestamp) == process(utc(timestamp))


@pytest.mark.parametrize("day", [date(2026, 12, 1), date(2027, 1, 31), date(2028, 2, 29)])
def test_sqlite_days_are_what_sqlalchemy_stores(day: date) -> None:
    dialect = sqlite.dialect()
    column = AnalyticsConversation.__table__.c.day
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert sqlite_day(day) == process(day)


def test_hex_references_are_masked_like_mask_pii() -> None:
    rng = random.Random(17)
    refs = [
        hashlib.sha256(f"kk-chat:{rng.random()}".encode()).hexdigest()[:32] for _ in range(5000)
    ]
    crafted = [
        "1311804425" + "ab" * 11,  # a CPR number at the start
        "ab1311804425" + "cd" * 10,  # ... inside
        "23456789" + "a" * 24,  # a phone number at the start
        "004523456789" + "f" * 20,
        "4523456789" + "e" * 22,
        "12345678" + "9" * 24,  # one long run of digits
        "a" * 32,
        "0" * 32,
        "3112999999abcdef3112999999abcdef",
    ]
    assert any(mask_pii(ref) != ref for ref in crafted)  # the shortcut's fallback is exercised
    for ref in refs + crafted:
        assert mask_hex_reference(ref) == mask_pii(ref), ref


QUESTIONS = [
    "hvornår får jeg min kontanthjælp",
    "mit cpr er 010190-1234, ring på 22 33 44 55",
    "skriv til mig på borger@example.dk",
    "min telefon er +45 22334455",
    "cpr ١٣١١٨٠٤٤٢٥ med arabiske cifre",  # \d is every decimal digit, also here
    "  mange    mellemrum\tog\nlinjer  ",
    "",
    "x" * (MAX_QUESTION_CHARS + 50),
    "ring 2233 4455 " * 100,
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_are_masked_like_before(text: str) -> None:
    assert mask_question(text) == mask_pii(" ".join(text.split()))[:MAX_QUESTION_CHARS]


def _stored_time(timestamp: float) -> str:
    dialect = sqlite.dialect()
    column = AnalyticsConversation.__table__.c.started_at
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    return str(process(utc(timestamp)))


def test_sqlite_times_are_what_sqlalchemy_stores_for_many_timestamps() -> None:
    """``sqlite_time`` rounds the microseconds itself and keeps the text up to the minute: the
    same text as SQLAlchemy stores, also at ties, carries into the next second, minute, day and
    year, and before 1970."""
    rng = random.Random(17)
    stamps = [1_796_000_000 + rng.random() * 400_000 for _ in range(20_000)]
    stamps += [rng.uniform(-2e9, 4e9) for _ in range(5_000)]
    stamps += [1_796_000_000 + n / 1e6 for n in range(2_000)]  # every microsecond of a few ms
    stamps += [1_796_000_000 + (n + 0.5) / 1e6 for n in range(2_000)]  # halfway in between
    edge = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()
    stamps += [edge + 0.9999995, edge + 0.99999949, edge + 0.9999996, edge + 1.0, edge + 0.5]
    stamps += [0.0, -0.0000004, -0.0000006, -1.5, -86_400.9999996, 1.0000005, 2.0000005]
    for timestamp in stamps:
        assert sqlite_time(timestamp) == _stored_time(timestamp), timestamp


@pytest.mark.parametrize("key", [b"k" * 32, b"", b"x" * 64, b"long key " * 20])
def test_the_hasher_is_hmac_sha256(key: bytes) -> None:
    """The hasher's precomputed HMAC states give what ``hmac`` gives (keys shorter than the
    block, exactly one block and longer ones, which HMAC hashes first)."""
    hasher = Hasher(key)

    def reference(*parts: str) -> str:
        message = "\n".join(parts).encode("utf-8")
        return hmac.new(key, message, hashlib.sha256).digest()[:16].hex()

    senders = ["anon:b0001", "kk:u-2:s9", "sms:" + "ab" * 32, "anon:æøå ü", ""]
    for sender in senders:
        for started in (1_796_000_000.123456, 0.0, 1e-7, 1_796_000_000.0):
            assert hasher.conversation_id(sender, started) == reference(
                "conversation", sender, repr(started)
            )
        sender_key, feedback_key = hasher.sender_keys(sender)
        assert sender_key == hasher.sender_key(sender) == reference("sender", sender)
        assert feedback_key == hasher.feedback_key_for_sender(sender)
        assert hasher.feedback_key("ref" + sender) == reference("feedback", "ref" + sender)
        assert hasher("a", sender) == reference("a", sender)
    raw = client_sender("anon:b0001")
    assert raw is not None
    ref = hashlib.sha256(("kk-chat:" + raw).encode()).hexdigest()[:32]
    assert hasher.feedback_key_for_sender("anon:b0001") == reference("feedback", mask_pii(ref))
