"""SMS keywords (STOP, START, HJÆLP) and the channel's own Danish texts (``N_``/``_``: English in
locale/en/LC_MESSAGES/kk.po, docs/english.md).

A keyword is the whole message (case, surrounding spaces and a final punctuation mark do not
matter): "stop", "STOP!", "Hjælp", "hjaelp". A sentence that merely contains the word ("jeg vil
ikke stoppe min ydelse") is an ordinary message for the bot.

Standard library and the message catalogue (kkshared.i18n).
"""

from __future__ import annotations

import re

from kkshared.i18n import N_, _

STOP = "stop"
START = "start"
HELP = "help"

_KEYWORDS = {
    STOP: ("stop", "stopp", "afmeld", "stop sms", "afmeld sms"),
    START: ("start", "tilmeld", "start sms", "tilmeld sms"),
    HELP: ("hjælp", "hjaelp", "hjalp", "help", "info"),
}
_BY_WORD = {word: keyword for keyword, words in _KEYWORDS.items() for word in words}

HELP_TEXT = N_(
    "KK-assistenten er en automatisk assistent fra Jobcenter København. Skriv dit spørgsmål "
    "med almindelige ord. Over sms kan jeg svare på generelle spørgsmål og fortælle, hvornår "
    "dit næste møde er, og om en udbetaling er på vej. Resten finder du, når du logger ind "
    "i chatten på kk.dk. Skriv STOP for at afmelde sms."
)
STOP_TEXT = N_(
    "Du er nu afmeldt sms fra KK-assistenten og får ikke flere sms'er herfra. "
    "Skriv START, hvis du vil tilmelde dig igen."
)
START_TEXT = N_("Du er tilmeldt sms fra KK-assistenten igen. Skriv HJÆLP for at se, hvad jeg kan.")
RATE_LIMIT_TEXT = N_(
    "Du har sendt mange beskeder på kort tid. Vent lidt, og skriv så igen. "
    "Jeg svarer ikke på flere beskeder lige nu."
)
TECHNICAL_ERROR_TEXT = N_(
    "Beklager, der skete en teknisk fejl. "
    "Prøv igen om lidt, eller find kontaktoplysninger på kk.dk."
)
DID_NOT_UNDERSTAND_TEXT = N_(
    "Jeg forstod ikke din besked. Skriv dit spørgsmål med almindelige ord."
)
UNREADABLE_TEXT = N_(
    "Jeg kunne ikke læse din sms, fordi den indeholder tegn, jeg ikke kan vise. "
    "Skriv den gerne igen med almindelige bogstaver."
)
NO_ANSWER_TEXT = N_(
    "Jeg har desværre ikke et svar til dig. Skriv dit spørgsmål med andre ord, "
    "eller find kontaktoplysninger på kk.dk."
)


def choose_number_text(choices: int, language: str = "da") -> str:
    """The answer to a number that is not one of the choices the bot offered, in ``language``
    (the conversation's, ``bot.sms.language``)."""
    if choices == 1:
        return _("Svar 1 for at vælge, eller skriv dit spørgsmål med almindelige ord.", language)
    return _(
        "Svar med et tal fra 1 til {choices}, eller skriv dit spørgsmål med almindelige ord.",
        language,
    ).format(choices=choices)


def keyword(text: str) -> str | None:
    """STOP, START or HELP when the whole message is that keyword, else None."""
    normalized = re.sub(r"\s+", " ", text.strip().lower()).rstrip(".!?")
    return _BY_WORD.get(normalized.strip())
