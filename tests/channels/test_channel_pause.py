"""The off switch on the Rasa side: the status cache (≤ 3 s, fail open with memory), the web
channels and the SMS bridge answering with the pause message without a Rasa turn, and the real
case-service client against a stand-in ``GET /assistant/status``.

In-process (Sanic servers on loopback, a stand-in for Rasa): no model needed. The whole system
(pause through the real case service, REST and SMS) is tests/e2e/test_e2e_pause.py.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic, response
from sanic_server import serve
from web_fakes import ReadyAgent, demo_token, post_each, use_web_channel_settings

from bot.channels import pause
from bot.channels.kk import KKInput
from bot.channels.rest import MaskingRestInput
from bot.channels.sms import SanicRasaBridge
from bot.settings import load_settings
from kkshared.assistant_status import (
    PAUSED_MARKER,
    RUNNING,
    AssistantStatus,
    StatusCache,
    paused_reply,
)
from kkshared.case_service import CaseServiceClient, CaseServiceUnavailable

JWT_SECRET = "channel-pause-test-secret-0123456789abcdef"
PAUSED = AssistantStatus(
    paused=True,
    message="KK-assistenten er lukket lige nu. Ring til Jobcenter København på +45 00 00 00 04.",
    phone="+45 00 00 00 04",
)
_apps = itertools.count()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeSource:
    """What the case service says; ``None`` = unreachable. Counts the questions."""

    def __init__(self, status: AssistantStatus | None = RUNNING) -> None:
        self.status = status
        self.calls = 0

    async def __call__(self) -> AssistantStatus:
        self.calls += 1
        if self.status is None:
            raise CaseServiceUnavailable("ConnectionRefusedError for /assistant/status")
        return self.status


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


pytestmark = pytest.mark.usefixtures("sanic_test_mode")  # conftest.py


@pytest.fixture
def source(monkeypatch):
    """The process's status cache asks this fake (restored after the test)."""
    fake = FakeSource()
    pause.use_status_cache(StatusCache(fake, max_age=0.0))
    yield fake
    pause.use_status_cache(None)


# --- the status and its cache --------------------------------------------------------------


def test_the_status_json_is_checked():
    assert AssistantStatus.from_json(PAUSED.to_json()) == PAUSED
    assert AssistantStatus.from_json({"paused": False, "message": "", "phone": None}) == RUNNING
    for bad in (
        None,
        [],
        {"paused": "yes", "message": "x"},
        {"paused": True, "message": 3},
        {"paused": True, "message": "  "},  # paused without a message
        {"paused": False, "message": "", "phone": 4512},
    ):
        with pytest.raises(ValueError):
            AssistantStatus.from_json(bad)


def test_the_cache_asks_at_most_once_per_max_age():
    source, clock = FakeSource(PAUSED), Clock()
    cache = StatusCache(source, max_age=3.0, clock=clock)

    async def scenario() -> None:
        assert await cache.current() == PAUSED
        clock.now += 2.9
        source.status = RUNNING  # switched on in the case service ...
        assert await cache.current() == PAUSED  # ... still the cached answer
        assert source.calls == 1
        clock.now += 0.2  # 3.1 s after the first question
        assert await cache.current() == RUNNING
        assert source.calls == 2

    run(scenario())


def test_unreachable_with_no_status_known_the_assistant_runs(caplog):
    source, clock = FakeSource(None), Clock()
    cache = StatusCache(source, max_age=3.0, clock=clock)

    async def scenario() -> None:
        with caplog.at_level("WARNING", logger="kkshared.assistant_status"):
            assert await cache.current() == RUNNING
            assert await cache.current() == RUNNING
            clock.now += 3.1
            assert await cache.current() == RUNNING
        assert source.calls == 2  # a failure is remembered for max_age too: no hammering
        warnings = [r for r in caplog.records if r.levelname == "WARNING"]
        assert len(warnings) == 1 and "the assistant runs" in warnings[0].getMessage()

    run(scenario())


