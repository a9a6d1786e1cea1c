"""Session start: the AI notice, in the same reply as the answer to the first message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import session_caller
from actions.legal_mode import unseen_answer_messages, utter_all


class ActionSessionStart(Action):
    """Start a session with the notice that this is an automated assistant.

    No consent gate and no extra turn: Rasa runs this action before it handles the first message
    of a session, so the notice and the answer come back in one response. Slots are not carried
    over, and the client's session metadata is not stored.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = session_caller(tracker)
        dispatcher.utter_message(response="utter_ai_notice")
        # Caseworkers see the lawyers' answers to their earlier questions when they come back.
        utter_all(dispatcher, await unseen_answer_messages(who))
        return [SessionStarted(), ActionExecuted("action_listen")]
