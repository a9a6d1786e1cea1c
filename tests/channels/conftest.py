"""Shared fixtures of the channel tests.

The web and SMS channels ask the off switch (``bot.channels.pause``) before every Rasa turn. In
this process that would be the case service at ``KK_API_URL`` (default 127.0.0.1:8000): a
developer's ``./kk run`` there, perhaps paused, would answer for the tests. So every test gets a
fake status source instead (running, unless a test sets ``assistant_status.status``); tests that
need another source install their own with ``pause.use_status_cache`` (test_channel_pause.py).
Channels started as separate processes (rasa_stack.py, sms_stack.py) ask the case service they
are given.

``web_stack``: one real Rasa + action server (rasa_stack.py) for the REST and kk channel tests
(test_channel_rest_e2e.py, test_channel_kk.py), started once per session: each start costs about
half a minute on 2 cores. Its settings are the kk tests' (their JWT secret, demo mode, a
per-conversation limit of ``WEB_STACK_RATE`` messages); the REST tests use fewer turns per
conversation than that, and every test uses its own sender ids.
"""

from __future__ import annotations

import os
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


@pytest.fixture
def sanic_test_mode() -> Iterator[None]:
    """Several Sanic apps in one process (one per test): sanic's start-up "touch-up" rewrites
    class methods, and only keeps the originals for a second app in test mode. A module asks for
    it with ``pytestmark = pytest.mark.usefixtures("sanic_test_mode")``."""
    from sanic import Sanic

    previous = Sanic.test_mode
    Sanic.test_mode = True
    yield
    Sanic.test_mode = previous


WEB_STACK_JWT_SECRET = "kk-channel-test-secret-0123456789abcdefghij"
WEB_STACK_RATE = 6  # KK_CHAT_RATE_PER_CONVERSATION


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory):
    from rasa_stack import start_stack

    names = ("KK_JWT_SECRET", "KK_CHAT_RATE_PER_CONVERSATION", "KK_DEMO_MODE")
    saved = {k: os.environ.get(k) for k in names}
    # HS256 demo tokens count in demo mode only (tests/channels/test_oidc_channel.py: the rest).
    os.environ.update(
        KK_JWT_SECRET=WEB_STACK_JWT_SECRET,
        KK_CHAT_RATE_PER_CONVERSATION=str(WEB_STACK_RATE),
        KK_DEMO_MODE="true",
    )
    try:
        running = start_stack(tmp_path_factory.mktemp("web_stack"))
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    yield running
    running.stop()
