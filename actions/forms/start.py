"""Starting a form: only for logged-in citizens, and only when the case service answers.

A start action checks the caller, loads the citizen's meetings when the form needs them, fills what
the first message already said (e.g. "jeg er syg i morgen" → the meeting tomorrow), and sets
``form_ready``; the rules (bot/data/rules/forms.yml) start the form only when it is true. Anonymous
users get the general answer plus how to log in; staff are told this is for citizens; a case service
that is down gets a Danish message and no form is started.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import get_client
from actions.forms.base import OFFERED_MEETINGS, offer_meetings
from actions.identity import Caller, caller
from actions.language import conversation_language
from actions.own_case import utter_case_service_problem, utter_not_own_case
from kkshared.case_service import CaseServiceError

logger = logging.getLogger(__name__)

# Featurised slot: the rules start the form after a start action only when it is true.
FORM_READY = "form_ready"
NOT_READY = SlotSet(FORM_READY, False)


class StartFormAction(Action, ABC):
    """Base: subclasses name the form, the general answer, and what to prefill."""

    action_name = ""
    general_faq: str | None = None
    needs_meetings = True
    sms_allowed = True

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = caller(tracker)
        if utter_not_own_case(dispatcher, who, self.general_faq, conversation_language(tracker)):
            return [NOT_READY]
        if who.over_sms and not self.sms_allowed:
            dispatcher.utter_message(response="utter_own_sms_web_only")
            return [NOT_READY]
        meetings: list[dict[str, Any]] = []
        if self.needs_meetings:
            try:
                upcoming = await get_client().upcoming_meetings(who.verified_subject())
                meetings = offer_meetings(upcoming, conversation_language(tracker))
            except CaseServiceError as error:
                utter_case_service_problem(dispatcher, error)
                return [NOT_READY]
        events = self.prefill(dispatcher, tracker, who, meetings)
        if events is None:  # nothing to do (the prefill said why)
            return [NOT_READY]
        return [SlotSet(OFFERED_MEETINGS, meetings), *events, SlotSet(FORM_READY, True)]

    @abstractmethod
    def prefill(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        who: Caller,
        meetings: list[dict[str, Any]],
    ) -> list[dict[str, Any]] | None:
        """Slot events from the first message; None to not start the form."""
