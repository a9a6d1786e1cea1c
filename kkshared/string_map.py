"""A read-only str -> str mapping for hundreds of thousands of words in ~1/20 of a dict's memory.

The Danish lexicon holds ~550k word forms, each with its lemma, in three tables (form -> lemma,
folded form -> folded lemma, folded form -> Danish spelling). As dicts they took ~200 MB in every
process that analyses Danish (each Rasa replica and each case-service worker), about a fifth of
the Rasa server's memory (docs/load_benchmark.md). ``StringMap`` stores the keys and the distinct
values in two marisa tries (succinct, shared prefixes and suffixes) and, per key, the index of its
value in an array of 32-bit integers: ~8 MB for the form -> lemma table, ~1 us per lookup.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping

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
