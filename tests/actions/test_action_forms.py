"""Form validation: bad values re-prompt, corrections, nothing sent without "ja"."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher
from tracker_factory import said

from actions.forms import absence, base, message, reschedule

TODAY = base.today()  # the forms' own today: Copenhagen's date, not the machine's
MEETINGS = [
    {
        "id": "m-1",
        "label": "24. november kl. 10.00, jobsamtale",
        "day": (TODAY + timedelta(days=2)).isoformat(),
        "description": "en jobsamtale …",
    },
    {
        "id": "m-2",
        "label": "30. november kl. 13.00, jobsamtale",
        "day": (TODAY + timedelta(days=8)).isoformat(),
        "description": "en jobsamtale …",
    },
]
CITIZEN = {"channel": "kk", "subject": "u-1", "role": "citizen"}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", "m-1"),
        ("2.", "m-2"),
        ("3", None),
        ("0", None),
        ("i overmorgen", "m-1"),
        ("hdfjk", None),
    ],
)
def test_pick_meeting_by_number_or_day(text: str, expected) -> None:
    chosen = base.pick_meeting(text, MEETINGS)
    assert (chosen or {}).get("id") == expected


@pytest.mark.parametrize(
    "text, real",
    [
        ("hdfjk", False),
        ("asdf qwer", False),
        ("jeg er syg", True),
        ("mit barn er sygt", True),
        ("", False),
        ("12345", False),
    ],
)
def test_looks_like_text(text: str, real: bool) -> None:
    assert base.looks_like_text(text) is real


def test_past_and_far_dates_are_refused() -> None:
    assert base.day_problem(TODAY - timedelta(days=1)) == "utter_form_date_past"
    assert base.day_problem(TODAY + timedelta(days=400)) == "utter_form_date_too_far"
    assert base.day_problem(TODAY) is None


def validate(
    form, slot: str, value, text: str, intent: str = "nlu_fallback", slots: dict | None = None
):
    dispatcher = CollectingDispatcher()
    tracker = said(text, intent, slots={"form_meetings": MEETINGS, **(slots or {})}, **CITIZEN)
    result = getattr(form, f"validate_{slot}")(value, dispatcher, tracker, {})
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, responses(dispatcher)


def test_absence_target_gibberish_reprompts() -> None:
    result, said_ = validate(absence.ValidateAbsenceForm(), "absence_target", "hdfjk", "hdfjk")
    assert result == {"absence_target": None} and said_ == ["utter_form_choice_unclear"]


def test_absence_target_day_without_meeting_says_so() -> None:
    day = TODAY + timedelta(days=20)
    text = f"den {day.day}.{day.month}"
    result, said_ = validate(absence.ValidateAbsenceForm(), "absence_target", text, text)
    assert result == {"absence_target": None} and said_ == ["utter_absence_no_meeting_that_day"]


def test_absence_for_an_offer_with_a_date() -> None:
    result, _ = validate(
        absence.ValidateAbsenceForm(),
        "absence_target",
        "min praktik i morgen",
        "min praktik i morgen",
    )
    assert result == {
        "absence_target": "offer",
        "absence_date": (TODAY + timedelta(days=1)).isoformat(),
    }


def test_absence_date_in_the_past_reprompts() -> None:
    result, said_ = validate(absence.ValidateAbsenceForm(), "absence_date", "i går", "i går")
    assert result == {"absence_date": None} and said_ == ["utter_form_date_past"]


def test_absence_reason_sets_the_kind() -> None:
    result, _ = validate(
        absence.ValidateAbsenceForm(), "absence_reason", "jeg har feber", "jeg har feber"
    )
    assert result["absence_kind"] == "sygdom"
    result, _ = validate(
        absence.ValidateAbsenceForm(),
        "absence_reason",
        "jeg skal til tandlæge",
        "jeg skal til tandlæge",
    )
    assert result["absence_kind"] == "andet"


def test_confirm_yes_no_unclear_and_correction() -> None:
    form = absence.ValidateAbsenceForm()
    assert validate(form, "absence_confirm", "/affirm", "/affirm", "affirm")[0] == {
        "absence_confirm": True
    }
    assert validate(form, "absence_confirm", "nej", "nej", "deny")[0] == {"absence_confirm": False}
    result, said_ = validate(form, "absence_confirm", "måske", "måske")
    assert result == {"absence_confirm": None} and said_ == ["utter_form_confirm_unclear"]
    # "nej, det er den <day of m-2>": the meeting changes and the summary is shown again.
    day = date.fromisoformat(MEETINGS[1]["day"])
    text = f"nej det er den {day.day}.{day.month}"
    result, _ = validate(form, "absence_confirm", text, text, slots={"absence_target": "m-1"})
    assert result["absence_target"] == "m-2" and result["absence_confirm"] is None


def test_reschedule_times_accept_no_preference_and_split_list() -> None:
    result, _ = validate(reschedule.ValidateRescheduleForm(), "reschedule_times", "ingen", "ingen")
    assert result == {"reschedule_times": reschedule.NO_PREFERENCE}
    assert reschedule.preferred_times("mandag formiddag, tirsdag eller onsdag") == [
        "mandag formiddag",
        "tirsdag",
        "onsdag",
    ]
    assert reschedule.preferred_times(reschedule.NO_PREFERENCE) == []


def test_message_must_be_words_and_not_too_long() -> None:
    form = message.ValidateMessageForm()
    assert validate(form, "message_text", "xkcd", "xkcd")[0] == {"message_text": None}
    long_text = "jeg har et spørgsmål " * 60
    assert validate(form, "message_text", long_text, long_text)[0] == {"message_text": None}
    ok = "Jeg har fået nyt arbejde fra mandag"
    assert validate(form, "message_text", ok, ok)[0] == {"message_text": ok}


def test_submit_without_yes_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("the case service must not be called")

    monkeypatch.setattr("actions.forms.absence.get_client", fail)
    dispatcher = CollectingDispatcher()
    tracker = said(
        "nej",
        "deny",
        slots={
            "form_meetings": MEETINGS,
            "absence_target": "m-1",
            "absence_reason": "syg",
            "absence_confirm": False,
        },
        **CITIZEN,
    )
    events = asyncio.run(absence.ActionSubmitAbsence().run(dispatcher, tracker, {}))
    assert responses(dispatcher) == ["utter_form_nothing_sent"]
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["absence_target"] is None


def test_submit_by_an_anonymous_caller_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "actions.forms.absence.get_client", lambda: (_ for _ in ()).throw(AssertionError)
    )
    dispatcher = CollectingDispatcher()
    tracker = said(
        "ja",
        "affirm",
        slots={
            "form_meetings": MEETINGS,
            "absence_target": "m-1",
            "absence_reason": "syg",
            "absence_confirm": True,
        },
    )
    asyncio.run(absence.ActionSubmitAbsence().run(dispatcher, tracker, {}))
    assert responses(dispatcher) == ["utter_form_nothing_sent"]
