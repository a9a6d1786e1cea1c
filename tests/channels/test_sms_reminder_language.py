"""The reminder job writes a reminder in the citizen's language (issue 20; bot/reminders/job.py).

The job takes the language the citizen chose in the assistant (kept by the case service, sent
with the candidate); without one, it reads the ``language`` slot of the citizen's SMS conversation
(``sms:<hash>``) through Rasa's HTTP API. It formats the meeting's time and place in that
language (Babel's ``en``: "Wednesday 4 March 2026 at 10:00") and passes the language on with
``trigger_intent``, so the new session's slot, and with it the reminder's response variation, is
that language too.

The real ``RasaApi`` client talks HTTP to a stand-in for Rasa's API (token checked) whose
``trigger_intent`` answers with the domain's own response texts (bot/domain/reminders.yml), the
variation chosen the way Rasa chooses it: the English one when the entity ``language`` is ``en``.
The whole system (the real Rasa server, "ENGLISH" over SMS, then the job): tests/e2e/
test_reminders.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from sms_fakes import HMAC_KEY, JsonHandler, StandInServer

from bot.reminders.job import ReminderJob
from bot.reminders.rasa_api import RasaApi, RasaApiError
from bot.settings import load_settings
from bot.sms.identity import phone_hash, tracker_id
from bot.sms.rendering import GSM_BASIC, GSM_EXTENSION, segment_count
from bot.sms.store import REMINDER, SmsStore
from kkshared import reminders
from kkshared.case_service import CaseServiceClient

REPO = Path(__file__).resolve().parents[2]
TOKEN = "test-rasa-api-token"
PHONE = "+4560001234"
CONVERSATION = tracker_id(phone_hash(PHONE, HMAC_KEY))
CPH = ZoneInfo("Europe/Copenhagen")
MEETING = {
    "id": "m-lang1",
    "starts_at": "2026-03-04T10:00:00+01:00",  # a Wednesday
    "status": "planned",
    "form": "fysisk",
    "meeting_type_label": "jobsamtale",
    "location": {
        "id": "laerkevej",
        "name": "Jobcenter København, Lærkevej",
        "street": "Lærkevej 11",
        "postal_code": "2400",
        "city": "København NV",
    },
}


def domain_texts(response: str) -> dict[str, str]:
    """The Danish (default) and English (``language == en``) text of a domain response."""
    domain = yaml.safe_load((REPO / "bot" / "domain" / "reminders.yml").read_text("utf-8"))
    texts = {}
    for variation in domain["responses"][response]:
        conditions = variation.get("condition") or []
        english = any(c.get("name") == "language" and c.get("value") == "en" for c in conditions)
        texts["en" if english else "da"] = variation["text"]
    return texts


class RasaStandIn(StandInServer):
    """Rasa's ``GET /conversations/<id>/tracker`` and ``POST .../trigger_intent`` (token in the
    query, as Rasa takes it)."""

    def __init__(self) -> None:
        super().__init__(_RasaHandler)
        self.slots: dict[str, dict[str, Any]] = {}  # conversation id -> slots
        self.triggered: list[tuple[str, dict[str, Any]]] = []  # (conversation, request body)
        self.tracker_status = 200
        self.tracker_reads = 0
        self.start()


class _RasaHandler(JsonHandler):
    server: RasaStandIn

    def _conversation(self, suffix: str) -> str | None:
        parts = urlsplit(self.path)
        if parse_qs(parts.query).get("token") != [TOKEN]:
            self._json(401, {"reason": "NotAuthenticated"})
            return None
        match = re.fullmatch(rf"/conversations/([^/]+)/{suffix}", parts.path)
        if not match:
            self._json(404, {"reason": "NotFound"})
            return None
        return unquote(match.group(1))

    def do_GET(self) -> None:
        conversation = self._conversation("tracker")
        if conversation is None:
            return
        self.server.tracker_reads += 1
        if self.server.tracker_status != 200:
            return self._json(self.server.tracker_status, {"reason": "ConversationError"})
        # A conversation Rasa does not know has the slots' initial values (language: da).
        slots = self.server.slots.get(conversation, {"language": "da"})
        self._json(200, {"sender_id": conversation, "slots": slots, "events": None})

    def do_POST(self) -> None:
        conversation = self._conversation("trigger_intent")
        if conversation is None:
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.server.triggered.append((conversation, body))
        entities = body["entities"]
        # Rasa fills the slot from the entity, then picks the response variation by the slot.
        language = "en" if entities.get("language") == "en" else "da"
        text = domain_texts("utter_meeting_reminder")[language].format(
            when=entities["reminder_when"], where=entities["reminder_where"]
        )
        self._json(200, {"tracker": {}, "messages": [{"recipient_id": conversation, "text": text}]})


@pytest.fixture()
def rasa():
    server = RasaStandIn()
    yield server
    server.stop()


def turn(rasa: RasaStandIn, tmp_path: Path, form: str = "fysisk", chosen: str | None = None):
    """The job's reminder SMS for MEETING (the ``Reply`` it would queue); ``chosen``: the
    language the citizen chose in the assistant, as the case service sends it."""
    settings = load_settings({"KK_SMS_HMAC_KEY": HMAC_KEY})
    store = SmsStore(f"sqlite:///{tmp_path / 'sms.db'}")
    case_service = CaseServiceClient("http://127.0.0.1:9", "unused", timeout=1.0)
    job = ReminderJob(settings, store, case_service, RasaApi(rasa.url, TOKEN, timeout=10.0))
    candidate = reminders.ReminderCandidate.from_json(
        {
            "meeting": {**MEETING, "form": form},
            "citizen_id": "c-lang1",
            "phone": PHONE,
            "preferred_language": chosen,
        }
    )

    async def scenario():
        try:
            return await job._conversation_turn(
                candidate, reminders.DAY_BEFORE, phone_hash(PHONE, HMAC_KEY)
            )
        finally:
            await case_service.close()

    try:
        return asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    finally:
        store.close()


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def test_an_english_conversation_gets_the_reminder_with_english_dates(rasa, tmp_path) -> None:
    rasa.slots[CONVERSATION] = {"language": "en", "citizen_session": False}
    reply = turn(rasa, tmp_path)

    [(conversation, body)] = rasa.triggered
    assert conversation == CONVERSATION and body["name"] == "EXTERNAL_meeting_reminder"
    assert body["entities"] == {
        "meeting_id": "m-lang1",
        "reminder_when": "Wednesday 4 March 2026 at 10:00",
        "reminder_where": "at Jobcenter København, Lærkevej (Lærkevej 11, 2400, København NV)",
        "language": "en",  # the reminder's new session keeps the conversation's language
    }
    assert reply is not None and reply.kind == REMINDER
    assert reply.text == (
        "Reminder from Jobcenter København: You have a meeting on Wednesday 4 March 2026 at 10:00 "
        "at Jobcenter København, Lærkevej (Lærkevej 11, 2400, København NV). Answer 1 to confirm, "
        "2 if you cannot come, 3 to ask for a new time."
    )
    for danish in ("onsdag", "marts", "kl.", "10.00", " på "):
        assert danish not in reply.text
    # Still one GSM 03.38 text ("ø" is in the GSM alphabet), counted as the channel counts it.
    assert is_gsm(reply.text) and reply.encoding == "GSM"
    assert reply.segments == segment_count(reply.text) == 2


def test_a_phone_meeting_in_english(rasa, tmp_path) -> None:
    rasa.slots[CONVERSATION] = {"language": "en"}
    reply = turn(rasa, tmp_path, form="telefon")
    assert rasa.triggered[0][1]["entities"]["reminder_where"] == "as a phone meeting"
    assert reply is not None
    assert "on Wednesday 4 March 2026 at 10:00 as a phone meeting." in reply.text


@pytest.mark.parametrize("slots", [{"language": "da"}, {"language": None}, None])
def test_a_danish_or_unknown_conversation_gets_the_danish_reminder(rasa, tmp_path, slots) -> None:
    if slots is not None:  # None: a number Rasa has no conversation for
        rasa.slots[CONVERSATION] = slots
    reply = turn(rasa, tmp_path)

    entities = rasa.triggered[0][1]["entities"]
    assert entities["reminder_when"] == "onsdag den 4. marts 2026 kl. 10.00"
    assert entities["language"] == "da"
    assert reply is not None
    assert reply.text == (
        "Påmindelse fra Jobcenter København: Du har en samtale onsdag den 4. marts 2026 kl. 10.00 "
        "på Jobcenter København, Lærkevej (Lærkevej 11, 2400, København NV). Svar 1 for at "
        "bekræfte, 2 hvis du ikke kan komme, 3 for at bede om en ny tid."
    )
    assert reply.encoding == "GSM" and reply.segments == segment_count(reply.text)


def test_the_language_the_citizen_chose_wins_and_rasa_is_not_asked(rasa, tmp_path) -> None:
    rasa.slots[CONVERSATION] = {"language": "da"}  # e.g. Danish SMS, English chosen on the web
    rasa.tracker_status = 500  # not needed: a chosen language is not looked up
    reply = turn(rasa, tmp_path, chosen="en")
    assert rasa.tracker_reads == 0
    entities = rasa.triggered[0][1]["entities"]
    assert entities["language"] == "en"
    assert entities["reminder_when"] == "Wednesday 4 March 2026 at 10:00"
    assert reply is not None and reply.text.startswith("Reminder from Jobcenter København: ")


def test_danish_chosen_gives_danish_although_the_sms_conversation_was_english(
    rasa, tmp_path
) -> None:
    rasa.slots[CONVERSATION] = {"language": "en"}
    reply = turn(rasa, tmp_path, chosen="da")
    assert rasa.tracker_reads == 0 and rasa.triggered[0][1]["entities"]["language"] == "da"
    assert reply is not None and reply.text.startswith("Påmindelse fra Jobcenter København: ")


def test_no_choice_reads_the_sms_conversation(rasa, tmp_path) -> None:
    rasa.slots[CONVERSATION] = {"language": "en"}
    turn(rasa, tmp_path, chosen=None)
    assert rasa.tracker_reads == 1 and rasa.triggered[0][1]["entities"]["language"] == "en"


def test_no_language_means_no_reminder_now_and_a_retry_later(rasa, tmp_path) -> None:
    """The tracker cannot be read: no reminder in a guessed language; the claim's lease runs out
    and a later run tries again (as when trigger_intent fails)."""
    rasa.tracker_status = 500
    with pytest.raises(RasaApiError):
        turn(rasa, tmp_path)
    assert rasa.triggered == []


def test_the_tracker_request_needs_the_token(rasa) -> None:
    async def scenario():
        return await RasaApi(rasa.url, "wrong-token").slots(CONVERSATION)

    with pytest.raises(RasaApiError, match="401"):
        asyncio.run(scenario())


def test_the_english_date_format_is_babels_for_any_time_of_year() -> None:
    from kkshared.formatting import format_datetime

    summer = datetime(2026, 7, 1, 9, 5, tzinfo=CPH)
    assert format_datetime(summer, "en") == "Wednesday 1 July 2026 at 09:05"
    assert format_datetime(summer) == "onsdag den 1. juli 2026 kl. 09.05"
