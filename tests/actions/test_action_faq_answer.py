"""Tier 1 rendered by the action server from its copy of the live catalogue
(actions/faq_answer.py, actions/faq_catalogue.py): the answer with its source, the analytics
marker, an unknown entry answered with the honest "don't know", a revision the classifier has
and this copy not yet fetched at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from case_service_stub import free_port
from rasa_sdk.executor import CollectingDispatcher
from tracker_factory import said

from actions import client as action_client
from actions import faq_catalogue
from actions.clarify import ActionAnswerSuggestion, best_guess
from actions.faq_answer import ActionAnswerFaq
from actions.faq_catalogue import LiveCatalogue, get_catalogue, reset_catalogue
from actions.faq_render import source_json
from kkshared.catalogue import CatalogueEntry, CatalogueSnapshot, EntrySource, Translation
from kkshared.catalogue_yaml import read_seed

PAYMENT = CatalogueEntry(
    id="benefit_kontanthjaelp_payment",
    topic="benefits",
    title="Hvornår udbetales kontanthjælp?",
    answer="Kontanthjælp udbetales bagud, den sidste bankdag i måneden.",
    source=EntrySource(date="2017-07", file="002_5e6f3c0d831500e7.txt", quote="..."),
    version=3,
    translations={
        "en": Translation(
            "When kontanthjælp is paid",
            "Kontanthjælp is paid afterwards, on the last banking day of the month.",
            ("when is kontanthjælp paid",),
        )
    },
)
EXTERNAL = CatalogueEntry(
    id="benefit_rates_2026",
    topic="benefits",
    title="Satser for kontanthjælp i 2026",
    answer="Satserne står på borger.dk.",
    source=EntrySource(date="2026-01", name="borger.dk", url="https://www.borger.dk/"),
)


@pytest.fixture()
def catalogue() -> Iterator[LiveCatalogue]:
    copy = LiveCatalogue(CatalogueSnapshot(4, (PAYMENT, EXTERNAL)))
    reset_catalogue(copy)
    yield copy
    reset_catalogue()


@pytest.fixture()
def no_case_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KK_API_URL", f"http://127.0.0.1:{free_port()}")
    action_client.reset_client()
    yield
    action_client.reset_client()


def faq_tracker(entry_id: str, revision: int | None = None, **who: Any):
    tracker = said("hvornår kommer pengene", "faq", **who)
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": f"faq/{entry_id}"}}
    }
    if revision is not None:
        tracker.latest_message["kk_answer"] = {"tier": 1, "revision": revision}
    return tracker


def run(tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerFaq().run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_the_entry_is_rendered_with_its_source_as_today(catalogue) -> None:
    [message] = run(faq_tracker("benefit_kontanthjaelp_payment", revision=4))
    assert message["text"] == PAYMENT.answer
    assert message["custom"] == {
        "source": {
            "file": "002_5e6f3c0d831500e7.txt",
            "date": "2017-07",
            "title": "BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, 2017-07",
            "label": "Kilde: BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, "
            "2017-07",
        },
        "title": PAYMENT.title,
        "language": "da",
    }
    # The bot event's metadata: what the analytics count, and which version was shown.
    assert message["utter_action"] == "utter_faq/benefit_kontanthjaelp_payment"
    assert message["kk_catalogue"] == {
        "entry_id": "benefit_kontanthjaelp_payment",
        "version": 3,
        "revision": 4,
        "language": "da",
    }


def test_a_named_external_source_carries_name_url_and_date(catalogue) -> None:
    [message] = run(faq_tracker("benefit_rates_2026"))
    assert message["custom"]["source"] == {
        "name": "borger.dk",
        "url": "https://www.borger.dk/",
        "date": "2026-01",
        "title": "borger.dk, 2026-01",
        "label": "Kilde: borger.dk, 2026-01",
    }
    assert source_json(EntrySource(date="2025", file="general"))["title"] == (
        "Generel vejledning fra Jobcenter København, 2025"
    )


def test_an_english_conversation_gets_the_english_version_with_an_english_source(
    catalogue,
) -> None:
    tracker = faq_tracker("benefit_kontanthjaelp_payment", revision=4)
    tracker.slots["language"] = "en"
    [message] = run(tracker)
    assert message["text"] == PAYMENT.translations["en"].answer
    assert message["custom"]["title"] == "When kontanthjælp is paid"
    assert message["custom"]["language"] == "en"
    source = message["custom"]["source"]
    assert source["label"] == (
        "Source: BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, 2017-07"
    )
    assert (source["file"], source["date"]) == ("002_5e6f3c0d831500e7.txt", "2017-07")
    assert message["kk_catalogue"]["language"] == "en"
    # The general guidance is named in English too.
    general = source_json(EntrySource(date="2025", file="general"), "en")
    assert general["label"] == "Source: General guidance from Jobcenter København, 2025"


def test_an_entry_without_english_is_sent_in_danish_with_an_english_note(catalogue) -> None:
    tracker = faq_tracker("benefit_rates_2026", revision=4)
    tracker.slots["language"] = "en"
    [message] = run(tracker)
    assert message["text"].startswith("This answer is not available in English yet.")
    assert message["text"].endswith(EXTERNAL.answer)
    assert message["custom"]["language"] == "da"
    assert message["custom"]["source"]["label"] == "Source: borger.dk, 2026-01"


def test_every_seed_entry_has_its_english_version() -> None:
    seed = read_seed(with_examples=False)
    assert seed.entries
    assert [e.id for e in seed.entries if "en" not in e.translations] == []


def test_an_unknown_entry_gets_the_honest_dont_know(catalogue, no_case_service) -> None:
    messages = run(faq_tracker("retired_a_moment_ago"))
    assert [m.get("response") for m in messages] == [
        "utter_dont_know",
        "utter_handover_unavailable",
    ]
    assert not any(m.get("text") for m in messages)  # no other entry's answer


def test_no_entry_chosen_is_dont_know_too(catalogue, no_case_service) -> None:
    tracker = said("x", "faq")
    assert run(tracker)[0]["response"] == "utter_dont_know"


def test_a_revision_the_classifier_has_is_fetched_before_answering(catalogue) -> None:
    edited = replace(PAYMENT, answer="Kontanthjælp udbetales nu den første hverdag.", version=4)

    class FakeSync:
        revision = 4
        asked: list[tuple[int, float]] = []

        def stop(self) -> None:
            pass

        def refresh(self, revision: int, timeout: float) -> bool:
            self.asked.append((revision, timeout))
            catalogue._take(CatalogueSnapshot(5, (edited, EXTERNAL)))
            return True

    catalogue.sync = FakeSync()
    [message] = run(faq_tracker("benefit_kontanthjaelp_payment", revision=5))
    assert FakeSync.asked and FakeSync.asked[0][0] == 5
    assert message["text"] == edited.answer
    assert message["kk_catalogue"]["revision"] == 5
    # An entry the copy has at the classifier's revision is answered without asking.
    FakeSync.asked.clear()
    run(faq_tracker("benefit_rates_2026", revision=5))
    assert FakeSync.asked == []


def test_a_suggestion_uses_the_live_title_and_yes_answers_it(catalogue) -> None:
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
    assert best_guess(latest, {}) == ("faq/benefit_kontanthjaelp_payment", PAYMENT.title)
    for slot in ("faq/benefit_kontanthjaelp_payment", "utter_faq/benefit_kontanthjaelp_payment"):
        dispatcher = CollectingDispatcher()
        tracker = said("ja", "affirm", slots={"suggested_response": slot})
        asyncio.run(ActionAnswerSuggestion().run(dispatcher, tracker, {}))
        assert dispatcher.messages[0]["text"] == PAYMENT.answer


def test_without_the_case_service_the_repository_catalogue_answers(monkeypatch) -> None:
    monkeypatch.setenv("KK_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("KK_CATALOGUE_POLL_SECONDS", "1")
    reset_catalogue()
    try:
        copy = get_catalogue()
        assert copy.sync is not None and copy.sync.running  # polling, failing, backing off
        seed = read_seed(with_examples=False)
        assert copy.revision == seed.revision
        [message] = run(faq_tracker("benefit_kontanthjaelp_payment"))
        assert message["text"] == seed.by_id()["benefit_kontanthjaelp_payment"].answer
        assert message["custom"]["source"]["date"]
    finally:
        reset_catalogue()
    assert faq_catalogue._catalogue is None


def test_a_citizens_faq_answer_and_its_follow_up_come_from_one_action(
    catalogue: LiveCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One action call per FAQ turn: the answer, then (logged-in citizens only) their own data or
    the form button (actions/faq_followup.py) in the same action."""
    from actions import faq_followup

    class OwnPayment:
        async def answer(self, dispatcher, who, language="da"):
            dispatcher.utter_message(response="utter_own_next_payment")

    monkeypatch.setitem(faq_followup.DIRECT, PAYMENT.id, OwnPayment)
    citizen = run(faq_tracker(PAYMENT.id, channel="kk", subject="u-1", role="citizen"))
    assert [m.get("text") or m.get("response") for m in citizen] == [
        PAYMENT.answer,
        "utter_own_next_payment",
    ]
    anonymous = run(faq_tracker(PAYMENT.id))
    assert [m.get("text") for m in anonymous] == [PAYMENT.answer]


