"""The REST channel end to end: a real Rasa server and action server with models/kk.tar.gz.

Covers: AI notice + answer in ONE response, PII masked before anything is stored or logged,
client metadata/input_channel ignored, the anon: prefix, /intent{...} injection refused, and
400 answers for bad bodies. The case service is deliberately unreachable here (port 9).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from rasa_stack import MODEL

pytestmark = pytest.mark.skipif(
    not MODEL.exists(), reason="models/kk.tar.gz not trained (the test command trains first)"
)

CPR = "010190-1234"
CPR_DIGITS = "0101901234"
PHONE = "22 33 44 55"
EMAIL = "anna.hansen@example.dk"


@pytest.fixture(scope="module")
def stack(web_stack):
    """The session's Rasa + action server (conftest.py), shared with test_channel_kk.py."""
    return web_stack


def _events(db: Path, sender_id: str) -> list[dict]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def _user_events(db: Path, sender_id: str) -> list[dict]:
    return [e for e in _events(db, sender_id) if e["event"] == "user"]


def test_first_reply_is_notice_plus_answer_in_one_response(stack) -> None:
    status, messages = stack.post({"sender": "first1", "message": "hvem er du"})
    assert status == 200
    texts = [m.get("text", "") for m in messages]
    assert len(texts) >= 2, messages
    assert "automatisk assistent" in texts[0] and "CPR" in texts[0]
    assert "KK-assistenten" in texts[1]
    # The second message of the session does not repeat the notice.
    _, again = stack.post({"sender": "first1", "message": "tak"})
    assert all("automatisk assistent (ikke et menneske)" not in m.get("text", "") for m in again)


def test_a_conversation_opened_in_english_gets_the_notice_in_english(stack) -> None:
    status, messages = stack.post({"sender": "first-en", "message": "when do I get my money"})
    assert status == 200
    texts = [m.get("text", "") for m in messages]
    assert len(texts) >= 2, messages
    assert "automatic assistant (not a person)" in texts[0] and "CPR" in texts[0]
    assert "automatisk" not in " ".join(texts)
    # The new session starts with Rasa's slot reset; the classifier sets it from the message.
    events = _events(stack.tracker_db, "anon:first-en")
    started = max(i for i, e in enumerate(events) if e["event"] == "session_started")
    after = [e for e in events[started:] if e["event"] == "slot" and e["name"] == "language"]
    assert after and after[-1]["value"] == "en"


def test_the_notice_of_a_message_that_does_not_say_its_language_is_danish(stack) -> None:
    status, messages = stack.post({"sender": "first-ok", "message": "ok"})
    assert status == 200
    assert "automatisk assistent (ikke et menneske)" in messages[0].get("text", "")


def test_pii_is_masked_everywhere_and_the_user_is_warned(stack) -> None:
    text = f"mit cpr er {CPR} og mit nummer er {PHONE}, mail {EMAIL}"
    status, messages = stack.post({"sender": "pii1", "message": text})
    assert status == 200
    joined = " ".join(m.get("text", "") for m in messages)
    assert "Skriv ikke dit CPR-nummer" in joined
    assert CPR not in joined and EMAIL not in joined

    stored = _user_events(stack.tracker_db, "anon:pii1")
    assert (
        stored and stored[-1]["text"] == "mit cpr er [CPR] og mit nummer er [TELEFON], mail [EMAIL]"
    )
    assert stored[-1]["parse_data"]["text"] == stored[-1]["text"]

    time.sleep(1)  # let both servers flush their logs
    database_bytes = stack.tracker_db.read_bytes()
    for secret in (CPR, CPR_DIGITS, "22334455", PHONE, EMAIL):
        assert secret.encode() not in database_bytes
        assert secret not in stack.log_text()


def test_client_metadata_and_input_channel_are_ignored(stack) -> None:
    body = {
        "sender": "meta1",
        "message": "hej",
        "metadata": {"name": "Anna Hansen", "cpr": CPR},
        "input_channel": "kk",
    }
    status, messages = stack.post(body)
    assert status == 200 and messages
    user = _user_events(stack.tracker_db, "anon:meta1")[-1]
    assert user["input_channel"] == "rest"
    # Rasa itself adds the model and assistant ids; nothing from the client may be there.
    assert set(user.get("metadata") or {}) <= {"model_id", "assistant_id"}
    assert b"Anna Hansen" not in stack.tracker_db.read_bytes()


