"""Does an answer contain the kind of content a question asks for?

A question that asks *when*, *how much*, *how many*, *on what legal basis* or *whether something
is voluntary* is only answered by a text that contains a time, an amount, a number, a legal
reference or an obligation. An answer that does not is about a neighbouring topic, however close
its words are; the assistant then says that it does not know instead of answering it.

Deliberately coarse: it only rejects answers that have *no* content of the asked kind. Both texts
are folded first (lower case, æ/ø/å spelled ae/oe/aa), so the patterns are written folded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kkshared.normalize import fold

_MONTHS = "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
_WEEKDAYS = "mandag|tirsdag|onsdag|torsdag|fredag|loerdag|soendag"
_NUMBER_WORDS = (
    "en|et|to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|femten|tyve|tredive|halvtreds|"
    "hundrede|foerste|anden|andet|tredje|fjerde|halvt|halv|hver|alle|ingen"
)


@dataclass(frozen=True)
class Kind:
    name: str
    asked: re.Pattern[str]
    present: re.Pattern[str]


KINDS: tuple[Kind, ...] = (
    Kind(
        "time",
        re.compile(
            r"\b(?:hvornaar|hvilken dato|hvilke datoer|hvilken dag|hvilket aar|hvilken maaned|"
            r"fra hvornaar|til hvornaar|hvor laenge|hvor lang tid|hvilken periode|dato|deadline|"
            r"frist(?:en)?)\b"
        ),
        re.compile(
            rf"\d|\b(?:{_MONTHS}|{_WEEKDAYS}|bankdag\w*|hverdag\w*|dag|dage|dagen|uge\w*|"
            r"maaned\w*|aar|aaret|aarlig\w*|timer?|straks|senest|inden|foer|efter|frist\w*|"
            r"loebende|tidspunkt\w*|periode\w*|foraaret|efteraaret|sommer\w*|vinter\w*|jul\w*|"
            r"paaske\w*|nedlukning\w*|i dag|i morgen)\b"
        ),
    ),
    Kind(
        "amount",
        re.compile(
            r"\b(?:hvor meget (?:faar|kan|skal|er|bliver|udgoer|koster)|hvor mange penge|"
            r"hvor stor(?:t)? (?:er )?(?:beloeb|ydelse|sats)|beloeb\w*|satsen|satser)\b"
        ),
        re.compile(r"\d|\b(?:kr|kroner|procent|sats\w*|beloeb\w*|takst\w*)\b|%"),
    ),
    Kind(
        "count",
        re.compile(
            r"\bhvor mange (?:gange|uger|dage|maaneder|timer|samtaler|aar|ansoegninger|"
            r"jobsamtaler|borgere|personer|steder|moeder)\b"
        ),
        re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b"),
    ),
    Kind(
        "legal_basis",
        re.compile(
            r"(?:\bhjemmel\w*|\bparagraf\w*|§|\bhvilken lov\w*|\blovgrundlag\w*|"
            r"\bhvilken bestemmelse\w*|\bretsgrundlag\w*|\blovhjemmel\w*)"
        ),
        re.compile(
            r"§|\b(?:lov\w*|lab|las|bab|bekendtgoerelse\w*|ankestyrelse\w*|regel|regler|"
            r"reglerne|bestemmelse\w*|cirkulaere\w*|vejledning\w*)\b"
        ),
    ),
    Kind(
        "obligation",
        re.compile(r"\b(?:frivillig\w*|obligatorisk\w*|tvunget|tvungen|pligt\w*|et krav)\b"),
        re.compile(
            r"\b(?:frivillig\w*|obligatorisk\w*|pligt\w*|skal|krav\w*|tvunget|tvungen|"
            r"behoever|boer|kan vaelge|valgfri\w*|ikke noedvendig\w*)\b"
        ),
    ),
)


def asked_kinds(question: str) -> tuple[str, ...]:
    """The kinds of content ``question`` asks for (often none: "hvad er ...", "kan jeg ...")."""
    folded = fold(question)
    return tuple(kind.name for kind in KINDS if kind.asked.search(folded))


def missing_kinds(question: str, answer: str) -> tuple[str, ...]:
    """The asked kinds of content that ``answer`` does not contain; empty when it fits."""
    asked = set(asked_kinds(question))
    if not asked:
        return ()
    folded = fold(answer)
    return tuple(k.name for k in KINDS if k.name in asked and not k.present.search(folded))
