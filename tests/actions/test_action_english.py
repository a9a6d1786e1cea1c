"""Texts the actions build, in English when the conversation's ``language`` slot is "en"
(issue 20, docs/english.md): dates, times and amounts by Babel, words from locale/en/.../kk.po.
Against the real case service the test command starts (KK_E2E_API_URL), like the Danish tests."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher
from test_action_own_case import live, real_service, subject_of  # noqa: F401 (fixture)
from tracker_factory import said

from actions.clarify import ActionClarify
from actions.forms.base import confirm_buttons
from actions.opening_hours import ActionOpeningHours
from actions.own_case import ActionNextMeeting, ActionNextPayment, ActionPlan
from kkshared.i18n import _

ENGLISH = {"language": "en"}
DANISH_DATE = re.compile(r"\b(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|kl\.)", re.I)


def run(action, tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def citizen(text: str, slots: dict | None, channel: str = "kk"):
    return said(
        text, channel=channel, subject=subject_of("demo-borger"), role="citizen", slots=slots
    )


@real_service
def test_next_meeting_in_english(live: str) -> None:  # noqa: F811
    messages = run(ActionNextMeeting(), citizen("when is my next meeting", ENGLISH))
    assert messages[0]["response"] == "utter_own_next_meeting"
    meeting = messages[0]["meeting"]
    assert re.search(r"on \w+day \d{1,2} \w+ \d{4} at \d{2}:\d{2}", meeting), meeting
    assert meeting.startswith("a meeting"), meeting
    assert not DANISH_DATE.search(meeting), meeting
    danish = run(ActionNextMeeting(), citizen("næste samtale", {"language": "da"}))
    assert re.search(r"den \d+\. \w+ \d{4} kl\. \d{2}\.\d{2}", danish[0]["meeting"])


@real_service
def test_next_payment_in_english(live: str) -> None:  # noqa: F811
    messages = run(ActionNextPayment(), citizen("when do i get my money", ENGLISH))
    assert messages[0]["response"] == "utter_own_next_payment"
    assert re.fullmatch(r"DKK \d{1,3}(,\d{3})*\.\d{2}", messages[0]["amount"]), messages[0]
    assert re.fullmatch(r"\w+day \d{1,2} \w+ \d{4}", messages[0]["when"]), messages[0]


@real_service
def test_plan_labels_in_english(live: str) -> None:  # noqa: F811
    messages = run(ActionPlan(), citizen("what is in my plan", ENGLISH))
    assert messages[0]["response"] == "utter_own_plan"
    labels = re.findall(r"^- (\w+):", messages[0]["items"], re.M)
    assert labels and set(labels) <= {"Goal", "Activity", "Deadline", "Item"}, messages[0]
    assert "senest" not in messages[0]["items"]


@real_service
def test_opening_hours_in_english(live: str) -> None:  # noqa: F811
    # A date as the job centre's letters write it (day first).
    day = date.today() + timedelta(days=3)
    tracker = said(f"is the job centre on Lærkevej open on {day.day}.{day.month}", slots=ENGLISH)
    messages = run(ActionOpeningHours(), tracker)
    answer = next(m for m in messages if m["response"].startswith("utter_opening_hours_day"))
    assert re.fullmatch(r"\w+day \d{1,2} \w+ \d{4}", answer["day"]), answer
    assert re.search(r": (open \d{2}:\d{2}-\d{2}:\d{2}|closed)", answer["lines"]), answer
    assert "åbent" not in answer["lines"] and "lukket" not in answer["lines"]
    now = run(ActionOpeningHours(), said("is the job centre open", slots=ENGLISH))
    assert now[0]["response"] == "utter_opening_hours", now
    assert re.search(r": (open now|closed now)", now[0]["lines"]), now


@real_service
def test_opening_hours_over_christmas_in_english(live: str) -> None:  # noqa: F811
    tracker = said("is the job centre on Lærkevej open over Christmas", slots=ENGLISH)
    messages = run(ActionOpeningHours(), tracker)
    assert messages[0]["response"] == "utter_opening_hours_period", messages
    lines = messages[0]["lines"].split("\n")
    assert len(lines) == 9
    assert re.match(r"\w+day 24 December: closed \(Juleaftensdag\)", lines[0]), lines
    for danish in ("åbent", "lukket", "åbningstid", "december:"):
        assert danish not in messages[0]["lines"], messages


@real_service
@pytest.mark.parametrize("asked", ["on saturday", "on Saturday next week", "tomorrow"])
def test_opening_hours_for_an_english_day(live: str, asked: str) -> None:  # noqa: F811
    tracker = said(f"is the job centre on Lærkevej open {asked}", slots=ENGLISH)
    messages = run(ActionOpeningHours(), tracker)
    answer = next(m for m in messages if m["response"].startswith("utter_opening_hours_day"))
    assert re.fullmatch(r"\w+day \d{1,2} \w+ \d{4}", answer["day"]), answer
    if asked != "tomorrow":
        assert answer["day"].startswith("Saturday"), answer
        # The demo places have no Saturday hours: said in English, not the case service's Danish.
        assert "closed (no opening hours on Saturdays)" in answer["lines"], answer
    for danish in ("åbent", "lukket", "åbningstid", "lørdag"):
        assert danish not in answer["lines"], answer


def test_clarify_buttons_and_labels_in_english() -> None:
    from tracker_factory import tracker, user_event

    event = user_event("meeting moving?", "nlu_fallback")
    event["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "request_reschedule", "confidence": 0.4},
    ]
    messages = run(ActionClarify(), tracker([event], ENGLISH))
    assert messages[0]["response"] == "utter_clarify_suggest_intent", messages
    assert messages[0]["suggestion"] == "You want to ask to move a meeting"
    assert [b["title"] for b in messages[0]["buttons"]] == ["Yes", "No, something else"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_reschedule", "/deny"]


@pytest.mark.parametrize(
    ("language", "titles"), [("en", ["Yes, send", "No"]), ("da", ["Ja, send", "Nej"])]
)
def test_form_confirm_buttons(language: str, titles: list[str]) -> None:
    buttons = confirm_buttons(language)
    assert [b["title"] for b in buttons] == titles
    assert [b["payload"] for b in buttons] == ["/affirm", "/deny"]


def test_unknown_language_is_danish() -> None:
    assert _("Ja", None) == "Ja"
    assert _("Ja", "fr") == "Ja"
    assert _("Ja", "en") == "Yes"


def test_every_marked_text_has_an_english_translation() -> None:
    """Babel extracts every ``_()``/``N_()`` text of the actions and channels; each one must be in
    locale/en/LC_MESSAGES/kk.po with a translation, not fuzzy, with the same {placeholders}."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from kkshared.i18n import catalogue_path

    root = Path(__file__).resolve().parents[2]
    with catalogue_path("en").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    marked: set[str] = set()
    for directory in ("actions", "bot/channels", "bot/sms"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / directory, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
        ):
            marked.add(message if isinstance(message, str) else message[0])
    assert len(marked) > 50
    for message in sorted(marked):
        entry = catalog.get(message)
        assert entry is not None and entry.string, f"no English for {message!r}"
        assert not entry.fuzzy, message
        placeholders = re.compile(r"\{(\w+)\}")
        assert set(placeholders.findall(entry.string)) == set(placeholders.findall(message))


