"""Keeping a process's copy of the live citizen catalogue current: the one sync client of the Rasa
server's classifier (``bot/nlu/retrieval_classifier.py``) and the action server
(``actions/faq_catalogue.py``).

``CatalogueClient.live_catalogue(since)`` asks the case service for ``GET /catalogue/live``
(service token, contract in ``kkshared.catalogue``); ``CatalogueSync`` polls it every few seconds
in a daemon thread with its own event loop and hands every new revision to a callback. A failure
(case service down, a refused token, an unreadable answer, a callback that cannot use the
snapshot) is logged by its kind only, never with the answer or personal data; the last good
snapshot stays in use, and the next attempt waits twice as long each time (at most
``max_backoff`` seconds). Nothing on a request's path waits for the thread: it swaps in what it
built with one assignment.

Every process polls on the same wall-clock ticks (multiples of the interval since the epoch, see
``seconds_to_tick``), not ``interval`` seconds after its own start. The Rasa server ranks a
message and the action server renders the answer from its own copy, so for a moment after a
change one can be at the new revision and the other at the old: after a rollback, a classifier
still at the publish revision picks the retired entry, which the action server no longer has
("don't know"). With polls on the same ticks that moment is the re-index time (about a second)
instead of up to a whole interval (docs/content_editing.md, "Rollback").

Needs aiohttp (the ``bot`` extra), as ``kkshared.case_service``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable

from kkshared.case_service import CaseServiceClient, CaseServiceError, CaseServiceUnavailable
from kkshared.catalogue import CatalogueSnapshot

logger = logging.getLogger(__name__)

LIVE_PATH = "/catalogue/live"
DEFAULT_POLL_SECONDS = 10.0
# The longest wait after failures: a case service that is back is seen within this time.
MAX_BACKOFF_SECONDS = 30.0
# A snapshot of a few hundred entries with their examples is a few hundred kB.
FETCH_TIMEOUT_SECONDS = 2.5


def seconds_to_tick(delay: float, now: float) -> float:
    """Seconds from ``now`` (wall clock) to the next multiple of ``delay`` that is at least a
    quarter of ``delay`` away: processes that wait this long poll at the same moments, and one
    that woke a little early does not poll twice. Between ``delay / 4`` and ``delay * 5 / 4``."""
    if delay <= 0:
        return 0.0
    tick = (math.floor((now + delay / 4) / delay) + 1) * delay
    return tick - now


class CatalogueSyncStopped(Exception):
    """Raised by a callback whose owner is gone: the sync thread ends."""


class CatalogueClient(CaseServiceClient):
    """The case-service client with the live catalogue (service token only, no subject)."""

    def _headers(self, subject: str | None = None) -> dict[str, str]:
        # One request every few seconds: a kept-open connection would be closed by the case
        # service's idle timeout (5 s in uvicorn) just before it is reused.
        return {**super()._headers(subject), "Connection": "close"}

    async def live_catalogue(self, since: int | None = None) -> CatalogueSnapshot | None:
        """Every published entry at the newest revision, or None when ``since`` is already the
        newest. ``CaseServiceError`` when the case service cannot be asked or answers oddly."""
        params = {"since": str(since)} if since is not None else None
        data = await self._get_dict(LIVE_PATH, params=params)
        if data.get("unchanged") is True:
            return None
        try:
            return CatalogueSnapshot.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise CaseServiceUnavailable(
                f"unreadable answer for {LIVE_PATH} ({type(error).__name__})"
            ) from error


Listener = Callable[[CatalogueSnapshot], None]


class CatalogueSync:
    """Polls the live catalogue and calls ``on_snapshot`` with every revision newer than the
    one it has (the snapshot is kept only when the callback returned without an error)."""

    def __init__(
        self,
        client: CatalogueClient,
        on_snapshot: Listener,
        *,
        interval: float = DEFAULT_POLL_SECONDS,
        revision: int | None = None,
        max_backoff: float = MAX_BACKOFF_SECONDS,
        name: str = "kk-catalogue-sync",
    ) -> None:
        self.client = client
        self.on_snapshot = on_snapshot
        self.interval = interval
        self.max_backoff = max(max_backoff, interval)
        self.name = name
        self.revision = revision  # of the last snapshot the callback took (None: none yet)
        self.snapshot: CatalogueSnapshot | None = None
        self.failures = 0  # in a row
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._polled = threading.Condition()
        self._started = 0  # polls begun by the thread
        self._polls = 0  # polls finished by the thread
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def next_delay(self) -> float:
        """Seconds between polls now: ``interval``, doubled per failure in a row (capped); the
        thread waits for the next tick of this length (``seconds_to_tick``)."""
        if not self.failures:
            return self.interval
        return float(min(self.interval * 2**self.failures, self.max_backoff))

    async def poll(self) -> bool:
        """Ask once; True when a new snapshot was taken. Never raises (but stops on
        ``CatalogueSyncStopped``)."""
        try:
            snapshot = await self.client.live_catalogue(self.revision)
        except CaseServiceError as error:
            self._failed(f"not fetched ({error})")
            return False
        if snapshot is None or snapshot.revision == self.revision:
            self.failures = 0
            return False
        try:
            self.on_snapshot(snapshot)
        except CatalogueSyncStopped:
            self._stopped.set()
            return False
        except Exception as error:  # keep the last good snapshot, whatever went wrong
            self._failed(f"revision {snapshot.revision} not taken ({type(error).__name__})")
            return False
        self.revision, self.snapshot, self.failures = snapshot.revision, snapshot, 0
        return True

    def _failed(self, what: str) -> None:
        self.failures += 1
        logger.warning(
            "live catalogue %s; keeping revision %s, next try in %.0f s",
            what,
            self.revision,
            self.next_delay(),
        )

    def poll_now(self) -> bool:
        """One poll from a thread without a running event loop (tests, start-up)."""
        loop = self._loop or asyncio.new_event_loop()
        self._loop = loop
        return loop.run_until_complete(self.poll())

    # --- the daemon thread ------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopped.is_set():
            with self._polled:
                self._started += 1
            self.poll_now()
            with self._polled:
                self._polls += 1
                self._polled.notify_all()
            if self._stopped.is_set():
                break
            self._wake.wait(seconds_to_tick(self.next_delay(), time.time()))
            self._wake.clear()
        if self._loop is not None:
            self._loop.run_until_complete(self.client.close())
            self._loop.close()

    def refresh(self, revision: int, timeout: float) -> bool:
        """Poll now (in the thread) unless ``revision`` is here already, and wait at most
        ``timeout`` seconds for it; True when this process has ``revision`` or a newer one.
        Blocks: call it from a worker thread (``run_in_executor``), not an event loop."""
        if self.revision is not None and self.revision >= revision:
            return True
        if not self.running:
            return False
        with self._polled:
            # A poll that began before this call may have asked before the revision existed:
            # wait for one that begins after it.
            target = self._started + 1
            self._wake.set()
            self._polled.wait_for(lambda: self._polls >= target, timeout)
        return self.revision is not None and self.revision >= revision
