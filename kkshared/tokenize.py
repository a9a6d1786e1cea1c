"""Danish tokenisation with spaCy's rule-based Danish tokenizer (``spacy.blank("da")``).

Works offline with spaCy 3.4 (bot environment) and spaCy 3.7+ (case service): no model download,
only the language's tokenizer exceptions ("stk.", "kl.", "d.", "bl.a." stay whole).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kkshared.lexicon import lemma


@lru_cache(maxsize=1)
def _tokenizer() -> Any:  # spaCy's Cython tokenizer has no type information
    import spacy

    return spacy.blank("da").tokenizer


def tokenize(text: str) -> list[str]:
    """Surface tokens of ``text`` (punctuation included), as spaCy's Danish tokenizer
    splits them."""
    return [token.text for token in _tokenizer()(text) if not token.is_space]


def word_tokens(text: str) -> list[str]:
    """Lowercased tokens without punctuation-only tokens ("§" is kept: it carries meaning)."""
    return [
        token.text.lower()
        for token in _tokenizer()(text)
        if not token.is_space and (not token.is_punct or token.text == "§")
    ]


def lemmas(text: str) -> list[str]:
    """Lowercased lemmas of the word tokens, from the Danish lookup table."""
    return [lemma(word) for word in word_tokens(text)]
