"""The case-service client: token header, normalised errors, short timeouts."""

from __future__ import annotations

import asyncio
import time

import pytest
from case_service_stub import LOCATIONS, StubState, free_port, running_stub

from actions import client as action_client
from actions.settings import load_settings
from kkshared.case_service import (
    CaseServiceClient,
    CaseServiceNotFound,
    CaseServiceUnauthorized,
    CaseServiceUnavailable,
)
from kkshared.defaults import DEFAULT_API_URL, DEFAULT_SERVICE_TOKEN


def test_locations_are_fetched_with_the_service_token() -> None:
    async def scenario() -> None:
        state = StubState()
        async with running_stub(state) as url:
            client = CaseServiceClient(url, "secret-token")
            assert await client.list_locations() == LOCATIONS
            assert await client.list_locations() == LOCATIONS  # cached: one request only
        assert len(state.headers) == 1
        assert state.headers[0]["X-Service-Token"] == "secret-token"

    asyncio.run(scenario())


def test_status_is_asked_for_now_with_an_iso_timestamp() -> None:
    async def scenario() -> None:
        state = StubState(statuses={"ydelsesservice": {"open": True}})
        async with running_stub(state) as url:
            status = await CaseServiceClient(url, "t").location_status("ydelsesservice")
        assert status["open"] is True
        assert state.status_queries[0][:4].isdigit() and "T" in state.status_queries[0]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "code, error",
    [
        (404, CaseServiceNotFound),
        (401, CaseServiceUnauthorized),
        (403, CaseServiceUnauthorized),
        (500, CaseServiceUnavailable),
        (503, CaseServiceUnavailable),
        (429, CaseServiceUnavailable),
    ],
)
def test_http_errors_are_normalised(code: int, error: type) -> None:
    async def scenario() -> None:
        async with running_stub(StubState(fail_with=code)) as url:
            with pytest.raises(error) as raised:
                await CaseServiceClient(url, "t").location_status("ydelsesservice")
            if (
                error is CaseServiceUnavailable
            ):  # a 5xx may come after the commit; a 429 is before it
                assert raised.value.may_have_arrived is (code != 429)

    asyncio.run(scenario())


def test_unreachable_service_fails_fast() -> None:
    client = CaseServiceClient(f"http://127.0.0.1:{free_port()}", "t")
    started = time.monotonic()
    with pytest.raises(CaseServiceUnavailable) as raised:
        asyncio.run(client.list_locations())
    assert time.monotonic() - started < 2.5
    assert raised.value.may_have_arrived is False  # nothing was sent: a create certainly failed


def test_slow_service_times_out_within_the_chat_limit() -> None:
    async def scenario() -> float:
        async with running_stub(StubState(delay=5)) as url:
            client = CaseServiceClient(url, "t")  # a chat turn's default: 2 s
            started = time.monotonic()
            with pytest.raises(CaseServiceUnavailable) as raised:
                await client.list_locations()
            assert raised.value.may_have_arrived is True  # sent, no answer: it may have been done
            return time.monotonic() - started

    assert asyncio.run(scenario()) < 3.0


def test_a_batch_client_waits_longer_than_a_chat_turn() -> None:
    """The reminder job's client (its own timeout) gets an answer a chat turn would give up on;
    before, every client was capped at 2.5 s."""

    async def scenario() -> list[dict]:
        async with running_stub(StubState(delay=3)) as url:
            return await CaseServiceClient(url, "t", timeout=8.0).list_locations()

    assert asyncio.run(scenario()) == LOCATIONS


def test_a_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        CaseServiceClient("http://127.0.0.1:9", "t", timeout=0)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_API_URL", "http://case-service.example:8123/")
    monkeypatch.setenv("KK_SERVICE_TOKEN", "from-env")
    action_client.reset_client()
    try:
        client = action_client.get_client()
        assert client.base_url == "http://case-service.example:8123"
        assert client.service_token == "from-env"
    finally:
        action_client.reset_client()


def test_action_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = load_settings({})
    assert (defaults.api_url, defaults.service_token) == (DEFAULT_API_URL, DEFAULT_SERVICE_TOKEN)
    assert (defaults.actions_port, defaults.actions_token) == (5055, "")
    custom = load_settings({"KK_ACTIONS_PORT": "15155", "KK_ACTIONS_TOKEN": "t" * 20})
    assert (custom.actions_port, custom.actions_token) == (15155, "t" * 20)
    with pytest.raises(ValueError, match="KK_ACTIONS_PORT"):
        load_settings({"KK_ACTIONS_PORT": "port"})
    assert "t" * 20 not in repr(custom)  # secrets stay out of logs


def test_a_client_without_settings_uses_the_published_defaults() -> None:
    client = CaseServiceClient()
    assert (client.base_url, client.service_token) == (DEFAULT_API_URL, DEFAULT_SERVICE_TOKEN)
