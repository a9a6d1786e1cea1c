"""The reminder job: which reminders are due now, and sending each exactly once.

One run (``ReminderJob.run_once``):

1. Nothing during the quiet hours (``KK_SMS_QUIET_HOURS``, 21-08 local time), nor while the
   assistant is paused (the off switch: the answers could not be handled).
2. Ask the case service for the planned meetings of the next days whose citizen opted in, has a
   registered number and has not sent STOP (``kkshared.reminders.candidates``).
3. For each meeting: a **closure alert** when a closure of its location covers it (and then no
   day-before reminder), else the **day-before reminder** when it is due (``schedule``).
4. For each one due: **claim** it in the case service's reminder log (unique on meeting, kind,
   day; a lease). Not claimed (another job has it, or it went out already): nothing more.
5. Start the conversation in Rasa (``trigger_intent`` on ``sms:<hash>``): the bot's message with
   the choices 1/2/3 is in the citizen's conversation, so the answer continues it. The time and
   place are formatted in the citizen's language, which is passed on so the reminder is in that
   language too (issue 20, docs/english.md "SMS"): the language they chose in the assistant (the
   case service keeps it, on the web and by SMS alike), else their SMS conversation's
   ``language`` slot (read from Rasa), else Danish.
6. Queue the SMS in the channel's outbox under the key ``<kind>:<meeting>:<day>`` (at most one row
   per key: a job that died after queueing and is run again finds it and does not send twice) and
   record the outcome ``queued``. The SMS service's outbox worker sends it.

A job killed anywhere in 4-6 leaves a claim whose lease runs out (``KK_REMINDER_CLAIM_LEASE_
SECONDS``); the next run takes it over and continues where it stopped: a reminder is neither lost
nor sent twice. The clock is injectable (``now``), for the tests and ``--now``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from actions.meeting_text import place
from bot.reminders import schedule
from bot.reminders.rasa_api import RasaApi, RasaApiError
from bot.settings import BotSettings
from bot.sms.identity import phone_hash, tracker_id
from bot.sms.rendering import render
from bot.sms.store import CLOSURE_ALERT, REMINDER, Reply, SmsStore
from kkshared import reminders
from kkshared.case_service import CaseServiceClient, CaseServiceError
from kkshared.formatting import format_datetime
from kkshared.i18n import LANGUAGE_SLOT, Language, language_of

logger = logging.getLogger(__name__)

INTENTS = {
    reminders.DAY_BEFORE: "EXTERNAL_meeting_reminder",
    reminders.CLOSURE: "EXTERNAL_closure_alert",
}
OUTBOX_KINDS = {reminders.DAY_BEFORE: REMINDER, reminders.CLOSURE: CLOSURE_ALERT}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class RunSummary:
    queued: list[str] = field(default_factory=list)  # "<kind>:<meeting>:<day>"
    skipped: list[str] = field(default_factory=list)
    not_ours: int = 0  # claimed by another job, or already sent
    failed: int = 0
    quiet: bool = False
    paused: bool = False


def dedupe_key(kind: str, meeting_id: str, day: date) -> str:
    return f"{kind}:{meeting_id}:{day.isoformat()}"


class ReminderJob:
    def __init__(
        self,
        settings: BotSettings,
        store: SmsStore,
        case_service: CaseServiceClient,
        rasa: RasaApi,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings.reminders
        self.sms = settings.sms
        if not self.sms.hmac_key:
            raise ValueError("the reminder job needs KK_SMS_HMAC_KEY (the SMS conversation ids)")
        self.hmac_key = self.sms.hmac_key
        self.store = store
        self.case_service = case_service
        self.rasa = rasa
        self.clock = clock
        self.tz = ZoneInfo(self.sms.timezone)

    async def run_once(self) -> RunSummary:
        now = self.clock()
        summary = RunSummary()
        if schedule.in_quiet_hours(now, self.sms.quiet_start, self.sms.quiet_end, self.tz):
            summary.quiet = True
            return summary
        if (await self.case_service.assistant_status()).paused:
            # The off switch: the answers could not be handled; due reminders wait for it.
            summary.paused = True
            return summary
        end = now + timedelta(days=self.settings.lookahead_days)
        for candidate in await reminders.candidates(self.case_service, now, end):
            meeting = candidate.meeting
            assert meeting.starts_at is not None and meeting.day is not None
            if candidate.closure_id:
                if meeting.starts_at > now:
                    await self.deliver(
                        candidate, reminders.CLOSURE, meeting.day, summary, candidate.closure_id
                    )
                continue
            day = schedule.day_before_due(
                meeting.starts_at,
                now,
                self.settings.send_time,
                self.settings.min_lead_hours,
                self.tz,
            )
            if day is not None:
                await self.deliver(candidate, reminders.DAY_BEFORE, day, summary)
        return summary

    async def deliver(
        self,
        candidate: reminders.ReminderCandidate,
        kind: str,
        day: date,
        summary: RunSummary,
        closure_id: str | None = None,
    ) -> None:
        meeting = candidate.meeting
        key = dedupe_key(kind, meeting.id, day)
        try:
            claim = await reminders.claim(
                self.case_service, meeting.id, kind, day, self.settings.claim_lease, closure_id
            )
        except CaseServiceError as error:
            logger.warning("reminders: could not claim %s (%s)", key, error)
            summary.failed += 1
            return
        if claim is None:
            summary.not_ours += 1
            return
        hashed = phone_hash(candidate.phone, self.hmac_key)
        preference = self.store.preference(hashed)
        if preference is not None and preference.opted_out:
            # STOP from this number (perhaps not yet in the case service): nothing is sent.
            await self._outcome(claim.id, reminders.SKIPPED, "the number sent STOP", key)
            summary.skipped.append(key)
            return
        if self.store.outbox_status(key) is None:
            try:
                reply = await self._conversation_turn(candidate, kind, hashed)
            except RasaApiError as error:
                # The claim stays; its lease runs out and a later run tries again.
                logger.warning("reminders: %s not started in Rasa (%s)", key, error)
                summary.failed += 1
                return
            if reply is None:
                await self._outcome(claim.id, reminders.FAILED, "the bot said nothing", key)
                summary.failed += 1
                return
            self.store.queue_notice(key, hashed, candidate.phone, reply, time.time())
        await self._outcome(claim.id, reminders.QUEUED, None, key)
        summary.queued.append(key)
        logger.info("reminders: %s queued (reminder %s)", key, claim.id)

    async def citizen_language(
        self, candidate: reminders.ReminderCandidate, conversation_id: str
    ) -> Language:
        """The language the citizen chose in the assistant (web chat or SMS, kept by the case
        service); without one, their SMS conversation's ``language`` slot as they last left it
        (what their messages were written in, or "ENGLISH" from a number the case service did not
        know then); Danish for a number without a conversation. Raises ``RasaApiError`` like
        ``trigger_intent``."""
        if candidate.preferred_language is not None:
            return candidate.preferred_language
        return language_of((await self.rasa.slots(conversation_id)).get(LANGUAGE_SLOT))

    async def _conversation_turn(
        self, candidate: reminders.ReminderCandidate, kind: str, hashed: str
    ) -> Reply | None:
        """Start the bot's turn in the citizen's SMS conversation; its messages as one SMS.

        The time and place are written in the conversation's language (Babel's ``en`` for an
        English one: "Tuesday 3 March 2026 at 10:00"), and the language goes along as the entity
        ``language``: the reminder usually opens a new session in Rasa, whose slots start over
        (not carried over), so without it the reminder and the citizen's answers would be
        Danish."""
        meeting = candidate.meeting
        assert meeting.starts_at is not None
        conversation_id = tracker_id(hashed)
        language = await self.citizen_language(candidate, conversation_id)
        entities = {
            "meeting_id": meeting.id,
            "reminder_when": format_datetime(meeting.starts_at, language),
            "reminder_where": place(meeting, language),
            LANGUAGE_SLOT: language,
        }
        messages = await self.rasa.trigger_intent(conversation_id, INTENTS[kind], entities)
        # The choices are in the text ("Svar 1 for at bekræfte, ..."); the buttons stay in the
        # conversation, where the channel maps the answer "1" to the first one.
        texts: list[dict[str, Any]] = [{"text": m["text"]} for m in messages if m.get("text")]
        sms = render(texts, None, self.sms.max_segments, language)
        if sms is None:
            return None
        return Reply(sms.text, sms.encoding, sms.segments, self.sms.sender, OUTBOX_KINDS[kind])

    async def _outcome(self, reminder_id: str, status: str, detail: str | None, key: str) -> None:
        try:
            await reminders.outcome(self.case_service, reminder_id, status, detail)
        except CaseServiceError as error:
            # The claim's lease runs out; the next run finds the SMS queued and records it then.
            logger.warning("reminders: outcome of %s not recorded (%s)", key, error)
