"""Per-key message limits for the channels (in-process, sliding window).

Keys are conversation ids and verified subjects, never client addresses: 25 users behind one
office NAT (or a load test on loopback) are 25 conversations and are not throttled together.
Settings: ``KK_CHAT_RATE_PER_CONVERSATION`` (messages per minute in one conversation, default 30)
and ``KK_CHAT_RATE_PER_SUBJECT`` (per logged-in person over all their conversations, default
600); 0 switches a limit off. With several Rasa processes each keeps its own counts.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

DEFAULT_PER_CONVERSATION = 30
DEFAULT_PER_SUBJECT = 600
# Forget idle keys so the table cannot grow without bound.
MAX_KEYS = 50_000


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from error
    if value < 0:
        raise ValueError(f"{name} must be 0 (off) or positive")
    return value


def limits_from_env() -> tuple[int, int]:
    return (
        _int_env("KK_CHAT_RATE_PER_CONVERSATION", DEFAULT_PER_CONVERSATION),
        _int_env("KK_CHAT_RATE_PER_SUBJECT", DEFAULT_PER_SUBJECT),
    )


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window`` seconds per key (``limit`` 0: unlimited)."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= MAX_KEYS:
                    self._forget_idle(now)
                events = self._events[key] = deque()
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._events.items() if not v or now - v[-1] >= self.window]
        for key in idle:
            del self._events[key]
        if len(self._events) >= MAX_KEYS:  # all active: drop the oldest half
            for key in list(self._events)[: MAX_KEYS // 2]:
                del self._events[key]
