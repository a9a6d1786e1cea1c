"""The logged-in kk channel with a real Rasa + action server (case service unreachable here):
token checks, conversation ids from the verified subject, metadata the client cannot set,
/juridisk only for staff roles, the per-conversation rate limit, and no token in the store."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from conftest import WEB_STACK_JWT_SECRET, WEB_STACK_RATE
from rasa_stack import MODEL

pytestmark = pytest.mark.skipif(
    not MODEL.exists(), reason="models/kk.tar.gz not trained (the test command trains first)"
)

SECRET = WEB_STACK_JWT_SECRET
RATE = WEB_STACK_RATE


def token(
    sub: str = "u-citizen1", role: str = "citizen", secret: str = SECRET, minutes: int = 5
) -> str:
    now = datetime.now(timezone.utc)
    return jwt.encode(
        {
            "sub": sub,
            "role": role,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        },
        secret,
        algorithm="HS256",
    )


@pytest.fixture(scope="module")
def stack(web_stack):
    """The session's Rasa + action server (conftest.py), with this module's secret and rate."""
    return web_stack


def post(stack, body, bearer: str | None = None, raw: bytes | None = None) -> tuple[int, object]:
    headers = {"Content-Type": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{stack.base_url}/webhooks/kk/webhook", data=data, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def user_events(stack, sender_id: str) -> list[dict]:
    with sqlite3.connect(stack.tracker_db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)
        ).fetchall()
    return [e for e in (json.loads(r[0]) for r in rows) if e["event"] == "user"]


@pytest.mark.parametrize(
    "bearer",
    [None, "", "abc", token(secret="wrong-secret-0123456789abcdefghijkl"), token(minutes=-10)],
)
def test_bad_tokens_get_401_and_nothing_is_stored(stack, bearer) -> None:
    status, body = post(stack, {"sender": "bad1", "message": "hej"}, bearer)
    assert status == 401 and body["detail"]
    with sqlite3.connect(stack.tracker_db) as connection:
        assert not connection.execute(
            "SELECT 1 FROM events WHERE sender_id LIKE '%bad1'"
        ).fetchall()


def test_conversation_id_and_metadata_come_from_the_token(stack) -> None:
    bearer = token("u-anna", "citizen")
    status, messages = post(
        stack,
        {
            "sender": "s1",
            "message": "hej",
            "metadata": {"kk": {"subject": "u-bob", "role": "admin"}},
        },
        bearer,
    )
    assert status == 200 and {m["recipient_id"] for m in messages} == {"kk:u-anna:s1"}
    event = user_events(stack, "kk:u-anna:s1")[-1]
    assert event["input_channel"] == "kk"
    assert event["metadata"]["kk"] == {"channel": "kk", "subject": "u-anna", "role": "citizen"}
    assert bearer.encode() not in stack.tracker_db.read_bytes()
    assert not user_events(stack, "s1") and not user_events(stack, "anon:s1")


def test_juridisk_command_only_for_staff_roles(stack) -> None:
    post(stack, {"sender": "j1", "message": "/juridisk"}, token("u-citizen2", "citizen"))
    assert user_events(stack, "kk:u-citizen2:j1")[-1]["text"] == "juridisk"
    post(stack, {"sender": "j1", "message": "/juridisk"}, token("u-staff1", "staff"))
    assert user_events(stack, "kk:u-staff1:j1")[-1]["text"] == "/legal_mode_start"


def test_payloads_with_slots_are_not_obeyed(stack) -> None:
    post(
        stack,
        {"sender": "p1", "message": '/ask_next_meeting{"subject": "u-other"}'},
        token("u-p", "citizen"),
    )
    event = user_events(stack, "kk:u-p:p1")[-1]
    assert not event["text"].startswith("/")
    # Only the classifier's own entity (the message's language) may be there, never the payload's.
    entities = event["parse_data"]["entities"]
    assert [e for e in entities if e["entity"] != "language"] == []
    assert all(e["extractor"] == "DanishRetrievalClassifier" for e in entities)


def test_rate_limit_per_conversation_not_per_address(stack) -> None:
    bearer = token("u-rate", "citizen")
    codes = [post(stack, {"sender": "r1", "message": "hej"}, bearer)[0] for _ in range(RATE + 1)]
    assert codes[:RATE] == [200] * RATE and codes[RATE] == 429
    # Another conversation from the same address (and token) is not throttled.
    assert post(stack, {"sender": "r2", "message": "hej"}, bearer)[0] == 200


def test_bad_bodies_with_a_valid_token_get_400(stack) -> None:
    bearer = token()
    assert post(stack, {"sender": "a b", "message": "hej"}, bearer)[0] == 400
    assert post(stack, {"sender": "ok"}, bearer)[0] == 400
    assert post(stack, None, bearer, raw=b"{nope")[0] == 400
    status, body = post(stack, {"sender": "ok", "message": "hej \ud800"}, bearer)
    assert status == 400 and "lone surrogate" in body["detail"]
    assert not user_events(stack, "kk:u-citizen1:ok")


def test_a_sender_that_looks_like_a_cpr_number_is_answered_under_a_keyed_hash(stack) -> None:
    status, messages = post(stack, {"sender": "0101901234", "message": "hej"}, token("u-h"))
    assert status == 200 and messages
    [conversation] = {m["recipient_id"] for m in messages}
    assert conversation.startswith("kk:u-h:h:") and "0101901234" not in conversation
    assert user_events(stack, conversation)
    assert b"0101901234" not in stack.tracker_db.read_bytes()
