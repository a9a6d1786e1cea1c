"""Helpers and fixtures for the legal-guidance tests (imported as ``legal_helpers``).

The advisor over the real notes takes seconds to build (index + calibration), so it is built once
per test run (``real_snapshot`` is cached at module level, shared by every module that imports
these fixtures). Tests that publish a note rebuild from a small set of notes, except the one
end-to-end test that checks a paraphrase against the full set.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from api.legal.guidance import LegalGuidance, Snapshot, build_snapshot
from api.legal.notes_store import active_notes, load_knowledge_notes
from kkshared.knowledge import KNOWLEDGE_DIR, load_legal_notes

NOTES_DIR = KNOWLEDGE_DIR / "legal" / "notes"
# A few notes on different topics (with and without references) for fast rebuilds.
SMALL_SET = (
    "bif2017-001-leverandoerrapporter",
    "bif2017-018-telefoniske-jobsamtaler-i-praktik",
    "bif2017-022-facebook-i-sagsbehandlingen",
    "bif2017-032-video-ved-faellessamtalen-med-a-kassen",
    "bif2017-052-sanktion-ved-gentagne-udeblivelser",
    "bplan2022-015-repatriering-vejledning-i-alle-samtaler",
    "corona2020-006-frivillig-kontakt-telefon-og-digitale-moeder",
    "katalog-008-anden-aktoer-har-myndighedsopgaven",
)

TELEPHONE_QUESTION = "Må jeg holde jobsamtalen over telefonen, når borgeren er i praktik?"
TELEPHONE_NOTE = "bif2017-018-telefoniske-jobsamtaler-i-praktik"
NO_REFERENCES_QUESTION = "Er der et lovkrav om leverandørrapporter?"
NO_REFERENCES_NOTE = "bif2017-001-leverandoerrapporter"
OUTSIDE_QUESTION = "Hvordan beregner jeg boligstøtte til en pensionist med hund?"


@lru_cache(maxsize=1)
def real_snapshot() -> Snapshot:
    return build_snapshot(load_legal_notes(NOTES_DIR))


def small_notes_dir(tmp_path: Path, ids=SMALL_SET) -> Path:
    directory = tmp_path / "notes"
    directory.mkdir(exist_ok=True)
    for note_id in ids:
        shutil.copy(NOTES_DIR / f"{note_id}.yml", directory / f"{note_id}.yml")
    return directory


def install_from_db(guidance: LegalGuidance, session: Session) -> Snapshot:
    snapshot = build_snapshot(active_notes(session), seq=guidance.next_seq())
    guidance.install(snapshot)
    return snapshot


@pytest.fixture
def legal(app) -> Iterator[LegalGuidance]:
    """The app's legal guidance answering from the real notes (restored after the test)."""
    guidance: LegalGuidance = app.state.legal
    guidance.install(real_snapshot())
    yield guidance
    guidance.install(real_snapshot())


@pytest.fixture
def full_db_notes(legal, db_session) -> LegalGuidance:
    """All knowledge-file notes in the database (this test's transaction) + the real advisor."""
    load_knowledge_notes(db_session, NOTES_DIR)
    db_session.flush()
    return legal


@pytest.fixture
def small_db_notes(legal, db_session, tmp_path) -> LegalGuidance:
    """Only ``SMALL_SET`` in the database, and an advisor built from them (fast rebuilds)."""
    load_knowledge_notes(db_session, small_notes_dir(tmp_path))
    install_from_db(legal, db_session)
    return legal


def ask(client, headers, question: str, **extra):
    return client.post("/legal/ask", json={"question": question, **extra}, headers=headers)


def escalate(client, headers, question: str, **extra) -> str:
    r = ask(client, headers, question, escalate=True, **extra)
    assert r.status_code == 200, r.text
    return r.json()["ticket_id"]