def test_yes_to_a_suggestion_answers_in_the_conversations_language(catalogue) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"suggested_response": "faq/benefit_kontanthjaelp_payment", "language": "en"}
    asyncio.run(ActionAnswerSuggestion().run(dispatcher, said("yes", "affirm", slots=slots), {}))
    assert dispatcher.messages[0]["text"] == PAYMENT.translations["en"].answer


@pytest.mark.parametrize("language", ["en", "da"])
def test_an_anonymous_own_case_question_gets_the_general_answer_in_its_language(
    catalogue, language: str
) -> None:
    from actions.own_case import ActionNextPayment

    dispatcher = CollectingDispatcher()
    tracker = said("when do I get my money", "ask_next_payment", slots={"language": language})
    asyncio.run(ActionNextPayment().run(dispatcher, tracker, {}))
    general, hint = dispatcher.messages
    expected = PAYMENT.translations["en"].answer if language == "en" else PAYMENT.answer
    assert general["text"] == expected
    assert hint["response"] == "utter_own_login_hint"


SUPPORT = {
    "id": "000_0be9af2cecd9aa10.txt#3",
    "text": "Borgerne kunne i hele perioden ringe til jobcentret som normalt.",
    "file": "000_0be9af2cecd9aa10.txt",
    "date": "2020",
    "title": "BIF: Bidrag til Københavns Kommunes evaluering af indsatsen under "
    "corona-nedlukningen",
}


