"""The web channels' message limits: settings, and the shared limiter they are built with."""

from __future__ import annotations

import pytest

from bot.channels.rest import MaskingRestInput
from bot.settings import load_settings


def test_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_CHAT_RATE_PER_CONVERSATION", "12")
    monkeypatch.setenv("KK_CHAT_RATE_PER_SUBJECT", "0")
    settings = load_settings()
    assert (settings.chat_rate_per_conversation, settings.chat_rate_per_subject) == (12, 0)
    monkeypatch.setenv("KK_CHAT_RATE_PER_SUBJECT", "lots")
    with pytest.raises(ValueError, match="KK_CHAT_RATE_PER_SUBJECT"):
        load_settings()
    monkeypatch.setenv("KK_CHAT_RATE_PER_SUBJECT", "-1")
    with pytest.raises(ValueError, match="KK_CHAT_RATE_PER_SUBJECT"):
        load_settings()


def test_defaults() -> None:
    settings = load_settings({})
    assert (settings.chat_rate_per_conversation, settings.chat_rate_per_subject) == (30, 600)


def test_the_channel_limits_per_conversation_with_its_settings() -> None:
    channel = MaskingRestInput(load_settings({"KK_CHAT_RATE_PER_CONVERSATION": "2"}))
    limiter = channel._conversation_limit
    assert (limiter.limit, limiter.window) == (2, 60.0)
    assert limiter.allow("anon:a") and limiter.allow("anon:a") and not limiter.allow("anon:a")
    assert channel._identity_limit.limit == 600
