"""The Danish word list behind ``restore_danish`` and lemma lookups.

Source: spaCy's Danish lemma lookup table (``spacy-lookups-data``, 553k word forms), installed from
PyPI in both environments, plus the domain words in ``kkshared/data/domain_words.txt``. Loaded
lazily once per process (about one second).
"""

from __future__ import annotations

import gzip
import itertools
import json
from functools import lru_cache
from importlib import resources

from kkshared.normalize import fold


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Lowercase Danish word form -> lemma (spaCy's lookup table plus the domain words)."""
    import spacy_lookups_data

    path = spacy_lookups_data.get_file("da_lemma_lookup.json.gz")
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        raw: dict[str, str] = json.load(handle)
    table: dict[str, str] = {}
    lemmas: dict[str, str] = {}  # one string per distinct lemma (~550k forms share them): -25 MB
    for form, lemma in raw.items():
        lowered = lemma.lower()
        table[form.lower()] = lemmas.setdefault(lowered, lowered)
    del raw, lemmas
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


@lru_cache(maxsize=1)
def _restore_index() -> tuple[dict[str, str], frozenset[str]]:
    """folded form -> Danish form, for words with æ/ø/å; plus the lemmas that are not word forms
    of the table themselves (a known word is a form or one of these: no set of all ~550k words,
    which took ~30 MB in every process)."""
    table = lemma_table()
    lemma_only = frozenset(lemma for lemma in set(table.values()) if lemma not in table)
    index: dict[str, str] = {}
    for word in sorted(itertools.chain(table, lemma_only)):
        if any(ch in word for ch in "æøå"):
            index.setdefault(fold(word), word)
    return index, lemma_only


def _known(word: str, lemma_only: frozenset[str]) -> bool:
    return word in lemma_table() or word in lemma_only


def restored_form(word: str) -> str | None:
    """The Danish spelling of an ae/oe/aa-spelled lowercase word, or None when unknown
    or correct."""
    index, lemma_only = _restore_index()
    if _known(word, lemma_only):
        return None
    return index.get(word)


def lemma(word: str) -> str:
    """Lemma of a word form (lowercased); the word itself when the table does not know it."""
    lowered = word.lower()
    return lemma_table().get(lowered, lowered)


def is_known_word(word: str) -> bool:
    """True for a Danish word form the lexicon knows (also spelled with ae/oe/aa)."""
    lowered = word.lower()
    index, lemma_only = _restore_index()
    return _known(lowered, lemma_only) or lowered in index
