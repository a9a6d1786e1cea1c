"""Progress lines of long work (training encodes thousands of texts with e5): on stderr, at most
every ``PROGRESS_SECONDS`` and, while a ``Heartbeat`` runs, at least every ``HEARTBEAT_SECONDS``.

Lines start with ``e5: `` or ``progress: `` (tools/steps.py shows the newest one while `./kk run`
trains; issue 16 asks for progress at least every 10 s). They carry counts and times only, never
the texts.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType

PROGRESS_SECONDS = 5.0
PROGRESS_MIN_TEXTS = 200
HEARTBEAT_SECONDS = 5.0

_last_line = 0.0  # time.monotonic() of the last progress line written by this process
_lock = threading.Lock()


def say(line: str) -> None:
    """Write one progress line now."""
    global _last_line
    with _lock:
        print(line, file=sys.stderr, flush=True)
        _last_line = time.monotonic()


def seconds_since_last_line() -> float:
    return time.monotonic() - _last_line


class Progress:
    """Counts of texts encoded, with rate and time left, at most every ``PROGRESS_SECONDS``
    (and the last count), when there are at least ``PROGRESS_MIN_TEXTS``."""

    def __init__(self, total: int, what: str = "texts encoded") -> None:
        self.total, self.done, self.what = total, 0, what
        self.started = self.shown = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.total < PROGRESS_MIN_TEXTS or (
            now - self.shown < PROGRESS_SECONDS and self.done < self.total
        ):
            return
        self.shown = now
        rate = self.done / max(now - self.started, 1e-6)
        left = (self.total - self.done) / rate if rate else 0.0
        say(f"e5: {self.done}/{self.total} {self.what}, {rate:.0f}/s, about {left:.0f} s left")


class Heartbeat:
    """A line ``progress: <label>: <phase> (<n> s)`` every ``interval`` seconds in which nothing
    else was said, while the ``with`` block runs (a daemon thread; set ``phase`` as work goes
    on)."""

    def __init__(self, label: str, interval: float = HEARTBEAT_SECONDS) -> None:
        self.label, self.interval = label, interval
        self.phase = "starting"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = time.monotonic()

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        say(f"progress: {self.label}: {phase} ({time.monotonic() - self._started:.0f} s)")

    def _run(self) -> None:
        while not self._stop.wait(self.interval / 5):
            if seconds_since_last_line() >= self.interval:
                elapsed = time.monotonic() - self._started
                say(f"progress: {self.label}: {self.phase} ({elapsed:.0f} s)")

    def __enter__(self) -> Heartbeat:
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="kk-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        outcome = "failed" if error is not None else "done"
        say(f"progress: {self.label}: {outcome} ({time.monotonic() - self._started:.0f} s)")
