"""Recognising keyboard mashing ("asdfg hjkl", "jhgf kjdfs ffff") before ranking.

Retrieval always finds a best document, and character n-grams give random letters a little of
everything, so such messages used to end in a clarifying question ("Mente du: ...?") instead of
"skriv det på en anden måde". A message is gibberish when it has words and not one of them is a
word: not in the Danish lexicon (kkshared.lexicon, ae/oe/aa spellings included), not in the
training examples, and not a typo of a training word (character trigram overlap). Numbers,
placeholders ([CPR]) and messages without letters are left to the classifier.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

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
        self.words = {w for text in texts for w in _WORD.findall(fold(text)) if len(w) > 1}
        self._by_trigram: dict[str, set[str]] = defaultdict(set)
        for word in self.words:
            for gram in _trigrams(word):
                self._by_trigram[gram].add(word)

    def knows(self, word: str) -> bool:
        folded = fold(word)
        if folded in self.words or is_known_word(word):
            return True
        if len(folded) < 4:
            return False
        grams = _trigrams(folded)
        overlap: dict[str, int] = defaultdict(int)
        for gram in grams:
            for candidate in self._by_trigram.get(gram, ()):
                overlap[candidate] += 1
        return any(
            shared / len(grams | _trigrams(candidate)) >= TYPO_SIMILARITY for candidate, shared in overlap.items()
        )

    def is_gibberish(self, text: str) -> bool:
        words = [w for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)) if len(w) > 1]
        return bool(words) and not any(self.knows(w) for w in words)
