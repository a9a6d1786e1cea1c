"""How a catalogue entry's answer is sent: its text in the conversation's language, the source
as a document title and date, and the markers the analytics count (actions/faq_answer.py sends
the classifier's pick; own-case and clarify actions send a general answer before their own)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.faq_catalogue import get_catalogue
from kkshared.catalogue import CatalogueEntry, EntrySource
from kkshared.i18n import Language
from kkshared.sources import GENERAL_LABEL, GENERAL_SOURCE, source_label

FAQ_RESPONSE_PREFIX = "utter_faq/"  # the marker of a catalogue answer on the bot event
# English for the source lines (the documents keep their Danish titles).
ENGLISH_GENERAL_LABEL = "General guidance from Jobcenter København"
SOURCE_PREFIX = {"da": "Kilde: ", "en": "Source: "}
# Before the Danish answer of an entry that has no English version yet.
NO_ENGLISH_NOTE = "This answer is not available in English yet. Here it is in Danish:"


def source_json(source: EntrySource, language: Language = "da") -> dict[str, Any]:
    """The ``custom.source`` of an answer: where it comes from, with the label people see
    (``title``: "<document title>, <date>"; ``label``: the whole line, "Kilde: ..." or
    "Source: ...")."""
    if source.file:
        title = source_label(source.file, source.date)
        if language == "en" and source.file == GENERAL_SOURCE:
            title = title.replace(GENERAL_LABEL, ENGLISH_GENERAL_LABEL, 1)
        found: dict[str, Any] = {"file": source.file, "date": source.date, "title": title}
    else:
        title = f"{source.name}, {source.date}" if source.name else source.date
        found = {"name": source.name, "url": source.url, "date": source.date, "title": title}
    return {**found, "label": SOURCE_PREFIX[language] + title}


def answer_message(
    entry: CatalogueEntry, revision: int, language: Language = "da"
) -> dict[str, Any]:
    """The keyword arguments of ``utter_message`` for one entry's answer in ``language`` (the
    Danish answer with an English note when the entry has no English version)."""
    title, text, answered_in = entry.title, entry.answer, "da"
    if language == "en":
        english = entry.translations.get("en")
        if english is not None:
            title, text, answered_in = english.title, english.answer, "en"
        else:
            text = f"{NO_ENGLISH_NOTE}\n\n{entry.answer}"
    return {
        "text": text,
        "json_message": {
            "source": source_json(entry.source, language),
            "title": title,
            "language": answered_in,
        },
        # Extra keys become the bot event's metadata, as for a domain response.
        "utter_action": f"{FAQ_RESPONSE_PREFIX}{entry.id}",
        "kk_catalogue": {
            "entry_id": entry.id,
            "version": entry.version,
            "revision": revision,
            "language": answered_in,
        },
    }


def utter_entry(
    dispatcher: CollectingDispatcher,
    entry: CatalogueEntry,
    revision: int,
    language: Language = "da",
) -> None:
    dispatcher.utter_message(**answer_message(entry, revision, language))


def utter_general_answer(
    dispatcher: CollectingDispatcher, entry_id: str, language: Language
) -> bool:
    """The general answer ``entry_id`` from the live catalogue in the conversation's
    ``language`` (e.g. before a login hint, for someone who is not logged in); False, and
    nothing said, when it is retired."""
    catalogue = get_catalogue()
    entry = catalogue.get(entry_id)
    if entry is None:
        return False
    utter_entry(dispatcher, entry, catalogue.revision, language)
    return True