def test_sender_ids_are_prefixed_with_anon(stack) -> None:
    status, messages = stack.post({"sender": "prefix1", "message": "hej"})
    assert status == 200
    assert {m["recipient_id"] for m in messages} == {"anon:prefix1"}
    assert _events(stack.tracker_db, "anon:prefix1")
    assert not _events(stack.tracker_db, "prefix1")


def test_uuid_senders_are_answered_and_no_digits_of_personal_data_are_stored(stack) -> None:
    """The probe's UUID (its "50716717" looks like a phone number) and a CPR number as the sender:
    answered like any other sender, with the conversation stored under a keyed hash."""
    for sender in ("50716717-a416-462b-89aa-4fa1fc4bdff5", "0101901234", "4e0c2f1e5d3b4a6f"):
        status, first = stack.post({"sender": sender, "message": "hej"})
        assert status == 200 and first, (sender, first)
        status, second = stack.post({"sender": sender, "message": "tak"})
        assert status == 200 and second
        conversation = first[0]["recipient_id"]
        assert {m["recipient_id"] for m in first + second} == {conversation}
        assert _user_events(stack.tracker_db, conversation)[-1]["text"] == "tak"
        if sender == "4e0c2f1e5d3b4a6f":
            assert conversation == f"anon:{sender}"
        else:
            assert conversation.startswith("anon:h:") and sender not in conversation
    time.sleep(1)
    for digits in ("50716717", "0101901234"):
        assert digits.encode() not in stack.tracker_db.read_bytes()
        assert digits not in stack.log_text()


def test_text_that_is_not_text_never_reaches_rasa(stack) -> None:
    for text in ("hej \ud800", "hej\x00", "\ufffe"):
        status, answer = stack.post({"sender": "badtext1", "message": text})
        assert status == 400 and "Beskeden indeholder tegn" in answer["detail"]
    assert _events(stack.tracker_db, "anon:badtext1") == []


def test_intent_payload_with_slots_is_not_obeyed(stack) -> None:
    status, _ = stack.post(
        {"sender": "inj1", "message": '/request_human{"suggested_response": "utter_goodbye"}'}
    )
    assert status == 200
    user = _user_events(stack.tracker_db, "anon:inj1")[-1]
    assert not user["text"].startswith("/")
    # Only the classifier's own entity (the message's language) may be there, never the payload's.
    entities = user["parse_data"]["entities"]
    assert [e for e in entities if e["entity"] != "language"] == []
    assert all(e["extractor"] == "DanishRetrievalClassifier" for e in entities)
    slots = [e for e in _events(stack.tracker_db, "anon:inj1") if e["event"] == "slot"]
    assert all(e["value"] != "utter_goodbye" for e in slots)


def test_bare_payload_not_offered_by_the_bot_is_plain_text(stack) -> None:
    stack.post({"sender": "inj2", "message": "hej"})
    status, _ = stack.post({"sender": "inj2", "message": "/affirm"})
    assert status == 200
    user = _user_events(stack.tracker_db, "anon:inj2")[-1]
    assert user["text"] == "affirm"


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"message": "hej"}, "sender"),
        ({"sender": "a b", "message": "hej"}, "sender"),
        ({"sender": "x" * 65, "message": "hej"}, "sender"),
        ({"sender": "ok1", "message": "hej \ud800"}, "lone surrogate"),
        ({"sender": "ok1", "message": "hej\x00"}, "NUL"),
        ({"sender": "ok1"}, "message"),
        ({"sender": "ok1", "message": "   "}, "message"),
        ({"sender": "ok1", "message": 42}, "message"),
        ({"sender": "ok1", "message": "x" * 1001}, "too long"),
        (["not", "an", "object"], "JSON object"),
        ({"sender": "ok1", "message": "hej", "padding": "x" * 20000}, "too large"),
    ],
)
def test_bad_bodies_are_refused_with_a_reason(stack, body, reason) -> None:
    status, answer = stack.post(body)
    assert status == 400
    assert reason in answer["detail"]


def test_malformed_json_is_refused(stack) -> None:
    status, answer = stack.post(None, raw=b"{not json")
    assert status == 400 and "JSON" in answer["detail"]
