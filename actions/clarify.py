"""Two-stage fallback for a rules-only bot (instead of Rasa's action_two_stage_fallback).

Rasa's built-in two-stage fallback asks "Did you mean '<intent>'?" with ``/intent`` buttons and
repeats the affirmed message. That does not work for the retrieval intent ``faq`` (the button
``/faq`` carries no ``faq/<id>``, so there is no answer to give), its texts are English, and
its third stage only says ``utter_default``. This equivalent keeps the two stages but fits:

1. First failed understanding (``nlu_fallback``: the third answer tier of the classifier, or
   ``gibberish``): if the NLU's best guess is an FAQ answer or a known topic, say that the
   assistant is not sure and ask "Mente du: »<title>«?" with Ja/Nej buttons (``/affirm``,
   ``/deny``), remembering the guess in ``suggested_response`` (``faq/<id>`` for a catalogue
   entry, whose title comes from the live catalogue). Ja answers the guess; Nej asks to
   rephrase. No guess is offered when the catalogue answer was rejected because it lacks what the
   question asks for (a date, an amount, a legal basis: ``kk_answer.reason`` "does not fit"):
   then, as when there is no guess, the assistant says plainly that it does not know
   (``utter_dont_know``, the marker of an unanswered question) and how to reach a person.
   Keyboard mashing (``gibberish``) is asked to rephrase instead.
2. Second failed understanding in a row (a Nej in between does not count as understood):
   hand over to a human (phone line and opening status, actions/handover.py). A third failure
   starts over at stage one, a fourth hands over again, and so on.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.faq_catalogue import get_catalogue, selected_faq
from actions.faq_render import utter_general_answer
from actions.handover import utter_handover
from actions.language import conversation_language
from actions.source_answer import ANSWER_ATTRIBUTE
from kkshared.i18n import N_, _

FAILURE_INTENTS = {"nlu_fallback", "gibberish"}
# A "Nej" to a suggestion is not an understood message: the count goes on through it.
NEUTRAL_INTENTS = {"deny"}
SLOT = "suggested_response"
# The slot's value for a suggested catalogue answer: "faq/<entry id>".
SUGGESTED_FAQ = "faq/"
# Below this confidence the best guess is not worth suggesting.
# Below the FallbackClassifier's threshold (0.1) by construction: a guess this weak is still
# worth offering as a yes/no question.
MIN_SUGGESTION_CONFIDENCE = 0.03

# Topics (besides FAQ answers) worth suggesting: intent -> (what to run, Danish label).
SUGGESTABLE: dict[str, tuple[str, str]] = {
    "request_human": ("action_handover", N_("Du vil gerne i kontakt med en medarbejder")),
    "oos_municipal": (
        "utter_oos_municipal",
        N_("Et spørgsmål om fx parkering, affald eller skole"),
    ),
    "oos_health": ("utter_oos_health", N_("Et spørgsmål om sygdom eller helbred")),
    "oos_tax": ("utter_oos_tax", N_("Et spørgsmål om skat")),
    "oos_akasse": ("utter_oos_akasse", N_("Et spørgsmål om dagpenge eller a-kasse")),
    "ask_next_meeting": ("action_next_meeting", N_("Hvornår er din næste samtale?")),
    "ask_next_payment": ("action_next_payment", N_("Hvornår får du din næste udbetaling?")),
    "ask_plan": ("action_own_plan", N_("Hvad står der i din plan?")),
    "ask_caseworker": ("action_own_caseworker", N_("Hvem er din sagsbehandler?")),
    "ask_opening_hours": ("action_opening_hours", N_("Åbningstider og lukkedage")),
    "login_help": ("utter_login_help", N_("Hvordan logger jeg ind, og hvad kan jeg så?")),
    # Forms start from their own intent: "Ja" sends that intent as the button's payload.
    "report_absence": ("/report_absence", N_("Du vil melde fravær til en samtale eller et tilbud")),
    "request_reschedule": ("/request_reschedule", N_("Du vil bede om at få flyttet en samtale")),
    "message_caseworker": (
        "/message_caseworker",
        N_("Du vil skrive en besked til din sagsbehandler"),
    ),
}


def consecutive_failures(tracker: Tracker) -> int:
    """How many of the latest user messages in this session were not understood."""
    count = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            break
        if kind != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in FAILURE_INTENTS:
            count += 1
        elif intent in NEUTRAL_INTENTS:
            continue
        else:
            break
    return count


def best_guess(
    latest_message: dict[str, Any], domain: dict[str, Any], language: str = "da"
) -> tuple[str, str] | None:
    """(response or action to run, label) for the NLU's best real guess, if any. A catalogue
    entry's label is its title in ``language`` when it has one (else the Danish title); other
    labels are Danish, for the message catalogue to translate."""
    ranking = [
        r
        for r in latest_message.get("intent_ranking") or []
        if r.get("name") not in FAILURE_INTENTS
    ]
    if not ranking or (ranking[0].get("confidence") or 0.0) < MIN_SUGGESTION_CONFIDENCE:
        return None
    intent = ranking[0].get("name")
    if intent == "faq":
        # The entry's title in the live catalogue (actions/faq_catalogue.py); "Ja" answers it.
        entry_id = selected_faq(latest_message)
        entry = get_catalogue().get(entry_id) if entry_id else None
        translated = entry.translations.get(language) if entry is not None else None
        title = (translated or entry).title.strip() if entry is not None else ""
        return (f"{SUGGESTED_FAQ}{entry_id}", title) if title else None
    return SUGGESTABLE.get(intent)


class ActionClarify(Action):
    """Stage one: suggest or ask to rephrase. Stage two: hand over."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        failures = consecutive_failures(tracker)
        if failures >= 2 and failures % 2 == 0:
            await utter_handover(dispatcher, "utter_handover_after_fallback", language=language)
            return [SlotSet(SLOT, None)]
        latest = tracker.latest_message or {}
        misfit = (latest.get(ANSWER_ATTRIBUTE) or {}).get("reason") == "does not fit"
        guess = None if misfit else best_guess(latest, domain, language)
        if guess is None:
            if (latest.get("intent") or {}).get("name") == "gibberish":
                dispatcher.utter_message(response="utter_ask_rephrase")
            else:
                await utter_handover(dispatcher, "utter_dont_know", language=language)
            return [SlotSet(SLOT, None)]
        target, guess_label = guess
        label = _(guess_label, language)  # a catalogue title is not in the message catalogue
        if target.startswith("/"):  # an intent: "Ja" is that intent, handled by its own rules
            dispatcher.utter_message(
                response="utter_clarify_suggest_intent",
                suggestion=label,
                buttons=[
                    {"title": _("Ja", language), "payload": target},
                    {"title": _("Nej, noget andet", language), "payload": "/deny"},
                ],
            )
            return [SlotSet(SLOT, None)]
        dispatcher.utter_message(response="utter_clarify_suggest", suggestion=label)
        return [SlotSet(SLOT, target)]


class ActionAnswerSuggestion(Action):
    """The citizen said Ja to a suggestion: give that answer."""

    def name(self) -> str:
        return "action_answer_suggestion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        target = tracker.get_slot(SLOT)
        events: list[dict[str, Any]] = [SlotSet(SLOT, None)]
        if not target:
            dispatcher.utter_message(response="utter_affirm_ack")
        elif target.startswith((SUGGESTED_FAQ, "utter_faq/")):  # the latter: slots of before
            entry_id = target.split("/", 1)[1]
            language = conversation_language(tracker)
            if not utter_general_answer(dispatcher, entry_id, language):  # retired meanwhile
                await utter_handover(dispatcher, "utter_dont_know", language=language)
        elif target.startswith("utter_"):
            dispatcher.utter_message(response=target)
        else:
            events.append(FollowupAction(target))
        return events