def test_unreachable_after_a_pause_the_pause_holds_until_the_service_answers():
    source, clock = FakeSource(PAUSED), Clock()
    cache = StatusCache(source, max_age=3.0, clock=clock)

    async def scenario() -> None:
        assert (await cache.current()).paused
        source.status = None  # the case service goes down while paused
        for _ in range(3):
            clock.now += 3.1
            assert await cache.current() == PAUSED
        source.status = RUNNING  # back, and switched on
        clock.now += 3.1
        assert await cache.current() == RUNNING

    run(scenario())


def test_while_one_caller_refreshes_the_others_get_the_known_status_at_once():
    clock, release = Clock(), asyncio.Event()
    calls = 0

    async def slow_fetch() -> AssistantStatus:
        nonlocal calls
        calls += 1
        if calls > 1:
            await release.wait()
        return PAUSED

    cache = StatusCache(slow_fetch, max_age=3.0, clock=clock)

    async def scenario() -> None:
        assert await cache.current() == PAUSED
        clock.now += 3.1
        refreshing = asyncio.ensure_future(cache.current())
        await asyncio.sleep(0)
        assert await cache.current() == PAUSED  # answered without waiting for the refresh
        release.set()
        assert await refreshing == PAUSED
        assert calls == 2

    run(scenario())


def test_the_cache_lifetime_is_at_most_three_seconds():
    assert load_settings({}).assistant_status_cache_seconds == 3.0
    assert (
        load_settings({"KK_ASSISTANT_STATUS_CACHE_SECONDS": "1"}).assistant_status_cache_seconds
        == 1
    )
    with pytest.raises(ValueError, match="KK_ASSISTANT_STATUS_CACHE_SECONDS"):
        load_settings({"KK_ASSISTANT_STATUS_CACHE_SECONDS": "30"})


# --- the web channels ----------------------------------------------------------------------


def bearer(sub: str = "u-worker1", role: str = "staff") -> str:
    return demo_token(JWT_SECRET, sub, role)


@pytest.fixture
def env(monkeypatch):
    use_web_channel_settings(monkeypatch, JWT_SECRET)


def exchange(
    requests: list[tuple[str, dict[str, Any], dict[str, str]]],
    between: Any = None,
) -> tuple[list[tuple[int, Any]], list[UserMessage]]:
    """POST each (channel, body, headers) to the rest and kk channels; ``between(i)`` runs
    before request i. Returns the (status, JSON) answers and what reached Rasa."""
    received: list[UserMessage] = []

    async def scenario() -> list[tuple[int, Any]]:
        app = Sanic(f"channel_pause_test_{next(_apps)}")

        async def on_new_message(message: UserMessage) -> None:
            received.append(message)
            await message.output_channel.send_text_message(message.sender_id, "Svar fra Rasa")

        app.ctx.agent = ReadyAgent()
        for channel in (MaskingRestInput(), KKInput()):
            app.blueprint(
                channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}"
            )
        base, stop = await serve(app, "/webhooks")
        try:
            return await post_each(base, requests, between)
        finally:
            await stop()

    return run(scenario()), received


def test_paused_web_channels_answer_with_the_message_and_rasa_sees_nothing(env, source):
    source.status = PAUSED
    staff = {"Authorization": f"Bearer {bearer()}"}
    requests = [
        ("rest", {"sender": "abc", "message": "hvornår får jeg min kontanthjælp?"}, {}),
        ("kk", {"sender": "web1", "message": "hej"}, staff),
        ("kk", {"sender": "web1", "message": "/juridisk"}, staff),  # the legal mode too
        ("rest", {"sender": "abc", "message": "mit cpr er 010190-1234"}, {}),
    ]
    answers, received = exchange(requests)
    assert received == []
    for (channel, _, _), (status, body) in zip(requests, answers, strict=True):
        assert status == 200
        recipient = "anon:abc" if channel == "rest" else "kk:u-worker1:web1"
        assert body == [
            {
                "recipient_id": recipient,
                "text": PAUSED.message,
                "custom": {PAUSED_MARKER: True, "phone": PAUSED.phone},
            }
        ]


