"""Answers about the logged-in citizen's own case: next meeting, next payment, plan, caseworker.

Who is asking comes only from ``actions.identity.caller`` (verified by the channel on this
turn). Anonymous users get the general answer from the FAQ plus how to log in; staff are told
that this is for citizens. Over SMS only the next meeting's date, time and place and whether a
payment is scheduled are given — never amounts or plan content — with a pointer to the web chat.
When the case service is down or slow, a Danish message comes back within ~2.5 s.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import meeting_text
from actions.client import get_client
from actions.faq_render import utter_general_answer
from actions.identity import Caller, caller
from actions.language import conversation_language
from kkshared.case_models import PlanItem
from kkshared.case_service import (
    CaseServiceError,
    CaseServiceNotFound,
    CaseServiceUnauthorized,
)
from kkshared.formatting import format_amount, format_date, format_datetime
from kkshared.i18n import N_, Language, _

logger = logging.getLogger(__name__)

MAX_PLAN_ITEMS = 6
PLAN_KIND_LABELS = {"goal": N_("Mål"), "activity": N_("Aktivitet"), "deadline": N_("Frist")}
OTHER_PLAN_ITEM = N_("Punkt")


def utter_not_own_case(
    dispatcher: CollectingDispatcher, who: Caller, general: str | None, language: Language
) -> bool:
    """For callers who are not a logged-in citizen: the general answer (in the conversation's
    ``language``) and what to do.

    Returns True when it answered (the caller is not a logged-in citizen).
    """
    if who.is_citizen:
        return False
    if who.subject is not None:  # staff, jurist, admin
        dispatcher.utter_message(response="utter_own_not_citizen")
        return True
    if general:
        utter_general_answer(dispatcher, general, language)  # the live catalogue's entry
    dispatcher.utter_message(
        response="utter_own_unknown_sms_number" if who.over_sms else "utter_own_login_hint"
    )
    return True


def utter_case_service_problem(dispatcher: CollectingDispatcher, error: CaseServiceError) -> None:
    logger.warning("own-case answer without case service: %s", type(error).__name__)
    if isinstance(error, (CaseServiceNotFound, CaseServiceUnauthorized)):
        dispatcher.utter_message(response="utter_own_no_case")
    else:
        dispatcher.utter_message(response="utter_case_service_down")


class OwnCaseAction(Action, ABC):
    """Base: check the caller, fetch, answer; subclasses implement ``answer``."""

    action_name = ""
    # The catalogue entry (id) given to anonymous users instead.
    general_faq: str | None = None

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = caller(tracker)
        if utter_not_own_case(dispatcher, who, self.general_faq, conversation_language(tracker)):
            return []
        try:
            await self.answer(dispatcher, who, conversation_language(tracker))
        except CaseServiceError as error:
            utter_case_service_problem(dispatcher, error)
        return []

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, who: Caller, language: str = "da"
    ) -> None:
        """Fetch the caller's data and utter the answer (dates, amounts, labels in ``language``;
        the responses follow the language slot themselves)."""


class ActionNextMeeting(OwnCaseAction):
    action_name = "action_next_meeting"
    general_faq = "meeting_what_is_jobsamtale"

    async def answer(
        self, dispatcher: CollectingDispatcher, who: Caller, language: str = "da"
    ) -> None:
        meetings = meeting_text.upcoming(
            await get_client().upcoming_meetings(who.verified_subject())
        )
        if not meetings:
            dispatcher.utter_message(response="utter_own_no_meeting")
            return
        first = meetings[0]
        if who.over_sms:
            moment = first.starts_at
            dispatcher.utter_message(
                response="utter_own_next_meeting_sms",
                when=format_datetime(moment, language) if moment else "",
                place=meeting_text.place(first, language),
            )
            return
        note = (first.place_note or "").strip()
        dispatcher.utter_message(
            response="utter_own_next_meeting",
            meeting=meeting_text.full_description(first, language),
            note=f" {note}" if note else "",
        )
        if len(meetings) > 1:
            later = "; ".join(meeting_text.choice_label(m, language) for m in meetings[1:4])
            dispatcher.utter_message(response="utter_own_later_meetings", later=later)


class ActionNextPayment(OwnCaseAction):
    action_name = "action_next_payment"
    general_faq = "benefit_kontanthjaelp_payment"

    async def answer(
        self, dispatcher: CollectingDispatcher, who: Caller, language: str = "da"
    ) -> None:
        payments = await get_client().upcoming_payments(who.verified_subject())
        planned = sorted(
            ((p.pay_date, p) for p in payments if p.pay_date is not None), key=lambda dp: dp[0]
        )
        if not planned:
            dispatcher.utter_message(response="utter_own_no_payment")
            return
        day, first = planned[0]
        when = format_date(day, language)
        if who.over_sms:
            dispatcher.utter_message(response="utter_own_next_payment_sms", when=when)
            return
        dispatcher.utter_message(
            response="utter_own_next_payment",
            description=first.description or _("din ydelse", language),
            amount=format_amount(first.amount, language),
            when=when,
        )


class ActionPlan(OwnCaseAction):
    action_name = "action_own_plan"
    general_faq = "plan_min_plan_what"

    async def answer(
        self, dispatcher: CollectingDispatcher, who: Caller, language: str = "da"
    ) -> None:
        if who.over_sms:
            dispatcher.utter_message(response="utter_own_sms_web_only")
            return
        items = [item for item in await get_client().plan(who.verified_subject()) if item.is_open]
        if not items:
            dispatcher.utter_message(response="utter_own_plan_empty")
            return
        items.sort(key=lambda item: item.sort_order)
        lines = [plan_line(item, language) for item in items[:MAX_PLAN_ITEMS]]
        dispatcher.utter_message(response="utter_own_plan", items="\n".join(lines))


def plan_line(item: PlanItem, language: str = "da") -> str:
    label = _(PLAN_KIND_LABELS.get(item.kind or "", OTHER_PLAN_ITEM), language)
    line = f"- {label}: {item.title}"
    if item.due_date is not None:
        due = format_date(item.due_date, language)
        line += " " + _("(senest {day})", language).format(day=due)
    return line


class ActionCaseworker(OwnCaseAction):
    action_name = "action_own_caseworker"
    general_faq = "contact_talk_to_person"

    async def answer(
        self, dispatcher: CollectingDispatcher, who: Caller, language: str = "da"
    ) -> None:
        try:
            worker = await get_client().caseworker(who.verified_subject())
        except CaseServiceNotFound:
            dispatcher.utter_message(response="utter_own_no_caseworker")
            return
        name = worker.display_name
        if not name:
            dispatcher.utter_message(response="utter_own_no_caseworker")
            return
        if who.over_sms:
            dispatcher.utter_message(response="utter_own_caseworker_sms", name=name)
            return
        dispatcher.utter_message(response="utter_own_caseworker", name=name)
