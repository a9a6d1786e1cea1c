"""Reporting absence or sickness for a meeting or an offer (``absence_form``).

Slots: ``absence_target`` (a meeting id or ``"offer"``), ``absence_date`` (ISO date; asked
only for an offer — a meeting has its own date), ``absence_reason`` (free text, PII already
masked by the channel and again by the case service), ``absence_kind`` (sygdom/andet, derived),
``absence_confirm``. Creates ``POST /me/absence-reports`` only after "ja" to the summary.
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
    day_problem,
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
from actions.language import conversation_language
from kkshared.formatting import format_date, parse_day
from kkshared.i18n import _
from kkshared.normalize import fold

OFFER = "offer"
SLOTS = ["absence_target", "absence_date", "absence_reason", "absence_kind", "absence_confirm"]
_SICK = re.compile(
    r"\b(syg\w*|sygdom\w*|feber|influenza|forkølet|forkolet|corona|covid\w*|ondt|"
    r"kaster op|migræne|hospital\w*|indlagt)\b"
)
_OFFER_WORDS = re.compile(
    r"\b(tilbud\w*|aktivitet\w*|aktivering\w*|praktik\w*|kursus\w*|forløb\w*|forlob\w*|offer|activity|course|"
    r"job ?træning|nytteindsats\w*)\b"
)


def is_sickness(text: str) -> bool:
    return bool(_SICK.search(fold(text.lower())) or _SICK.search(text.lower()))


def names_offer(text: str) -> bool:
    lowered = text.lower()
    return bool(_OFFER_WORDS.search(lowered) or _OFFER_WORDS.search(fold(lowered)))


class ActionStartAbsence(StartFormAction):
    action_name = "action_start_absence"
    general_faq = "absence_report_before_meeting"

    def prefill(self, dispatcher, tracker, who: Caller, meetings):
        text = latest_text(tracker)
        events: list[dict[str, Any]] = [SlotSet(slot, None) for slot in SLOTS]
        day = day_in(text)
        if day is not None and day_problem(day) is None:
            on_day = [m for m in meetings if m["day"] == day.isoformat()]
            if len(on_day) == 1:
                events.append(SlotSet("absence_target", on_day[0]["id"]))
            elif not on_day and (names_offer(text) or not meetings):
                events += [
                    SlotSet("absence_target", OFFER),
                    SlotSet("absence_date", day.isoformat()),
                ]
        elif not meetings:
            events.append(SlotSet("absence_target", OFFER))
        if is_sickness(text):
            events += [SlotSet("absence_reason", text), SlotSet("absence_kind", "sygdom")]
        return events


class ValidateAbsenceForm(KKFormValidation):
    def name(self) -> str:
        return "validate_absence_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        slots = list(domain_slots)
        if tracker.get_slot("absence_target") not in (None, OFFER):
            slots.remove("absence_date")
        return slots

    def validate_absence_target(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        meetings = offered_meetings(tracker)
        if value == OFFER or meeting_by_id(tracker, value) is not None:
            return {"absence_target": value}
        text = str(value or "")
        chosen = pick_meeting(text, meetings)
        if chosen is not None:
            return {"absence_target": chosen["id"]}
        if names_offer(text):
            result: dict[str, Any] = {"absence_target": OFFER}
            day = day_in(text)
            if day is not None and day_problem(day) is None:
                result["absence_date"] = day.isoformat()
            return result
        return self.no_meeting_named(
            dispatcher, tracker, text, "absence_target", "utter_absence_no_meeting_that_day"
        )

    def validate_absence_date(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        day = parse_day(value) or day_in(str(value or ""))
        if day is None:
            return self.reask(dispatcher, "utter_form_date_unclear", "absence_date")
        problem = day_problem(day)
        if problem:
            return self.reask(dispatcher, problem, "absence_date")
        return {"absence_date": day.isoformat()}

    def validate_absence_reason(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not looks_like_text(text):
            return self.reask(dispatcher, "utter_form_reason_unclear", "absence_reason")
        return {"absence_reason": text, "absence_kind": "sygdom" if is_sickness(text) else "andet"}

    def validate_absence_confirm(
        self, value: Any, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        # A new day instead of yes/no is a correction: "nej, det er fredag".
        text = latest_text(tracker)
        day = day_in(text)
        if day is not None:
            corrected = self.validate_absence_target(text, dispatcher, tracker, domain)
            if corrected.get("absence_target"):
                if corrected["absence_target"] == OFFER and "absence_date" not in corrected:
                    corrected["absence_date"] = (
                        day.isoformat() if day_problem(day) is None else None
                    )
                return {**corrected, "absence_confirm": None}
            return {"absence_confirm": None}
        return self.confirm("absence_confirm", dispatcher, tracker)


def describe_target(tracker: Tracker) -> str:
    target = tracker.get_slot("absence_target")
    meeting = meeting_by_id(tracker, target)
    if meeting is not None:
        return str(meeting["description"])
    language = conversation_language(tracker)
    day = parse_day(tracker.get_slot("absence_date"))
    if day:
        return _("dit tilbud eller din aktivitet {day}", language).format(
            day=format_date(day, language)
        )
    return _("dit tilbud eller din aktivitet", language)


class ActionAskAbsenceTarget(Action):
    def name(self) -> str:
        return "action_ask_absence_target"

    async def run(self, dispatcher, tracker, domain):
        meetings = offered_meetings(tracker)
        buttons = meeting_choice_buttons(meetings) + [
            {
                "title": _("Et tilbud eller en aktivitet", conversation_language(tracker)),
                "payload": "tilbud",
            }
        ]
        dispatcher.utter_message(response="utter_ask_absence_target", buttons=buttons)
        return []


class ActionAskAbsenceConfirm(AskConfirmAction):
    form = "absence"

    def summary(self, tracker: Tracker, language: str) -> dict[str, Any]:
        return {
            "what": describe_target(tracker),
            "reason": tracker.get_slot("absence_reason") or "",
        }


class ActionSubmitAbsence(SubmitFormAction):
    form = "absence"
    slots = SLOTS

    def body(self, tracker: Tracker) -> dict[str, Any] | None:
        meeting = meeting_by_id(tracker, tracker.get_slot("absence_target"))
        day = parse_day(meeting["day"] if meeting else tracker.get_slot("absence_date"))
        if day is None:
            return None
        return {
            "meeting_id": meeting["id"] if meeting else None,
            "date": day.isoformat(),
            "reason": tracker.get_slot("absence_reason") or "",
            "kind": tracker.get_slot("absence_kind") or "andet",
        }

    async def create(
        self, subject: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        return await get_client().create_absence_report(subject, body, idempotency_key)
