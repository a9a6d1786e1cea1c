"""The Danish word list behind ``restore_danish`` and lemma lookups.

Source: spaCy's Danish lemma lookup table (``spacy-lookups-data``, 553k word forms), installed from
PyPI in both environments, plus the domain words in ``kkshared/data/domain_words.txt``. Built
lazily once per process (about four seconds) into compact tries (``kkshared.string_map``); a
training keeps the built tables beside its other caches (``use_cache_dir``) and loads them from
there in milliseconds when nothing they are built from has changed.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from kkshared.memory import release_freed_memory
from kkshared.normalize import fold, fold_word
from kkshared.string_map import StringMap


@dataclass(frozen=True)
class _Tables:
    lemmas: StringMap  # lowercase word form -> lemma
    folded_lemmas: StringMap  # folded word form -> folded lemma (compound splitting)
    restore: StringMap  # folded form -> Danish form, for words with æ/ø/å
    lemma_only: frozenset[str]  # lemmas that are not word forms of the table themselves


# What the tables are built from, besides spaCy's table: a change to any makes a new cache entry.
_BUILT_FROM = ("lexicon.py", "string_map.py", "normalize.py", "data/domain_words.txt")
_MAPS = ("lemmas", "folded_lemmas", "restore")
_cache_dir: Path | None = None


def use_cache_dir(directory: Path | None) -> None:
    """Keep the built tables in ``directory`` and read them from there when they were built from
    the same inputs (a training: beside its e5 vectors and text analyses); None: build them in
    memory. Only tables not yet built in this process are affected."""
    global _cache_dir
    _cache_dir = directory


def _inputs_version() -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _BUILT_FROM:
        digest.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    for dependency in ("spacy-lookups-data", "marisa-trie"):
        digest.update(f"{dependency}={version(dependency)}\0".encode())
    return digest.hexdigest()[:24]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    if _cache_dir is None:
        return _build_tables()
    stored = _cache_dir / f"lexicon-{_inputs_version()}"
    try:
        return _load_tables(stored)
    except (OSError, ValueError):  # none yet, or unreadable: never trusted
        pass
    tables = _build_tables()
    try:
        _save_tables(tables, stored)
    except OSError:
        pass  # a read-only or full disk: the next training builds them again
    return tables


def _load_tables(directory: Path) -> _Tables:
    maps = [StringMap.load(directory / name) for name in _MAPS]
    lemma_only = frozenset((directory / "lemma_only.txt").read_text(encoding="utf-8").splitlines())
    return _Tables(maps[0], maps[1], maps[2], lemma_only)


def _save_tables(tables: _Tables, directory: Path) -> None:
    """Write ``tables`` to ``directory`` at once (a new directory renamed into place, so that
    another training never reads half of one) and remove the tables of other inputs."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".lexicon-", dir=directory.parent))
    try:
        for name in _MAPS:
            getattr(tables, name).save(building / name)
        (building / "lemma_only.txt").write_text("\n".join(sorted(tables.lemma_only)), "utf-8")
        building.rename(directory)
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
        if not directory.is_dir():
            raise
        return  # another training saved the same tables first
    for old in directory.parent.glob("lexicon-*"):
        if old != directory:
            shutil.rmtree(old, ignore_errors=True)


def _build_tables() -> _Tables:
    """The lexicon's tables, built from spaCy's table in one pass and kept as ``StringMap``s
    (~17 MB instead of ~200 MB of dicts, issue 16). The dicts they are built from fix which
    entry wins where keys collide."""
    table = _lemma_dict()
    lemma_only = frozenset(lemma for lemma in set(table.values()) if lemma not in table)
    restore: dict[str, str] = {}
    for word in sorted(itertools.chain(table, lemma_only)):
        if any(ch in word for ch in "æøå"):
            restore.setdefault(fold(word), word)
    folded = {fold_word(form): fold_word(lemma) for form, lemma in table.items()}
    tables = _Tables(StringMap(table), StringMap(folded), StringMap(restore), lemma_only)
    del table, restore, folded
    release_freed_memory()  # the dicts' ~200 MB, else kept in the heap
    return tables


def _lemma_dict() -> dict[str, str]:
    """Lowercase Danish word form -> lemma (spaCy's lookup table plus the domain words), in the
    table's order."""
    import spacy_lookups_data

    path = spacy_lookups_data.get_file("da_lemma_lookup.json.gz")
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        raw: dict[str, str] = json.load(handle)
    table = {form.lower(): lemma.lower() for form, lemma in raw.items()}
    del raw
    for form, named in _domain_lemmas().items():
        if named is None:
            table.setdefault(form, form)
        else:
            table[form] = named  # the file names the lemma: it overrides spaCy's
    return table


@lru_cache(maxsize=1)
def _domain_lemmas() -> dict[str, str | None]:
    """``kkshared/data/domain_words.txt``: form -> its lemma when the line names one ("form =
    lemma"), else None (the form is its own lemma unless spaCy's table knows it)."""
    text = resources.files("kkshared").joinpath("data/domain_words.txt").read_text(encoding="utf-8")
    entries: dict[str, str | None] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        form, _, lemma = line.lower().partition("=")
        entries[form.strip()] = lemma.strip() or None
    return entries


def domain_words() -> tuple[str, ...]:
    """The domain word forms of ``domain_words.txt`` (each line's text before any " = ")."""
    return tuple(_domain_lemmas())


def _known(word: str, tables: _Tables) -> bool:
    return word in tables.lemmas or word in tables.lemma_only


def restored_form(word: str) -> str | None:
    """The Danish spelling of an ae/oe/aa-spelled lowercase word, or None when unknown
    or correct."""
    tables = _tables()
    if _known(word, tables):
        return None
    return tables.restore.get(word)


def lemma(word: str) -> str:
    """Lemma of a word form (lowercased); the word itself when the table does not know it."""
    lowered = word.lower()
    return _tables().lemmas.get(lowered, lowered) or lowered


def folded_lemma(folded: str) -> str | None:
    """The folded lemma of a folded word form (``fold_word``), or None when it is unknown."""
    return _tables().folded_lemmas.get(folded)


def is_known_word(word: str) -> bool:
    """True for a Danish word form the lexicon knows (also spelled with ae/oe/aa)."""
    lowered = word.lower()
    tables = _tables()
    return _known(lowered, tables) or lowered in tables.restore


def load() -> None:
    """Build the tables now rather than at the first word (a server's start)."""
    _tables()
