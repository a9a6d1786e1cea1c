"""The training vocabulary: recognising keyboard mashing and correcting typos before ranking
(the citizen classifier, over its training examples; the legal advisor, over its notes).

Retrieval always finds a best document, and character n-grams give random letters a little of
everything, so such messages used to end in a clarifying question ("Mente du: ...?") instead of
"skriv det på en anden måde". A message is gibberish when it has words and not one of them is a
word: not in the Danish lexicon (kkshared.lexicon, ae/oe/aa spellings included), not in the
training examples, and not a typo of a training word (character trigram overlap). Numbers,
placeholders ([CPR]) and messages without letters are left to the classifier.

Typos: a word that is neither in the lexicon nor in the training examples is replaced by the
training word closest to it (one edit for short words, two for long ones; swapped letters count
as one), so "vidoe" reaches "video" and "dagpenege" "dagpenge" in the word and e5 scores too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from kkshared.edit_distance import edit_distance
from kkshared.lexicon import is_known_word
from kkshared.normalize import fold

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"\[[A-ZÆØÅ]+\]")
# A typo keeps most of a word's trigrams ("sygedagpnge" ~ "sygedagpenge": 0.6, "asdfg": < 0.2).
TYPO_SIMILARITY = 0.45


def _trigrams(word: str) -> set[str]:
    padded = f"#{word}#"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Vocabulary:
    """The words of the training examples (folded), with a trigram index for typo lookups."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        for text in texts:
            for word in _WORD.findall(fold(text)):
                if len(word) > 1:
                    self.counts[word] += 1
        self.words = set(self.counts)
        self._by_trigram: dict[str, set[str]] = defaultdict(set)
        for word in self.words:
            for gram in _trigrams(word):
                self._by_trigram[gram].add(word)
        # Per instance, so a replaced model's vocabulary and its cache go away together.
        self.closest = lru_cache(maxsize=65536)(self._closest)

    def _shared_trigrams(self, grams: set[str]) -> dict[str, int]:
        """Training words sharing trigrams with ``grams``, and how many."""
        shared: dict[str, int] = defaultdict(int)
        for gram in grams:
            for candidate in self._by_trigram.get(gram, ()):
                shared[candidate] += 1
        return shared

    def knows(self, word: str) -> bool:
        folded = fold(word)
        if folded in self.words or is_known_word(word):
            return True
        if len(folded) < 4:
            return False
        grams = _trigrams(folded)
        return any(
            shared / len(grams | _trigrams(candidate)) >= TYPO_SIMILARITY
            for candidate, shared in self._shared_trigrams(grams).items()
        )

    def is_gibberish(self, text: str) -> bool:
        words = [w for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)) if len(w) > 1]
        return bool(words) and not any(self.knows(w) for w in words)

    def _closest(self, word: str) -> str | None:
        """The training word a typo was meant as, or None (known word, too short, nothing close)."""
        folded = fold(word)
        if len(folded) < 4 or folded in self.words or is_known_word(word):
            return None
        limit = 1 if len(folded) < 8 else 2
        grams = _trigrams(folded)
        # Each edit (a swap included) touches at most four trigrams: closer words share at least
        # this many.
        needed = max(1, len(grams) - 4 * limit)
        best: tuple[int, bool, int, str] | None = None
        for candidate, count in self._shared_trigrams(grams).items():
            if count < needed:
                continue
            distance = edit_distance(folded, candidate, limit)
            if distance <= limit:
                # Equal distance: swapped letters ("vidoe" -> "video") before a dropped one, then
                # the commoner word.
                key = (
                    distance,
                    sorted(candidate) != sorted(folded),
                    -self.counts[candidate],
                    candidate,
                )
                best = key if best is None or key < best else best
        return best[3] if best else None

    def correct(self, text: str) -> str:
        """``text`` with typos replaced by the training words they were meant as."""
        return _WORD.sub(lambda m: self.closest(m.group(0)) or m.group(0), text)
