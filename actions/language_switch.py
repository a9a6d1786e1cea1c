"""The language switch: "ENGLISH" / "DANSK" by SMS, the web chat's button, "can you answer in
English" (the intent ``set_language``; its entity has set the ``language`` slot already).

The confirmation comes in the new language. For a logged-in citizen (the web chat's kk channel,
or an SMS from a number the case service knows with a login) the choice is also kept in the case
service (``PUT /me/language`` with the verified subject), so their SMS reminders are written in it
(``bot/reminders/job.py``; docs/english.md). Anonymous callers and staff only switch the
conversation. A case service that cannot store it does not stop the switch (logged).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.client import get_client
from actions.identity import caller
from actions.language import conversation_language
from kkshared.case_service import CaseServiceError

logger = logging.getLogger(__name__)


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_language_set")
        who = caller(tracker)
        if who.is_citizen:
            language = conversation_language(tracker)
            try:
                await get_client().set_preferred_language(who.verified_subject(), language)
            except CaseServiceError as error:
                logger.warning("language choice not stored: %s", type(error).__name__)
        return []
