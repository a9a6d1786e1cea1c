"""Shared fixtures of the channel tests.

The web and SMS channels ask the off switch (``bot.channels.pause``) before every Rasa turn. In
this process that would be the case service at ``KK_API_URL`` (default 127.0.0.1:8000): a
developer's ``./kk run`` there, perhaps paused, would answer for the tests. So every test gets a
fake status source instead (running, unless a test sets ``assistant_status.status``); tests that
need another source install their own with ``pause.use_status_cache`` (test_channel_pause.py).
Channels started as separate processes (rasa_stack.py, sms_stack.py) ask the case service they
are given.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.channels import pause
from kkshared.assistant_status import RUNNING, AssistantStatus, StatusCache


class FakeAssistantStatus:
    """What the case service would say about the off switch; counts the questions."""

    def __init__(self) -> None:
        self.status: AssistantStatus = RUNNING
        self.calls = 0

    async def __call__(self) -> AssistantStatus:
        self.calls += 1
        return self.status


@pytest.fixture(autouse=True)
def assistant_status() -> Iterator[FakeAssistantStatus]:
    fake = FakeAssistantStatus()
    pause.use_status_cache(StatusCache(fake, max_age=0.0))
    yield fake
    pause.use_status_cache(None)
