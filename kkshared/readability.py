"""How easy a Danish text is to read: LIX, and abbreviations a citizen cannot be expected to know.

LIX (læsbarhedsindeks, C.-H. Björnsson 1968) is::

    LIX = words / sentences + 100 * long words / words

Under 25 is very easy (children's books), 25-34 easy, 35-44 medium (newspapers), 45-54 hard
(official documents), 55 and over very hard. The citizen answers are kept at 45 or below
(``tests/knowledge/test_readability.py``).

How this module counts (chosen so the numbers are stable and match a careful hand count):

- **Words** are the whitespace-separated pieces of the text that contain at least one letter or
  digit, with surrounding punctuation stripped. So a number ("2017", "225", "1.000") is a word,
  a hyphenated word ("e-Boks", "CPR-nummer", "selvforsørgelses-") is one word, a web address
  ("borger.dk") or a slash pair ("EU/EØS") is one word, and lone signs ("§", "-", "–") are not
  words.
- A word is **long** when it has more than 6 letters. Only letters are counted: digits,
  hyphens, dots, slashes and apostrophes are not ("CPR-nummer" has 9 letters, "borger.dk" 8,
  "kk.dk" 4, "25-årige" 5), so a number is a word but never a long one ("2019-2022": 0).
- A **sentence** ends at a word that ends with ``.``, ``!`` or ``?`` (closing quotes or brackets
  after the sign are allowed), unless the next word starts with a lower-case letter (an ordinal
  "1. juli", "hver 8. uge", or a question quoted inside a sentence) or the word is an abbreviation
  that is always followed by more ("fx.", "bl.a.", "kl.", "stk.", "jf.", ...). Abbreviations that
  can close a sentence ("osv.", "mv.", "m.m.") end one only when the next word starts with a
  capital letter or digit. A **colon** ends a sentence only when a line break or the end of the
  text follows it (a colon that introduces a list on new lines); a colon inside a line does not.
  The end of the text always closes the last sentence, so a text with words has at least one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Abbreviations with a dot that never end a sentence: something always follows them.
CONTINUING_ABBREVIATIONS = frozenset(
    {
        "ang.",
        "bl.a.",
        "ca.",
        "d.",
        "dvs.",
        "ekskl.",
        "evt.",
        "f.eks.",
        "fx.",
        "hhv.",
        "i.f.m.",
        "ifm.",
        "ift.",
        "iht.",
        "inkl.",
        "jf.",
        "kl.",
        "m.h.t.",
        "mht.",
        "nr.",
        "p.g.a.",
        "pga.",
        "pkt.",
        "s.",
        "stk.",
        "tlf.",
        "vedr.",
    }
)
#: Abbreviations with a dot that may close a sentence ("... jobklubber, webinarer osv.").
CLOSING_ABBREVIATIONS = frozenset({"etc.", "m.fl.", "m.m.", "mm.", "mv.", "m.v.", "osv."})

LONG_WORD_LENGTH = 6  # a word is long when it has more letters than this

_OPENING = "\"'“”‘’«»([{"
_CLOSING = "\"'“”‘’«»)]}"
_PIECE = re.compile(r"\S+")


@dataclass(frozen=True)
class LixCounts:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words


def _is_word(piece: str) -> bool:
    return any(ch.isalnum() for ch in piece)


def _letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


def _ends_sentence(piece: str, next_piece: str | None, line_break_after: bool) -> bool:
    core = piece.rstrip(_CLOSING)
    if core.endswith(":"):
        return line_break_after or next_piece is None
    if not core or core[-1] not in ".!?":
        return False
    if next_piece is None:
        return True
    following = next_piece.lstrip(_OPENING + "-–")
    if following[:1].islower():
        return False
    abbreviation = core.lstrip(_OPENING).lower()
    if abbreviation in CONTINUING_ABBREVIATIONS:
        return False
    if abbreviation in CLOSING_ABBREVIATIONS:
        return following[:1].isupper() or following[:1].isdigit()
    return True


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as counted here (whitespace inside a sentence collapsed)."""
    pieces = [(m.group(), m.end()) for m in _PIECE.finditer(text)]
    result: list[str] = []
    current: list[str] = []
    for index, (piece, end) in enumerate(pieces):
        current.append(piece)
        next_piece = pieces[index + 1][0] if index + 1 < len(pieces) else None
        gap = text[end : pieces[index + 1][1] - len(next_piece)] if next_piece else ""
        if any(_is_word(p) for p in current) and _ends_sentence(piece, next_piece, "\n" in gap):
            result.append(" ".join(current))
            current = []
    if any(_is_word(p) for p in current):
        result.append(" ".join(current))
    elif current and result:  # trailing signs belong to the last sentence
        result[-1] += " " + " ".join(current)
    return result


