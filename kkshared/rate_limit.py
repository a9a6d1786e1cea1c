"""Rate limits: at most ``limit`` events per window per key, counted by the `limits` library.

The one limiter of the repository: the chat channels use it per conversation and per verified
subject (``bot/channels/base.py``), the case service per client address on ``POST /feedback``
(``api/main.py``). The counting is `limits`' moving window (every accepted event counts for
exactly ``window_seconds``; a refused event is not counted), kept in a storage named by a URI:

- ``None`` / ``memory://``: in this process (``./kk run``: one process of each kind);
- ``redis://[:password@]host:port/db``: in Redis, shared by every process that uses the same
  Redis — the Rasa replicas and the case service's workers of the production profile
  (``KK_REDIS_URL``, docs/production.md).

Keys are stored as a hash of the limiter's name and the key (no conversation ids, subjects or
addresses in Redis). ``limit`` 0 (or less) switches the limit off. When Redis does not answer
within ``socket_timeout`` seconds the event is allowed (the limit fails open: a Redis outage must
not stop the chat) and a warning says so, at most once a minute.

Works with limits 2.4 (the bot venv: Rasa 3.6 pins packaging<21) and 5.x (the case service).

In memory, `limits` (2.4 and 5.x alike) keeps an entry for every key it ever saw and sweeps all of
them every 10 ms: with a new conversation id per conversation, the chat's limiter held one more
key per conversation for the life of the process (thousands an hour under load), and the sweep,
which holds the interpreter lock, walked all of them 100 times a second. ``PrunedMemoryStorage``
sweeps once a second and forgets keys with no event left in their window.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)

MEMORY = "memory://"
DEFAULT_SOCKET_TIMEOUT = 2.0  # seconds Redis may take before an event is allowed unchecked
WARN_EVERY_SECONDS = 60.0
SWEEP_SECONDS = 1.0  # how often the memory storage drops expired events and empty keys
# limits' private sweep, by its name-mangled name (type checkers do not see mangled names).
_LIMITS_SWEEP = "_MemoryStorage__expire_events"


class PrunedMemoryStorage(MemoryStorage):
    """`limits`' memory storage, swept every ``SWEEP_SECONDS`` instead of every 10 ms, and
    forgetting the keys the sweep left without events.

    The sweep only frees memory: the moving window itself compares each event's time with the
    window when it counts. A key that gets an event between the check and the removal loses that
    one event (one message more is let through, once).
    """

    # limits' private hooks, by their name-mangled names (the same in limits 2.4 and 5.x): its
    # acquire_entry and incr call the first; the timer it starts calls the sweep.
    def _MemoryStorage__schedule_expiry(self) -> None:
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._sweep)
            self.timer.daemon = True
            self.timer.start()

    def _sweep(self) -> None:
        getattr(self, _LIMITS_SWEEP)()  # limits' own sweep of expired events
        for key in [key for key, events in list(self.events.items()) if not events]:
            if not self.events.get(key):
                self.events.pop(key, None)


def storage_kind(storage_uri: str | None) -> str:
    """``memory`` or ``redis`` for a storage URI; ValueError for anything else."""
    scheme = (storage_uri or MEMORY).split("://", 1)[0].lower()
    if scheme == "memory":
        return "memory"
    if scheme in ("redis", "rediss"):
        return "redis"
    raise ValueError(f"unsupported rate-limit storage {scheme!r} (use memory:// or redis://...)")


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window_seconds`` per key (``limit`` 0: unlimited)."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        storage_uri: str | None = None,
        *,
        name: str = "default",
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT,
    ) -> None:
        self.limit = limit
        self.window = float(window_seconds)
        self.name = name
        self.kind = storage_kind(storage_uri)
        if self.window < 1 or self.window != int(self.window):
            raise ValueError("window_seconds must be a whole number of seconds, at least 1")
        options: dict[str, float] = {}
        if self.kind == "redis":
            options = {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout}
        self._storage = (
            PrunedMemoryStorage()
            if self.kind == "memory"
            else storage_from_string(storage_uri or MEMORY, **options)
        )
        self._strategy = MovingWindowRateLimiter(self._storage)
        self._item = RateLimitItemPerSecond(max(1, limit), int(self.window), namespace="kk")
        self._warned_at: float | None = None
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count an event for ``key`` and say whether it is within the limit (a refused event is
        not counted)."""
        if self.limit <= 0:
            return True
        digest = hashlib.sha256(f"{self.name}\0{key}".encode()).hexdigest()[:32]
        try:
            return bool(self._strategy.hit(self._item, self.name, digest))
        except Exception as error:  # the storage is unreachable: fail open, say so
            self._warn(error)
            return True

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            if self._warned_at is not None and now - self._warned_at < WARN_EVERY_SECONDS:
                return
            self._warned_at = now
        logger.warning(
            "rate limit %r: %s storage unavailable (%s); allowing messages unchecked",
            self.name,
            self.kind,
            type(error).__name__,
        )
