"""kkshared/lexicon.py: a training keeps the lexicon's built tables on disk and a retrain loads
them instead of building them again; what cannot be read is rebuilt, never trusted."""

from __future__ import annotations

import pytest

from kkshared import lexicon
from kkshared.retrieval.terms import compound_parts

WORDS = ["jobcentrene", "sygedagpengene", "boern", "Kontanthjælpen", "xyzzy", "udeblev"]


def _answers() -> list[object]:
    compound_parts.cache_clear()
    return [
        *(lexicon.lemma(w) for w in WORDS),
        *(lexicon.is_known_word(w) for w in WORDS),
        *(lexicon.restored_form(w.lower()) for w in WORDS),
        compound_parts("sygedagpengemodtager"),
    ]


@pytest.fixture
def fresh_lexicon():
    lexicon._tables.cache_clear()
    yield
    lexicon.use_cache_dir(None)
    lexicon._tables.cache_clear()
    compound_parts.cache_clear()


def test_a_retrain_loads_the_tables_a_training_saved(tmp_path, monkeypatch, fresh_lexicon):
    stale = tmp_path / "lexicon-0123"  # tables built from other inputs
    stale.mkdir()
    lexicon.use_cache_dir(tmp_path)
    built = _answers()
    saved = [p.name for p in tmp_path.iterdir()]
    assert len(saved) == 1 and saved[0].startswith("lexicon-") and not stale.exists()
    assert built[0] == "jobcenter" and built[-1][0] == "sygedagpenge"  # type: ignore[index]

    lexicon._tables.cache_clear()
    monkeypatch.setattr(lexicon, "_build_tables", lambda: pytest.fail("built again"))
    assert _answers() == built

    lexicon.use_cache_dir(None)  # a server: builds in memory, reads no files
    lexicon._tables.cache_clear()
    monkeypatch.undo()
    assert _answers() == built


def test_unreadable_tables_are_built_again(tmp_path, monkeypatch, fresh_lexicon):
    lexicon.use_cache_dir(tmp_path)
    tables = lexicon._tables()
    (stored,) = tmp_path.glob("lexicon-*")
    (stored / "lemmas.ids").write_bytes(b"\0" * 12)  # a truncated file
    lexicon._tables.cache_clear()
    rebuilt: list[bool] = []

    def build():
        rebuilt.append(True)
        return tables

    monkeypatch.setattr(lexicon, "_build_tables", build)
    assert lexicon._tables() is tables
    assert rebuilt == [True]