def lix_counts(text: str) -> LixCounts:
    """Words, sentences and long words of ``text``, counted as described in the module."""
    words = [piece for piece in text.split() if _is_word(piece)]
    long_words = sum(_letters(word) > LONG_WORD_LENGTH for word in words)
    return LixCounts(words=len(words), sentences=len(sentences(text)), long_words=long_words)


def lix(text: str) -> float:
    """The LIX of ``text`` (0.0 for a text without words)."""
    return lix_counts(text).lix


# Abbreviations a citizen cannot be expected to know, with the full names that explain them.
# An abbreviation is explained in a text when one of its full names stands right next to it:
# "Kommunernes Landsforening (KL)" or "KL (Kommunernes Landsforening)". For abbreviations without
# a listed name (internal unit names), a full name whose capitalised words start with the
# abbreviation's letters in order also explains it: "Jobcenter København Indsats (JKI)".
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "LAB": (
        "lov om en aktiv beskæftigelsesindsats",
        "loven om en aktiv beskæftigelsesindsats",
        "lov om aktiv beskæftigelsesindsats",
        "loven om aktiv beskæftigelsesindsats",
        "beskæftigelsesloven",
    ),
    "BAB": (
        "lov om ansvaret for og styringen af den aktive beskæftigelsesindsats",
        "loven om ansvaret for og styringen af den aktive beskæftigelsesindsats",
        "lov om organisering og understøttelse af beskæftigelsesindsatsen",
        "loven om organisering og understøttelse af beskæftigelsesindsatsen",
    ),
    "LAS": ("lov om aktiv socialpolitik", "loven om aktiv socialpolitik"),
    "KTH": (),
    "STAR": ("Styrelsen for Arbejdsmarked og Rekruttering",),
    "SIRI": ("Styrelsen for International Rekruttering og Integration",),
    "SDP": (),
    "JKI": (),
    "AMC": ("Arbejdsmarkedscentret", "Arbejdsmarkedscenter"),
    "CAB": (),
    "BC": ("beskæftigelsescentret", "beskæftigelsescenter", "beskæftigelsescentre"),
    "KK": ("Københavns Kommune",),
    "KL": ("Kommunernes Landsforening",),
    "JC": ("jobcentret", "jobcenter"),
    "BIF": ("Beskæftigelses- og Integrationsforvaltningen",),
    "SOF": ("Socialforvaltningen",),
    "JAF": ("jobafklaringsforløb",),
    "IGU": ("integrationsgrunduddannelse", "integrationsgrunduddannelsen"),
    "IPS": ("Individuelt Planlagt Job med Støtte", "Individual Placement and Support"),
}


#: Names that contain an abbreviation but are names in their own right (the assistant's own name).
NAMES_WITH_ABBREVIATIONS = ("KK-assistenten", "KK-assistent")


def _abbreviation_pattern(abbreviation: str) -> re.Pattern[str]:
    # A whole word, also as the first part of a compound ("LAB-paragraf"), but not a web
    # address ("KK.dk").
    return re.compile(rf"(?<![\w.]){re.escape(abbreviation)}(?![\w]|\.\w)")


def _initials_explain(abbreviation: str, name: str) -> bool:
    capitals = [word[0] for word in name.split() if word[:1].isupper()]
    return "".join(capitals).endswith(abbreviation) or "".join(capitals) == abbreviation


def _is_explained(abbreviation: str, text: str, names: tuple[str, ...]) -> bool:
    abbr = re.escape(abbreviation)
    for name in names:
        full = re.escape(name)
        if re.search(rf"{full}\s*\(\s*{abbr}\s*\)", text, re.IGNORECASE):
            return True
        if re.search(rf"(?<![\w.]){abbr}\s*\(\s*{full}\s*\)", text, re.IGNORECASE):
            return True
    before = re.search(rf"((?:[\w-]+\s+){{1,8}})\(\s*{abbr}\s*\)", text)
    if before and _initials_explain(abbreviation, before.group(1)):
        return True
    after = re.search(rf"(?<![\w.]){abbr}\s*\(([^)]+)\)", text)
    return bool(after and _initials_explain(abbreviation, after.group(1)))


def unexplained_abbreviations(
    text: str, abbreviations: dict[str, tuple[str, ...]] | None = None
) -> list[str]:
    """The listed abbreviations that occur in ``text`` without their full name next to them
    somewhere in the same text (sorted, each once)."""
    listed = ABBREVIATIONS if abbreviations is None else abbreviations
    for name in NAMES_WITH_ABBREVIATIONS:
        text = text.replace(name, " ")
    return sorted(
        abbreviation
        for abbreviation in listed
        if _abbreviation_pattern(abbreviation).search(text)
        and not _is_explained(abbreviation, text, tuple(listed[abbreviation]))
    )
