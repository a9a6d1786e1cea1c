"""The one sliding-window limiter (kkshared.rate_limit): chat channels and POST /feedback."""

from __future__ import annotations

from kkshared.rate_limit import SlidingWindowLimiter


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
    clock.now = 60.0  # the first two no longer count at exactly one window later
    assert limiter.allow("a")


def test_the_window_slides_with_explicit_times() -> None:
    limiter = SlidingWindowLimiter(limit=2, window_seconds=60)
    assert limiter.allow("ip", now=0) and limiter.allow("ip", now=1)
    assert not limiter.allow("ip", now=2)
    assert limiter.allow("other", now=2)
    assert not limiter.allow("ip", now=59.5)
    assert limiter.allow("ip", now=61)


def test_a_refused_event_does_not_count() -> None:
    limiter = SlidingWindowLimiter(1, 10.0)
    assert limiter.allow("a", now=0)
    assert not limiter.allow("a", now=5)
    assert limiter.allow("a", now=10)


def test_zero_means_off() -> None:
    limiter = SlidingWindowLimiter(0, 60.0)
    assert all(limiter.allow("a") for _ in range(1000))


def test_many_keys_forget_idle_ones_first_and_never_reset_active_limits() -> None:
    limiter = SlidingWindowLimiter(1, 60.0, max_keys=4)
    assert limiter.allow("busy", now=0)
    for i in range(3):
        assert limiter.allow(f"old{i}", now=0)
    # Later, new keys push out the idle ones; "busy" is still limited within its window.
    assert not limiter.allow("busy", now=30)
    for i in range(3):
        assert limiter.allow(f"new{i}", now=61)
    assert len(limiter._events) <= 4
    # All keys active: the oldest half goes, the table stays bounded.
    for i in range(10):
        assert limiter.allow(f"burst{i}", now=62)
    assert len(limiter._events) <= 4
