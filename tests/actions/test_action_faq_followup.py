"""After an FAQ answer: buttons for actions, own data for reading, nothing for anonymous users."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher
from tracker_factory import said

from actions import faq_followup
from actions.faq_followup import follow_up


def faq_tracker(entry: str, **who):
    tracker = said("x", "faq", **who)
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": f"faq/{entry}"}}
    }
    return tracker


def run(tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(follow_up(dispatcher, tracker))
    return dispatcher.messages


CITIZEN = {"channel": "kk", "subject": "u-1", "role": "citizen"}


def test_absence_faq_offers_the_form_button_to_a_citizen() -> None:
    messages = run(faq_tracker("absence_sick_report", **CITIZEN))
    assert messages[0]["response"] == "utter_offer_absence"
    assert messages[0]["buttons"] == [{"title": "Meld fravær nu", "payload": "/report_absence"}]


def test_nothing_for_anonymous_users_staff_or_other_entries() -> None:
    assert run(faq_tracker("absence_sick_report")) == []
    assert run(faq_tracker("absence_sick_report", channel="kk", subject="u-2", role="staff")) == []
    assert run(faq_tracker("benefit_fleksjob", **CITIZEN)) == []


def test_no_message_button_over_sms() -> None:
    assert (
        run(faq_tracker("contact_talk_to_person", channel="sms", subject="u-1", role="citizen"))
        == []
    )


def test_payment_faq_adds_the_own_payment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    class Fake:
        async def answer(self, dispatcher, who, language="da"):
            seen.append(who.subject)
            dispatcher.utter_message(response="utter_own_next_payment")

    monkeypatch.setitem(faq_followup.DIRECT, "benefit_kontanthjaelp_payment", Fake)
    messages = run(faq_tracker("benefit_kontanthjaelp_payment", **CITIZEN))
    assert seen == ["u-1"] and [m["response"] for m in messages] == ["utter_own_next_payment"]
