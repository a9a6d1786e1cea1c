"""The off switch through the whole system: an admin pauses the assistant in the case service;
the REST, kk and SMS channels (fake gateway) answer with the pause message without running a
Rasa turn, the legal mode says so; switched on again, the answers come back.

The channels keep the status for at most 3 seconds, so the test waits (up to 30 s) for the
switch to arrive instead of expecting it at a given moment.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import Chat, api_url, http, login, query

from bot.sms.keywords import HELP_TEXT

MESSAGE = (
    "KK-assistenten holder pause under en test. Ring til Jobcenter København på +45 00 00 00 04."
)
SMS_FROM = 4512345679  # a number no citizen has: general answers only
WAIT_SECONDS = 30.0


def gateway_url() -> str:
    url = os.environ.get("KK_E2E_SMS_GATEWAY_URL")
    if not url:
        pytest.skip("KK_E2E_SMS_GATEWAY_URL not set: run through `./kk test e2e`")
    return url.rstrip("/")


def switch(paused: bool, message: str | None = None) -> None:
    body: dict[str, Any] = {"paused": paused}
    if message is not None:
        body["message"] = message
    headers = {"Authorization": f"Bearer {login('demo-admin')}"}
    status, answer = http("PUT", f"{api_url()}/assistant/status", body, headers)
    assert status == 200, answer


def eventually(probe: Callable[[], Any], accept: Callable[[Any], bool]) -> Any:
    """``probe()`` until ``accept`` holds (the switch reaches the channels within seconds)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        result = probe()
        if accept(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def text_sms(message: str) -> str:
    """Text the assistant through the fake gateway; the reply it was asked to send."""
    gateway = gateway_url()
    status, before = http("GET", f"{gateway}/_fake/sent?to={SMS_FROM}")
    assert status == 200, before
    last = max((m["id"] for m in before["messages"]), default=0)
    status, result = http(
        "POST", f"{gateway}/_fake/incoming", {"msisdn": SMS_FROM, "message": message}
    )
    assert status == 200 and result["status"] == 200, result

    def sent() -> list[dict]:
        return http("GET", f"{gateway}/_fake/sent?to={SMS_FROM}&after={last}")[1]["messages"]

    replies = eventually(sent, bool)
    assert replies, f"no SMS reply to {message!r}"
    return "\n".join(m["message"] for m in replies)


@pytest.fixture
def paused() -> Iterator[None]:
    switch(True, MESSAGE)
    try:
        yield
    finally:
        switch(False)


def rasa_events(conversation_id: str) -> list[tuple]:
    return query(
        "KK_E2E_TRACKER_DB_URL",
        "SELECT type_name FROM events WHERE sender_id = ?",
        (conversation_id,),
    )


def test_pause_answers_every_channel_with_the_message_then_resume(paused) -> None:
    status, body = http("GET", f"{api_url()}/assistant/status")
    assert status == 200 and body["paused"] is True and body["message"] == MESSAGE

    # REST (anonymous web chat): once the switch has arrived (a new conversation per try) ...
    eventually(lambda: Chat().say("hvornår bliver kontanthjælp udbetalt?"), lambda t: t == MESSAGE)
    # ... the message, marked for the web chat, and no Rasa turn.
    anonymous = Chat(sender=f"pause{uuid.uuid4().hex[:10]}")
    reply = anonymous.send("hvornår bliver kontanthjælp udbetalt?")
    assert reply == [
        {
            "recipient_id": anonymous.conversation_id,
            "text": MESSAGE,
            "custom": {"assistant_paused": True, "phone": "+45 00 00 00 04"},
        }
    ]
    assert rasa_events(anonymous.conversation_id) == []

    # kk (logged in), also the legal mode; and the legal API itself answers 503.
    staff_token = login("demo-sagsbehandler")
    staff = Chat(token=staff_token)
    assert staff.say("/juridisk") == MESSAGE
    assert staff.say("må jobsamtalen holdes pr telefon?") == MESSAGE
    assert rasa_events(staff.conversation_id) == []
    status, body = http(
        "POST",
        f"{api_url()}/legal/ask",
        {"question": "må jobsamtalen holdes pr telefon?"},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert status == 503 and body == {"detail": MESSAGE}

    # SMS: the message as the reply; HJÆLP and STOP are the channel's own and still work.
    assert MESSAGE in text_sms("hvornår bliver kontanthjælp udbetalt?")
    assert text_sms("HJÆLP") == HELP_TEXT

    # Switched on: ordinary answers again, on every channel.
    switch(False)
    answer = eventually(
        lambda: Chat().say("hvornår bliver kontanthjælp udbetalt?"), lambda t: t != MESSAGE
    )
    assert answer != MESSAGE and "kontanthjælp" in answer.lower(), answer
    assert "juridisk vejledning" in Chat(token=staff_token).say("/juridisk")
    sms = text_sms("hvornår bliver kontanthjælp udbetalt?")
    assert MESSAGE not in sms and "kontanthjælp" in sms.lower(), sms

    # Both switches are in the audit log, with the admin who made them.
    admin = {"Authorization": f"Bearer {login('demo-admin')}"}
    status, entries = http("GET", f"{api_url()}/audit-log?limit=20", headers=admin)
    actions = [e["action"] for e in entries if e["action"].startswith("assistant_")]
    assert actions[:2] == ["assistant_resume", "assistant_pause"]
