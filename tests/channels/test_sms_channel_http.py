"""The channel's HTTP side in-process (a Sanic server with the SMS blueprint, as Rasa registers
it), with a stand-in for Rasa's agent: no model needed. The same paths run against a real Rasa
server in test_sms_channel_e2e.py."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import aiohttp
import jwt
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic_server import serve
from sms_fakes import (
    GATEWAY_TOKEN,
    KNOWN_MSISDN,
    WEBHOOK_SECRET,
    CaseServiceStub,
    FakeTrackerStore,
    mo_body,
    settings,
    signed_headers,
)

from bot.channels.sms import SmsInput
from bot.settings import SmsSettings
from bot.sms import keywords, schema
from tools.fake_gateway import FakeGateway, FakeGatewayServer

_apps = iter(range(10**6))


pytestmark = pytest.mark.usefixtures("sanic_test_mode")  # conftest.py


class FakeAgent:
    def __init__(self) -> None:
        self.tracker_store = FakeTrackerStore()
        self.messages: list[UserMessage] = []

    def is_ready(self) -> bool:
        return True


async def _serve(channel: SmsInput, agent: FakeAgent | None):
    """Start a Sanic server with the channel the way rasa.core.channels.channel.register does."""
    app = Sanic(f"sms_test_{next(_apps)}")

    async def on_new_message(message: UserMessage) -> None:
        agent.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"Svar: {message.text}")

    app.ctx.agent = agent
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/sms")
    return await serve(app, "/webhooks/sms")


def test_an_unconfigured_channel_answers_503_and_runs_nothing() -> None:
    async def scenario():
        base, stop = await _serve(SmsInput(SmsSettings.from_env({})), None)
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{base}/") as response:
                    health = await response.json()
                async with session.post(f"{base}/webhook", data=b"{") as response:
                    return health, response.status
        finally:
            await stop()

    health, status = asyncio.run(scenario())
    assert health == {"status": "ok", "configured": False, "running": False}
    assert status == 503


def test_a_database_without_the_migrations_is_not_created_but_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The channel never creates its tables (several Rasa servers would race): on a database
    that was not migrated it stays stopped, says why, and the webhook answers 503."""
    db = tmp_path / "tracker.db"
    case = CaseServiceStub()
    channel = SmsInput(settings(f"sqlite:///{db}", None, case.url))
    body = mo_body(KNOWN_MSISDN, "hej", 4141)

    async def scenario():
        base, stop = await _serve(channel, FakeAgent())
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{base}/") as response:
                    health = await response.json()
                async with session.post(
                    f"{base}/webhook", data=json.dumps(body), headers=signed_headers(body)
                ) as response:
                    return health, response.status
        finally:
            await stop()

    try:
        with caplog.at_level("ERROR", logger="bot.channels.sms"):
            health, status = asyncio.run(scenario())
    finally:
        case.stop()
    assert health["running"] is False and status == 503
    assert "python -m bot.sms.migrate" in caplog.text
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert not [t for t in tables if t.startswith("sms_")]


def test_the_blueprint_runs_the_service_between_start_and_stop(tmp_path: Path) -> None:
    fake = FakeGateway(None, WEBHOOK_SECRET, GATEWAY_TOKEN)
    gateway = FakeGatewayServer(fake)
    gateway.start_in_thread()
    case = CaseServiceStub()
    db = tmp_path / "tracker.db"
    schema.upgrade(f"sqlite:///{db}")  # ./kk run migrates before Rasa starts
    channel = SmsInput(settings(f"sqlite:///{db}", gateway.url, case.url))
    agent = FakeAgent()
    body = mo_body(KNOWN_MSISDN, "hej", 4242)

    async def scenario():
        base, stop = await _serve(channel, agent)
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{base}/") as response:
                    health = await response.json()
                results = []
                for headers, raw in (
                    ({"Content-Type": "application/json"}, json.dumps(body)),  # unsigned
                    (signed_headers(body, secret="wrong-" + WEBHOOK_SECRET), json.dumps(body)),
                    (signed_headers(body), b"not json"),
                    (signed_headers(body), json.dumps(body)),
                    (signed_headers(body), json.dumps(body)),
                ):
                    async with session.post(
                        f"{base}/webhook", data=raw, headers=headers
                    ) as response:
                        results.append((response.status, await response.json()))
            for _ in range(200):
                if fake.sent:
                    break
                await asyncio.sleep(0.05)
        finally:
            await stop()
        return health, results

    try:
        health, results = asyncio.run(scenario())
    finally:
        gateway.shutdown()
        gateway.server_close()
        case.stop()
    assert health == {"status": "ok", "configured": True, "running": True}
    assert [status for status, _ in results] == [401, 401, 401, 200, 200]
    assert [answer.get("status") for _, answer in results[3:]] == ["accepted", "duplicate"]
    [message] = agent.messages
    assert message.input_channel == "sms" and message.output_channel.name() == "sms"
    assert message.metadata == {"kk": {"channel": "sms", "subject": "u-borger", "role": "citizen"}}
    assert message.message_id == "sms-4242"
    assert [m["message"] for m in fake.sent] == ["Svar: hej"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT gateway_id, text FROM sms_inbox").fetchall() == [("4242", None)]


def test_a_message_that_is_not_text_is_acknowledged_and_answered_with_a_notice(
    tmp_path: Path,
) -> None:
    fake = FakeGateway(None, WEBHOOK_SECRET, GATEWAY_TOKEN)
    gateway = FakeGatewayServer(fake)
    gateway.start_in_thread()
    case = CaseServiceStub()
    db = tmp_path / "tracker.db"
    schema.upgrade(f"sqlite:///{db}")
    channel = SmsInput(settings(f"sqlite:///{db}", gateway.url, case.url))
    agent = FakeAgent()
    body = mo_body(KNOWN_MSISDN, "hej \ud800 med\x00", 4343)
    # Signed the way GatewayAPI's JSON arrives: the lone surrogate as a \ud800 escape.
    headers = {
        "Content-Type": "application/json",
        "X-Gwapi-Signature": jwt.encode(dict(body, api=4), WEBHOOK_SECRET, algorithm="HS256"),
    }
    raw = json.dumps(body)
    assert "\\ud800" in raw and "\\u0000" in raw

    async def scenario():
        base, stop = await _serve(channel, agent)
        try:
            results = []
            async with aiohttp.ClientSession() as session:
                for _ in range(2):  # the gateway retries
                    async with session.post(
                        f"{base}/webhook", data=raw, headers=headers
                    ) as response:
                        results.append((response.status, await response.json()))
            for _ in range(200):
                if fake.sent:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
        finally:
            await stop()
        return results

    try:
        results = asyncio.run(scenario())
    finally:
        gateway.shutdown()
        gateway.server_close()
        case.stop()
    assert results == [(200, {"status": "unreadable"}), (200, {"status": "duplicate"})]
    assert agent.messages == []
    assert [m["message"] for m in fake.sent] == [keywords.UNREADABLE_TEXT]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT text, outcome FROM sms_inbox").fetchall() == [
            (None, "unreadable")
        ]
