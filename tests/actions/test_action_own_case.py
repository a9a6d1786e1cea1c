"""Own-case answers and opening hours, against the real case service the test command starts
(KK_E2E_API_URL); the case service down is simulated with a closed port."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
import urllib.request

import pytest
from case_service_stub import free_port
from rasa_sdk.executor import CollectingDispatcher
from tracker_factory import said

from actions import client as action_client
from actions.opening_hours import ActionOpeningHours, default_locations, named_locations
from actions.own_case import ActionCaseworker, ActionNextMeeting, ActionNextPayment, ActionPlan

real_service = pytest.mark.skipif(
    not os.environ.get("KK_E2E_API_URL"), reason="KK_E2E_API_URL not set: no running case service"
)


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KK_API_URL", os.environ["KK_E2E_API_URL"])
    if os.environ.get("KK_E2E_SERVICE_TOKEN"):
        monkeypatch.setenv("KK_SERVICE_TOKEN", os.environ["KK_E2E_SERVICE_TOKEN"])
    action_client.reset_client()
    yield os.environ["KK_E2E_API_URL"]
    action_client.reset_client()


def demo_token(username: str) -> str:
    """A user token for a demo user from the running case service."""
    request = urllib.request.Request(
        f"{os.environ['KK_E2E_API_URL']}/auth/demo-login",
        method="POST",
        data=json.dumps({"username": username}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["access_token"]


def subject_of(username: str) -> str:
    import jwt

    return jwt.decode(demo_token(username), options={"verify_signature": False})["sub"]


def run(action, tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


@real_service
def test_next_meeting_for_a_citizen(live: str) -> None:
    messages = run(
        ActionNextMeeting(),
        said("næste samtale", channel="kk", subject=subject_of("demo-borger"), role="citizen"),
    )
    assert messages[0]["response"] == "utter_own_next_meeting"
    assert re.search(r"den \d+\. \w+ \d{4} kl\. \d{2}\.\d{2}", messages[0]["meeting"])


@real_service
def test_sms_gets_no_amounts_and_no_plan(live: str) -> None:
    sub = subject_of("demo-borger")
    payment = run(ActionNextPayment(), said("penge", channel="sms", subject=sub, role="citizen"))
    assert payment[0]["response"] == "utter_own_next_payment_sms"
    assert "amount" not in payment[0] and "kr" not in json.dumps(payment[0])
    plan = run(ActionPlan(), said("plan", channel="sms", subject=sub, role="citizen"))
    assert [m["response"] for m in plan] == ["utter_own_sms_web_only"]


@real_service
def test_payment_plan_and_caseworker_on_the_web(live: str) -> None:
    sub = subject_of("demo-borger")
    payment = run(ActionNextPayment(), said("penge", channel="kk", subject=sub, role="citizen"))[0]
    assert payment["response"] == "utter_own_next_payment" and payment["amount"].endswith("kr.")
    plan = run(ActionPlan(), said("plan", channel="kk", subject=sub, role="citizen"))[0]
    assert plan["response"] == "utter_own_plan" and plan["items"].startswith("- ")
    worker = run(
        ActionCaseworker(), said("sagsbehandler", channel="kk", subject=sub, role="citizen")
    )[0]
    assert worker == {**worker, "response": "utter_own_caseworker", "name": "Demo Sagsbehandler"}


@real_service
def test_staff_and_unknown_subjects_get_no_citizen_data(live: str) -> None:
    staff = run(
        ActionNextMeeting(),
        said("x", channel="kk", subject=subject_of("demo-sagsbehandler"), role="staff"),
    )
    assert [m["response"] for m in staff] == ["utter_own_not_citizen"]
    forged = run(
        ActionNextMeeting(), said("x", channel="kk", subject="u-does-not-exist", role="citizen")
    )
    assert [m["response"] for m in forged] == ["utter_own_no_case"]


def test_anonymous_gets_the_general_answer_and_how_to_log_in() -> None:
    messages = run(ActionNextPayment(), said("hvornår kommer pengene"))
    # The general answer is the live catalogue's entry (actions/faq_answer.py), then the hint.
    assert [m.get("response") or m.get("utter_action") for m in messages] == [
        "utter_faq/benefit_kontanthjaelp_payment",
        "utter_own_login_hint",
    ]
    assert messages[0]["text"] and messages[0]["custom"]["source"]["date"]
    sms = run(ActionNextPayment(), said("penge", channel="sms"))
    assert [m["response"] for m in sms][-1] == "utter_own_unknown_sms_number"
    # "When is my next meeting" without login: what a jobsamtale is and that the letter says when.
    meeting = run(ActionNextMeeting(), said("hvornår er min næste samtale"))
    assert [m.get("response") or m.get("utter_action") for m in meeting] == [
        "utter_faq/meeting_what_is_jobsamtale",
        "utter_own_login_hint",
    ]
    assert "hvornår samtalen er" in meeting[0]["text"]


def test_case_service_down_answers_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_API_URL", f"http://127.0.0.1:{free_port()}")
    action_client.reset_client()
    started = time.monotonic()
    messages = run(ActionNextMeeting(), said("x", channel="kk", subject="u-1", role="citizen"))
    assert time.monotonic() - started < 3.0
    assert [m["response"] for m in messages] == ["utter_case_service_down"]
    hours = run(ActionOpeningHours(), said("er i åbne i morgen"))
    assert [m["response"] for m in hours] == ["utter_opening_hours_unavailable"]
    action_client.reset_client()


def test_places_are_found_by_name_or_alias_with_folding() -> None:
    locations = [
        {
            "id": "laerkevej",
            "name": "Jobcenter København, Lærkevej",
            "aliases": ["Lærkevej"],
            "channel": "fysisk",
        },
        {
            "id": "gkl",
            "name": "Jobcenter København, Gammel Køge Landevej",
            "aliases": ["GKL", "Valby"],
            "channel": "fysisk",
        },
        {"id": "tlf", "name": "Jobcenter København (telefon)", "aliases": [], "channel": "telefon"},
    ]
    assert [loc["id"] for loc in named_locations("er laerkevej aaben i morgen", locations)] == [
        "laerkevej"
    ]
    assert [loc["id"] for loc in named_locations("har gammel koege landevej åbent", locations)] == [
        "gkl"
    ]
    assert named_locations("er i åbne", locations) == []
    assert [loc["id"] for loc in default_locations("kan man ringe i dag", locations)] == ["tlf"]
    assert [loc["id"] for loc in default_locations("er i åbne", locations)] == ["laerkevej", "gkl"]


@real_service
def test_opening_hours_on_a_holiday_and_a_named_day(live: str) -> None:
    messages = run(ActionOpeningHours(), said("har Lærkevej åbent 2. juledag"))
    assert messages[0]["response"] in ("utter_opening_hours_day", "utter_opening_hours_day_past")
    assert "Lærkevej: lukket (2. juledag)" in messages[0]["lines"]
    now = run(ActionOpeningHours(), said("er ydelsesservice åben nu"))
    assert now[0]["response"] == "utter_opening_hours" and "Ydelsesservice" in now[0]["lines"]


@real_service
def test_opening_hours_over_christmas_and_next_week(live: str) -> None:
    """A period ("i julen", "næste uge") gets one line per day, from the case service's days."""
    messages = run(ActionOpeningHours(), said("har Lærkevej åbent i julen"))
    assert messages[0]["response"] == "utter_opening_hours_period", messages
    lines = messages[0]["lines"].split("\n")
    assert len(lines) == 9  # 24 December to 1 January
    assert lines[0].endswith("24. december: lukket (Juleaftensdag)"), lines
    assert lines[-1].endswith("1. januar: lukket (Nytårsdag)"), lines
    assert messages[0]["places"] == "Jobcenter København, Lærkevej"
    assert messages[0]["first"].endswith("24. december " + messages[0]["first"][-4:])
    week = run(ActionOpeningHours(), said("hvornår har I åbent i næste uge"))
    assert week[0]["response"] == "utter_opening_hours_period", week
    days = week[0]["lines"].split("\n")
    assert [line.split(" ")[0] for line in days] == [
        "mandag",
        "tirsdag",
        "onsdag",
        "torsdag",
        "fredag",
        "lørdag",
        "søndag",
    ]
    # The job centres, all named in the header; their names have commas, so ";" between them.
    assert " og " in week[0]["places"] and "; " in week[0]["places"], week
    assert all(": lukket" in line for line in days[5:]), days  # no weekend hours
    last_week = run(ActionOpeningHours(), said("var Lærkevej åben i sidste uge"))
    assert last_week[0]["response"] == "utter_opening_hours_period_past", last_week
