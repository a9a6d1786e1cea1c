"""Cancelling a form: nothing is sent, and the form's answers are forgotten."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import absence, message, reschedule
from actions.forms.base import reset_events

ALL_FORM_SLOTS = absence.SLOTS + reschedule.SLOTS + message.SLOTS


class ActionCancelForm(Action):
    """Runs after ``action_deactivate_loop`` when the citizen writes "annuller", "glem det", ..."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_form_cancelled")
        return reset_events(ALL_FORM_SLOTS)
