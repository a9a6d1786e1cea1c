"""Asking to move a meeting (``reschedule_form``).

Slots: ``reschedule_meeting`` (id of one of the citizen's upcoming meetings),
``reschedule_reason`` (free text), ``reschedule_times`` (preferred times as free text, or
"ingen"), ``reschedule_confirm``. Creates ``POST /me/reschedule-requests`` after "ja".
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions.client import get_client
from actions.forms.base import (
    AskConfirmAction,
    KKFormValidation,
    day_in,
    latest_text,
    looks_like_text,
    meeting_by_id,
    meeting_choice_buttons,
    offered_meetings,
    pick_meeting,
)
from actions.forms.start import StartFormAction
from actions.forms.submit import SubmitFormAction
from actions.identity import Caller
from kkshared.i18n import N_, _
from kkshared.normalize import fold

SLOTS = ["reschedule_meeting", "reschedule_reason", "reschedule_times", "reschedule_confirm"]
NO_PREFERENCE = N_("ingen særlige ønsker")
_NO_PREFERENCE = re.compile(
    r"^(ingen|nej|ved ikke|lige meget|ligegyldigt|hvornår som helst|alle|ikke noget|"
    r"none|no preference|any time|anytime|whenever)\b"
)
_SPLIT = re.compile(r"\s*(?:,|;|\beller\b|\bog\b|\n)\s*")


class ActionStartReschedule(StartFormAction):
    action_name = "action_start_reschedule"
    general_faq = "meeting_reschedule"

    def prefill(self, dispatcher, tracker, who: Caller, meetings):
        if not meetings:
            dispatcher.utter_message(response="utter_own_no_meeting")
            return None
        events: list[dict[str, Any]] = [SlotSet(slot, None) for slot in SLOTS]
        day = day_in(latest_text(tracker))
        if day is not None:
            on_day = [m for m in meetings if m["day"] == day.isoformat()]
            if len(on_day) == 1:
                events.append(SlotSet("reschedule_meeting", on_day[0]["id"]))
        return events


class ValidateRescheduleForm(KKFormValidation):
    def name(self) -> str:
        return "validate_reschedule_form"

    def validate_reschedule_meeting(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        if meeting_by_id(tracker, value) is not None:
            return {"reschedule_meeting": value}
        text = str(value or "")
        chosen = pick_meeting(text, offered_meetings(tracker))
        if chosen is not None:
            return {"reschedule_meeting": chosen["id"]}
        return self.no_meeting_named(
            dispatcher, tracker, text, "reschedule_meeting", "utter_reschedule_no_meeting_that_day"
        )

    def validate_reschedule_reason(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not looks_like_text(text):
            return self.reask(dispatcher, "utter_form_reason_unclear", "reschedule_reason")
        return {"reschedule_reason": text}

    def validate_reschedule_times(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if _NO_PREFERENCE.match(fold(text.lower())):
            return {"reschedule_times": NO_PREFERENCE}
        if not (looks_like_text(text) or day_in(text) is not None or re.search(r"\d", text)):
            return self.reask(dispatcher, "utter_reschedule_times_unclear", "reschedule_times")
        return {"reschedule_times": text}

    def validate_reschedule_confirm(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        chosen = pick_meeting(text, offered_meetings(tracker)) if day_in(text) else None
        if chosen is not None:  # "nej, det er samtalen på fredag"
            return {"reschedule_meeting": chosen["id"], "reschedule_confirm": None}
        return self.confirm("reschedule_confirm", dispatcher, tracker)


def preferred_times(value: Any) -> list[str]:
    if not isinstance(value, str) or value == NO_PREFERENCE:
        return []
    parts = [p.strip() for p in _SPLIT.split(value) if p and p.strip()]
    return [p[:200] for p in parts][:10] or [value[:200]]


class ActionAskRescheduleMeeting(Action):
    def name(self) -> str:
        return "action_ask_reschedule_meeting"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(
            response="utter_ask_reschedule_meeting",
            buttons=meeting_choice_buttons(offered_meetings(tracker)),
        )
        return []


class ActionAskRescheduleConfirm(AskConfirmAction):
    form = "reschedule"

    def summary(self, tracker: Tracker, language: str) -> dict[str, Any]:
        meeting = meeting_by_id(tracker, tracker.get_slot("reschedule_meeting")) or {}
        return {
            "meeting": meeting.get("description", ""),
            "reason": tracker.get_slot("reschedule_reason") or "",
            "times": _(tracker.get_slot("reschedule_times") or NO_PREFERENCE, language),
        }


class ActionSubmitReschedule(SubmitFormAction):
    form = "reschedule"
    slots = SLOTS

    def body(self, tracker: Tracker) -> dict[str, Any] | None:
        meeting = meeting_by_id(tracker, tracker.get_slot("reschedule_meeting"))
        if meeting is None:
            return None
        return {
            "meeting_id": meeting["id"],
            "reason": tracker.get_slot("reschedule_reason") or "",
            "preferred_times": preferred_times(tracker.get_slot("reschedule_times")),
        }

    async def create(
        self, subject: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        return await get_client().create_reschedule_request(subject, body, idempotency_key)
