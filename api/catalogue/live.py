"""The live catalogue the Rasa side polls (``GET /catalogue/live``), serialised once per revision.

Every Rasa process and the action server ask about once every few seconds; most answers are
"unchanged" (one indexed read of the state row). When the revision moved, the snapshot of every
published entry is built and serialised once and kept until the next revision.
"""

from __future__ import annotations

import json
import threading

from fastapi import FastAPI
from sqlalchemy.orm import Session

from api.catalogue import store
from kkshared.catalogue import CatalogueSnapshot


class LiveSnapshotCache:
    """The serialised ``CatalogueSnapshot`` of the newest revision (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, str] | None = None
        self._body = b""

    def answer(self, session: Session, since: int | None) -> tuple[int, bytes]:
        """(revision, JSON body): ``{"revision": n, "unchanged": true}`` when ``since`` is the
        newest revision, else the snapshot."""
        key = store.state_key(session)
        revision = key[0]
        if since is not None and since == revision:
            return revision, json.dumps({"revision": revision, "unchanged": True}).encode()
        with self._lock:
            if self._key == key:
                return revision, self._body
        snapshot = CatalogueSnapshot(revision, tuple(store.published_entries(session)))
        body = json.dumps(snapshot.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
        with self._lock:
            self._key, self._body = key, body
        return revision, body


_create_lock = threading.Lock()


def live_cache(app: FastAPI) -> LiveSnapshotCache:
    """The app's cache (made on first use)."""
    with _create_lock:
        cache = getattr(app.state, "catalogue_live", None)
        if not isinstance(cache, LiveSnapshotCache):
            cache = LiveSnapshotCache()
            app.state.catalogue_live = cache
        return cache
