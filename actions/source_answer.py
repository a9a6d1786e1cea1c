"""Tier 2: answer from a source passage when no catalogue entry answers the question.

The citizen classifier (bot/nlu/retrieval_classifier.py) puts the passage it found on the message
(``kk_answer.passage``: the text as written in the source, its document title and date). This
action shows it as a quote with the source, says how old it is, and marks the answer as tier 2
(``utter_source_answer`` in the bot event), so the job centre can see which questions the
catalogue does not cover yet. No facts are added to the passage.

The same quote follows a sure catalogue answer when the classifier found a passage that covers
the question too (``kk_answer.support``, tier 1; ``utter_passage``, sent by action_answer_faq).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

ANSWER_ATTRIBUTE = "kk_answer"  # set by the classifier (bot/nlu/retrieval_classifier.py)


def _with_text(passage: Any) -> dict[str, Any] | None:
    if not isinstance(passage, dict) or not str(passage.get("text") or "").strip():
        return None
    return passage


def found_passage(latest_message: dict[str, Any]) -> dict[str, Any] | None:
    """The passage the classifier chose for this message, if it chose one with a text."""
    answer = latest_message.get(ANSWER_ATTRIBUTE) or {}
    return _with_text(answer.get("passage") if answer.get("tier") == 2 else None)


def support_passage(latest_message: dict[str, Any]) -> dict[str, Any] | None:
    """The passage the classifier put under its sure catalogue answer (tier 1), if any."""
    answer = latest_message.get(ANSWER_ATTRIBUTE) or {}
    return _with_text(answer.get("support") if answer.get("tier") == 1 else None)


def utter_passage(
    dispatcher: CollectingDispatcher,
    passage: dict[str, Any],
    response: str = "utter_source_support",
) -> None:
    """A source passage quoted as written, with its document and date: under a catalogue answer
    (``utter_source_support``; docs/answer_tiers.md, "A source passage under the answer") or as
    the answer itself (``utter_source_answer``, tier 2)."""
    dispatcher.utter_message(
        response=response,
        passage=str(passage["text"]).strip(),
        source_title=passage.get("title") or passage.get("file"),
        source_date=passage.get("date") or "",
        json_message={
            "source": {
                "file": passage.get("file"),
                "date": passage.get("date"),
                "title": passage.get("title"),
            }
        },
    )


class ActionSourceAnswer(Action):
    def name(self) -> str:
        return "action_source_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        passage = found_passage(tracker.latest_message or {})
        if passage is None:  # cannot happen with the classifier; never answer without a source
            return [FollowupAction("action_clarify")]
        utter_passage(dispatcher, passage, "utter_source_answer")
        return []
