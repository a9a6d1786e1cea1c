"""Which language a citizen writes in: Danish (``da``) or English (``en``).

Citizens mix the two: Danish messages carry English words ("ok", "weekend", "CV", "deadline")
and English messages carry Danish names of benefits and places ("kontanthjælp", "jobcenter",
"borger.dk"). A general language identifier reads such a message by its nouns, and they are the
wrong evidence: "how do I apply for kontanthjælp" comes out Danish because of one word with an
"æ". So the decision is made in two steps:

1. **Words of one language only**: function words (pronouns, auxiliaries, question words,
   prepositions, conjunctions) and a few everyday words of citizens' questions ("week",
   "payment", "uge", "hjælp") decide when the two counts differ. Names of benefits and places
   and the English loan words of Danish ("ok", "weekend", "job", "CV") never count, so they
   cannot tip a message.
2. Otherwise the maintained identifier Lingua (``lingua-language-detector``, models shipped in
   the wheel, nothing downloaded), restricted to Danish and English, decides when it is sure
   (``MIN_MARGIN``); the Danish names of the welfare system are removed first.

A message that decides nothing ("ok", "1", "tak", an emoji) keeps the conversation's language:
``detect(text, current)`` returns ``current`` then. Lingua is optional: without it, only step 1
decides.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from kkshared.normalize import fold

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")
DEFAULT: Language = "da"
# How much more likely Lingua must find one language than the other to decide alone.
MIN_MARGIN = 0.5

# Words that exist in one language only (folded: æ→ae, ø→oe, å→aa, lower case). Left out on
# purpose: words both languages have ("i", "at", "her", "for", "under", "over", "to", "hand", "by",
# "land", "sent", "alle"), loan words ("ok", "job", "weekend", "cv", "deadline", "mail").
DANISH_WORDS = frozenset(
    """
    jeg du han hun vi dig mig os dem hende ham min mit mine din dit dine sin sit sine vores jeres
    deres er var vaere vaeret har havde bliver blev blevet kan kunne skal skulle vil ville maa
    maatte faar fik faa og eller ikke ingen intet det den der som paa til fra med af om hos
    efter foer naar hvis fordi saa ogsaa lige bare noget nogen nogle meget mere mest jo nu
    hvad hvordan hvornaar hvorfor hvem hvor hvilken hvilket hvilke hvorledes hej tak ja nej godt
    goddag farvel undskyld mange hvis endnu allerede aldrig altid igen stadig ud ind op ned
    dag uge maaned aar imorgen igaar hjaelp hjaelpe kommer komme sige siger ved vide
    """.split()
)
ENGLISH_WORDS = frozenset(
    """
    the a an is are was were be been being am have has had do does did doing can could will
    would should shall may might must my your yours his her hers our ours their theirs me you
    he she we they it its this that these those what how when why who whom where which whose
    of in on with from about into onto than then there here and or but not no yes please
    thanks thank hello hi hey if because so just also only still already never always again
    any some much many more most get got need needs want wants wanted know does don't doesn't
    didn't can't won't i'm i've it's what's there's today tomorrow yesterday week month year
    help apply applied receive paid pay payment missed miss sick ill appointment benefit
    benefits allowance unemployment
    """.split()
)
_WORD = re.compile(r"[a-z0-9']+(?:[-.][a-z0-9']+)*")
# The names of the Danish welfare system (kept in English text): removed before Lingua reads.
_DANISH_NAMES = re.compile(
    r"\b(?:kontanthjaelp\w*|uddannelseshjaelp\w*|dagpenge\w*|sygedagpenge\w*|jobcent\w*|"
    r"ydelse\w*|a-kasse\w*|akasse\w*|borger\.dk|jobnet\w*|min plan|e-boks|eboks|mitid|"
    r"partshoering\w*|jobsamtale\w*|samtale\w*|sanktion\w*|fleksjob\w*|ressourceforloeb\w*|"
    r"jobafklaring\w*|revalidering\w*|selvforsoergelse\w*|hjemrejse\w*|overgangsydelse\w*|"
    r"kommune\w*|koebenhavn\w*|borgerservice\w*|ydelsesservice\w*|tilbud\w*|praktik\w*|"
    r"loentilskud\w*|virksomhedspraktik\w*|aktivering\w*|raadighed\w*)\b"
)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text).replace("’", "'"))


def function_word_votes(text: str) -> tuple[int, int]:
    """(Danish, English) closed-class words in ``text``."""
    words = _words(text)
    return (
        sum(1 for w in words if w in DANISH_WORDS),
        sum(1 for w in words if w in ENGLISH_WORDS),
    )


@lru_cache(maxsize=1)
def _detector() -> Any:
    try:
        from lingua import Language as LinguaLanguage
        from lingua import LanguageDetectorBuilder
    except ImportError:
        return None
    return LanguageDetectorBuilder.from_languages(
        LinguaLanguage.DANISH, LinguaLanguage.ENGLISH
    ).build()


def _lingua(text: str) -> Language | None:
    detector = _detector()
    if detector is None:
        return None
    rest = _DANISH_NAMES.sub(" ", fold(text))
    if len(_words(rest)) < 2:
        return None
    scores = {c.language.name: c.value for c in detector.compute_language_confidence_values(rest)}
    danish, english = scores.get("DANISH", 0.0), scores.get("ENGLISH", 0.0)
    if abs(danish - english) < MIN_MARGIN:
        return None
    return "da" if danish > english else "en"


def decided_language(text: str) -> Language | None:
    """The language ``text`` is written in, or None when it does not say."""
    danish_letters = any(
        re.search(r"[æøå]", word) and not _DANISH_NAMES.fullmatch(fold(word))
        for word in text.lower().split()
    )
    if danish_letters and not function_word_votes(text)[1]:
        return "da"  # "æ", "ø", "å" outside a name, and no English word
    danish, english = function_word_votes(text)
    if danish != english:
        return "da" if danish > english else "en"
    return _lingua(text)


def detect(text: str, current: Language = DEFAULT) -> Language:
    """The conversation's language after ``text``: the message's own, or ``current``."""
    return decided_language(text) or current
