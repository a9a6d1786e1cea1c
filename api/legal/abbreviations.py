"""Caseworkers' abbreviations the shared synonyms (``kkshared.retrieval.synonyms``) do not know,
written out before a legal question is ranked.

Caseworkers write "YDS", "UH-modtager", "akt.parat", "BIU" or "TR"; the notes spell the words out.
An abbreviation no note contains also counts as an unknown word in the confidence
(``api.legal.coverage``), so a realistic question looked less covered than it is. Only
abbreviations with one meaning in the job centre's legal questions are listed; the ranking
itself and the shared synonyms are unchanged.
"""

from __future__ import annotations

import re

ABBREVIATIONS: dict[str, str] = {
    "yds": "Ydelsesservice",
    "uh": "uddannelseshjælp",
    "udd.hjælp": "uddannelseshjælp",
    "akt.parat": "aktivitetsparat",
    "akt. parat": "aktivitetsparat",
    "aktparat": "aktivitetsparat",
    "biu": "Beskæftigelses- og Integrationsudvalget",
    "tr": "tillidsrepræsentant",
    "vp": "virksomhedspraktik",
    "lts": "løntilskud",
    "rehab": "rehabilitering",
    "rehabteam": "rehabiliteringsteam",
    "ftp": "førtidspension",
    "fp": "førtidspension",
    "jobaf": "jobafklaring",
    "vk": "virksomhedskonsulent",
    "sb": "sagsbehandler",
}

# Longest first, so "akt. parat" wins over shorter keys; a key is a whole word (a hyphen after it
# is fine: "UH-modtager").
_PATTERN = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)


def expand(text: str) -> str:
    """``text`` with the abbreviations written out ("YDS-partshøring" -> "Ydelsesservice-...")."""
    return _PATTERN.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], text)
