"""Texts that code builds (not domain responses), in the conversation's language.

The message catalogues are Babel/gettext ``.po`` files in the repository
(``locale/<language>/LC_MESSAGES/kk.po``); the msgid is the Danish text itself, so Danish needs no
catalogue and a text missing from a catalogue falls back to Danish rather than to a key. The
``.po`` file is read with Babel when a language is first used and compiled in memory (no ``.mo``
files in the repository and no build step). ``_("Mål", language)`` marks a text for
extraction (``pybabel extract -k _ -k N_``; ``N_`` marks a constant that is translated
where it is used) and translates it; ``tests/actions/test_action_english.py`` checks that
every marked text has a translation. docs/english.md describes the workflow.
"""

from __future__ import annotations

import gettext
import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")
DEFAULT_LANGUAGE: Language = "da"
# The conversation's language in Rasa (bot/domain/language.yml): a slot filled from the entity of
# the same name ("da"/"en"), read by the actions, the channels, the reminder job and the patches.
LANGUAGE_SLOT = "language"
DOMAIN = "kk"
LOCALE_DIR = Path(os.environ.get("KK_LOCALE_DIR") or Path(__file__).resolve().parents[1] / "locale")


def language_of(value: object) -> Language:
    """A slot value or detected language as "da" or "en" (anything else is Danish)."""
    if isinstance(value, str) and value.strip().lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: Language) -> gettext.NullTranslations:
    """The catalogue of ``language`` (Danish, or a missing file: the texts as written)."""
    path = catalogue_path(language)
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark only")
    """Marks a Danish text for extraction where it is defined; translate it with ``_`` on use."""
    return message


def _(message: str, language: object = DEFAULT_LANGUAGE) -> str:
    """``message`` (Danish) in ``language`` ("da"/"en" or a slot value)."""
    return translations(language_of(language)).gettext(message)
