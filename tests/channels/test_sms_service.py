"""The SMS service's workers against real HTTP: the fake gateway (tools/fake_gateway.py) and a
case-service stub, with a stand-in for Rasa (the real Rasa server: test_sms_channel_e2e.py)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sms_fakes import (
    GATEWAY_TOKEN,
    HMAC_KEY,
    KNOWN_MSISDN,
    KNOWN_NO_LOGIN_MSISDN,
    UNKNOWN_MSISDN,
    WEBHOOK_SECRET,
    CaseServiceStub,
    FakeBridge,
    settings,
)

from bot.sms import keywords
from bot.sms.identity import phone_hash, tracker_id
from bot.sms.rendering import measure, segment_count
from bot.sms.service import SmsService
from bot.sms.signature import IncomingSms
from bot.sms.store import SmsStore
from tools.fake_gateway import FakeGateway, FakeGatewayServer

CPR = "010190-1234"


class Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "tracker.db"
        self.fake = FakeGateway(None, WEBHOOK_SECRET, GATEWAY_TOKEN)
        self.gateway = FakeGatewayServer(self.fake)
        self.gateway.start_in_thread()
        self.case = CaseServiceStub()
        self.bridge = FakeBridge()
        self.ids = iter(range(5000, 10**6))
        self.overrides: dict = {}

    def close(self) -> None:
        self.gateway.shutdown()
        self.gateway.server_close()
        self.case.stop()

    async def start(self, **overrides: Any) -> SmsService:
        cfg = settings(
            f"sqlite:///{self.db}",
            self.gateway.url,
            self.case.url,
            **{**self.overrides, **overrides},
        )
        store = await asyncio.to_thread(SmsStore, cfg.db_url)
        service = SmsService(cfg, store, self.bridge)
        await service.start()
        return service

    @staticmethod
    async def stop(service: SmsService) -> None:
        await service.stop()
        service.store.close()

    async def text(
        self, service: SmsService, msisdn: int, message: str, gateway_id: int | None = None
    ) -> str:
        gid = next(self.ids) if gateway_id is None else gateway_id
        return await service.accept(
            IncomingSms(str(gid), f"+{msisdn}", "4500000000", message, int(time.time()))
        )

    def sent(self, msisdn: int | None = None) -> list[dict]:
        with self.fake.lock:
            return [m for m in self.fake.sent if msisdn is None or m["msisdn"] == msisdn]

    async def wait_sent(
        self, count: int, msisdn: int | None = None, timeout: float = 10.0
    ) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.sent(msisdn)) < count:
            await asyncio.sleep(0.05)
        return self.sent(msisdn)

    async def settle(self, service: SmsService, timeout: float = 10.0) -> None:
        """Wait until nothing is pending in the inbox or outbox."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await asyncio.to_thread(self.pending) == 0:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("rows still pending")

    def pending(self) -> int:
        with sqlite3.connect(self.db) as conn:
            return sum(
                conn.execute(f"SELECT COUNT(*) FROM {t} WHERE status = 'pending'").fetchone()[0]
                for t in ("sms_inbox", "sms_outbox")
            )

    def rows(self, sql: str) -> list:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture()
def h(tmp_path: Path):
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


def test_a_known_citizen_gets_an_answer_with_their_subject(h: Harness) -> None:
    async def scenario():
        service = await h.start()
        assert await h.text(service, KNOWN_MSISDN, "hvornår er mit næste møde?") == "accepted"
        [sent] = await h.wait_sent(1)
        await h.settle(service)
        await h.stop(service)
        return sent

    sent = run(scenario())
    [turn] = h.bridge.turns
    assert turn["metadata"] == {"kk": {"channel": "sms", "subject": "u-borger", "role": "citizen"}}
    assert turn["sender_id"] == tracker_id(phone_hash("+4500000101", HMAC_KEY))
    assert turn["text"] == "hvornår er mit næste møde?"
    assert (
        sent["msisdn"] == KNOWN_MSISDN and sent["message"] == "Svar på: hvornår er mit næste møde?"
    )
    assert sent["sender"] == "4500000000"  # replies come from the number the citizen wrote to
    assert sent["userref"].startswith("kk-sms-")
    # Processed: the text is gone from the inbox, the number from the database.
    assert h.rows("SELECT text, outcome FROM sms_inbox") == [(None, "answered")]
    assert h.rows("SELECT * FROM sms_recipients") == []
    assert b"4500000101" not in h.db.read_bytes()


