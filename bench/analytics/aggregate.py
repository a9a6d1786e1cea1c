"""Benchmark of the analytics job: aggregate N synthetic conversations (default 100,000).

    .venvs/api/bin/python -m bench.analytics.aggregate [--conversations 100000] [--runs 3]

Writes the same synthetic events twice: once as Rasa's own SQL event broker writes them (one
``events`` row per event: ``id``, ``sender_id``, ``data`` = ``json.dumps({"sender_id",
**event.as_dict()})``) and once as the Rasa server's broker ``bot/event_broker.py`` writes them
(the same plus the typed columns ``type_name``, ``name``, ``timestamp`` and their indexes, made by
``kkshared.event_rows.event_row``, the function the broker calls). The events' structure is
copied from events a running system wrote: user events with metadata, parse_data, intent ranking
and response-selector ranking; bot events with their text and metadata; actions, slots, loops,
session starts. The mix (per conversation): 1-6 user messages (mean about 2.6); channels 70 %
anonymous web, 18 % logged-in web, 9 % SMS, 3 % legal mode; per citizen turn 72 % catalogue
answers, 6 % source passages (tier 2), 7 % not understood (half of them "don't know"), 5 %
handovers, 10 % other intents; a logged-in conversation sends a form one time in four.

Each round runs ``api.analytics.job.aggregate`` (the whole job: reading, decoding, facts, writing,
commit) over the old-format database (the job's fallback path: JSON filtered and decoded) and then
over the typed one, each into a freshly migrated SQLite case-service database: a first
aggregation of everything. It prints wall-clock and CPU seconds, their medians per format and the
machine's load. ``--incremental`` also measures what the job does in operation: the typed
database aggregated up to its last ``--tail`` events (not timed), then a run that reads only
those (about 1,000 conversations, some of them begun before and continued). The events
databases are kept in ``var/bench/`` (made again when missing). Results go to
docs/analytics_benchmark.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from kkshared.event_rows import EventRow, event_row, sqlite_schema

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "var" / "bench"
MODEL = {"model_id": "df2ef338445d40b5ac5066c873b08e19", "assistant_id": "kk-assistenten"}
ENTRIES = [f"topic_{i:03d}_entry" for i in range(135)]
INTENTS = ["ask_next_payment", "ask_next_meeting", "ask_plan", "greet", "affirm", "goodbye"]
QUESTIONS = [
    "hvornår får jeg min kontanthjælp",
    "hvad skal jeg gøre hvis jeg er syg til en samtale",
    "kan jeg holde ferie når jeg får kontanthjælp",
    "hvor meget må jeg tjene ved siden af",
    "hvad er en virksomhedspraktik",
    "hvordan melder jeg flytning til jobcentret",
]
UNKNOWN = [
    "hvor mange penge får jeg i kontanthjælp om måneden",
    "hvilken paragraf giver ret til befordring til praktik i grønland",
    "kan jobcentret betale mit kørekort",
    "hvad gør jeg hvis min [TELEFON] ikke virker",
]
LONG_ANSWER = (
    "I Københavns Kommune bliver kontanthjælp og anden økonomisk hjælp udbetalt bagud den sidste "
    "hverdag i måneden. Pengene går ind på din NemKonto. Hvis du lige er begyndt at få hjælp, kan "
    "den første udbetaling komme senere. Spørg Ydelsesservice, hvis du mangler penge. " * 2
)


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[EventRow] = []
        self.ts = 1_796_000_000.0

    def add(self, sender: str, event: dict[str, Any]) -> None:
        self.ts += self.rng.random() * 0.05
        body = {"sender_id": sender, "event": event.pop("event"), "timestamp": self.ts}
        body["metadata"] = event.pop("metadata", dict(MODEL))
        body.update(event)
        self.rows.append(event_row(body))  # what bot/event_broker.py writes for the event

    def action(self, sender: str, name: str) -> None:
        self.add(
            sender,
            {
                "event": "action",
                "name": name,
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            },
        )

    def bot(self, sender: str, utter: str, text: str = "Tak for din besked.") -> None:
        self.add(
            sender,
            {
                "event": "bot",
                "metadata": {"utter_action": utter, "template": utter, **MODEL},
                "text": text,
                "data": {
                    "elements": None,
                    "quick_replies": None,
                    "buttons": None,
                    "attachment": None,
                    "image": None,
                    "custom": {"source": {"file": "002_5e6f3c0d831500e7.txt", "date": "2017-07"}},
                },
            },
        )

    def slot(self, sender: str, name: str, value: Any) -> None:
        self.add(sender, {"event": "slot", "name": name, "value": value, "metadata": dict(MODEL)})

    def user(
        self, sender: str, text: str, intent: str, entry: str, tier: int | None, channel: str
    ) -> None:
        ranking = [{"name": intent, "confidence": 0.91}] + [
            {"name": n, "confidence": 0.4} for n in INTENTS[:3]
        ]
        parse: dict[str, Any] = {
            "intent": {"name": intent, "confidence": 0.91},
            "entities": [],
            "text": text,
            "message_id": "e031b942bba74e409853622196d905ee",
            "metadata": {},
            "text_tokens": [[i * 5, i * 5 + 4] for i in range(len(text.split()))],
            "intent_ranking": ranking,
            "response_selector": {
                "all_retrieval_intents": ["faq"],
                "faq": {
                    "response": {
                        "responses": [],
                        "confidence": 0.91,
                        "intent_response_key": f"faq/{entry}",
                        "utter_action": f"utter_faq/{entry}",
                    },
                    "ranking": [
                        {"confidence": 0.9 - i / 20, "intent_response_key": f"faq/{e}"}
                        for i, e in enumerate(self.rng.sample(ENTRIES, 8))
                    ],
                },
            },
        }
        if tier is not None:
            parse["kk_answer"] = {"tier": tier, "reason": "low confidence", "missing": []}
        metadata = dict(MODEL)
        if channel != "rest":
            metadata = {"kk": {"channel": channel, "subject": None, "role": None}, **MODEL}
        self.add(
            sender,
            {
                "event": "user",
                "metadata": metadata,
                "text": text,
                "parse_data": parse,
                "input_channel": channel,
                "message_id": "e031b942bba74e409853622196d905ee",
            },
        )
        self.add(sender, {"event": "user_featurization", "use_text_for_featurization": False})


def conversation(w: Writer, number: int) -> None:
    rng = w.rng
    roll = rng.random()
    if roll < 0.70:
        sender, channel = f"anon:b{number:08x}", "rest"
    elif roll < 0.88:
        sender, channel = f"kk:u-{number % 997:08x}:b{number:08x}", "kk"
    elif roll < 0.97:
        sender, channel = f"sms:{number:064x}", "sms"
    else:
        sender, channel = f"kk:u-{number % 31:08x}:s{number:08x}", "kk"
    legal = roll >= 0.97
    w.action(sender, "action_session_start")
    w.bot(sender, "utter_ai_notice", "Du skriver med KK-assistenten, en automatisk assistent.")
    w.add(sender, {"event": "session_started"})
    w.action(sender, "action_listen")
    if legal:
        w.user(sender, "/legal_mode_start", "legal_mode_start", ENTRIES[0], None, channel)
        w.action(sender, "action_start_legal_mode")
        w.bot(sender, "utter_legal_welcome")
        w.add(sender, {"event": "active_loop", "name": "legal_mode"})
        for _ in range(rng.randint(1, 4)):
            w.action(sender, "action_listen")
            w.user(sender, "må samtalen holdes pr telefon", "faq", ENTRIES[1], 1, channel)
            w.slot(sender, "legal_question", "må samtalen holdes pr telefon")
            w.action(sender, "legal_mode")
            if rng.random() < 0.8:
                w.add(
                    sender,
                    {
                        "event": "bot",
                        "metadata": {"utter_action": "utter_legal_answer", **MODEL},
                        "text": LONG_ANSWER,
                        "data": {"custom": {"legal": {"status": "answered", "note_id": "x"}}},
                    },
                )
            else:
                w.bot(sender, "utter_legal_refused_answer")
                if rng.random() < 0.5:
                    w.action(sender, "action_listen")
                    w.user(sender, "/legal_escalate", "legal_escalate", ENTRIES[0], None, channel)
                    w.action(sender, "action_legal_escalate")
                    w.bot(sender, "utter_legal_escalated")
        w.action(sender, "action_listen")
        return
    for turn in range(min(6, 1 + int(rng.expovariate(1 / 1.6)))):
        if turn:
            w.action(sender, "action_listen")
        roll = rng.random()
        entry = rng.choice(ENTRIES)
        if roll < 0.72:
            w.user(sender, rng.choice(QUESTIONS), "faq", entry, 1, channel)
            w.action(sender, "utter_faq")
            w.bot(sender, f"utter_faq/{entry}", LONG_ANSWER)
        elif roll < 0.78:
            w.user(sender, rng.choice(UNKNOWN), "source_answer", entry, 2, channel)
            w.action(sender, "action_source_answer")
            w.bot(sender, "utter_source_answer", LONG_ANSWER)
        elif roll < 0.85:
            w.user(sender, rng.choice(UNKNOWN), "nlu_fallback", entry, 3, channel)
            w.action(sender, "action_clarify")
            if roll < 0.815:
                w.bot(sender, "utter_dont_know")
                w.bot(sender, "utter_handover_location_open", "Ring på +45 00 00 00 03.")
            else:
                w.bot(sender, "utter_clarify_suggest", "Mente du: »Udbetaling«?")
            w.slot(sender, "suggested_response", None)
        elif roll < 0.90:
            w.user(sender, "jeg vil tale med et menneske", "request_human", entry, None, channel)
            w.action(sender, "action_handover")
            w.bot(sender, "utter_handover_intro")
            w.bot(sender, "utter_handover_location_open", "Ring på +45 00 00 00 03.")
        else:
            w.user(sender, "tak for hjælpen", rng.choice(INTENTS), entry, None, channel)
            w.action(sender, "utter_goodbye")
            w.bot(sender, "utter_goodbye")
    if channel == "kk" and rng.random() < 0.25:
        w.action(sender, "action_listen")
        w.user(sender, "jeg er syg", "report_absence", ENTRIES[2], None, channel)
        w.action(sender, "action_start_absence")
        for name in ("absence_target", "absence_date", "absence_reason", "absence_confirm"):
            w.slot(sender, name, None)
        w.add(sender, {"event": "active_loop", "name": "absence_form"})
        w.bot(sender, "utter_ask_absence_target")
        w.action(sender, "action_listen")
        w.user(sender, "1", "faq", ENTRIES[3], 1, channel)
        w.action(sender, "absence_form")
        w.bot(sender, "utter_ask_absence_confirm")
        w.action(sender, "action_listen")
        w.user(sender, "ja", "affirm", ENTRIES[3], None, channel)
        w.add(sender, {"event": "active_loop", "name": None})
        w.action(sender, "action_submit_absence")
        w.bot(sender, "utter_absence_sent", "Tak. Din fraværsmelding er sendt.")
    w.action(sender, "action_listen")


def build_events(old_path: Path, new_path: Path, conversations: int, seed: int = 17) -> int:
    """The same events twice: ``old_path`` as Rasa's SQL event broker writes them (``id``,
    ``sender_id``, ``data``) and ``new_path`` as ``bot/event_broker.py`` does (plus the typed
    columns and their indexes, ``kkshared.event_rows``). Conversations are interleaved in small
    groups as in real traffic."""
    connections = []
    for path in (old_path, new_path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        connections.append(sqlite3.connect(path))
    old, new = connections
    old.execute(
        "CREATE TABLE events (id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"
    )
    for statement in sqlite_schema():
        new.execute(statement)
    rng = random.Random(seed)
    total = 0
    group = 50
    for start in range(0, conversations, group):
        writers = []
        for number in range(start, min(conversations, start + group)):
            w = Writer(rng)
            w.ts += number * 2.0
            conversation(w, number)
            writers.append(w.rows)
        rows: list[EventRow] = []
        while any(writers):  # interleave the group's conversations turn by turn
            for rows_of in writers:
                if rows_of:
                    rows.extend(rows_of[:6])
                    del rows_of[:6]
        old.executemany(
            "INSERT INTO events (sender_id, data) VALUES (?, ?)",
            [(r.sender_id, r.data) for r in rows],
        )
        new.executemany(
            "INSERT INTO events (sender_id, data, type_name, name, timestamp) "
            "VALUES (:sender_id, :data, :type_name, :name, :timestamp)",
            [r.as_params() for r in rows],
        )
        total += len(rows)
    for connection in connections:
        connection.commit()
        connection.close()
    return total


class Phases:
    """CPU seconds per part of the job (``--phases``): the reader (``EventsDatabase.rows``:
    query and decoding), continuing stored conversations (none in a first aggregation), applying
    events (``FactBuilder.apply_rows``, once per window, with hashing and masking) and writing the
    analytics rows (``api.analytics.writer``, with the index rebuild). What is left of the total
    is the rest of the job (lease, watermark, commit, feedback)."""

    def __init__(self) -> None:
        import api.analytics.events as events_module
        import api.analytics.facts as facts
        import api.analytics.job as job

        self.seconds: dict[str, float] = {}
        self._wrap(events_module.EventsDatabase, "rows", "read (query + decode)")
        self._wrap(job, "_resume_open", "continue stored conversations")
        self._wrap(facts.FactBuilder, "apply_rows", "apply events (facts, hashing, masking)")
        self._wrap(job, "_write", "write analytics rows")

    def _wrap(self, owner: Any, name: str, label: str) -> None:
        real = getattr(owner, name)
        self.seconds[label] = 0.0

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                self.seconds[label] += time.process_time() - started

        setattr(owner, name, timed)


def _capped(url: str, cap: int) -> Any:
    """An ``EventsDatabase`` that ends at event id ``cap`` (the bench's ids have no gaps)."""
    from api.analytics.events import EventsDatabase, RowWindow

    class Capped(EventsDatabase):
        def rows(self, after_id: int, limit: int = 50_000) -> RowWindow | None:
            if after_id >= cap:
                return None
            return super().rows(after_id, min(limit, cap - after_id))

    return Capped(url)


def _aggregate_once(events_path: Path, label: str, tail: int | None = None) -> dict[str, Any]:
    """One run of the job over ``events_path`` into a freshly migrated case-service database;
    with ``tail``, the database first holds everything but the last ``tail`` events and the run
    timed is the one that reads those."""
    from api.analytics.events import EventsDatabase
    from api.analytics.job import aggregate
    from api.core.config import Settings
    from api.db import migrate
    from api.db.session import make_engine, make_session_factory

    db = OUT / f"analytics-case-{os.getpid()}-{label}.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    migrate.upgrade(url, rev="heads")
    settings = Settings(
        database_url=url,
        jwt_secret="bench-" + "x" * 40,
        events_db_url=f"sqlite:///{events_path}",
    )
    engine = make_engine(url)
    events_db = EventsDatabase(settings.events_db_url)
    with make_session_factory(engine)() as session:
        if tail is not None:
            before = _capped(settings.events_db_url, events_db.max_id() - tail)
            aggregate(session, settings, before)
            before.dispose()
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        result = aggregate(session, settings, events_db)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    events_db.dispose()
    engine.dispose()
    db.unlink(missing_ok=True)
    return {
        "rows": label,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load": round(load, 2),
        **result.as_dict(),
    }


def run(
    conversations: int, runs: int, old: bool = True, tail: int | None = None
) -> list[dict[str, Any]]:
    """``runs`` rounds; each aggregates the old-format database, then the new one."""
    old_path = OUT / f"analytics-events-{conversations}-rasa.db"
    new_path = OUT / f"analytics-events-{conversations}-typed.db"
    stamp = OUT / f"analytics-events-{conversations}.ok"
    if not (stamp.exists() and old_path.exists() and new_path.exists()):
        started = time.perf_counter()
        count = build_events(old_path, new_path, conversations)
        stamp.write_text(str(count))
        print(f"events databases: {count} events each in {time.perf_counter() - started:.1f} s")
    events = int(stamp.read_text())
    results = []
    for number in range(runs):
        formats = (("rasa", old_path), ("typed", new_path)) if old else (("typed", new_path),)
        for label, path in formats:
            row = {"round": number + 1, "events": events, **_aggregate_once(path, label)}
            print(json.dumps(row), flush=True)
            results.append(row)
    if tail is not None:
        row = {"round": "incremental", "events": events, **_aggregate_once(new_path, "incr", tail)}
        row["rows"] = "incremental"
        print(json.dumps(row), flush=True)
        results.append(row)
    for label in ("rasa", "typed", "incremental"):
        mine = [r for r in results if r["rows"] == label]
        if mine:
            times = [r["seconds"] for r in mine]
            cpus = [r["cpu_seconds"] for r in mine]
            loads = ", ".join(f"{r['load']:.1f}" for r in mine)
            print(
                f"{label:>11}: median {statistics.median(times):.2f} s wall "
                f"({', '.join(f'{t:.2f}' for t in times)}), "
                f"{statistics.median(cpus):.2f} s CPU ({', '.join(f'{c:.2f}' for c in cpus)}) "
                f"of {len(times)}; 1-min load at the start: {loads}"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--new-only", action="store_true", help="skip the database in Rasa's own row format"
    )
    parser.add_argument(
        "--phases", action="store_true", help="CPU seconds per part of the job (adds overhead)"
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="also time a run that reads only the last --tail events (after the others)",
    )
    parser.add_argument("--tail", type=int, default=16_000, help="events new to that run")
    args = parser.parse_args()
    machine = platform.processor() or platform.machine()
    print(f"{machine}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    phases = Phases() if args.phases else None
    tail = args.tail if args.incremental else None
    run(args.conversations, args.runs, old=not args.new_only, tail=tail)
    if phases is not None:
        for part, seconds in phases.seconds.items():
            print(f"{part:>40}: {seconds:6.2f} s CPU (all runs)")


if __name__ == "__main__":
    main()
