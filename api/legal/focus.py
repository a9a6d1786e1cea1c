"""What a caseworker asks, apart from the situation they describe first.

Caseworkers often write the case before the question ("Borger er i praktik 3 dage om ugen ... Må
vi holde samtalen telefonisk?"). The situation carries useful words for the ranking, but also
details no note mentions (the centre, the number of days, the citizen's circumstances). Counted as
uncovered words, those details made a long, realistic question look poorly covered and the
calibrated confidence refused it, although the right note ranked first.

``split_question`` separates the question part (segments ending in "?" or opening with a question
word) from the context (the other segments). The confidence features then count every word of the
question part, covered or not, but a context word only when the best note covers it: context can
add evidence, never dilute it. A text without a recognisable question part is all question, so
short questions (and every note question of the development split) are unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kkshared.normalize import fold

# Sentence ends, and the dash or colon that separates a topic or a situation from the question
# ("Sygemelding i OPERA – hvem ...", "historisk spm: ...").
_SEGMENT_END = re.compile(r"(?<=[.!?])\s+|\s+[–—-]\s+|(?<=:)\s+|\n+")
# First words of a Danish question (interrogatives and the verbs a yes/no question opens with).
QUESTION_WORDS = frozenset(
    fold(w)
    for w in (
        "hvad hvem hvor hvordan hvornår hvorfor hvorledes hvilken hvilket hvilke "
        "kan må skal er har bør gælder vil findes får skulle kunne måtte ville burde "
        "behøver mon gør"
    ).split()
)
_FIRST_WORD = re.compile(r"[a-zæøå]+")


@dataclass(frozen=True)
class Parts:
    asked: str  # the question part ("" when the text has no separate context)
    context: str  # the situation described around it ("" when none)

    @property
    def has_context(self) -> bool:
        return bool(self.asked and self.context)


def _is_question(segment: str) -> bool:
    if segment.rstrip().endswith("?"):
        return True
    first = _FIRST_WORD.search(fold(segment))
    return first is not None and first.start() == 0 and first.group() in QUESTION_WORDS


@lru_cache(maxsize=4096)
def split_question(text: str) -> Parts:
    """The question part and the context of ``text`` (context empty when it cannot be told)."""
    segments = [s.strip() for s in _SEGMENT_END.split(text.strip()) if s and s.strip()]
    if len(segments) < 2:
        return Parts(text, "")
    marked = [s for s in segments if s.rstrip().endswith("?")]
    asked = marked or [s for s in segments if _is_question(s)]
    # Segments that open with a question word count as asked too when a "?" marks another one
    # ("Kan jeg – som sagsbehandler – kræve det?").
    if marked:
        asked = [s for s in segments if s in marked or _is_question(s)]
    context = [s for s in segments if s not in asked]
    if not asked or not context:
        return Parts(text, "")
    return Parts(" ".join(asked), " ".join(context))


# Where one question joins a second one ("hvor mange ..., og har vi selv besluttet ...?",
# "må vi det; hvilken bestemmelse?"): a comma, "og"/"eller" or a semicolon before a question word.
_CLAUSE_JOIN = re.compile(r"\s*(?:[,;]\s*(?:og|eller)?|\s(?:og|eller))\s+(?=[A-Za-zÆØÅæøå]+\b)")


def _clauses(text: str) -> list[str]:
    """The clauses of ``text`` that each open with a question word (two at most kept apart);
    [] when it does not combine questions."""
    pieces: list[str] = []
    start = 0
    for match in _CLAUSE_JOIN.finditer(text):
        following = _FIRST_WORD.match(fold(text[match.end() :]))
        if following is None or following.group() not in QUESTION_WORDS:
            continue
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    pieces = [p.strip(" ,;") for p in pieces if len(p.split()) >= 3]
    return pieces if len(pieces) >= 2 else []


@lru_cache(maxsize=4096)
def reductions(text: str) -> tuple[str, ...]:
    """Shorter forms of ``text`` that keep what is asked: the question part without the described
    situation, and each question of a text that asks two ("hvor mange samtaler skal vi holde, og
    hvem har besluttet det?"). Empty for a plain, single question. The advisor asks them too when
    the whole text is not answered with confidence, and accepts one only when its best note is the
    whole text's best note (``api.legal.decision``)."""
    parts = split_question(text)
    found: list[str] = []
    if parts.has_context:
        found.append(parts.asked)
    for candidate in (parts.asked, *found):
        found.extend(_clauses(candidate))
    unique = [t for t in dict.fromkeys(found) if t and t != text]
    return tuple(unique)
