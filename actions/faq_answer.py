"""Tier 1: the catalogue answer, rendered from the live catalogue (``action_answer_faq``).

The classifier (bot/nlu/retrieval_classifier.py) picks the entry ``faq/<id>`` for the latest
message (``response_selector``) and says which catalogue revision it ranked against
(``kk_answer.revision``). This action sends that entry's answer from the action server's own copy
of the live catalogue (actions/faq_catalogue.py), in the shape the channels and the web chat
know: the answer as ``text`` and ``custom`` = ``{"source": {...}, "title": <entry title>}`` with
the source as a document title and date (``file`` + ``date`` for a seed document, ``name`` +
``url`` + ``date`` for a named external source). The bot event carries
``utter_action = "utter_faq/<id>"`` (what the job centre's analytics count as the answer given)
and the entry's version and revision.

An entry the copy does not know even after asking the case service (retired a moment ago) gets
the honest "don't know" of the answer tiers with where to ask, never another entry's answer.

In an English conversation (slot ``language`` = ``en``, issue 20) the entry's English version
(``translations["en"]``) is sent, with the same source; the source label reads "Source: <title>,
<date>" (``custom.source.label``; document titles stay as the documents are called). An entry
without an English version is sent in Danish after a short English note saying so.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq_catalogue import get_catalogue, ranked_revision, selected_faq
from actions.handover import utter_handover
from actions.language import conversation_language
from kkshared.catalogue import CatalogueEntry, EntrySource
from kkshared.i18n import Language
from kkshared.sources import GENERAL_LABEL, GENERAL_SOURCE, source_label

logger = logging.getLogger(__name__)

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
    dispatcher: CollectingDispatcher, entry_id: str, language: Language = "da"
) -> bool:
    """The general answer ``entry_id`` from the live catalogue (e.g. before a login hint, for
    someone who is not logged in); False, and nothing said, when it is retired."""
    catalogue = get_catalogue()
    entry = catalogue.get(entry_id)
    if entry is None:
        return False
    utter_entry(dispatcher, entry, catalogue.revision, language)
    return True


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        latest = tracker.latest_message or {}
        entry_id = selected_faq(latest)
        catalogue = get_catalogue()
        entry = None
        if entry_id is not None:
            entry = await catalogue.entry(entry_id, ranked_revision(latest))
        if entry is None:
            logger.warning(
                "catalogue answer %s not in revision %s: answered don't know",
                entry_id,
                catalogue.revision,
            )
            await utter_handover(dispatcher, "utter_dont_know")
            return []
        utter_entry(dispatcher, entry, catalogue.revision, conversation_language(tracker))
        return []