def supported_tracker(channel: str = "rest", language: str | None = None):
    tracker = said(
        "kunne man ringe til jer under nedlukningen",
        "faq",
        slots={"language": language} if language else None,
        channel=channel,
    )
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": f"faq/{PAYMENT.id}"}}
    }
    tracker.latest_message["kk_answer"] = {"tier": 1, "revision": 4, "support": SUPPORT}
    return tracker


def test_a_source_passage_the_classifier_found_follows_the_answer_with_its_source(
    catalogue,
) -> None:
    answer, support = run(supported_tracker())
    assert answer["text"] == PAYMENT.answer
    assert support["response"] == "utter_source_support"
    assert support["passage"] == SUPPORT["text"]
    assert support["source_title"] == SUPPORT["title"]
    assert support["source_date"] == "2020"
    assert support["custom"] == {
        "source": {"file": SUPPORT["file"], "date": "2020", "title": SUPPORT["title"]}
    }


def test_no_source_passage_over_sms_in_english_or_without_one(catalogue) -> None:
    # SMS stays short; the passages are Danish text.
    assert [m.get("text") for m in run(supported_tracker(channel="sms"))] == [PAYMENT.answer]
    english = run(supported_tracker(language="en"))
    assert [m.get("text") for m in english] == [PAYMENT.translations["en"].answer]
    empty = supported_tracker()
    empty.latest_message["kk_answer"]["support"] = {**SUPPORT, "text": "  "}
    assert [m.get("text") for m in run(empty)] == [PAYMENT.answer]
