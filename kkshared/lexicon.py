"""The Danish word list behind ``restore_danish`` and lemma lookups.

Source: spaCy's Danish lemma lookup table (``spacy-lookups-data``, 553k word forms), installed from
PyPI in both environments, plus the domain words in ``kkshared/data/domain_words.txt``. Loaded
lazily once per process (about two seconds) into compact tries (``kkshared.string_map``).
"""

from __future__ import annotations

import gzip
import itertools
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kkshared.memory import release_freed_memory
from kkshared.normalize import fold, fold_word
from kkshared.string_map import StringMap


@dataclass(frozen=True)
class _Tables:
    lemmas: StringMap  # lowercase word form -> lemma
    folded_lemmas: StringMap  # folded word form -> folded lemma (compound splitting)
    restore: StringMap  # folded form -> Danish form, for words with æ/ø/å
    lemma_only: frozenset[str]  # lemmas that are not word forms of the table themselves


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """The lexicon's tables, built once per process (~2 s) from spaCy's table in one pass and
    kept as ``StringMap``s (~15 MB instead of ~200 MB of dicts, issue 16). The dicts they are
    built from fix which entry wins where keys collide, exactly as before."""
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
