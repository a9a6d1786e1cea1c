"""Handover: phone lines and opening status from the case service, and a fast fallback."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime

import pytest
from case_service_stub import LOCATIONS, StubState, free_port, running_stub
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import client as action_client
from actions.handover import ActionHandover, handover_messages, pick_locations
from kkshared.case_service import CaseServiceClient
from kkshared.formatting import COPENHAGEN

NOW = datetime(2026, 3, 7, 18, 30, tzinfo=COPENHAGEN)  # a Saturday evening


def test_ydelsesservice_first_then_the_job_centre_phone_line() -> None:
    assert [loc["id"] for loc in pick_locations(LOCATIONS)] == [
        "ydelsesservice",
        "jobcenter-telefon",
    ]


def test_open_and_closed_lines_with_next_opening() -> None:
    state = StubState(
        statuses={
            "ydelsesservice": {"open": True, "closes_at": "2026-03-07T19:00:00+01:00"},
            "jobcenter-telefon": {
                "open": False,
                "reason": "outside_hours",
                "next_opening": "2026-03-09T09:00:00+01:00",
            },
        }
    )

    async def scenario() -> list[dict]:
        async with running_stub(state) as url:
            return await handover_messages(CaseServiceClient(url, "t"), NOW)

    messages = asyncio.run(scenario())
    assert messages == [
        {
            "response": "utter_handover_location_open",
            "name": "Ydelsesservice (telefon)",
            "phone": "+45 00 00 00 03",
            "closes_at": "19.00",
        },
        {
            "response": "utter_handover_location_closed",
            "name": "Jobcenter København (telefon)",
            "phone": "+45 00 00 00 04",
            "next_open": "mandag den 9. marts 2026 kl. 09.00",
        },
    ]


def test_unverified_locations_get_a_caveat() -> None:
    unverified = StubState(
        statuses={"ydelsesservice": {"open": False}, "jobcenter-telefon": {"open": False}}
    )

    async def scenario() -> list[dict]:
        async with running_stub(unverified) as url:
            client = CaseServiceClient(url, "t")
            client._locations = [dict(loc, verified=False) for loc in LOCATIONS]
            client._locations_fetched_at = time.monotonic()
            return await handover_messages(client, NOW)

    messages = asyncio.run(scenario())
    assert messages[-1] == {"response": "utter_handover_unverified"}
    assert messages[0]["response"] == "utter_handover_location_closed_unknown"


def test_case_service_down_gives_a_danish_fallback_fast() -> None:
    client = CaseServiceClient(f"http://127.0.0.1:{free_port()}", "t")
    started = time.monotonic()
    messages = asyncio.run(handover_messages(client, NOW))
    assert time.monotonic() - started < 5.0  # no hang on a refused connection
    assert messages == [{"response": "utter_handover_unavailable"}]


def test_slow_case_service_gives_the_fallback_within_three_seconds() -> None:
    async def scenario() -> tuple[list[dict], float]:
        async with running_stub(StubState(delay=6)) as url:
            started = time.monotonic()
            messages = await handover_messages(CaseServiceClient(url, "t"), NOW)
            return messages, time.monotonic() - started

    messages, elapsed = asyncio.run(scenario())
    assert messages == [{"response": "utter_handover_unavailable"}]
    assert elapsed < 5.0  # cut off by the client's timeout, not by the stub answering after 6 s


def _tracker(intent: str) -> Tracker:
    return Tracker(
        "anon:t",
        {},
        {"intent": {"name": intent}, "text": "x"},
        [],
        False,
        None,
        {},
        "action_listen",
    )


def test_action_handover_with_the_case_service_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_API_URL", f"http://127.0.0.1:{free_port()}")
    action_client.reset_client()
    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    events = asyncio.run(ActionHandover().run(dispatcher, _tracker("request_human"), {}))
    assert time.monotonic() - started < 3.0
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_handover_intro",
        "utter_handover_unavailable",
    ]
    action_client.reset_client()


def test_after_an_insult_no_second_intro(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_API_URL", f"http://127.0.0.1:{free_port()}")
    action_client.reset_client()
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandover().run(dispatcher, _tracker("insult"), {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_handover_unavailable"]
    action_client.reset_client()


@pytest.mark.skipif(
    not os.environ.get("KK_E2E_API_URL"),
    reason="KK_E2E_API_URL not set: no running case service to test against",
)
def test_handover_against_the_real_case_service() -> None:
    client = CaseServiceClient(os.environ["KK_E2E_API_URL"], os.environ.get("KK_SERVICE_TOKEN"))
    messages = asyncio.run(handover_messages(client))
    responses = [m["response"] for m in messages]
    assert "utter_handover_unavailable" not in responses
    lines = [m for m in messages if m["response"].startswith("utter_handover_location")]
    assert len(lines) == 2
    assert "Ydelsesservice" in lines[0]["name"]
    assert all(m.get("phone") for m in lines)
    for message in lines:
        if message["response"] == "utter_handover_location_closed":
            assert " kl. " in message["next_open"] and " den " in message["next_open"]
