"""After an FAQ answer: offer a logged-in citizen to do the thing the answer is about.

"hvordan melder jeg afbud" and "jeg er syg" overlap: the FAQ answers how absence is reported,
and for a logged-in citizen this action adds a button that starts the absence form (likewise
moving a meeting, messaging the caseworker, and the own-case answers). Anonymous users and staff
get nothing extra (the FAQ answer already says how to log in where it matters).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import caller

# FAQ entry -> (offer response, button title, payload of the intent that starts it)
OFFERS = {
    "absence_report_before_meeting": ("utter_offer_absence", "Meld fravær nu", "/report_absence"),
    "absence_sick_report": ("utter_offer_absence", "Meld fravær nu", "/report_absence"),
    "absence_from_offer": ("utter_offer_absence", "Meld fravær nu", "/report_absence"),
    "meeting_reschedule": ("utter_offer_reschedule", "Bed om at flytte en samtale", "/request_reschedule"),
    "contact_talk_to_person": ("utter_offer_message", "Skriv til din sagsbehandler", "/message_caseworker"),
    "plan_min_plan_what": ("utter_offer_plan", "Vis min plan", "/ask_plan"),
    "benefit_kontanthjaelp_payment": ("utter_offer_payment", "Vis min næste udbetaling", "/ask_next_payment"),
}


def selected_faq(tracker: Tracker) -> Optional[str]:
    """The FAQ entry id the NLU picked for the latest message (``faq/<id>`` -> ``<id>``)."""
    selector = (tracker.latest_message or {}).get("response_selector") or {}
    key = ((selector.get("faq") or {}).get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[1] if key.startswith("faq/") else None


class ActionFaqFollowup(Action):
    def name(self) -> Text:
        return "action_faq_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        offer = OFFERS.get(selected_faq(tracker) or "")
        who = caller(tracker)
        if offer is None or not who.is_citizen:
            return []
        if who.over_sms and offer[2] in ("/message_caseworker", "/ask_plan"):
            return []
        response, title, payload = offer
        dispatcher.utter_message(response=response, buttons=[{"title": title, "payload": payload}])
        return []
