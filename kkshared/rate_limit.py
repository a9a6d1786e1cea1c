"""An in-process sliding-window rate limiter: at most ``limit`` events per window per key.

The one limiter of the repository: the chat channels use it per conversation and per verified
subject (``bot/channels/base.py``), the case service per client address on ``POST /feedback``
(``api/main.py``). Per process only: with several processes each keeps its own counts.

- ``limit`` 0 (or less) switches the limit off;
- an event counts for ``window_seconds`` after it happened (at ``now - window_seconds`` it no
  longer counts);
- the table is bounded: when a new key would exceed ``max_keys``, keys without an event in the
  window are forgotten first (they cannot be limited anyway), and only when every key is active
  the oldest half. Clearing everything instead would let anyone who rotates keys reset the
  limits of all the others.

Standard library only; thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

DEFAULT_MAX_KEYS = 50_000


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window_seconds`` per key (``limit`` 0: unlimited)."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max(1, max_keys)
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count an event for ``key`` and say whether it is within the limit (a refused event is
        not counted). ``now`` defaults to the limiter's clock."""
        if self.limit <= 0:
            return True
        now = self._clock() if now is None else now
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self.max_keys:
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
        if len(self._events) >= self.max_keys:  # all active: drop the oldest half
            for key in list(self._events)[: max(1, self.max_keys // 2)]:
                del self._events[key]
