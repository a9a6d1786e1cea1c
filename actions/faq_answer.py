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

When the classifier found a source passage that covers the question too (``kk_answer.support``,
Danish questions only), it follows the answer as a quote with its document and date
(``utter_source_support``; not over SMS, where the answer stays alone).

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
from actions.faq_followup import follow_up
from actions.faq_render import utter_entry
from actions.handover import utter_handover
from actions.identity import caller
from actions.language import conversation_language
from actions.source_answer import support_passage, utter_passage

logger = logging.getLogger(__name__)


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
        language = conversation_language(tracker)
        utter_entry(dispatcher, entry, catalogue.revision, language)
        support = support_passage(latest)
        # SMS stays short: the answer alone (every segment is paid and read on a phone).
        if support is not None and language == "da" and not caller(tracker).over_sms:
            utter_passage(dispatcher, support)
        await follow_up(dispatcher, tracker)
        return []
