"""The conversation's language for texts the actions build (docs/english.md).

The ``language`` slot ("da"/"en", bot/domain/language.yml) is set by the language detection and
the switch; texts go through ``kkshared.i18n._`` and dates/amounts through
``kkshared.formatting`` with this language. Domain responses pick their English variation from
the same slot in the Rasa server.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from kkshared.i18n import LANGUAGE_SLOT, Language, language_of


def conversation_language(tracker: Tracker) -> Language:
    return language_of(tracker.get_slot(LANGUAGE_SLOT))
