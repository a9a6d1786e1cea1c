"""Sending a confirmed form to the case service and reading the reference out.

Every create carries an ``Idempotency-Key`` made from what is sent and the day. When the case
service does not answer in time, the bot cannot know whether the record was made; it says so and
asks the citizen to send again. The same form sent again that day has the same key, so the case
service answers with the first record's reference instead of making a second one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from abc import ABC, abstractmethod
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms.base import reset_events
from actions.identity import caller
from actions.language import conversation_language
from kkshared.case_service import (
    CaseServiceBadRequest,
    CaseServiceError,
    CaseServiceNotFound,
    CaseServiceUnavailable,
)
from kkshared.formatting import COPENHAGEN
from kkshared.i18n import N_, _

logger = logging.getLogger(__name__)

REFUSED = N_("Oplysningerne passer ikke længere (fx er samtalen aflyst eller datoen passeret).")
UNREACHABLE = N_("Jeg kan ikke komme i kontakt med jobcentrets system lige nu.")
NO_RECEIPT = N_("Jeg fik ikke en kvittering fra jobcentrets system.")


def submission_key(action_name: str, body: dict[str, Any], day: date) -> str:
    """The ``Idempotency-Key`` of a submission: equal for the same form sent the same day."""
    canonical = json.dumps([action_name, day.isoformat(), body], sort_keys=True, ensure_ascii=False)
    return "kk-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


class SubmitFormAction(Action, ABC):
    """Runs when a form is complete: sends it only after "ja" from a logged-in citizen, reads
    the reference out, and forgets the form's answers either way.

    Named after the form: the action ``action_submit_<form>``, the yes/no slot
    ``<form>_confirm``, the responses ``utter_<form>_sent`` (with {reference}),
    ``utter_<form>_not_sent`` (with {why}: certainly not sent) and ``utter_<form>_maybe_sent``
    (no answer in time, it may have arrived)."""

    form = ""
    slots: list[str] = []

    def name(self) -> str:
        return f"action_submit_{self.form}"

    @abstractmethod
    def body(self, tracker: Tracker) -> dict[str, Any] | None:
        """The request body from the form's slots; None when something is missing."""

    @abstractmethod
    async def create(
        self, subject: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        """Create the record in the case service."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = caller(tracker)
        language = conversation_language(tracker)
        body = self.body(tracker)
        confirmed = tracker.get_slot(f"{self.form}_confirm")
        if confirmed is not True or not who.is_citizen or body is None:
            dispatcher.utter_message(response="utter_form_nothing_sent")
            return reset_events(self.slots)
        done, failed = f"utter_{self.form}_sent", f"utter_{self.form}_not_sent"
        key = submission_key(self.name(), body, datetime.now(COPENHAGEN).date())
        try:
            created = await self.create(who.verified_subject(), body, key)
        except (CaseServiceBadRequest, CaseServiceNotFound) as error:
            # e.g. the meeting was cancelled meanwhile, or the date passed at midnight.
            logger.warning("form refused by the case service: %s", error)
            dispatcher.utter_message(response=failed, why=_(REFUSED, language))
        except CaseServiceUnavailable as error:
            logger.warning("form maybe not sent, case service unavailable: %s", error)
            if error.may_have_arrived:
                dispatcher.utter_message(response=f"utter_{self.form}_maybe_sent")
            else:
                dispatcher.utter_message(response=failed, why=_(UNREACHABLE, language))
        except CaseServiceError as error:
            logger.warning("form not sent: %s", type(error).__name__)
            dispatcher.utter_message(response=failed, why=_(UNREACHABLE, language))
        else:
            if created.get("reference"):
                dispatcher.utter_message(response=done, reference=created["reference"])
            else:
                dispatcher.utter_message(response=failed, why=_(NO_RECEIPT, language))
        return reset_events(self.slots)
