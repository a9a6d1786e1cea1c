"""Sending a confirmed form to the case service and reading the reference out."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms.base import reset_events
from actions.identity import caller

from kkshared.case_service import (
    CaseServiceBadRequest,
    CaseServiceError,
    CaseServiceNotFound,
)

logger = logging.getLogger(__name__)


async def submit_created(
    dispatcher: CollectingDispatcher,
    create: Callable[[], Awaitable[Dict[str, Any]]],
    *,
    done: str,
    failed: str,
) -> bool:
    """Run ``create``; say ``done`` with the reference, or ``failed`` with why. True if created."""
    try:
        created = await create()
    except (CaseServiceBadRequest, CaseServiceNotFound) as error:
        # e.g. the meeting was cancelled meanwhile, or the date passed at midnight.
        logger.warning("form refused by the case service: %s", error)
        dispatcher.utter_message(response=failed, why="Oplysningerne passer ikke længere (fx er samtalen aflyst eller datoen passeret).")
        return False
    except CaseServiceError as error:
        logger.warning("form not sent, case service unavailable: %s", type(error).__name__)
        dispatcher.utter_message(response=failed, why="Jeg kan ikke komme i kontakt med jobcentrets system lige nu.")
        return False
    reference = created.get("reference")
    if not reference:
        dispatcher.utter_message(response=failed, why="Jeg fik ikke en kvittering fra jobcentrets system.")
        return False
    dispatcher.utter_message(response=done, reference=reference)
    return True


class SubmitFormAction(Action, ABC):
    """Runs when a form is complete: sends it only after "ja" from a logged-in citizen, reads
    the reference out, and forgets the form's answers either way."""

    action_name = ""
    confirm_slot = ""
    slots: List[str] = []
    done = ""
    failed = ""

    def name(self) -> Text:
        return self.action_name

    @abstractmethod
    def body(self, tracker: Tracker) -> Optional[Dict[str, Any]]:
        """The request body from the form's slots; None when something is missing."""

    @abstractmethod
    async def create(self, subject: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """Create the record in the case service."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        who = caller(tracker)
        body = self.body(tracker)
        if tracker.get_slot(self.confirm_slot) is not True or not who.is_citizen or body is None:
            dispatcher.utter_message(response="utter_form_nothing_sent")
            return reset_events(self.slots)
        await submit_created(dispatcher, lambda: self.create(who.subject, body),  # type: ignore[arg-type]
                             done=self.done, failed=self.failed)
        return reset_events(self.slots)
