"""Session start (AI notice) and the two-stage fallback."""

from __future__ import annotations

import asyncio

import pytest
from case_service_stub import free_port
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import client as action_client
from actions.clarify import ActionAnswerSuggestion, ActionClarify, best_guess, consecutive_failures
from actions.faq_catalogue import get_catalogue
from actions.session import ActionSessionStart

DOMAIN: dict = {}  # no action gets the domain (bot/endpoints.yml: enable_selective_domain)


def _user(intent: str) -> dict:
    return {"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}}


def _tracker(events: list[dict], latest: dict | None = None, slots: dict | None = None) -> Tracker:
    latest = latest or (events[-1]["parse_data"] if events else {})
    return Tracker("anon:t", slots or {}, latest, events, False, None, {}, "action_listen")


def test_session_start_utters_the_notice_then_listens() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, _tracker([]), {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_ai_notice"]
    assert [e["event"] for e in events] == ["session_started", "action"]
    assert events[1]["name"] == "action_listen"


@pytest.mark.parametrize(
    "intents, expected",
    [
        (["greet", "nlu_fallback"], 1),
        (["nlu_fallback", "deny", "nlu_fallback"], 2),
        (["nlu_fallback", "gibberish"], 2),
        (["nlu_fallback", "faq", "nlu_fallback"], 1),
        (["nlu_fallback", "affirm", "nlu_fallback"], 1),
    ],
)
def test_consecutive_failures(intents: list[str], expected: int) -> None:
    assert consecutive_failures(_tracker([_user(i) for i in intents])) == expected


def test_failures_before_the_session_start_do_not_count() -> None:
    events = [_user("nlu_fallback"), {"event": "session_started"}, _user("nlu_fallback")]
    assert consecutive_failures(_tracker(events)) == 1


def test_best_guess_for_an_faq_uses_the_catalogue_title() -> None:
    # The live catalogue's title (tests/actions/test_action_faq_answer.py has more).
    entry = get_catalogue().get("benefit_kontanthjaelp_payment")
    assert entry is not None
    latest = {
        "intent": {"name": "nlu_fallback"},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "faq", "confidence": 0.35},
        ],
        "response_selector": {
            "faq": {"response": {"intent_response_key": "faq/benefit_kontanthjaelp_payment"}}
        },
    }
    assert best_guess(latest, DOMAIN) == ("faq/benefit_kontanthjaelp_payment", entry.title)
    # In an English conversation: the entry's English title.
    english = entry.translations["en"].title
    assert english != entry.title
    assert best_guess(latest, DOMAIN, "en") == ("faq/benefit_kontanthjaelp_payment", english)
    retired = {
        **latest,
        "response_selector": {"faq": {"response": {"intent_response_key": "faq/x"}}},
    }
    assert best_guess(retired, DOMAIN) is None


def test_no_guess_when_confidence_is_too_low_or_intent_not_suggestable() -> None:
    low = {
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.1},
            {"name": "oos_tax", "confidence": 0.02},
        ]
    }
    odd = {"intent_ranking": [{"name": "insult", "confidence": 0.35}]}
    assert best_guess(low, DOMAIN) is None
    assert best_guess(odd, DOMAIN) is None


def test_first_failure_suggests_with_buttons_and_remembers_the_guess() -> None:
    latest = {
        "intent": {"name": "nlu_fallback"},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "oos_tax", "confidence": 0.3},
        ],
    }
    tracker = _tracker([{"event": "user", "text": "x", "parse_data": latest}], latest)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionClarify().run(dispatcher, tracker, DOMAIN))
    assert dispatcher.messages[0]["response"] == "utter_clarify_suggest"
    assert dispatcher.messages[0]["suggestion"] == "Et spørgsmål om skat"
    assert events == [
        {"event": "slot", "timestamp": None, "name": "suggested_response", "value": "utter_oos_tax"}
    ]


def test_a_guess_below_the_fallback_threshold_is_still_suggested() -> None:
    latest = {
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.1},
            {"name": "oos_tax", "confidence": 0.07},
        ]
    }
    assert best_guess(latest, DOMAIN) == ("utter_oos_tax", "Et spørgsmål om skat")


def test_a_form_intent_is_suggested_with_its_own_payload() -> None:
    latest = {
        "intent": {"name": "nlu_fallback"},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.1},
            {"name": "report_absence", "confidence": 0.08},
        ],
    }
    tracker = _tracker([{"event": "user", "text": "x", "parse_data": latest}], latest)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionClarify().run(dispatcher, tracker, DOMAIN))
    assert dispatcher.messages[0]["response"] == "utter_clarify_suggest_intent"
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/report_absence", "/deny"]
    assert events == [
        {"event": "slot", "timestamp": None, "name": "suggested_response", "value": None}
    ]


def test_second_failure_in_a_row_hands_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_API_URL", f"http://127.0.0.1:{free_port()}")
    action_client.reset_client()
    tracker = _tracker([_user("nlu_fallback"), _user("deny"), _user("gibberish")])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionClarify().run(dispatcher, tracker, DOMAIN))
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_handover_after_fallback",
        "utter_handover_unavailable",
    ]
    action_client.reset_client()


def test_yes_to_a_suggestion_gives_that_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker(
        [_user("affirm")], slots={"suggested_response": "faq/benefit_kontanthjaelp_payment"}
    )
    events = asyncio.run(ActionAnswerSuggestion().run(dispatcher, tracker, DOMAIN))
    assert dispatcher.messages[0]["utter_action"] == "utter_faq/benefit_kontanthjaelp_payment"
    assert dispatcher.messages[0]["text"]
    assert events[0]["name"] == "suggested_response" and events[0]["value"] is None


def test_yes_to_a_handover_suggestion_runs_the_handover() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker([_user("affirm")], slots={"suggested_response": "action_handover"})
    events = asyncio.run(ActionAnswerSuggestion().run(dispatcher, tracker, DOMAIN))
    assert {"event": "followup", "timestamp": None, "name": "action_handover"} in events
