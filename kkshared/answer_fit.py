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
    "hundrede|foerste|anden|andet|tredje|fjerde|halvt|halv|hver|alle|ingen|"
    "one|two|three|four|five|six|seven|eight|nine|ten|twelve|first|second|third|every|all"
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
            r"frist(?:en)?|when (?:will|do|does|did|is|are|can|should|must|was|were)|"
            r"what date|which date|which day|what day|how long|until when)\b"
        ),
        re.compile(
            rf"\d|\b(?:{_MONTHS}|{_WEEKDAYS}|bankdag\w*|hverdag\w*|dag|dage|dagen|uge\w*|"
            r"maaned\w*|aar|aaret|aarlig\w*|timer?|straks|senest|inden|foer|efter|frist\w*|"
            r"loebende|tidspunkt\w*|periode\w*|foraaret|efteraaret|sommer\w*|vinter\w*|jul\w*|"
            r"paaske\w*|nedlukning\w*|i dag|i morgen|"
            r"january|february|march|may|june|july|october|december|monday|tuesday|wednesday|"
            r"thursday|friday|saturday|sunday|days?|weeks?|months?|years?|hours?|immediately|"
            r"before|after|until|deadline|period|spring|autumn|summer|winter|today|tomorrow|"
            r"lockdown)\b"
        ),
    ),
    Kind(
        "amount",
        # Money: "hvor meget får man i kontanthjælp" is not answered by "4 ugers ferie efter 12
        # måneder", so a number alone is not enough here (a quantity that is not money, "hvor
        # meget må jeg arbejde", is a count below).
        re.compile(
            r"\b(?:hvor meget (?:faar|er|bliver|udgoer|koster|betaler|giver)|hvor mange penge|"
            r"hvor stor(?:t)? (?:er )?(?:beloeb\w*|ydelse\w*|sats\w*|kontanthjaelp\w*)|"
            r"hvor meget\b[^?.]*\b(?:faa|faar|modtage|udbetal\w*|penge|tilskud\w*)|"
            r"beloeb\w*|satsen|satser|how much (?:is|are|do|does|will|money|can|would)|"
            r"how much\b.*\b(?:get|receive|paid|pay)|what is the rate|amount)\b"
        ),
        re.compile(
            r"\b(?:kr|kroner|dkk|procent|percent|sats\w*|beloeb\w*|takst\w*|rates?|amounts?)\b|%"
        ),
    ),
    Kind(
        "count",
        re.compile(
            r"\bhvor mange (?:gange|uger|dage|maaneder|timer|samtaler|aar|ansoegninger|"
            r"jobsamtaler|borgere|personer|steder|moeder)\b|\bhvor meget (?:kan|skal|maa)\b|"
            r"\bhow many (?:times|weeks|days|months|hours|meetings|years|applications|people)\b"
        ),
        re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b"),
    ),
    Kind(
        "legal_basis",
        re.compile(
            r"(?:\bhjemmel\w*|\bparagraf\w*|§|\bhvilken lov\w*|\blovgrundlag\w*|"
            r"\bhvilken bestemmelse\w*|\bretsgrundlag\w*|\blovhjemmel\w*|\blegal basis|"
            r"\b(?:which|what) (?:law|section|act)\b)"
        ),
        re.compile(
            r"§|\b(?:lov\w*|lab|las|bab|bekendtgoerelse\w*|ankestyrelse\w*|regel|regler|"
            r"reglerne|bestemmelse\w*|cirkulaere\w*|vejledning\w*|law|act|rules?|section|"
            r"regulations?)\b"
        ),
    ),
    Kind(
        "obligation",
        re.compile(
            r"\b(?:frivillig\w*|obligatorisk\w*|tvunget|tvungen|pligt\w*|et krav|voluntary|"
            r"mandatory|compulsory|obligatory|optional)\b"
        ),
        re.compile(
            r"\b(?:frivillig\w*|obligatorisk\w*|pligt\w*|skal|krav\w*|tvunget|tvungen|"
            r"behoever|boer|kan vaelge|valgfri\w*|ikke noedvendig\w*|must|have to|has to|"
            r"required|voluntary|mandatory|compulsory|duty|obliged|optional|can choose|"
            r"do not need|does not need)\b"
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
