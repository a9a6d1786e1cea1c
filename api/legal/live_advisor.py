"""The live legal advisor of the case service: built from the notes in the database at start-up
and rebuilt in-process when a jurist publishes a note.

A build (index + calibration refit, a few seconds for ~100 notes) never runs on a request: it runs
in a background thread or after the response (FastAPI background task), under a lock so builds do
not overlap, and the finished advisor replaces the old one in one reference assignment. Requests
keep answering from the previous advisor meanwhile.

Every build request takes a sequence number when its notes are read (after the publishing
transaction committed), so a slow older build can never replace a newer one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from api.core.clock import now_utc
from api.legal.config import source_passages_enabled
from api.legal.decision import Advice, LegalAdvisor
from api.legal.passages import PassageAnswer, SourcePassages, load_source_passages
from kkshared.knowledge import LegalNote
from kkshared.retrieval.index import Document, Encoder

log = logging.getLogger("api.legal")


def note_doc(note: LegalNote) -> Document:
    return Document(note.id, note.title, note.questions, note.answer, note.references)


@dataclass(frozen=True)
class Snapshot:
    """An advisor and the notes it was built from (the source of an answer's text and citations)."""

    advisor: LegalAdvisor
    notes: Mapping[str, LegalNote]
    seq: int
    built_at: datetime
    build_seconds: float
    # The source passages (built once, shared by every snapshot): the second tier when no note fits.
    passages: SourcePassages | None = None

    def advise(self, question: str) -> Advice:
        return self.advisor.advise(question)

    def source_passage(self, question: str) -> PassageAnswer | None:
        return self.passages.find(question) if self.passages is not None else None


def build_snapshot(
    notes: Sequence[LegalNote],
    encoder: Encoder | None = None,
    seq: int = 0,
    passages: SourcePassages | None = None,
) -> Snapshot:
    start = time.perf_counter()
    advisor = LegalAdvisor([note_doc(n) for n in notes], encoder)
    notes_by_id = {n.id: n for n in notes}
    return Snapshot(
        advisor, notes_by_id, seq, now_utc(), time.perf_counter() - start, passages=passages
    )


class LegalGuidance:
    """Holds the current snapshot; thread-safe swaps, serialized builds."""

    def __init__(self, encoder: Encoder | None = None, passages: bool | None = None) -> None:
        """``passages``: answer refusals with source passages (default on, see
        ``KK_LEGAL_SOURCE_PASSAGES``); the index is built with the first advisor, in its thread."""
        self.encoder = encoder
        self.use_passages = source_passages_enabled() if passages is None else passages
        self.passages: SourcePassages | None = None
        self._snapshot: Snapshot | None = None
        self._build_lock = threading.Lock()
        self._seq_lock = threading.Lock()
        self._seq = 0
        self.last_error: str | None = None

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    def next_seq(self) -> int:
        """Call right after reading the notes a build will use."""
        with self._seq_lock:
            self._seq += 1
            return self._seq

    def install(self, snapshot: Snapshot) -> None:
        """Use ``snapshot`` as it is (tests; a snapshot built elsewhere)."""
        with self._build_lock:
            self._snapshot = snapshot

    def rebuild(self, notes: Sequence[LegalNote], seq: int) -> Snapshot | None:
        """Build from ``notes`` and swap it in, unless a newer build is already in place."""
        with self._build_lock:
            if self.use_passages and self.passages is None:
                self.passages = self._load_passages()
            current = self._snapshot
            if current is not None and current.seq > seq:
                log.info(
                    "legal advisor build skipped (a newer one is in place)", extra={"seq": seq}
                )
                return None
            try:
                snapshot = build_snapshot(notes, self.encoder, seq, self.passages)
            except Exception as exc:  # keep answering from the old advisor
                self.last_error = type(exc).__name__
                log.exception("legal advisor build failed", extra={"seq": seq})
                return None
            self._snapshot = snapshot
            self.last_error = None
        log.info(
            "legal advisor built",
            extra={"notes": len(notes), "seconds": round(snapshot.build_seconds, 2), "seq": seq},
        )
        return snapshot

    @staticmethod
    def _load_passages() -> SourcePassages | None:
        try:
            return load_source_passages()
        except Exception:  # the notes still answer; refusals come without a passage
            log.exception("source passages unavailable")
            return None

    def rebuild_in_background(self, notes: Sequence[LegalNote]) -> threading.Thread:
        seq = self.next_seq()
        thread = threading.Thread(
            target=self.rebuild, args=(list(notes), seq), name="legal-advisor-build", daemon=True
        )
        thread.start()
        return thread