@pytest.mark.parametrize("msisdn", [UNKNOWN_MSISDN, KNOWN_NO_LOGIN_MSISDN])
def test_unknown_numbers_and_citizens_without_login_get_no_subject(h: Harness, msisdn) -> None:
    async def scenario():
        service = await h.start()
        await h.text(service, msisdn, "hvornår får jeg penge?")
        await h.wait_sent(1, msisdn)
        await h.stop(service)

    run(scenario())
    [turn] = h.bridge.turns
    assert turn["metadata"] == {"kk": {"channel": "sms", "subject": None, "role": None}}


def test_a_retried_webhook_gives_one_reply(h: Harness) -> None:
    async def scenario():
        service = await h.start()
        statuses = [await h.text(service, KNOWN_MSISDN, "hej", gateway_id=777)]
        statuses.append(await h.text(service, KNOWN_MSISDN, "hej", gateway_id=777))
        await h.wait_sent(1)
        await h.settle(service)
        # The gateway retries again long after the answer went out.
        statuses.append(await h.text(service, KNOWN_MSISDN, "hej", gateway_id=777))
        await asyncio.sleep(0.5)
        await h.stop(service)
        return statuses

    assert run(scenario()) == ["accepted", "duplicate", "duplicate"]
    assert len(h.bridge.turns) == 1
    assert len(h.sent()) == 1


def test_stored_messages_are_answered_after_a_restart_in_order(h: Harness) -> None:
    async def scenario():
        h.bridge.is_ready = False  # Rasa is still loading its model ... then the server stops
        first = await h.start()
        await h.text(first, KNOWN_MSISDN, "første")
        await h.text(first, KNOWN_MSISDN, "anden")
        await h.text(first, UNKNOWN_MSISDN, "tredje")
        await asyncio.sleep(0.3)
        await h.stop(first)
        assert h.sent() == [] and h.bridge.turns == []
        h.bridge.is_ready = True
        second = await h.start()
        await h.wait_sent(3)
        await h.settle(second)
        await h.stop(second)

    run(scenario())
    mine = [
        t["text"]
        for t in h.bridge.turns
        if t["sender_id"] == tracker_id(phone_hash("+4500000101", HMAC_KEY))
    ]
    assert mine == ["første", "anden"]
    assert sorted(m["message"] for m in h.sent()) == [
        "Svar på: anden",
        "Svar på: første",
        "Svar på: tredje",
    ]


def test_a_shutdown_in_the_middle_of_a_turn_hands_the_message_to_the_next_start(h: Harness) -> None:
    h.bridge.delay = 30.0  # Rasa is slow; the server is stopped meanwhile

    async def scenario():
        first = await h.start()
        await h.text(first, KNOWN_MSISDN, "hej")
        while not h.bridge.turns:
            await asyncio.sleep(0.05)
        await h.stop(first)
        h.bridge.delay = 0.0
        started = time.monotonic()
        second = await h.start()
        sent = await h.wait_sent(1, timeout=10)
        await h.stop(second)
        return sent, time.monotonic() - started

    sent, seconds = run(scenario())
    assert [m["message"] for m in sent] == ["Svar på: hej"]
    assert seconds < 10  # not after the 120 s lease
    assert len(h.bridge.turns) == 2  # the interrupted turn is repeated (at-least-once)


def test_a_gateway_outage_is_retried_until_the_reply_is_sent(h: Harness) -> None:
    h.fake.fail_count, h.fake.fail_status = 3, 503

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "hej")
        sent = await h.wait_sent(1)
        await h.settle(service)
        await h.stop(service)
        return sent

    assert len(run(scenario())) == 1
    assert (h.fake.send_attempts, h.fake.failed_attempts) == (4, 3)
    assert h.rows("SELECT status, attempts, text FROM sms_outbox") == [("sent", 4, None)]


