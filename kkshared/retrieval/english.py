"""English retrieval terms for citizens' questions and the English catalogue (issue 20).

The Danish analyser (``kkshared.retrieval.terms``) lemmatises with a Danish lexicon, restores
ae/oe/aa spellings and splits Danish compounds; none of that fits English. Here a word is
lower-cased, English stop words (spaCy's list, which needs no model) are dropped and the rest is
stemmed with the Snowball English stemmer (``snowballstemmer``, pure Python): "applying",
"applied" and "applies" all become "appli". Danish names that English questions keep
("kontanthjælp", "jobcenter") are folded (æ → ae) so that "kontanthjaelp" meets "kontanthjælp".
Character n-grams are the Danish analyser's (they absorb typos in either language).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kkshared.normalize import fold

# Words that say nothing about what a citizen asks in this domain, on top of spaCy's list.
_EXTRA_STOP = frozenset(
    {
        "hi",
        "hello",
        "please",
        "thanks",
        "thank",
        "want",
        "need",
        "know",
        "tell",
        "like",
        "im",
        "ive",
        "dont",
        "cant",
        "doesnt",
        "didnt",
    }
)
# Words spaCy lists as stop words that carry the question here ("when" is not "how much").
_KEEP = frozenset(
    {
        "not",
        "no",
        "never",
        "when",
        "where",
        "why",
        "much",
        "many",
        "who",
        "first",
        "last",
        "next",
        "before",
        "after",
        "call",
        "move",
        "back",
        "full",
        "part",
        "name",
    }
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    words = {fold(w).replace("'", "").replace("’", "") for w in STOP_WORDS}
    return frozenset((words | _EXTRA_STOP) - _KEEP)


@lru_cache(maxsize=1)
def _stemmer() -> Any:  # snowballstemmer ships no type information
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


def words(text: str) -> list[str]:
    """Folded words of ``text`` with apostrophes dropped ("don't" → "dont")."""
    return [w.replace("'", "").replace("’", "") for w in _WORD.findall(fold(text))]


def word_terms(text: str) -> list[str]:
    """Retrieval terms: stems of the words that are not stop words."""
    stop = _stop_words()
    return [stem(w) for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
