"""The channels' sliding-window limiter."""

from __future__ import annotations

import pytest

from bot.channels.rate_limit import SlidingWindowLimiter, limits_from_env


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limit_per_key_and_window() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 60.0, clock)
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")  # other keys are independent
    clock.now = 60.0
    assert limiter.allow("a")


def test_zero_means_off() -> None:
    limiter = SlidingWindowLimiter(0, 60.0)
    assert all(limiter.allow("a") for _ in range(1000))


def test_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_CHAT_RATE_PER_CONVERSATION", "12")
    monkeypatch.setenv("KK_CHAT_RATE_PER_SUBJECT", "0")
    assert limits_from_env() == (12, 0)
    monkeypatch.setenv("KK_CHAT_RATE_PER_SUBJECT", "lots")
    with pytest.raises(ValueError, match="KK_CHAT_RATE_PER_SUBJECT"):
        limits_from_env()
