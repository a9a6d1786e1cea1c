"""Submitting a confirmed form against the real case service (KK_E2E_API_URL): a create whose
answer is lost on the way back is reported as uncertain, and sending it again does not make a
second record."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import string
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import aiohttp
from aiohttp import web
from case_service_stub import free_port
from rasa_sdk.executor import CollectingDispatcher
from test_action_own_case import real_service, subject_of
from tracker_factory import said

from actions import client as action_client
from actions.forms.message import ActionSubmitMessage
from actions.forms.submit import submission_key
from kkshared import case_service


@contextlib.asynccontextmanager
async def answering_late(target: str, state: dict[str, Any]) -> AsyncIterator[str]:
    """A proxy to the case service that passes each request on at once and holds the answer
    back ``state["delay"]`` seconds: the record is made, the caller hears nothing in time."""

    async def forward(request: web.Request) -> web.Response:
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        async with aiohttp.ClientSession() as session:
            async with session.request(
                request.method,
                f"{target}{request.rel_url}",
                headers=headers,
                data=await request.read(),
            ) as answer:
                body, status = await answer.read(), answer.status
        await asyncio.sleep(state["delay"])
        return web.Response(body=body, status=status, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def test_the_key_is_the_same_for_the_same_form_on_the_same_day() -> None:
    body = {"text": "Jeg kommer ti minutter for sent"}
    key = submission_key("action_submit_message", body, date(2026, 11, 23))
    assert key == submission_key("action_submit_message", dict(body), date(2026, 11, 23))
    assert key != submission_key(
        "action_submit_message", {"text": "Jeg kommer ikke"}, date(2026, 11, 23)
    )
    assert key != submission_key("action_submit_message", body, date(2026, 11, 24))
    assert key != submission_key("action_submit_absence", body, date(2026, 11, 23))


@real_service
def test_a_message_whose_answer_came_too_late_is_sent_again_without_a_second_record(
    monkeypatch,
) -> None:
    real_url = os.environ["KK_E2E_API_URL"]
    if os.environ.get("KK_E2E_SERVICE_TOKEN"):
        monkeypatch.setenv("KK_SERVICE_TOKEN", os.environ["KK_E2E_SERVICE_TOKEN"])
    subject = subject_of("demo-borger")
    text = "Jeg kommer for sent i dag " + "".join(random.choices(string.ascii_lowercase, k=12))
    tracker = said(
        "ja",
        "affirm",
        slots={"message_text": text, "message_confirm": True},
        channel="kk",
        subject=subject,
        role="citizen",
    )
    state = {"delay": case_service.DEFAULT_TIMEOUT_SECONDS + 1.0}

    async def send() -> list[dict]:
        dispatcher = CollectingDispatcher()
        await ActionSubmitMessage().run(dispatcher, tracker, {})
        return dispatcher.messages

    async def scenario() -> tuple[list[dict], list[dict], list[dict]]:
        async with answering_late(real_url, state) as url:
            monkeypatch.setenv("KK_API_URL", url)
            action_client.reset_client()
            late = await send()
            state["delay"] = 0.0
            again = await send()
            stored = await action_client.get_client()._get_list("/me/messages", subject=subject)
            await action_client.get_client().close()
        return late, again, stored

    try:
        late, again, stored = asyncio.run(scenario())
    finally:
        action_client.reset_client()
    assert [m["response"] for m in late] == ["utter_message_maybe_sent"]
    assert [m["response"] for m in again] == ["utter_message_sent"]
    assert [m["text"] for m in stored].count(text) == 1
    assert again[0]["reference"] == next(m["reference"] for m in stored if m["text"] == text)
