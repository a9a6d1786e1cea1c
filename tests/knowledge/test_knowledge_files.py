"""The build fails when a knowledge file cites what its source does not contain."""

import re

import pytest

from kkshared.knowledge import (
    GENERAL_SOURCE,
    STATUS_NOTICES,
    SourceTexts,
    check_legal_note,
    check_quote,
    load_citizen_entries,
    load_legal_notes,
)

CITIZEN = load_citizen_entries()
NOTES = load_legal_notes()
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def texts():
    texts = SourceTexts()
    assert texts.seeds_dir.is_dir(), (
        f"seed documents not found at {texts.seeds_dir} (set KK_SEEDS_DIR)"
    )
    return texts


def test_knowledge_exists():
    assert len(CITIZEN) >= 50, "the citizen catalogue is (nearly) empty"
    assert len(NOTES) >= 30, "the legal knowledge base is (nearly) empty"


def test_ids_are_unique():
    for items in (CITIZEN, NOTES):
        ids = [item.id for item in items]
        assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("entry", CITIZEN, ids=lambda e: e.id)
def test_citizen_entry(entry, texts):
    assert re.fullmatch(r"[a-z0-9_]+", entry.id)
    assert DATE.match(entry.source.date), entry.source.date
    assert entry.answer and len(entry.answer.split()) <= 120
    assert check_quote(entry.source, texts) == []


@pytest.mark.parametrize("note", NOTES, ids=lambda n: n.id)
def test_legal_note(note, texts):
    assert note.questions, "a note answers at least one question"
    assert DATE.match(note.date), note.date
    assert note.source.file != GENERAL_SOURCE, "legal notes cite a source document"
    assert check_legal_note(note, texts) == []
    assert note.status in STATUS_NOTICES, f"unknown status {note.status!r}"
    assert "Bemærk:" not in note.answer, (
        "the status notice is added from the status, not written in the note"
    )
    if note.source.file.startswith("002_"):
        assert note.status == "skal revurderes", "2017 notes predate the 2019 consolidation of LAB"
