"""Danish text normalisation shared by the bot, the action server and the case service.

Two directions:
- ``fold`` maps text to a canonical ASCII-ish key (lowercase, æ→ae, ø→oe, å→aa, accents stripped),
  so that "Kontanthjælp", "kontanthjaelp" and "KONTANTHJÆLP" compare equal.
- ``restore_danish`` does the opposite for words typed with ae/oe/aa: "kontanthjaelpen" →
  "kontanthjælpen", using the Danish lexicon (see ``kkshared.lexicon``).

``normalize_source_text`` is the one normalisation used to compare quotes with the seed documents
(PDF text with hyphenation): Unicode NFKC, end-of-line hyphens joined, whitespace collapsed.
"""

from __future__ import annotations

import re
import unicodedata

_DANISH_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A hyphen at the end of a line followed by a lowercase continuation: "ledi-\nge" -> "ledige".
_LINE_END_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\r?\n[ \t]*(?=[a-zæøå])")


def collapse_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Canonical comparison key: lowercase, æ/ø/å as ae/oe/aa, no accents, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_DANISH_FOLD)
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return collapse_whitespace(text.lower())


# fold() of a lowercase word of these letters only is a translation: most of the lexicon's
# 1.1 million forms and lemmas (NFKC and NFD change nothing in them, there are no accents or
# spaces). The general fold() costs ~3 s of CPU for the whole table (issue 16: training time).
_PLAIN_WORD = re.compile(r"[a-zæøå]+")
_PLAIN_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def fold_word(word: str) -> str:
    """``fold`` of one lowercase word, fast for plain Danish words."""
    return word.translate(_PLAIN_FOLD) if _PLAIN_WORD.fullmatch(word) else fold(word)


def restore_danish(text: str) -> str:
    """Replace ae/oe/aa spellings with æ/ø/å where the Danish lexicon knows the word.

    Words the lexicon does not know, and words that are correct as written ("ae" in "Michael"),
    are left as they are. Case is preserved for the first letter and for all-caps words.
    """
    from kkshared.lexicon import restored_form

    def _replace(match: re.Match[str]) -> str:
        word = match.group(0)
        lowered = word.lower()
        if not any(pair in lowered for pair in ("ae", "oe", "aa")):
            return word
        restored = restored_form(lowered)
        if restored is None:
            return word
        if word.isupper() and len(word) > 1:
            return restored.upper()
        if word[0].isupper():
            return restored[0].upper() + restored[1:]
        return restored

    return _WORD.sub(_replace, text)


def normalize_source_text(text: str) -> str:
    """The shared normalisation for matching quotes against the seed documents."""
    text = unicodedata.normalize("NFKC", text)
    text = _LINE_END_HYPHEN.sub("", text)
    return collapse_whitespace(text)
