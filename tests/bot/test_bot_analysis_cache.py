"""Each text's analysis kept on disk between trainings (kkshared.retrieval.analysis_cache,
issue 16): read only under the analyser version that wrote it, never stale after a change of
the analyser, and a training that reads it saves the same model as one that analyses
everything."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kkshared.retrieval import analysis_cache, index
from kkshared.retrieval.analysis_cache import ANALYSER_FILES, AnalysisCache, analyser_version
from kkshared.retrieval.terms import char_ngrams, word_terms

REPO = Path(__file__).resolve().parents[2]
# kkshared modules the index imports that do not analyse text.
NOT_ANALYSERS = {"__init__.py", "retrieval/__init__.py", "retrieval/analysis_cache.py"}
NOT_ANALYSERS |= {"retrieval/arrays.py", "retrieval/bm25.py", "memory.py"}


@pytest.fixture
def cache_dir(tmp_path):
    yield tmp_path / "cache"
    index.train_with_analysis_cache(None)


def test_the_version_covers_every_kkshared_module_the_analysers_use() -> None:
    # In a fresh process: the index's analysers, run once so that their lazy imports happen.
    code = (
        "import sys\n"
        "from kkshared.retrieval import index\n"
        "index._word_terms('Kan jeg faa kontanthjaelp jf. LAB § 16?', 'da')\n"
        "index._word_terms('Can I get unemployment benefits?', 'en')\n"
        "index._char_grams('hej')\n"
        "print('\\n'.join(m.__file__ for m in list(sys.modules.values())\n"
        "    if m.__name__.startswith('kkshared') and getattr(m, '__file__', None)))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    root = REPO / "kkshared"
    used = {Path(line).resolve().relative_to(root).as_posix() for line in output.split()}
    assert used - NOT_ANALYSERS <= set(ANALYSER_FILES)
    assert all((root / name).is_file() for name in ANALYSER_FILES)


def test_a_change_of_the_analyser_changes_the_version(tmp_path, monkeypatch) -> None:
    copy = tmp_path / "kkshared"
    for name in ANALYSER_FILES:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "kkshared" / name, copy / name)
    monkeypatch.setattr(analysis_cache, "_KKSHARED", copy)
    before = analyser_version()
    assert analyser_version() == before
    with open(copy / "retrieval" / "synonyms.py", "a", encoding="utf-8") as handle:
        handle.write("\n# a new synonym\n")
    assert analyser_version() != before


def test_terms_are_read_back_only_under_the_version_that_wrote_them(cache_dir) -> None:
    cache = AnalysisCache(cache_dir, "v1")
    cache.put("words-da", "hej med dig", ("hej",))
    cache.save()
    assert AnalysisCache(cache_dir, "v1").get("words-da", "hej med dig") == ("hej",)
    assert AnalysisCache(cache_dir, "v1").get("words-en", "hej med dig") is None
    assert AnalysisCache(cache_dir, "v2").get("words-da", "hej med dig") is None


def test_a_training_never_serves_terms_of_another_analyser(cache_dir, monkeypatch) -> None:
    text = "Hvornaar bliver kontanthjaelpen udbetalt?"
    # Terms stored by an older analyser (here: wrong ones) under its version.
    old = AnalysisCache(cache_dir, "an older analyser")
    old.put("words-da", text, ("stale",))
    old.put("grams", text, ("stale",))
    old.save()
    # The current analyser does not read them: it analyses the text itself ...
    index.train_with_analysis_cache(cache_dir)
    assert index._word_terms(text, "da") == tuple(word_terms(text))
    assert index._char_grams(text) == tuple(char_ngrams(text))
    index.train_with_analysis_cache(None)
    # ... and the same analyser, started again, reads its own (and the old rows are gone).
    monkeypatch.setattr(index, "word_terms", lambda text: pytest.fail("analysed again"))
    monkeypatch.setattr(index, "char_ngrams", lambda text: pytest.fail("analysed again"))
    index.train_with_analysis_cache(cache_dir)
    assert index._word_terms(text, "da") == tuple(word_terms(text))
    assert index._char_grams(text) == tuple(char_ngrams(text))
    assert len(AnalysisCache(cache_dir)) == 2
    index.train_with_analysis_cache(None)
    # Serving processes (no cache) analyse every text.
    with pytest.raises(pytest.fail.Exception):
        index._word_terms(text, "da")


def test_a_row_that_cannot_be_read_is_analysed_again(cache_dir) -> None:
    text = "Hvad er klokken?"
    cache = AnalysisCache(cache_dir)
    cache.put("words-da", text, ("placeholder",))
    cache.save()
    import sqlite3

    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE terms SET terms = ? WHERE text = ?", ("{not json", text))
        db.execute(
            "INSERT INTO terms VALUES (?, ?, ?, ?)",
            (cache.version, "grams", text, json.dumps({"not": "a list"})),
        )
    index.train_with_analysis_cache(cache_dir)
    assert index._word_terms(text, "da") == tuple(word_terms(text))
    assert index._char_grams(text) == tuple(char_ngrams(text))
