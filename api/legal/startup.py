"""Start-up of the legal-guidance mode: load the knowledge files (demo mode) and build the advisor.

The build runs in a background thread so the service answers (``/health`` and everything else) at
once; until it is done ``POST /legal/ask`` answers 503 with ``Retry-After`` (an escalation is
still filed). Reading the notes happens here, synchronously, so the thread never touches the
database.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings
from api.legal.config import notes_dir
from api.legal.live_advisor import LegalGuidance
from api.legal.notes_store import active_notes, load_knowledge_notes

log = logging.getLogger("api.legal")


def start_legal_guidance(
    settings: Settings, session_factory: sessionmaker[Session], guidance: LegalGuidance
) -> threading.Thread:
    with session_factory() as session:
        if settings.demo_mode and settings.demo_seed_on_start:
            summary = load_knowledge_notes(session, notes_dir(settings))
            session.commit()
            log.info("legal notes loaded", extra={"summary": vars(summary)})
        notes = active_notes(session)
    return guidance.rebuild_in_background(notes)