def test_paused_channels_still_refuse_bad_requests_first(env, source):
    source.status = PAUSED
    answers, received = exchange(
        [
            ("kk", {"sender": "web1", "message": "hej"}, {}),  # no token
            ("kk", {"sender": "web1", "message": "hej"}, {"Authorization": "Bearer forged"}),
            ("rest", {"sender": "abc"}, {}),  # no message
            ("rest", {"sender": "abc", "message": "x" * 1001}, {}),
        ]
    )
    assert [status for status, _ in answers] == [401, 401, 400, 400]
    assert received == [] and source.calls == 0  # nothing asked before the request is valid


def test_switched_on_again_the_next_message_reaches_rasa(env, source):
    source.status = PAUSED
    requests = [("rest", {"sender": "abc", "message": "hej"}, {})] * 3

    def between(i: int) -> None:
        source.status = PAUSED if i == 0 else RUNNING

    answers, received = exchange(requests, between)
    assert answers[0][1][0]["text"] == PAUSED.message
    assert [body[0]["text"] for _, body in answers[1:]] == ["Svar fra Rasa"] * 2
    assert [m.text for m in received] == ["hej", "hej"]


def test_case_service_down_the_channels_answer_normally(env, source):
    source.status = None  # unreachable, nothing known: fail open
    answers, received = exchange([("rest", {"sender": "abc", "message": "hej"}, {})])
    assert answers == [(200, [{"recipient_id": "anon:abc", "text": "Svar fra Rasa"}])]
    assert len(received) == 1


# --- the SMS channel's Rasa bridge ---------------------------------------------------------


def test_the_sms_bridge_answers_with_the_message_without_a_rasa_turn(source):
    turns: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        turns.append(message)
        await message.output_channel.send_text_message(message.sender_id, "Svar fra Rasa")

    bridge = SanicRasaBridge(app=None, on_new_message=on_new_message)
    metadata = {"kk": {"channel": "sms", "subject": None, "role": None}}

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        source.status = PAUSED
        paused = await bridge.handle("hej", "sms:h:abc", metadata, "sms-1")
        source.status = RUNNING
        running = await bridge.handle("hej", "sms:h:abc", metadata, "sms-2")
        return paused, running

    paused, running = run(scenario())
    assert paused == paused_reply(PAUSED, "sms:h:abc")
    assert [m.message_id for m in turns] == ["sms-2"]
    assert running[0]["text"] == "Svar fra Rasa"


# --- the real client against a stand-in case service ---------------------------------------


def test_the_case_service_client_reads_the_status_and_refuses_nonsense():
    answers: list[tuple[int, Any]] = [
        (200, PAUSED.to_json()),
        (200, {"paused": True, "message": ""}),
        (200, ["not", "a", "status"]),
        (503, {"detail": "down"}),
    ]

    async def scenario() -> list[Any]:
        app = Sanic(f"status_stub_{next(_apps)}")

        @app.get("/assistant/status")
        async def status(request: Any) -> Any:
            code, body = answers.pop(0)
            return response.json(body, status=code)

        base, stop = await serve(app, "")
        client = CaseServiceClient(base, "token", timeout=1.0)
        results: list[Any] = []
        try:
            for _ in range(4):
                try:
                    results.append(await client.assistant_status())
                except CaseServiceUnavailable as error:
                    results.append(type(error).__name__)
        finally:
            await client.close()
            await stop()
        return results

    assert run(scenario()) == [PAUSED] + ["CaseServiceUnavailable"] * 3


def test_the_process_cache_is_built_from_the_settings(monkeypatch):
    pause.use_status_cache(None)
    monkeypatch.setenv("KK_API_URL", "http://127.0.0.1:9")  # nothing listens: fail open
    monkeypatch.setenv("KK_ASSISTANT_STATUS_CACHE_SECONDS", "2")
    try:
        cache = pause.status_cache()
        assert cache.max_age == 2.0 and pause.status_cache() is cache

        async def ask_and_close() -> Any:
            answer = await pause.paused_answer("anon:abc")
            await cache._fetch.__self__.close()
            return answer

        assert run(ask_and_close()) is None
    finally:
        pause.use_status_cache(None)