def test_a_reply_survives_a_restart_during_an_outage(h: Harness) -> None:
    h.fake.fail_count = -1  # down until told otherwise

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "hej")
        deadline = time.monotonic() + 10
        while h.fake.failed_attempts < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await h.stop(service)
        assert h.rows("SELECT status, text FROM sms_outbox") == [("pending", "Svar på: hej")]
        with h.fake.lock:
            h.fake.fail_count = 0
        again = await h.start()
        sent = await h.wait_sent(1)
        await h.settle(again)
        await h.stop(again)
        return sent

    assert [m["message"] for m in run(scenario())] == ["Svar på: hej"]


def test_a_request_the_gateway_rejects_is_not_retried(h: Harness) -> None:
    h.fake.fail_count, h.fake.fail_status = 1, 400

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "hej")
        await h.settle(service)
        await asyncio.sleep(0.3)
        await h.stop(service)

    run(scenario())
    assert h.fake.send_attempts == 1
    assert h.rows("SELECT status, last_error FROM sms_outbox") == [
        ("rejected", "HTTP 400 (code 0x0000)")
    ]


def test_stop_then_nothing_is_sent_until_start(h: Harness) -> None:
    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "Stop")
        [ack] = await h.wait_sent(1)
        await h.text(service, KNOWN_MSISDN, "hvornår er mit møde?")
        await h.text(service, KNOWN_MSISDN, "HJÆLP")
        await h.text(service, KNOWN_MSISDN, "STOP")  # a second STOP is not confirmed again
        await h.settle(service)
        await asyncio.sleep(0.3)
        after_stop = list(h.sent())
        await h.text(service, KNOWN_MSISDN, "START")
        await h.text(service, KNOWN_MSISDN, "hej igen")
        await h.wait_sent(3)
        await h.settle(service)
        await h.stop(service)
        return ack, after_stop

    ack, after_stop = run(scenario())
    assert ack["message"] == keywords.STOP_TEXT
    assert [m["message"] for m in after_stop] == [keywords.STOP_TEXT]
    assert h.case.state.opt_out_calls == [("c-borger", True), ("c-borger", False)]
    assert [t["text"] for t in h.bridge.turns] == ["hej igen"]
    assert [m["message"] for m in h.sent()][1:] == [keywords.START_TEXT, "Svar på: hej igen"]


def test_stop_from_an_unknown_number_is_kept_locally(h: Harness) -> None:
    async def scenario():
        service = await h.start()
        await h.text(service, UNKNOWN_MSISDN, "stop")
        await h.wait_sent(1)
        await h.text(service, UNKNOWN_MSISDN, "hej")
        await h.settle(service)
        await asyncio.sleep(0.3)
        await h.stop(service)

    run(scenario())
    assert [m["message"] for m in h.sent()] == [keywords.STOP_TEXT]
    assert h.bridge.turns == [] and h.case.state.opt_out_calls == []


def test_stop_while_the_case_service_is_down_still_silences_at_once(h: Harness) -> None:
    h.case.state.fail_with = 503

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "STOP")
        await h.wait_sent(1)
        assert h.case.state.opt_out_calls == []
        h.case.state.fail_with = None  # the case service comes back: the opt-out is stored
        deadline = time.monotonic() + 10
        while not h.case.state.opt_out_calls and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await h.text(service, KNOWN_MSISDN, "hej")
        await h.settle(service)
        await h.stop(service)

    run(scenario())
    assert h.case.state.opt_out_calls == [("c-borger", True)]
    assert [m["message"] for m in h.sent()] == [keywords.STOP_TEXT]
    assert h.bridge.turns == []


def test_an_opt_out_registered_in_the_case_service_is_respected(h: Harness) -> None:
    h.case.state.citizens["+4500000101"].sms_opt_out = True

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "hej")
        await h.settle(service)
        await asyncio.sleep(0.3)
        await h.stop(service)

    run(scenario())
    assert h.sent() == [] and h.bridge.turns == []


