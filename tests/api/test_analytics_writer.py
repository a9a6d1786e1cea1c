"""The aggregation job's shortcuts give exactly what the slow, obvious code gave
(docs/analytics_benchmark.md): values written without SQLAlchemy's bind processing, masking that
skips texts ``mask_pii`` cannot change."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.dialects import sqlite

from api.analytics.facts import MAX_QUESTION_CHARS, mask_question, utc
from api.analytics.keys import mask_hex_reference
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
