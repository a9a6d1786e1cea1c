"""SMS reminders end to end (issue 19): the whole system that `./kk test e2e` starts (case
service, Rasa, action server, the fake SMS gateway), and the reminder job run as its own process
with an injected clock (`python -m bot.reminders --once --now ...`), the way a test can move time.

Each test makes its own citizens (a login user, a phone number, the opt-in through the API) and
meetings in the case-service database, on days computed from today (weekdays, holidays), so the
job that `./kk test` runs with the real clock never finds them due.
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import Chat, api_url, http, login, sqlite_path

from bot.reminders.schedule import is_working_day, working_day_before
from bot.sms.identity import phone_hash, tracker_id
from kkshared.formatting import format_date
from kkshared.holidays import closed_days
from kkshared.language import decided_language
from kkshared.user_tokens import create_user_token

CPH = ZoneInfo("Europe/Copenhagen")
REPO = Path(__file__).resolve().parents[2]
CHOICES = "Svar 1 for at bekræfte, 2 hvis du ikke kan komme, 3 for at bede om en ny tid"
TRANSCRIPT = REPO / "var" / "test-results" / "reminders-conversation.txt"
_numbers = itertools.count(int(time.time()) % 100000 * 10)

pytestmark = pytest.mark.skipif(
    not os.environ.get("KK_E2E_RASA_API_TOKEN") or not os.environ.get("KK_E2E_SMS_GATEWAY_URL"),
    reason="needs the e2e system with the Rasa API token and the fake gateway (./kk test e2e)",
)


# --- the world: citizens and meetings ------------------------------------------------------------


def _db(sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(sqlite_path("KK_E2E_DATABASE_URL"), timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None).isoformat(sep=" ")


class Citizen:
    """A citizen with a login user, a registered number and (by default) the opt-in."""

    def __init__(self, opt_in: bool = True) -> None:
        tag = uuid.uuid4().hex[:8]
        self.user_id, self.citizen_id = f"u-rem{tag}", f"c-rem{tag}"
        self.msisdn = 4560000000 + next(_numbers) % 10_000_000
        now = _utc_text(datetime.now(CPH))
        _db(
            "INSERT INTO users (id, username, display_name, role, is_active, created_at) "
            "VALUES (?, ?, ?, 'citizen', 1, ?)",
            (self.user_id, f"rem-{tag}", "Test Borger", now),
        )
        _db(
            "INSERT INTO citizens (id, user_id, name, phone, preferred_channel, sms_opt_out, "
            "created_at) VALUES (?, ?, 'Test Borger', ?, 'sms', 0, ?)",
            (self.citizen_id, self.user_id, f"+{self.msisdn}", now),
        )
        self.token = create_user_token(
            self.user_id, "citizen", os.environ["KK_E2E_JWT_SECRET"], ttl=timedelta(hours=2)
        )
        if opt_in:
            status, body = self.call("PUT", "/me/sms-reminders", {"opted_in": True})
            assert status == 200 and body["opted_in"] is True, body

    def call(self, method: str, path: str, body=None):
        return http(method, f"{api_url()}{path}", body, {"Authorization": f"Bearer {self.token}"})

    def meeting(self, starts: datetime, location: str = "laerkevej", form: str = "fysisk") -> str:
        meeting_id = f"m-rem{uuid.uuid4().hex[:8]}"
        _db(
            "INSERT INTO meetings (id, citizen_id, starts_at, duration_minutes, form, "
            "meeting_type, location_id, status) VALUES (?, ?, ?, 45, ?, 'jobsamtale', ?, "
            "'planned')",
            (meeting_id, self.citizen_id, _utc_text(starts), form, location),
        )
        return meeting_id

    def reminders(self) -> dict[str, dict]:
        status, body = self.call("GET", f"/citizens/{self.citizen_id}/meeting-reminders")
        assert status == 200, body
        return {m["meeting_id"]: m for m in body}

    # --- the phone ---

    def sent(self) -> list[str]:
        status, body = http("GET", f"{gateway()}/_fake/sent?to={self.msisdn}")
        assert status == 200, body
        return [m["message"] for m in body["messages"]]

    def text(self, message: str, gateway_id: int | None = None, expect: int = 1) -> list[str]:
        """Text the assistant through the fake gateway; the SMS it answered with."""
        before = len(self.sent())
        request = {"msisdn": self.msisdn, "message": message}
        if gateway_id is not None:
            request["id"] = gateway_id
        status, body = http("POST", f"{gateway()}/_fake/incoming", request)
        assert status == 200 and body["status"] == 200, body
        if expect:
            _wait(lambda: len(self.sent()) >= before + expect, 120)
        _transcript(f"+{self.msisdn} > {message}")
        replies = self.sent()[before:]
        for reply in replies:
            _transcript(f"+{self.msisdn} < {reply}")
        return replies


def gateway() -> str:
    return os.environ["KK_E2E_SMS_GATEWAY_URL"]


def _wait(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    assert predicate(), "timed out"


def _transcript(line: str) -> None:
    TRANSCRIPT.parent.mkdir(parents=True, exist_ok=True)
    with TRANSCRIPT.open("a", encoding="utf-8") as out:
        out.write(line.replace("\n", "\n    ") + "\n")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH)


def weekday_after(start: date, weekday: int, ok=lambda d: True) -> date:
    """The first ``weekday`` (0 = Monday) on or after ``start`` that is a working day whose
    working day before passes ``ok``."""
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    while not (is_working_day(day) and ok(day)):
        day += timedelta(days=7)
    return day


def future(days: int) -> date:
    return datetime.now(CPH).date() + timedelta(days=days)


# --- the job ------------------------------------------------------------------------------------


def job_env(**extra: str) -> dict:
    tracker = os.environ["KK_E2E_TRACKER_DB_URL"]
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "KK_SMS_HMAC_KEY": os.environ["KK_E2E_SMS_HMAC_KEY"],
        "KK_SMS_DB_URL": tracker,
        "KK_TRACKER_DB_URL": tracker,
        "KK_API_URL": api_url(),
        "KK_SERVICE_TOKEN": os.environ["KK_E2E_SERVICE_TOKEN"],
        "KK_RASA_URL": os.environ["KK_E2E_RASA_URL"],
        "KK_RASA_API_TOKEN": os.environ["KK_E2E_RASA_API_TOKEN"],
        **extra,
    }


def job_command(now: datetime) -> list[str]:
    return [sys.executable, "-m", "bot.reminders", "--once", "--now", now.isoformat()]


def run_job(now: datetime, **extra: str) -> str:
    done = subprocess.run(
        job_command(now),
        cwd=REPO,
        env=job_env(**extra),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def wait_sent(citizen: Citizen, count: int) -> list[str]:
    _wait(lambda: len(citizen.sent()) >= count, 120)
    time.sleep(1.0)  # a duplicate would be sent right after
    return citizen.sent()


# --- the tests ---------------------------------------------------------------------------------


def test_a_meeting_tomorrow_gets_exactly_one_reminder_at_the_set_time() -> None:
    citizen = Citizen()
    wednesday = weekday_after(future(20), 2, lambda d: is_working_day(d - timedelta(days=1)))
    meeting = citizen.meeting(local(wednesday, 10))
    tuesday = wednesday - timedelta(days=1)
    run_job(local(tuesday, 15, 59))
    time.sleep(1.0)
    assert citizen.sent() == []  # not before the send time (16:00)
    run_job(local(tuesday, 16, 0))
    [sms] = wait_sent(citizen, 1)
    assert "Påmindelse fra Jobcenter København" in sms and CHOICES in sms
    assert "kl. 10.00" in sms and "Lærkevej" in sms and str(wednesday.day) in sms
    assert "jobsamtale" not in sms  # no meeting type (it can tell about health)
    # The reminder opened the conversation: the SMS variant of the AI notice comes first.
    assert sms.startswith("KK-assistenten er en automatisk assistent. Skriv ikke dit CPR-nummer.")
    assert "ikke et menneske" not in sms
    run_job(local(tuesday, 16, 5))
    run_job(local(tuesday, 18, 0))
    assert len(wait_sent(citizen, 1)) == 1  # exactly one
    [entry] = citizen.reminders()[meeting]["reminders"]
    assert entry["kind"] == "day_before" and entry["status"] == "queued"
    assert entry["day"] == tuesday.isoformat()


def test_a_monday_meeting_gets_its_reminder_on_friday() -> None:
    citizen = Citizen()
    monday = weekday_after(future(20), 0, lambda d: working_day_before(d) == d - timedelta(days=3))
    meeting = citizen.meeting(local(monday, 9, 30))
    friday, sunday = monday - timedelta(days=3), monday - timedelta(days=1)
    run_job(local(friday, 12))
    time.sleep(1.0)
    assert citizen.sent() == []
    run_job(local(friday, 16))
    run_job(local(sunday, 16))  # the day before: already sent
    [sms] = wait_sent(citizen, 1)
    assert "mandag" in sms and "kl. 09.30" in sms
    assert citizen.reminders()[meeting]["reminders"][0]["day"] == friday.isoformat()


def test_a_meeting_after_a_public_holiday_gets_it_the_working_day_before() -> None:
    citizen = Citizen()
    start, end = future(3), future(330)
    holiday = next(
        h.day
        for year in (start.year, start.year + 1)
        for h in closed_days(year)
        if start <= h.day <= end and h.day.weekday() < 5
    )
    meeting_day = holiday + timedelta(days=1)
    while not is_working_day(meeting_day):
        meeting_day += timedelta(days=1)
    send_day = working_day_before(meeting_day)
    assert send_day < holiday
    meeting = citizen.meeting(local(meeting_day, 11))
    run_job(local(send_day - timedelta(days=1), 16))
    time.sleep(1.0)
    assert citizen.sent() == []
    run_job(local(send_day, 16))
    run_job(local(holiday, 16))  # the holiday itself is not a sending day; nothing twice
    [sms] = wait_sent(citizen, 1)
    assert CHOICES in sms
    assert citizen.reminders()[meeting]["reminders"][0]["day"] == send_day.isoformat()


def test_a_job_killed_in_the_middle_and_a_second_job_send_no_duplicate() -> None:
    citizens = [Citizen() for _ in range(3)]
    thursday = weekday_after(future(40), 3, lambda d: is_working_day(d - timedelta(days=1)))
    for citizen in citizens:
        citizen.meeting(local(thursday, 13))
    now = local(thursday - timedelta(days=1), 16, 30)
    # A first job, killed as soon as it has claimed a reminder (mid-run).
    first = subprocess.Popen(
        job_command(now),
        cwd=REPO,
        env=job_env(KK_REMINDER_CLAIM_LEASE_SECONDS="5"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    ids = tuple(c.citizen_id for c in citizens)
    claimed = f"SELECT count(*) FROM reminder_log WHERE citizen_id IN ({','.join('?' * 3)})"
    _wait(lambda: _db(claimed, ids)[0][0] >= 1 or first.poll() is not None, 120)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    # Two jobs at once (as with two replicas), after the dead job's lease ran out.
    time.sleep(6)
    jobs = [
        subprocess.Popen(
            job_command(now),
            cwd=REPO,
            env=job_env(KK_REMINDER_CLAIM_LEASE_SECONDS="5"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    for job in jobs:
        assert job.wait(timeout=300) == 0
    for citizen in citizens:
        assert len(wait_sent(citizen, 1)) == 1

    def status(citizen: Citizen) -> str:
        [entry] = next(iter(citizen.reminders().values()))["reminders"]
        return str(entry["status"])

    # A claim can be left behind with its SMS already queued, e.g. when the outcome call to the
    # case service times out (KK_REMINDER_CASE_SERVICE_TIMEOUT; the job's client gave up after
    # 2.5 s until session 18); a left claim was seen once on a slow CI machine. By design the
    # next run after the lease records it (bot/reminders/job.py), and that run must not send a
    # second SMS.
    if any(status(citizen) == "claimed" for citizen in citizens):
        time.sleep(6)
        run_job(now, KK_REMINDER_CLAIM_LEASE_SECONDS="5")
    for citizen in citizens:
        assert len(wait_sent(citizen, 1)) == 1
        assert status(citizen) == "queued"


def _reminded(day_offset: int = 50) -> tuple[Citizen, str, date]:
    citizen = Citizen()
    day = weekday_after(future(day_offset), 1, lambda d: is_working_day(d - timedelta(days=1)))
    meeting = citizen.meeting(local(day, 10))
    run_job(local(working_day_before(day), 16))
    wait_sent(citizen, 1)
    return citizen, meeting, day


def test_answer_1_records_the_confirmation_and_a_repeated_webhook_changes_nothing() -> None:
    _transcript("--- reminder, answer 1 ---")
    citizen, meeting, _ = _reminded()
    _transcript(f"+{citizen.msisdn} < {citizen.sent()[0]}")
    gateway_id = int(time.time() * 1000) + 4242
    [reply] = citizen.text("1", gateway_id=gateway_id)
    assert "Tak" in reply and "kommer" in reply
    answered = citizen.reminders()[meeting]
    assert answered["confirmation"]["answer"] == "confirmed"
    assert answered["confirmation"]["channel"] == "sms"
    assert answered["reminders"][0]["reply"] == "confirmed"
    first_at = answered["confirmation"]["answered_at"]
    # GatewayAPI retries the same webhook: no second turn, no second answer.
    citizen.text("1", gateway_id=gateway_id, expect=0)
    time.sleep(3)
    assert len(citizen.sent()) == 2
    assert citizen.reminders()[meeting]["confirmation"]["answered_at"] == first_at


def test_answer_2_starts_the_absence_form_for_that_meeting() -> None:
    _transcript("--- reminder, answer 2 ---")
    citizen, meeting, day = _reminded(60)
    other = citizen.meeting(local(day + timedelta(days=7), 10))  # not the reminded one
    _transcript(f"+{citizen.msisdn} < {citizen.sent()[0]}")
    [ask] = citizen.text("2")
    assert "grund" in ask.lower() or "hvorfor" in ask.lower(), ask
    [summary] = citizen.text("Jeg er syg")
    assert "fraværsmelding" in summary and "Svar 1 for Ja" in summary
    [done] = citizen.text("1")
    assert "FRA-" in done
    status, reports = citizen.call("GET", "/me/absence-reports")
    assert status == 200
    [report] = reports
    assert report["meeting_id"] == meeting != other
    assert citizen.reminders()[meeting]["reminders"][0]["reply"] == "cannot_attend"


def test_answer_3_starts_the_reschedule_request_for_that_meeting() -> None:
    _transcript("--- reminder, answer 3 ---")
    citizen, meeting, _ = _reminded(70)
    _transcript(f"+{citizen.msisdn} < {citizen.sent()[0]}")
    replies = [citizen.text("3")[0]]
    for answer in ("Jeg skal til lægen", "Om eftermiddagen næste uge", "1"):
        if "referencenummer" in replies[-1]:
            break
        replies.append(citizen.text(answer)[0])
    status, requests = citizen.call("GET", "/me/reschedule-requests")
    assert status == 200 and [r["meeting_id"] for r in requests] == [meeting], replies
    assert citizen.reminders()[meeting]["reminders"][0]["reply"] == "new_time"


def test_stop_ends_reminders() -> None:
    citizen = Citizen()
    citizen.text("STOP")
    friday = weekday_after(future(80), 4, lambda d: is_working_day(d - timedelta(days=1)))
    citizen.meeting(local(friday, 10))
    stopped = len(citizen.sent())
    run_job(local(friday - timedelta(days=1), 16))
    time.sleep(2)
    assert len(citizen.sent()) == stopped  # the STOP confirmation only
    status, body = citizen.call("GET", "/me/sms-reminders")
    assert body["sms_stopped"] is True and body["opted_in"] is True


def test_no_reminder_in_the_quiet_hours_and_none_closer_than_four_hours() -> None:
    citizen, late = Citizen(), Citizen()
    thursday = weekday_after(future(90), 3, lambda d: is_working_day(d - timedelta(days=1)))
    wednesday = thursday - timedelta(days=1)
    citizen.meeting(local(thursday, 13))
    late.meeting(local(thursday, 10))
    run_job(local(wednesday, 21, 30))  # the job was down from 16:00; now it is night
    run_job(local(thursday, 7, 59))
    time.sleep(1.0)
    assert citizen.sent() == [] and late.sent() == []
    run_job(local(thursday, 8, 0))  # morning: 5 h before the 13:00 meeting, 2 h before 10:00
    assert len(wait_sent(citizen, 1)) == 1
    assert late.sent() == []


def test_a_closure_alerts_only_the_citizens_whose_meeting_it_covers() -> None:
    affected, phone_meeting, elsewhere, later = (Citizen() for _ in range(4))
    day = weekday_after(future(100), 2, lambda d: is_working_day(d - timedelta(days=1)))
    covered = affected.meeting(local(day, 10), location="laerkevej")
    phone_meeting.meeting(local(day, 10), location="laerkevej", form="telefon")
    elsewhere.meeting(local(day, 10), location="gammel-koege-landevej")
    later.meeting(local(day + timedelta(days=1), 10), location="laerkevej")
    staff = login("demo-sagsbehandler")
    status, closure = http(
        "POST",
        f"{api_url()}/closures",
        {
            "location_id": "laerkevej",
            "starts_at": local(day, 8).replace(tzinfo=None).isoformat(),
            "ends_at": local(day, 16).replace(tzinfo=None).isoformat(),
            "reason": "Vandskade",
        },
        {"Authorization": f"Bearer {staff}"},
    )
    assert status == 201, closure
    now = local(day - timedelta(days=6), 9)  # the closure is known days before
    run_job(now)
    run_job(now + timedelta(hours=1))
    [alert] = wait_sent(affected, 1)
    assert "lukket" in alert and "ikke møde op" in alert
    entry = affected.reminders()[covered]["reminders"]
    assert [e["kind"] for e in entry] == ["closure"]
    for citizen in (phone_meeting, elsewhere, later):
        assert citizen.sent() == []
    # The day before, the covered meeting gets no "come tomorrow" reminder.
    run_job(local(working_day_before(day), 16))
    assert len(wait_sent(affected, 1)) == 1
    assert len(wait_sent(phone_meeting, 1)) == 1 and len(wait_sent(elsewhere, 1)) == 1


def _age_conversation(citizen: Citizen, hours: float) -> None:
    """Make the citizen's SMS conversation look last used ``hours`` ago: a user event with that
    timestamp through Rasa's API, so the reminder's ``trigger_intent`` starts a new session (slots
    not carried over) as it does for a reminder the day after the citizen last wrote."""
    conversation = tracker_id(phone_hash(f"+{citizen.msisdn}", os.environ["KK_E2E_SMS_HMAC_KEY"]))
    event = {
        "event": "user",
        "text": "ok",
        "timestamp": time.time() - hours * 3600,
        "parse_data": {"intent": {"name": "affirm", "confidence": 1.0}, "entities": []},
        "input_channel": "sms",
    }
    url = f"{os.environ['KK_E2E_RASA_URL']}/conversations/{conversation}/tracker/events"
    token = os.environ["KK_E2E_RASA_API_TOKEN"]
    status, body = http("POST", f"{url}?token={token}", [event])
    assert status == 200, body
    assert body["slots"]["language"] == "en"


def test_an_english_citizen_gets_the_reminder_in_english_with_english_dates() -> None:
    """Issue 20: "ENGLISH" over SMS, then (a new session later) the reminder in English with the
    date formatted for English, and the answer "1" confirmed in English."""
    _transcript("--- reminder in English ---")
    citizen = Citizen()
    [switched] = citizen.text("ENGLISH")
    assert "english" in switched.lower(), switched
    _age_conversation(citizen, hours=20)
    wednesday = weekday_after(future(110), 2, lambda d: is_working_day(d - timedelta(days=1)))
    meeting = citizen.meeting(local(wednesday, 10))
    run_job(local(wednesday - timedelta(days=1), 16))
    [_, sms] = wait_sent(citizen, 2)
    _transcript(f"+{citizen.msisdn} < {sms}")
    assert "Reminder from Jobcenter København" in sms and "Answer 1 to confirm" in sms
    assert f"on {format_date(wednesday, 'en')} at 10:00 at " in sms and "Lærkevej" in sms
    for danish in ("Påmindelse", "kl.", "Svar 1", format_date(wednesday), "Skriv ikke"):
        assert danish not in sms, sms
    assert decided_language(sms) == "en", sms  # the session's AI notice too, if it comes first
    [reply] = citizen.text("1")
    assert reply == "Thank you. The job centre has been told that you are coming to the meeting."
    assert citizen.reminders()[meeting]["confirmation"]["answer"] == "confirmed"


def test_english_chosen_in_the_web_chat_gives_english_reminders_by_sms() -> None:
    """Issue 20: the citizen switches to English in the logged-in web chat and has never texted
    the SMS number; the case service keeps the choice and the reminder comes in English."""
    _transcript("--- English chosen in the web chat ---")
    citizen = Citizen()
    chat = Chat(token=citizen.token)
    assert "I will now answer in English." in chat.say('/set_language{"language":"en"}')
    assert citizen.call("GET", "/me/language") == (200, {"language": "en"})
    thursday = weekday_after(future(120), 3, lambda d: is_working_day(d - timedelta(days=1)))
    citizen.meeting(local(thursday, 9))
    run_job(local(thursday - timedelta(days=1), 16))
    [sms] = wait_sent(citizen, 1)
    _transcript(f"+{citizen.msisdn} < {sms}")
    assert "Reminder from Jobcenter København" in sms and "Påmindelse" not in sms, sms
    # The reminder opened the SMS conversation: its AI notice comes first, in English too.
    assert "automatic assistant" in sms and decided_language(sms) == "en", sms
    assert sms.startswith("KK-assistenten is an automatic assistant.") and "not a person" not in sms
    assert f"on {format_date(thursday, 'en')} at 09:00 at " in sms
    # Back to Danish in the web chat: the next reminder is Danish again.
    assert "Nu skriver jeg på dansk." in chat.say('/set_language{"language":"da"}')
    assert citizen.call("GET", "/me/language") == (200, {"language": "da"})
    friday = weekday_after(future(130), 4, lambda d: is_working_day(d - timedelta(days=1)))
    citizen.meeting(local(friday, 9))
    run_job(local(friday - timedelta(days=1), 16))
    [_, danish] = wait_sent(citizen, 2)
    assert "Påmindelse" in danish and "Reminder" not in danish, danish
