"""A read-only str -> str mapping for hundreds of thousands of words in ~1/20 of a dict's memory.

The Danish lexicon holds ~550k word forms, each with its lemma, in three tables (form -> lemma,
folded form -> folded lemma, folded form -> Danish spelling). As dicts they took ~200 MB in every
process that analyses Danish (each Rasa replica and each case-service worker), about a fifth of
the Rasa server's memory (docs/load_benchmark.md). ``StringMap`` stores the keys and the distinct
values in two marisa tries (succinct, shared prefixes and suffixes) and, per key, the index of its
value in an array of 32-bit integers: ~8 MB for the form -> lemma table, ~1 us per lookup.

``save`` writes a map to three files and ``load`` maps them back in milliseconds (the tries are
memory-mapped, so processes that load the same files share their pages); building one from a
dict takes ~0.5 s per 500k keys.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path

import marisa_trie  # type: ignore[import-not-found]  # no type hints


class StringMap(Mapping[str, str]):
    """An immutable mapping with a dict's lookups and iteration (keys in the tries' order, not
    the order given). Build it from a dict, so duplicate keys are resolved the dict's way."""

    def __init__(self, items: Mapping[str, str]) -> None:
        self._keys = marisa_trie.Trie(items.keys())
        self._values = marisa_trie.Trie(set(items.values()))
        self._value_of = array("I", bytes(4 * len(self._keys)))
        for key, value in items.items():
            self._value_of[self._keys.key_id(key)] = self._values.key_id(value)

    def save(self, stem: Path) -> None:
        """Write the map to ``stem`` + ``.keys``, ``.values`` and ``.ids``."""
        self._keys.save(str(stem.with_name(stem.name + ".keys")))
        self._values.save(str(stem.with_name(stem.name + ".values")))
        stem.with_name(stem.name + ".ids").write_bytes(self._value_of.tobytes())

    @classmethod
    def load(cls, stem: Path) -> StringMap:
        """The map ``save`` wrote to ``stem``; ``ValueError`` when the files do not fit together,
        ``OSError`` when one is missing or unreadable."""
        loaded = cls.__new__(cls)
        try:
            loaded._keys = marisa_trie.Trie().mmap(str(stem.with_name(stem.name + ".keys")))
            loaded._values = marisa_trie.Trie().mmap(str(stem.with_name(stem.name + ".values")))
        except RuntimeError as error:  # marisa's I/O and format errors
            raise OSError(f"{stem}: {error}") from error
        loaded._value_of = array("I")
        loaded._value_of.frombytes(stem.with_name(stem.name + ".ids").read_bytes())
        if len(loaded._value_of) != len(loaded._keys) or (
            loaded._value_of and max(loaded._value_of) >= len(loaded._values)
        ):
            raise ValueError(f"{stem}: the files do not belong together")
        return loaded

    def __getitem__(self, key: str) -> str:
        index = self._keys.get(key) if isinstance(key, str) else None
        if index is None:
            raise KeyError(key)
        return self._value(index)

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """The value of ``key``, or ``default`` (one trie lookup instead of two)."""
        index = self._keys.get(key) if isinstance(key, str) else None
        return default if index is None else self._value(index)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def _value(self, index: int) -> str:
        value: str = self._values.restore_key(self._value_of[index])
        return value
