"""What all forms share: validation helpers, the yes/no confirmation, choosing a meeting.

Style after RasaHQ/financial-demo's ``custom_forms.py``: one validation base class, so every
form answers bad input the same way — a clear Danish re-prompt, never a crash, and nothing is
sent to the case service before the citizen confirmed.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import meeting_text
from actions.language import conversation_language
from kkshared.case_models import Meeting
from kkshared.dates import find_day
from kkshared.formatting import COPENHAGEN, format_date
from kkshared.i18n import N_, _
from kkshared.lexicon import is_known_word
from kkshared.normalize import fold

# Slot with the meetings the form offered: [{"id", "label", "day"}] (ids are not personal data).
OFFERED_MEETINGS = "form_meetings"
MAX_CHOICES = 4
MAX_DAYS_AHEAD = 365

# The buttons under every summary ("Skal jeg sende den?"); titles in the conversation's language.
CONFIRM_BUTTONS = [
    {"title": N_("Ja, send"), "payload": "/affirm"},
    {"title": N_("Nej"), "payload": "/deny"},
]


def confirm_buttons(language: str = "da") -> list[dict[str, str]]:
    return [{**button, "title": _(button["title"], language)} for button in CONFIRM_BUTTONS]


YES_WORDS = {
    "ja",
    "jo",
    "jep",
    "jeps",
    "ok",
    "okay",
    "send",
    "yes",
    "javel",
    "gerne",
    "korrekt",
    "rigtigt",
}
NO_WORDS = {"nej", "nope", "no", "ikke", "nej tak"}
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def today() -> date:
    return datetime.now(COPENHAGEN).date()


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def yes_or_no(tracker: Tracker) -> bool | None:
    """True for yes, False for no, None when the answer is neither."""
    intent = latest_intent(tracker)
    if intent == "affirm":
        return True
    if intent in ("deny", "cancel"):
        return False
    return yes_or_no_text(latest_text(tracker))


def looks_like_text(value: Any, min_words: int = 1) -> bool:
    """True when ``value`` contains at least ``min_words`` real (Danish) words, not "hdfjk"."""
    if not isinstance(value, str):
        return False
    words = [w for w in _WORD.findall(value) if is_known_word(w)]
    return len(words) >= min_words


def day_in(text: str) -> date | None:
    match = find_day(text, today())
    return match.day if match is not None else None


def day_problem(day: date) -> str | None:
    """The response explaining why ``day`` cannot be used, or None when it is fine."""
    if day < today():
        return "utter_form_date_past"
    if (day - today()).days > MAX_DAYS_AHEAD:
        return "utter_form_date_too_far"
    return None


def offered_meetings(tracker: Tracker) -> list[dict[str, Any]]:
    value = tracker.get_slot(OFFERED_MEETINGS)
    return (
        [m for m in value if isinstance(m, dict) and m.get("id")] if isinstance(value, list) else []
    )


def offer_meetings(meetings: list[Meeting], language: str = "da") -> list[dict[str, Any]]:
    """The slot value for the first few upcoming meetings (each has a start: ``upcoming``);
    labels and descriptions in the conversation's ``language``."""
    chosen = meeting_text.upcoming(meetings)[:MAX_CHOICES]
    return [
        {
            "id": m.id,
            "label": meeting_text.choice_label(m, language),
            "day": m.day.isoformat() if m.day else "",
            "description": meeting_text.full_description(m, language),
        }
        for m in chosen
    ]


def meeting_choice_buttons(meetings: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"title": m["label"], "payload": str(i)} for i, m in enumerate(meetings, start=1)]


def pick_meeting(text: str, meetings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The offered meeting ``text`` names: its number ("1"), its day ("fredag", "24.11"),
    or its label. None when it names none or is ambiguous."""
    stripped = text.strip().strip(".")
    if stripped.isdigit():
        index = int(stripped)
        return meetings[index - 1] if 1 <= index <= len(meetings) else None
    for meeting in meetings:
        if fold(meeting["label"].lower()) == fold(stripped.lower()):
            return meeting
    day = day_in(text)
    if day is not None:
        on_day = [m for m in meetings if m.get("day") == day.isoformat()]
        if len(on_day) == 1:
            return on_day[0]
    if len(meetings) == 1 and yes_or_no_text(text) is True:
        return meetings[0]
    return None


def yes_or_no_text(text: str) -> bool | None:
    """ "ja ..." is yes (unless a "nej" follows), "nej ..." is no, anything else None."""
    words = fold(text.lower()).strip(" .!").split()
    if not words:
        return None
    if words[0] in YES_WORDS and not any(w in NO_WORDS for w in words[1:]):
        return True
    if words[0] in NO_WORDS:
        return False
    return None


def meeting_by_id(tracker: Tracker, meeting_id: Any) -> dict[str, Any] | None:
    for meeting in offered_meetings(tracker):
        if meeting["id"] == meeting_id:
            return meeting
    return None


class KKFormValidation(FormValidationAction):
    """Base for the forms' validation actions (``validate_<form>``)."""

    @abstractmethod
    def name(self) -> str:
        """``validate_<form name>``."""

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Validate the answers given this turn. Slots our own actions just emptied (value
        None) are not answers and are not validated (rasa-sdk would validate them too)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        updates: dict[str, Any] = {}
        for slot, value in tracker.slots_to_validate().items():
            if slot not in required or value is None:
                continue
            method = getattr(self, f"validate_{slot}", None)
            if method is None:
                updates[slot] = value
                continue
            result = method(value, dispatcher, tracker, domain)
            if hasattr(result, "__await__"):
                result = await result
            updates.update(result)
            tracker.slots.update(result)
        return [SlotSet(slot, value) for slot, value in updates.items()]

    def reask(
        self, dispatcher: CollectingDispatcher, response: str, slot: str, **kwargs: Any
    ) -> dict[str, Any]:
        """Explain what was wrong and leave ``slot`` empty, so the form asks again."""
        dispatcher.utter_message(response=response, **kwargs)
        return {slot: None}

    def no_meeting_named(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        text: str,
        slot: str,
        no_meeting_that_day: str,
    ) -> dict[str, Any]:
        """The answer names none of the offered meetings: a day without one gets
        ``no_meeting_that_day`` (with that day), anything else "not understood"; the slot stays
        empty, so the form asks again."""
        day = day_in(text)
        if day is None:
            return self.reask(dispatcher, "utter_form_choice_unclear", slot)
        shown = format_date(day, conversation_language(tracker))
        return self.reask(dispatcher, no_meeting_that_day, slot, day=shown)

    def confirm(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The yes/no answer to the summary; anything else asks again."""
        answer = yes_or_no(tracker)
        if answer is None:
            return self.reask(dispatcher, "utter_form_confirm_unclear", slot)
        return {slot: answer}


class AskConfirmAction(Action, ABC):
    """``action_ask_<form>_confirm``: the summary of what will be sent (the response
    ``utter_ask_<form>_confirm`` filled with ``summary``) under the yes/no buttons."""

    form = ""

    def name(self) -> str:
        return f"action_ask_{self.form}_confirm"

    @abstractmethod
    def summary(self, tracker: Tracker, language: str) -> dict[str, Any]:
        """The response's values, in the conversation's ``language``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        dispatcher.utter_message(
            response=f"utter_ask_{self.form}_confirm",
            **self.summary(tracker, language),
            buttons=confirm_buttons(language),
        )
        return []


def reset_events(slots: list[str]) -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in slots] + [SlotSet(OFFERED_MEETINGS, None)]
