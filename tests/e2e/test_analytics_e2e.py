"""Conversation analytics end to end: conversations through the real channels (Rasa's SQL event
broker writes the events database), the aggregation job, and the numbers on the JSON report and
the statistics page: exactly 3 fallbacks, 1 handover and 2 thumbs down more than before; no
sender id, phone number or CPR number in the analytics tables."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
import urllib.request

import pytest
from conftest import Chat, api_url, http, login, sqlite_path

FALLBACK_QUESTIONS = (
    # (question, what the reply shows: the bot did not understand / did not know)
    ("hvor mange penge får jeg i kontanthjælp om måneden", "ved jeg"),
    ("hvilken paragraf giver ret til befordringsgodtgørelse til praktik i Grønland", "ved jeg"),
    ("asdkjh qwe zxcv", "forstod"),
)
PHONE = "22334455"


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {login('demo-admin')}"}


# Rasa's event broker writes a batch flush_seconds (0.05 s) after its first event
# (bot/event_broker.py): the last turn's events reach the events database that much later.
EVENTS_WRITTEN_SECONDS = 0.25


def aggregate(headers: dict[str, str]) -> dict:
    time.sleep(EVENTS_WRITTEN_SECONDS)
    status, body = http("POST", f"{api_url()}/analytics/aggregate", headers=headers)
    assert status == 200, body
    assert body["available"] and not body["skipped"], body
    return body


def totals(headers: dict[str, str]) -> dict:
    status, body = http("GET", f"{api_url()}/analytics/report", headers=headers)
    assert status == 200, body
    return body["totals"].get("all") or {
        "conversations": 0,
        "fallbacks": 0,
        "handovers": 0,
        "feedback_down": 0,
        "feedback_up": 0,
    }


def feedback_ref(sender: str) -> str:
    """What the web chat sends (web/widget/kk-chat.js)."""
    return hashlib.sha256(f"kk-chat:{sender}".encode()).hexdigest()[:32]


def test_the_report_counts_what_happened_in_the_chat():
    if not os.environ.get("KK_E2E_EVENTS_DB_URL"):
        pytest.skip("KK_E2E_EVENTS_DB_URL not set: run through `./kk test e2e`")
    headers = admin_headers()
    aggregate(headers)  # everything earlier tests said
    before = totals(headers)

    for question, shown in FALLBACK_QUESTIONS:
        reply = Chat().say(question)
        assert shown in reply.lower(), f"{question!r} was answered: {reply[:200]}"
    handover = Chat()
    assert "medarbejder" in handover.say("jeg vil gerne tale med et menneske")
    rated = Chat()
    rated.say(f"mit nummer er {PHONE}, hvornår får jeg min kontanthjælp")
    for number in (1, 2):
        status, body = http(
            "POST",
            f"{api_url()}/feedback",
            {
                "conversation_ref": feedback_ref(rated.sender),
                "message_id": f"m{number}",
                "rating": "down",
            },
        )
        assert status == 201, body

    result = aggregate(headers)
    assert result["events"] > 0 and result["feedback"] == 2
    after = totals(headers)
    assert after["conversations"] - before["conversations"] == 5
    assert after["fallbacks"] - before["fallbacks"] == 3
    assert after["handovers"] - before["handovers"] == 1
    assert after["feedback_down"] - before["feedback_down"] == 2
    assert after["feedback_up"] == before["feedback_up"]

    # The unanswered list has the questions (masked text as stored) ...
    status, report = http("GET", f"{api_url()}/analytics/report", headers=headers)
    listed = {example for group in report["unanswered"] for example in group["examples"]}
    for question, _ in FALLBACK_QUESTIONS:
        assert question in listed
    # ... and so does the page an editor sees.
    editor = {"Authorization": f"Bearer {login('demo-redaktoer')}"}
    request = urllib.request.Request(f"{api_url()}/statistik", headers=editor)
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
    assert FALLBACK_QUESTIONS[1][0] in page

    # No sender id, phone number or CPR number in the analytics tables.
    senders = [rated.sender, handover.sender]
    with sqlite3.connect(sqlite_path("KK_E2E_DATABASE_URL")) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'analytics_%'"
            )
        ]
        assert len(tables) == 5
        dump = "\n".join(
            repr(row)
            for table in tables
            for row in db.execute(f"SELECT * FROM {table}")  # noqa: S608
        )
    for secret in (PHONE, *senders, "anon:"):
        assert secret not in dump
    # The events database itself holds the masked text (the channels mask before Rasa).
    with sqlite3.connect(sqlite_path("KK_E2E_EVENTS_DB_URL")) as db:
        stored = "\n".join(d for (d,) in db.execute("SELECT data FROM events"))
    assert PHONE not in stored and "[TELEFON]" in stored
