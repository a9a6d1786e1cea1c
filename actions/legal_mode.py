"""The legal-guidance mode for caseworkers (staff, jurist, admin) on the logged-in channel.

Entered with "jeg har et juridisk spørgsmål" or ``/juridisk`` (``action_start_legal_mode``
checks the verified role; citizens and anonymous users are refused politely). While the loop
``legal_mode`` is active every message is a question: ``validate_legal_mode`` asks the case
service (``POST /legal/ask``) and answers in the same turn with the answer, the references, the
source and its date. A refused or unsure answer offers to send the question to the lawyers
(``action_legal_escalate``). "afslut" (intent ``cancel``) or a new session leaves the mode.
Answers the lawyers gave to this caseworker's earlier questions are shown when the mode starts
and at the start of a new session (``unseen_answer_messages``).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import get_client
from actions.forms.base import KKFormValidation
from actions.forms.start import FORM_READY, NOT_READY
from actions.identity import Caller, caller
from kkshared.case_service import (
    CaseServiceClient,
    CaseServiceError,
    CaseServiceUnauthorized,
)

logger = logging.getLogger(__name__)

LAST_QUESTION = "legal_last_question"
ESCALATE_BUTTON = {"title": "Send spørgsmålet til juristerne", "payload": "/legal_escalate"}
MAX_UNSEEN = 3


def citation_lines(citations: list[dict[str, Any]]) -> dict[str, str]:
    """ "LAB § 16 a, stk. 5; § 17, stk. 2" and "002_….txt (2017)" from the citations."""
    references: list[str] = []
    sources: list[str] = []
    for citation in citations:
        reference = citation.get("reference")
        if reference and reference not in references:
            references.append(reference)
        source = citation.get("source_title") or (
            f"{citation.get('source_file')} ({citation.get('source_date')})"
        )
        if citation.get("source_file") and source not in sources:
            sources.append(source)
    return {
        "references": "; ".join(references) or "ingen paragraf nævnt i kilden",
        "sources": "; ".join(sources) or "ukendt",
    }


def source_passage_message(passage: dict[str, Any]) -> dict[str, Any]:
    """A refusal with the source passage that covers the question (no note does): the passage as
    written, its document and the references it states, and the offer to ask the lawyers."""
    return {
        "response": "utter_legal_source_passage",
        "title": passage.get("title") or passage.get("file") or "ukendt",
        "passage": passage.get("text") or "",
        "references": "; ".join(passage.get("references") or []) or "ingen paragraf nævnt i kilden",
        "buttons": [ESCALATE_BUTTON],
        "custom": {"legal": {"status": "refused", "source_passage": passage}},
    }


def answer_messages(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot messages for one ``/legal/ask`` result."""
    status = result.get("status")
    if status not in ("answered", "clarify") or not result.get("answer"):
        passage = result.get("source_passage")
        if isinstance(passage, dict) and passage.get("text"):
            return [source_passage_message(passage)]
        return [{"response": "utter_legal_refused_answer", "buttons": [ESCALATE_BUTTON]}]
    lines = citation_lines(result.get("citations") or [])
    messages: list[dict[str, Any]] = [
        {
            "response": "utter_legal_answer",
            "answer": result["answer"],
            "references": lines["references"],
            "sources": lines["sources"],
            "note_id": result.get("note_id") or "",
            "custom": {
                "legal": {
                    "note_id": result.get("note_id"),
                    "citations": result.get("citations") or [],
                    "confidence": result.get("confidence"),
                    "status": status,
                }
            },
        }
    ]
    if status == "answered":  # a caseworker who is not satisfied can always ask the lawyers
        messages[0]["buttons"] = [ESCALATE_BUTTON]
    alternative = result.get("alternative") or {}
    if status == "clarify" and alternative.get("title"):
        messages.append(
            {
                "response": "utter_legal_clarify",
                "title": alternative["title"],
                "buttons": [
                    {"title": alternative["title"], "payload": alternative["title"]},
                    ESCALATE_BUTTON,
                ],
            }
        )
    elif status == "clarify":
        messages.append({"response": "utter_legal_unsure", "buttons": [ESCALATE_BUTTON]})
    return messages


