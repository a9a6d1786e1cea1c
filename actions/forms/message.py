"""Sending a message to the caseworker (``message_form``): ``message_text``, ``message_confirm``.

Creates ``POST /me/messages`` after "ja". Not over SMS (the reply would arrive elsewhere).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.client import get_client
from actions.forms.base import AskConfirmAction, KKFormValidation, looks_like_text
from actions.forms.start import StartFormAction
from actions.forms.submit import SubmitFormAction

SLOTS = ["message_text", "message_confirm"]
MAX_CHARS = 1000


class ActionStartMessage(StartFormAction):
    action_name = "action_start_message"
    general_faq = "contact_talk_to_person"
    needs_meetings = False
    sms_allowed = False

    def prefill(self, dispatcher, tracker, who, meetings):
        return [SlotSet(slot, None) for slot in SLOTS]


class ValidateMessageForm(KKFormValidation):
    def name(self) -> str:
        return "validate_message_form"

    def validate_message_text(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not looks_like_text(text, min_words=2):
            return self.reask(dispatcher, "utter_message_text_unclear", "message_text")
        if len(text) > MAX_CHARS:
            return self.reask(
                dispatcher, "utter_message_text_too_long", "message_text", max=MAX_CHARS
            )
        return {"message_text": text}

    def validate_message_confirm(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        return self.confirm("message_confirm", dispatcher, tracker)


class ActionAskMessageConfirm(AskConfirmAction):
    form = "message"

    def summary(self, tracker: Tracker, language: str) -> dict[str, Any]:
        return {"text_preview": tracker.get_slot("message_text") or ""}


class ActionSubmitMessage(SubmitFormAction):
    form = "message"
    slots = SLOTS

    def body(self, tracker: Tracker) -> dict[str, Any] | None:
        text = tracker.get_slot("message_text")
        return {"text": text} if text else None

    async def create(
        self, subject: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        return await get_client().create_message(subject, body, idempotency_key)