def test_help_is_answered_without_the_bot(h: Harness) -> None:
    async def scenario():
        service = await h.start()
        await h.text(service, UNKNOWN_MSISDN, "hjælp")
        sent = await h.wait_sent(1)
        await h.stop(service)
        return sent

    assert [m["message"] for m in run(scenario())] == [keywords.HELP_TEXT]
    assert h.bridge.turns == []


def test_numbered_replies_choose_the_offered_buttons(h: Harness) -> None:
    def answer(text: str):
        if text == "skat":
            return [
                {
                    "text": "Mente du: »Skat«?",
                    "buttons": [
                        {"title": "Ja", "payload": "/affirm"},
                        {"title": "Nej", "payload": "/deny"},
                    ],
                }
            ]
        return [{"text": f"Du valgte {text}"}]

    h.bridge.answer = answer

    async def scenario():
        service = await h.start()
        for message in ("skat", "1", "skat", "2", "skat", "3", "1"):
            await h.text(service, KNOWN_MSISDN, message)
            await h.settle(service)
        await h.stop(service)

    run(scenario())
    # "3" is not a choice: the bot is not asked, the citizen is told the choices; "1" still
    # chooses "Ja" afterwards.
    assert [t["text"] for t in h.bridge.turns] == [
        "skat",
        "/affirm",
        "skat",
        "/deny",
        "skat",
        "/affirm",
    ]
    assert h.sent()[0]["message"] == 'Mente du: "Skat"?\nSvar 1 for Ja eller 2 for Nej.'
    assert h.sent()[5]["message"] == keywords.choose_number_text(2)
    assert h.sent()[0]["encoding"] == "UTF8"  # GSM 03.38: the gateway's default


def test_typed_payloads_and_numbers_without_choices_are_plain_text(h: Harness) -> None:
    h.bridge.answer = lambda text: [{"text": "ok"}]

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, '/request_human{"x": 1}')
        await h.settle(service)
        await h.text(service, KNOWN_MSISDN, "2")  # no buttons offered: the bot gets "2"
        await h.settle(service)
        await h.stop(service)

    run(scenario())
    assert [t["text"] for t in h.bridge.turns] == ['request_human{"x": 1}', "2"]


def test_the_rate_limit_sends_one_notice_then_nothing(h: Harness) -> None:
    async def scenario():
        service = await h.start(rate_limit_count=2, rate_limit_window=600.0)
        for n in range(5):
            await h.text(service, KNOWN_MSISDN, f"besked {n}")
        await h.text(service, UNKNOWN_MSISDN, "en anden afsender")
        await h.wait_sent(4)
        await h.settle(service)
        await asyncio.sleep(0.3)
        await h.stop(service)

    run(scenario())
    assert [t["text"] for t in h.bridge.turns if t["text"].startswith("besked")] == [
        "besked 0",
        "besked 1",
    ]
    mine = [m["message"] for m in h.sent(KNOWN_MSISDN)]
    assert mine == ["Svar på: besked 0", "Svar på: besked 1", keywords.RATE_LIMIT_TEXT]
    assert len(h.sent(UNKNOWN_MSISDN)) == 1


def test_while_the_case_service_is_down_the_message_waits(h: Harness) -> None:
    h.case.state.fail_with = 503

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "hvornår er mit møde?")
        await asyncio.sleep(0.5)
        assert h.sent() == [] and h.bridge.turns == []
        h.case.state.fail_with = None
        await h.wait_sent(1)
        await h.stop(service)

    run(scenario())
    assert h.bridge.turns[0]["metadata"]["kk"]["subject"] == "u-borger"


def test_when_the_case_service_stays_down_the_answer_is_general(h: Harness) -> None:
    h.case.state.fail_with = 500

    async def scenario():
        service = await h.start(lookup_grace=0.3)
        await h.text(service, KNOWN_MSISDN, "hvad er kontanthjælp?")
        await h.wait_sent(1)
        await h.stop(service)

    run(scenario())
    assert h.bridge.turns[0]["metadata"]["kk"] == {"channel": "sms", "subject": None, "role": None}