def test_sms_keyword_texts_have_english_versions() -> None:
    from bot.sms import keywords

    for name in dir(keywords):
        if name.endswith("_TEXT"):
            danish = getattr(keywords, name)
            english = _(danish, "en")
            assert english != danish, f"keywords.{name} has no English version"


def test_dates_and_amounts_for_english() -> None:
    from datetime import datetime, time
    from decimal import Decimal

    from kkshared import formatting

    moment = datetime(2026, 3, 3, 10, 0)
    assert formatting.format_datetime(moment, "en") == "Tuesday 3 March 2026 at 10:00"
    assert formatting.format_datetime(moment) == "tirsdag den 3. marts 2026 kl. 10.00"
    assert formatting.format_amount(Decimal("12345.5"), "en") == "DKK 12,345.50"
    assert formatting.format_amount(Decimal("12345.5")) == "12.345,50 kr."
    assert formatting.format_short_date(moment, "en") == "3 March"
    assert formatting.format_time_range(time(8), time(15), "en") == "08:00-15:00"


def test_sms_choices_and_notice_follow_the_bot_language() -> None:
    from bot.channels.common import WHERE_SMS, pii_notice
    from bot.sms.rendering import render, reply_number

    english = [
        {
            "text": "I am not quite sure what you mean. Did you mean: »When is your next meeting?«",
            "buttons": [
                {"title": "Yes", "payload": "/affirm"},
                {"title": "No, something else", "payload": "/deny"},
            ],
        }
    ]
    notice = pii_notice(["cpr"], where=WHERE_SMS, language="en")
    assert notice == (
        "Do not write your CPR number (Danish personal ID number) in a text message. "
        "I have removed it from your message and do not keep it."
    )
    sms = render(english, notice)
    assert sms is not None
    assert sms.text.endswith("Reply 1 for Yes\nReply 2 for No, something else"), sms.text
    danish = render([{"text": "Mente du det?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}])
    assert danish is not None and danish.text.endswith("Svar 1 for Ja."), danish.text
    assert reply_number("reply 2") == 2 and reply_number("svar 1") == 1
