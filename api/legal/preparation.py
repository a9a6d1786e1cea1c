"""A caseworker's question as every legal ranking sees it (the notes and the source passages).

Abbreviations are written out (``api.legal.abbreviations``: "KTH" -> "kontanthjælp") and typos
are corrected to the words of the texts searched (``kkshared.vocabulary``: "virksomhedspratik" ->
"virksomhedspraktik"): a misspelt key word otherwise costs the word and e5 scores and, with them,
the confidence.
"""

from __future__ import annotations

from api.legal.abbreviations import expand
from kkshared.vocabulary import Vocabulary


def prepared(question: str, vocabulary: Vocabulary) -> str:
    return vocabulary.correct(expand(question))
