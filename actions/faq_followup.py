"""After a catalogue answer (``action_answer_faq`` calls ``follow_up`` in the same action: one
action call per FAQ turn): help a logged-in citizen with their own case right away.

"hvordan melder jeg afbud" and "jeg er syg" overlap: the FAQ answers how absence is reported, and
for a logged-in citizen this action adds a button that starts the absence form (likewise moving a
meeting and messaging the caseworker). After the general answers on payment dates, Min Plan and how
meetings are held (in person, phone, video) it adds the citizen's own next payment, plan or meeting
directly: "skal jeg møde op til min samtale?" is answered by both. Anonymous users and staff get
nothing extra.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq_catalogue import selected_faq
from actions.identity import caller
from actions.language import conversation_language
from actions.own_case import (
    ActionNextMeeting,
    ActionNextPayment,
    ActionPlan,
    utter_case_service_problem,
)
from kkshared.case_service import CaseServiceError
from kkshared.i18n import N_, _

# FAQ entry -> (offer response, button title, payload of the intent that starts it)
OFFERS = {
    "absence_report_before_meeting": (
        "utter_offer_absence",
        N_("Meld fravær nu"),
        "/report_absence",
    ),
    "absence_sick_report": ("utter_offer_absence", N_("Meld fravær nu"), "/report_absence"),
    "absence_from_offer": ("utter_offer_absence", N_("Meld fravær nu"), "/report_absence"),
    "meeting_reschedule": (
        "utter_offer_reschedule",
        N_("Bed om at flytte en samtale"),
        "/request_reschedule",
    ),
    "contact_talk_to_person": (
        "utter_offer_message",
        N_("Skriv til din sagsbehandler"),
        "/message_caseworker",
    ),
}
# FAQ entry -> the own-case answer given right after it (reading is harmless; acting needs a click).
DIRECT = {
    "benefit_kontanthjaelp_payment": ActionNextPayment,
    "plan_min_plan_what": ActionPlan,
    "plan_jobplan_is_min_plan": ActionPlan,
    "plan_new_plan_delivery": ActionPlan,
    "plan_min_plan_language": ActionPlan,
    "meeting_personal_attendance": ActionNextMeeting,
    "meeting_what_is_jobsamtale": ActionNextMeeting,
    "meeting_phone_while_in_offer": ActionNextMeeting,
    "meeting_other_way": ActionNextMeeting,
    "meeting_video": ActionNextMeeting,
}


async def follow_up(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After the catalogue answer (``action_answer_faq``, same turn): a logged-in citizen's own
    data or a button that starts the matching form; nothing for anyone else."""
    entry = selected_faq(tracker.latest_message or {}) or ""
    who = caller(tracker)
    if not who.is_citizen:
        return
    direct = DIRECT.get(entry)
    if direct is not None:
        try:
            await direct().answer(dispatcher, who, conversation_language(tracker))
        except CaseServiceError as error:
            utter_case_service_problem(dispatcher, error)
        return
    offer = OFFERS.get(entry)
    if offer is None:
        return
    if who.over_sms and offer[2] == "/message_caseworker":
        return
    response, title, payload = offer
    title = _(title, conversation_language(tracker))
    dispatcher.utter_message(response=response, buttons=[{"title": title, "payload": payload}])
