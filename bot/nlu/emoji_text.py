"""Emoji in chat messages: left out before ranking, and a message of nothing else recognised.

Emoji carry no words for BM25 or the typo vocabulary, and a row of them ("😀😀😀", "👍🙏") is small
talk, never a question or a goodbye. Recognised by Unicode category (symbols, modifiers such as
skin tones) plus the joiners and variation selectors that build emoji sequences, so no list of
emoji is kept here.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width joiner, variation selectors, the keycap combiner and tag characters of flag sequences.
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_SYMBOL_CATEGORIES = {"So", "Sk", "Cs"}
_WORD = re.compile(r"\w", re.UNICODE)


def _is_emoji_part(char: str) -> bool:
    if char in _JOINERS or "\U000e0020" <= char <= "\U000e007f":
        return True
    # Regional indicators (flags) are "So"; so are pictographs and dingbats.
    return unicodedata.category(char) in _SYMBOL_CATEGORIES and ord(char) >= 0x2000


def strip_emoji(text: str) -> str:
    """``text`` without emoji, spaces collapsed ("hej 👋 hvordan går det" -> "hej hvordan går
    det")."""
    if text.isascii():
        return text
    kept = "".join(" " if _is_emoji_part(char) else char for char in text)
    return " ".join(kept.split())


def only_emoji(text: str) -> bool:
    """True for a message with emoji and nothing but emoji, spaces and punctuation."""
    stripped = strip_emoji(text)
    return stripped != " ".join(text.split()) and not _WORD.search(stripped)
