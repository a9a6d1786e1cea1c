"""Each text's analysis (word terms, character n-grams) kept on disk between trainings (issue 16).

A training analyses every text it indexes: ~12,000 examples, titles, answers and source
passages, each lemmatised (with the ae/oe/aa restoration and compound splitting) and cut into
character n-grams, and the Danish lexicon behind that is loaded first. A retrain after one
changed example analyses the same texts again. ``AnalysisCache`` keeps each text's terms, keyed
by the analyser's version, the kind of analysis (Danish or English word terms, n-grams) and the
text, so a retrain analyses only the texts it has not seen.

The version is a hash of the analyser's own code and data (``ANALYSER_FILES``: every module of
``kkshared`` the analysers import, checked by a test) and the versions of the packages whose
data they use (spaCy's tokenizer and stop words, its lemma table, the Snowball stemmer): change
any of them and the cache is not read. A row that cannot be read is ignored, never trusted.

Only training uses it (``kkshared.retrieval.index.train_with_analysis_cache``); serving
processes keep none. The file lives beside the e5 vectors (``var/e5-cache`` or
``KK_E5_CACHE_DIR``; ``off`` keeps none).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from contextlib import closing
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_KKSHARED = Path(__file__).resolve().parent.parent

# The analysers' code and data (relative to kkshared/): kkshared.retrieval.terms (Danish),
# kkshared.retrieval.english, and every kkshared module they import
# (tests/bot/test_bot_analysis_cache.py checks that this list is complete).
ANALYSER_FILES = (
    "retrieval/index.py",
    "retrieval/terms.py",
    "retrieval/english.py",
    "retrieval/synonyms.py",
    "normalize.py",
    "lexicon.py",
    "string_map.py",
    "tokenize.py",
    "legal_refs.py",
    "data/domain_words.txt",
)
ANALYSER_PACKAGES = ("spacy", "spacy-lookups-data", "snowballstemmer")
FILE_NAME = "analysis.sqlite3"


def analyser_version() -> str:
    """A hash of the analysers' files and the versions of the packages they use."""
    digest = hashlib.sha256()
    for name in ANALYSER_FILES:
        digest.update(name.encode() + b"\0" + (_KKSHARED / name).read_bytes() + b"\0")
    for package in ANALYSER_PACKAGES:
        try:
            installed = version(package)
        except PackageNotFoundError:
            installed = "absent"
        digest.update(f"{package}={installed}\0".encode())
    return digest.hexdigest()[:32]


class AnalysisCache:
    """Terms by (kind, text) for one analyser version: all read once when opened, new ones
    written by ``save``. Several trainings may share the file (SQLite waits for a writer)."""

    def __init__(self, directory: Path, analyser: str | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / FILE_NAME
        self.version = analyser or analyser_version()
        self._known: dict[tuple[str, str], tuple[str, ...]] = {}
        self._new: dict[tuple[str, str], tuple[str, ...]] = {}
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS terms (version TEXT, kind TEXT, text TEXT, terms TEXT,"
                " PRIMARY KEY (version, kind, text))"
            )
            rows = db.execute(
                "SELECT kind, text, terms FROM terms WHERE version = ?", (self.version,)
            ).fetchall()
        for kind, text, raw in rows:
            try:
                terms = json.loads(raw)
            except ValueError:
                continue
            if isinstance(terms, list) and all(isinstance(t, str) for t in terms):
                self._known[(kind, text)] = tuple(sys.intern(t) for t in terms)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def __len__(self) -> int:
        return len(self._known)

    def get(self, kind: str, text: str) -> tuple[str, ...] | None:
        return self._known.get((kind, text))

    def put(self, kind: str, text: str, terms: tuple[str, ...]) -> None:
        self._known[(kind, text)] = terms
        self._new[(kind, text)] = terms

    def save(self) -> None:
        """Write the terms computed since opening; rows of other analyser versions are dropped
        (they can never be read again)."""
        if not self._new:
            return
        rows = [
            (self.version, kind, text, json.dumps(list(terms), ensure_ascii=False))
            for (kind, text), terms in self._new.items()
        ]
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM terms WHERE version != ?", (self.version,))
            db.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?, ?, ?)", rows)
        self._new.clear()
