"""Helpers for the legal-guidance tests (imported as ``legal_helpers``; the fixtures built on
them, ``legal``, ``full_db_notes`` and ``small_db_notes``, live in ``conftest.py``).

The advisor over the real notes takes seconds to build (index + calibration), so it is built once
per test run (``real_snapshot`` is cached at module level, shared by every module and fixture that
uses it). Tests that publish a note rebuild from a small set of notes, except the one
end-to-end test that checks a paraphrase against the full set.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from api.legal.live_advisor import LegalGuidance, Snapshot, build_snapshot
from api.legal.notes_store import active_notes
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


def ask(client, headers, question: str, **extra):
    return client.post("/legal/ask", json={"question": question, **extra}, headers=headers)


def escalate(client, headers, question: str, **extra) -> str:
    r = ask(client, headers, question, escalate=True, **extra)
    assert r.status_code == 200, r.text
    return r.json()["ticket_id"]
