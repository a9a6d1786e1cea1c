"""Micro-benchmark of the event broker's cost per event in a turn: Rasa's ``SQLEventBroker`` (one
session and commit per event, on the caller's thread) against ``bot.event_broker`` (queued,
written in batches by a background thread).

    .venvs/bot/bin/python -m bench.analytics.publish [--turns 200] [--url postgresql://...]

Publishes ``--turns`` turns of 10 events each (a user message with its NLU ranking, actions, bot
messages, slots; the shapes of bench/analytics/aggregate.py), the way Rasa's tracker store does
(``publish`` once per event, in a loop), into a fresh SQLite events database (Rasa's broker on a
WAL file, as it ran once the case service had opened the database) or into ``--url``. Reports
the time the caller waits per event and per turn, and for the new broker also how long until
everything is written (``flush``) and in how many transactions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine.url import make_url

EVENTS_PER_TURN = 10


def turn(sender: str, number: int) -> list[dict[str, Any]]:
    """The events of one turn as the tracker store publishes them."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    text_ = "hvornår får jeg min kontanthjælp udbetalt i denne måned"
    ranking = [{"name": f"faq/topic_{i:03d}", "confidence": 0.9 - i / 20} for i in range(10)]
    parse = {
        "intent": {"name": "faq", "confidence": 0.91},
        "entities": [],
        "text": text_,
        "intent_ranking": ranking,
        "response_selector": {"faq": {"ranking": ranking, "response": {"confidence": 0.9}}},
        "kk_answer": {"tier": 1, "reason": "sure", "missing": []},
    }
    at = 1_796_000_000.0 + number
    events = [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text_, parse["intent"], parse_data=parse, timestamp=at + 0.01),
        SlotSet("kk_language", "da", timestamp=at + 0.02),
        ActionExecuted("action_answer_faq", policy="RulePolicy", timestamp=at + 0.03),
        BotUttered(
            "Kontanthjælp udbetales bagud den sidste hverdag i måneden. " * 4,
            {"custom": {"source": {"file": "002_5e6f3c0d831500e7.txt", "date": "2017-07"}}},
            {"utter_action": "utter_faq/topic_001"},
            timestamp=at + 0.04,
        ),
        SlotSet("last_faq", "topic_001", timestamp=at + 0.05),
        SlotSet("suggested_response", None, timestamp=at + 0.06),
        SlotSet("requested_slot", None, timestamp=at + 0.07),
        SlotSet("kk_answer_tier", 1, timestamp=at + 0.08),
        ActionExecuted("action_listen", timestamp=at + 0.09),
    ]
    return [{"sender_id": sender, **e.as_dict()} for e in events]


def _fresh(url: str | None, directory: Path, name: str) -> str:
    if url is None:
        return f"sqlite:///{directory / name}.db"
    server = make_url(url).set(drivername="postgresql")
    database = f"kk_bench_{name}_{secrets.token_hex(3)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return server.set(database=database).render_as_string(hide_password=False)


def _publish_all(broker: Any, turns: list[list[dict[str, Any]]]) -> list[float]:
    """Seconds the caller waited per turn."""
    waited = []
    for events in turns:
        started = time.perf_counter()
        for body in events:
            broker.publish(body)
        waited.append(time.perf_counter() - started)
    return waited


def run(turn_count: int, url: str | None) -> None:
    from rasa.core.brokers.sql import SQLEventBroker

    from bot.event_broker import KKSQLEventBroker

    turns = [turn(f"anon:bench{n % 20}", n) for n in range(turn_count)]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        old_url = _fresh(url, directory, "rasa")
        old = SQLEventBroker(host=old_url)
        if url is None:  # as in operation: the case service switched the file to WAL
            with old.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        old_waited = _publish_all(old, turns)
        old.engine.dispose()

        new = KKSQLEventBroker(host=_fresh(url, directory, "kk"))
        transactions = []
        event.listen(
            new.engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, params, _ctx, many: (
                transactions.append(len(params) if many else 1)
                if statement.lstrip().upper().startswith("INSERT")
                else None
            ),
        )
        started = time.perf_counter()
        new_waited = _publish_all(new, turns)
        published = time.perf_counter() - started
        new.flush()
        written = time.perf_counter() - started
        asyncio.run(new.close())

    backend = "SQLite" if url is None else "PostgreSQL"
    events = turn_count * EVENTS_PER_TURN
    print(
        f"{backend}, {turn_count} turns of {EVENTS_PER_TURN} events, load {os.getloadavg()[0]:.2f}"
    )
    for label, waited in (("Rasa SQLEventBroker", old_waited), ("KKSQLEventBroker", new_waited)):
        per_event = sum(waited) / events * 1000
        median_turn = statistics.median(waited) * 1000
        p95_turn = sorted(waited)[int(len(waited) * 0.95)] * 1000
        print(
            f"{label:>20}: {per_event:7.3f} ms per event; per turn median {median_turn:7.2f} ms, "
            f"95th percentile {p95_turn:7.2f} ms (the caller waits this long)"
        )
    print(
        f"{'KKSQLEventBroker':>20}: all {events} written {written:.2f} s after the first publish "
        f"(published in {published:.2f} s) in {len(transactions)} transactions "
        f"(median {statistics.median(transactions):.0f} events)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--url", help="a PostgreSQL server (postgresql://...); default SQLite")
    args = parser.parse_args()
    run(args.turns, args.url)


if __name__ == "__main__":
    main()
