"""SMS reminders of meetings (issue 19; docs/reminders.md): the reminder and the citizen's answers.

- ``action_meeting_reminder`` / ``action_closure_alert`` run on the reminder job's external events
  (``EXTERNAL_meeting_reminder`` / ``EXTERNAL_closure_alert`` through Rasa's ``trigger_intent``).
  The job gives the meeting's id, time and place as entities; nothing is looked up here, so no
  identity is needed. The reminder offers three buttons whose payloads carry the meeting's id;
  over SMS they are the answers "1", "2" and "3".
- The answers act for the citizen the SMS channel identified (the verified metadata of the
  answer, ``actions.identity``), never for an id in the message: the case service checks that
  the meeting is the caller's own (404 otherwise).
  - ``1`` (``reminder_confirm``): the confirmation is recorded (``PUT /me/meetings/{id}/
    confirmation``);
  - ``2`` (``reminder_cannot_attend``): the absence form starts for *that* meeting (the reason is
    asked next; the reference number comes when it is sent), and the answer is recorded;
  - ``3`` (``reminder_new_time``): the reschedule request starts for that meeting, likewise.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import get_client
from actions.forms import absence, reschedule
from actions.forms.start import FORM_READY, StartFormAction
from actions.identity import Caller, caller
from actions.language import conversation_language
from actions.own_case import utter_case_service_problem
from kkshared import reminders
from kkshared.case_service import CaseServiceBadRequest, CaseServiceError, CaseServiceNotFound
from kkshared.i18n import N_, _

logger = logging.getLogger(__name__)

CHOICES = (
    (N_("Bekræft"), "reminder_confirm"),
    (N_("Jeg kan ikke komme"), "reminder_cannot_attend"),
    (N_("Bed om en ny tid"), "reminder_new_time"),
)


def entity(tracker: Tracker, name: str) -> str | None:
    """The latest message's entity ``name`` (the job's, or the payload of a button)."""
    for item in (tracker.latest_message or {}).get("entities") or []:
        if isinstance(item, dict) and item.get("entity") == name:
            value = item.get("value")
            return str(value) if isinstance(value, (str, int)) and str(value) else None
    return None


def payload(intent: str, meeting_id: str) -> str:
    return f"/{intent}{json.dumps({'meeting_id': meeting_id}, separators=(',', ':'))}"


class ActionMeetingReminder(Action):
    def name(self) -> str:
        return "action_meeting_reminder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        meeting_id = entity(tracker, "meeting_id")
        when, where = entity(tracker, "reminder_when"), entity(tracker, "reminder_where")
        if not (meeting_id and when and where):
            logger.warning("meeting reminder without meeting, time or place: nothing said")
            return []
        language = conversation_language(tracker)
        dispatcher.utter_message(
            response="utter_meeting_reminder",
            when=when,
            where=where,
            buttons=[
                {"title": _(t, language), "payload": payload(i, meeting_id)} for t, i in CHOICES
            ],
        )
        return []


class ActionClosureAlert(Action):
    def name(self) -> str:
        return "action_closure_alert"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        when = entity(tracker, "reminder_when")
        if not when:
            return []
        dispatcher.utter_message(response="utter_closure_alert", when=when)
        return []


async def record_answer(who: Caller, meeting_id: str, answer: str) -> None:
    """Record the answer in the case service (raises ``CaseServiceError``)."""
    assert who.subject is not None
    channel = "sms" if who.over_sms else "chat"
    await reminders.answer_meeting(get_client(), who.subject, meeting_id, answer, channel)


class ActionReminderConfirm(Action):
    def name(self) -> str:
        return "action_reminder_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = caller(tracker)
        meeting_id = entity(tracker, "meeting_id")
        if not who.is_citizen or meeting_id is None:
            dispatcher.utter_message(response="utter_reminder_unknown_number")
            return []
        try:
            await record_answer(who, meeting_id, reminders.CONFIRMED)
        except (CaseServiceNotFound, CaseServiceBadRequest):
            dispatcher.utter_message(response="utter_reminder_meeting_gone")
            return []
        except CaseServiceError as error:
            utter_case_service_problem(dispatcher, error)
            return []
        dispatcher.utter_message(response="utter_reminder_confirmed")
        return []


class _ReminderFormStart(StartFormAction):
    """Mixin for the form start actions: the reminded meeting is the form's meeting, and the
    answer is recorded once the form starts."""

    answer = ""
    meeting_slot = ""
    slots: list[str] = []

    def prefill(self, dispatcher, tracker, who: Caller, meetings):
        meeting_id = entity(tracker, "meeting_id")
        if meeting_id is None or meeting_id not in {m["id"] for m in meetings}:
            dispatcher.utter_message(response="utter_reminder_meeting_gone")
            return None
        return [SlotSet(slot, None) for slot in self.slots] + [
            SlotSet(self.meeting_slot, meeting_id)
        ]

    async def run(self, dispatcher, tracker, domain):
        events = await super().run(dispatcher, tracker, domain)
        started = any(e.get("name") == FORM_READY and e.get("value") is True for e in events)
        meeting_id = entity(tracker, "meeting_id")
        if started and meeting_id:
            try:
                await record_answer(caller(tracker), meeting_id, self.answer)
            except CaseServiceError as error:  # the form is what matters; the note can wait
                logger.warning("reminder answer not recorded (%s)", type(error).__name__)
        return events


class ActionReminderAbsence(_ReminderFormStart, absence.ActionStartAbsence):
    action_name = "action_reminder_absence"
    answer = reminders.CANNOT_ATTEND
    meeting_slot = "absence_target"
    slots = absence.SLOTS


class ActionReminderReschedule(_ReminderFormStart, reschedule.ActionStartReschedule):
    action_name = "action_reminder_reschedule"
    answer = reminders.NEW_TIME
    meeting_slot = "reschedule_meeting"
    slots = reschedule.SLOTS