async def unseen_answer_messages(
    who: Caller, client: CaseServiceClient | None = None
) -> list[dict[str, Any]]:
    """The lawyers' answers this caseworker has not seen yet (then marked as seen)."""
    if not who.is_staff:
        return []
    client = client or get_client()
    try:
        questions = await client.legal_my_questions(who.verified_subject())
    except CaseServiceError as error:
        logger.warning("unseen legal answers unavailable: %s", type(error).__name__)
        return []
    unseen = [
        q
        for q in questions
        if q.get("answer") and not q.get("seen_by_asker_at") and q.get("ticket_id")
    ]
    messages = []
    for question in unseen[:MAX_UNSEEN]:
        messages.append(
            {
                "response": "utter_legal_unseen_answer",
                "ticket_id": question["ticket_id"],
                "question": question.get("question") or "",
                "answer": question["answer"],
            }
        )
        try:
            await client.legal_mark_seen(who.verified_subject(), question["ticket_id"])
        except CaseServiceError as error:
            logger.warning("could not mark a legal answer as seen: %s", type(error).__name__)
    return messages


def verified_staff(dispatcher: CollectingDispatcher, tracker: Tracker) -> Caller | None:
    """The caller when this turn's verified role may use the legal mode; else refuse politely."""
    who = caller(tracker)
    if who.is_staff:
        return who
    dispatcher.utter_message(response="utter_legal_only_staff")
    return None


def utter_all(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        dispatcher.utter_message(**message)


class ActionStartLegalMode(Action):
    def name(self) -> str:
        return "action_start_legal_mode"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = verified_staff(dispatcher, tracker)
        if who is None:
            return [NOT_READY]
        dispatcher.utter_message(response="utter_legal_welcome")
        utter_all(dispatcher, await unseen_answer_messages(who))
        return [
            SlotSet("legal_question", None),
            SlotSet(LAST_QUESTION, None),
            SlotSet(FORM_READY, True),
        ]


class ValidateLegalMode(KKFormValidation):
    def name(self) -> str:
        return "validate_legal_mode"

    async def validate_legal_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        question = str(value or "").strip()
        who = verified_staff(dispatcher, tracker)  # the role is checked again on every turn
        if who is None:
            return {"legal_question": None}
        if len(question) < 3 or question.startswith("/"):
            dispatcher.utter_message(response="utter_legal_ask_again")
            return {"legal_question": None}
        try:
            result = await get_client().legal_ask(who.verified_subject(), question)
        except CaseServiceUnauthorized:  # the case service's users table says otherwise
            dispatcher.utter_message(response="utter_legal_only_staff")
            return {"legal_question": None}
        except CaseServiceError as error:
            logger.warning("legal answer unavailable: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_legal_unavailable")
            return {"legal_question": None, LAST_QUESTION: question}
        utter_all(dispatcher, answer_messages(result))
        # The slot stays empty, so the loop keeps going: every message is the next question.
        return {"legal_question": None, LAST_QUESTION: question}


class ActionAskLegalQuestion(Action):
    """The loop's "question": nothing to say (each answer already invites the next question)."""

    def name(self) -> str:
        return "action_ask_legal_question"

    async def run(self, dispatcher, tracker, domain):
        return []


class ActionLegalEscalate(Action):
    def name(self) -> str:
        return "action_legal_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = verified_staff(dispatcher, tracker)
        if who is None:
            return []
        question = tracker.get_slot(LAST_QUESTION)
        if not question:
            dispatcher.utter_message(response="utter_legal_nothing_to_escalate")
            return []
        try:
            result = await get_client().legal_ask(
                who.verified_subject(),
                question,
                escalate=True,
                context=_context(tracker),
            )
        except CaseServiceError as error:
            logger.warning("legal escalation failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_legal_escalation_failed")
            return []
        ticket = result.get("ticket_id")
        if not ticket:
            dispatcher.utter_message(response="utter_legal_escalation_failed")
            return []
        dispatcher.utter_message(response="utter_legal_escalated", ticket_id=ticket)
        return [SlotSet(LAST_QUESTION, None)]


def _context(tracker: Tracker, turns: int = 6) -> str:
    """The last few turns (already PII-masked by the channel) for the lawyers."""
    lines: list[str] = []
    for event in tracker.events or []:
        if event.get("event") == "user" and event.get("text"):
            lines.append(f"Sagsbehandler: {event['text']}")
        elif event.get("event") == "bot" and event.get("text"):
            lines.append(f"Assistent: {event['text']}")
    return "\n".join(lines[-turns:])[:4000]