def test_personal_data_is_masked_before_the_bot_or_the_database_see_it(h: Harness) -> None:
    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, f"mit cpr er {CPR}")
        # Look at the stored row before it is processed.
        stored = h.rows("SELECT text FROM sms_inbox")
        await h.wait_sent(1)
        await h.stop(service)
        return stored

    assert run(scenario()) == [("mit cpr er [CPR]",)]
    assert h.bridge.turns[0]["text"] == "mit cpr er [CPR]"
    message = h.sent()[0]["message"]
    assert message.startswith("Skriv ikke dit CPR-nummer i en sms.")
    assert CPR.encode() not in h.db.read_bytes()


@pytest.mark.parametrize("message", ["hej \ud800", "hej\x00", "STOP\x00", "\ufffe"])
def test_a_message_that_is_not_text_gets_one_notice_and_never_reaches_the_bot(
    h: Harness, message: str
) -> None:
    async def scenario():
        service = await h.start()
        statuses = [await h.text(service, KNOWN_MSISDN, message, gateway_id=4711)]
        stored = h.rows("SELECT text, pii_kinds FROM sms_inbox")
        await h.wait_sent(1)
        await h.settle(service)
        # The gateway retries the webhook: no second notice.
        statuses.append(await h.text(service, KNOWN_MSISDN, message, gateway_id=4711))
        await h.text(service, KNOWN_MSISDN, "hej")  # the next ordinary message is answered
        await h.wait_sent(2)
        await h.settle(service)
        await h.stop(service)
        return statuses, stored

    statuses, stored = run(scenario())
    assert statuses == ["unreadable", "duplicate"]
    assert stored == [("", "unreadable")]
    assert [m["message"] for m in h.sent()] == [keywords.UNREADABLE_TEXT, "Svar på: hej"]
    assert [t["text"] for t in h.bridge.turns] == ["hej"]
    assert h.rows("SELECT outcome FROM sms_inbox ORDER BY id") == [("unreadable",), ("answered",)]
    assert h.rows("SELECT * FROM sms_preferences") == []  # "STOP\x00" is not a STOP


def test_a_message_that_is_not_text_from_an_opted_out_number_gets_nothing(h: Harness) -> None:
    h.case.state.citizens["+4500000101"].sms_opt_out = True

    async def scenario():
        service = await h.start()
        assert await h.text(service, KNOWN_MSISDN, "hej \ud800") == "unreadable"
        await h.settle(service)
        await asyncio.sleep(0.3)
        await h.stop(service)

    run(scenario())
    assert h.sent() == [] and h.bridge.turns == []
    assert h.rows("SELECT outcome FROM sms_inbox") == [("opted_out",)]


def test_the_notice_about_an_unreadable_message_is_plain_danish_in_one_gsm_sms() -> None:
    sms = measure(keywords.UNREADABLE_TEXT)
    assert sms.text.startswith("Jeg kunne ikke læse din sms")
    assert (sms.encoding, sms.segments) == ("GSM", 1)


def test_a_failing_bot_turn_gives_a_technical_error_reply(h: Harness) -> None:
    def broken(text: str):
        raise RuntimeError("model exploded")

    h.bridge.answer = broken

    async def scenario():
        service = await h.start()
        await h.text(service, KNOWN_MSISDN, "hej")
        sent = await h.wait_sent(1)
        await h.stop(service)
        return sent

    assert [m["message"] for m in run(scenario())] == [keywords.TECHNICAL_ERROR_TEXT]


def test_long_answers_are_cut_to_the_segment_budget(h: Harness) -> None:
    h.bridge.answer = lambda text: [{"text": "Dette er en lang forklaring om regler. " * 40}]

    async def scenario():
        service = await h.start(max_segments=3)
        await h.text(service, KNOWN_MSISDN, "forklar")
        sent = await h.wait_sent(1)
        await h.stop(service)
        return sent

    [sent] = run(scenario())
    assert segment_count(sent["message"]) <= 3 and sent["max_parts"] == 3
    assert sent["message"].endswith("Læs mere på kk.dk.")
