"""The SMS channel's background work: inbox -> Rasa -> outbox -> gateway.

``SmsService.accept`` is all the webhook does after the signature check: mask the text, hash the
number, store the row (unique on the gateway's id) and wake the workers. A message with
characters that are not text (a lone surrogate, NUL, a non-character: ``kkshared.text_input``)
is stored without its text and marked ``UNREADABLE``; it never reaches Rasa, and the sender gets
one SMS saying it could not be read. Everything else runs in background tasks inside the Rasa
server's event loop:

- the **inbox worker** claims due messages (oldest first, one at a time per number, up to
  ``concurrency`` numbers at once) and for each one
  1. handles STOP / START (local opt-out at once, then the case service) before anything else;
  2. applies the per-number rate limit (one notice, then silence until the window has passed);
  3. looks the number up in the case service (``/service/citizens/by-phone``); while the case
     service is unreachable the message waits (backoff) for up to ``lookup_grace`` seconds,
     then it is answered as from an unknown number (general answers only);
  4. stays silent for an opted-out number; answers HJÆLP with a fixed text, and an unreadable
     message with ``keywords.UNREADABLE_TEXT``;
  5. otherwise maps a numbered reply ("1") to the button the bot offered, runs the Rasa turn
     with ``{"kk": {"channel": "sms", "subject": ..., "role": ...}}`` as metadata and renders
     the answer for SMS;
  6. stores the reply in the outbox and marks the message processed (text purged) in one
     transaction;
- the **outbox worker** sends due replies through the gateway; a failure is kept and retried
  with exponential backoff (``retry_base`` doubling up to ``retry_max``) until ``send_max_age``;
- **housekeeping** deletes processed rows after ``retention``.

After a restart the workers simply find the rows that are still pending.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.channels.common import (
    MAX_MESSAGE_CHARS,
    mask_message,
    offered_buttons,
    pii_notice,
    resolve_payload,
)
from bot.settings import SmsSettings
from bot.sms import keywords
from bot.sms.gateway_client import GatewayClient
from bot.sms.identity import gateway_msisdn, phone_hash, sms_identity, tracker_id
from bot.sms.rendering import SmsText, measure, render, reply_number
from bot.sms.signature import IncomingSms
from bot.sms.store import (
    CANCELLED,
    EXPIRED,
    REJECTED,
    REPLY,
    STOP_ACK,
    InboxRow,
    OutboxRow,
    Preference,
    Reply,
    SmsStore,
)
from kkshared.case_service import CaseServiceClient, CaseServiceUnavailable, CitizenMatch
from kkshared.text_input import invalid_character

logger = logging.getLogger(__name__)

INBOX_LEASE = 120.0  # at least twice the turn timeout (see _inbox_lease)
OUTBOX_LEASE = 120.0
MAX_PROCESSING_ATTEMPTS = 5
HOUSEKEEPING_INTERVAL = 600.0
# Stored in the inbox row's ``pii_kinds`` (what was removed from the text) when the whole text was
# dropped because it is not text; the row's text is then empty.
UNREADABLE = "unreadable"


class RasaBridge(Protocol):
    """What the service needs from the Rasa server (implemented in bot/channels/sms.py)."""

    def ready(self) -> bool: ...

    @property
    def tracker_store(self) -> Any: ...

    async def handle(
        self, text: str, sender_id: str, metadata: dict[str, Any], message_id: str
    ) -> list[dict[str, Any]]: ...


def _short(hashed: str) -> str:
    return hashed[:8]


class SmsService:
    def __init__(
        self,
        settings: SmsSettings,
        store: SmsStore,
        bridge: RasaBridge,
        gateway: GatewayClient | None = None,
        case_service: CaseServiceClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not settings.configured:
            raise ValueError("the SMS channel needs KK_SMS_WEBHOOK_SECRET and KK_SMS_HMAC_KEY")
        self.settings = settings
        self.store = store
        self.bridge = bridge
        self.gateway = gateway or GatewayClient(settings.send_url, settings.gateway_token)
        self.case_service = case_service or CaseServiceClient(
            settings.api_url, settings.service_token
        )
        self.clock = clock
        self._wake_inbox = asyncio.Event()
        self._wake_outbox = asyncio.Event()
        self._inflight: dict[str, asyncio.Task] = {}
        self._inflight_inbox: dict[str, int] = {}  # phone hash -> inbox row id
        self._sending: set = set()  # outbox row ids being sent
        self._tasks: list[asyncio.Task] = []
        self.running = False

    # --- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        if self.running:
            return
        self.running = True
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._guard("inbox", self._inbox_loop)),
            loop.create_task(self._guard("outbox", self._outbox_loop)),
            loop.create_task(self._guard("housekeeping", self._housekeeping_loop)),
        ]
        pending = await self._db(self.store.pending_inbox)
        logger.info("sms: workers started (%d stored message(s) waiting)", pending)

    async def stop(self) -> None:
        self.running = False
        # Taken before cancelling: the tasks' done-callbacks empty these.
        unfinished_in, unfinished_out = list(self._inflight_inbox.values()), list(self._sending)
        tasks = self._tasks + list(self._inflight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks, self._inflight, self._inflight_inbox, self._sending = [], {}, {}, set()
        try:
            await self._db(self.store.release, unfinished_in, unfinished_out)
        except Exception as error:  # the leases then simply run out
            logger.warning("sms: could not release leases at shutdown (%s)", type(error).__name__)
        logger.info(
            "sms: workers stopped (%d unfinished message(s) left for the next start)",
            len(unfinished_in),
        )
        await self.gateway.close()
        await self.case_service.close()

    def notify(self) -> None:
        self._wake_inbox.set()
        self._wake_outbox.set()

    async def _guard(self, name: str, loop_fn: Callable[[], Awaitable[None]]) -> None:
        """Run a worker loop forever; an unexpected error is logged and the loop restarts."""
        while self.running:
            try:
                await loop_fn()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # never the text: only what failed
                logger.error(
                    "sms: %s worker failed (%s); restarting in 1 s",
                    name,
                    type(error).__name__,
                    exc_info=logger.isEnabledFor(logging.DEBUG),
                )
                await asyncio.sleep(1.0)

    @staticmethod
    async def _db(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def _sleep(self, event: asyncio.Event) -> None:
        """Wait until woken, a deferred row becomes due, or the poll interval passed.

        Rows that are due but could not be claimed (in progress here or in another process,
        or waiting behind an earlier message from the same number) do not shorten the wait:
        finishing a message wakes the loop, and leases of crashed processes are found by polling.
        """
        delay = self.settings.poll_interval
        due = await self._db(self.store.next_due)
        now = self.clock()
        if due is not None and due > now:
            delay = max(0.02, min(delay, due - now))
        try:
            await asyncio.wait_for(event.wait(), timeout=delay)
        except asyncio.TimeoutError:
            pass
        event.clear()

    def _backoff(self, attempts: int) -> float:
        delay = min(self.settings.retry_max, self.settings.retry_base * (2 ** max(0, attempts)))
        return delay * (1.0 + random.random() * 0.1)

    # --- webhook -----------------------------------------------------------------------------

    async def accept(self, incoming: IncomingSms) -> str:
        """Store an authentic incoming SMS: "accepted", "duplicate", "ignored" (too old) or
        "unreadable" (stored without its text, answered with a notice, never sent to Rasa)."""
        now = self.clock()
        if incoming.senttime and incoming.senttime < now - self.settings.retention:
            # Older than the duplicate memory: a replayed webhook, not a new message.
            logger.warning(
                "sms: ignored message %s sent before the retention window", incoming.gateway_id
            )
            return "ignored"
        text = incoming.message.strip()
        keyword = self.settings.keyword
        if keyword and text.lower().startswith(keyword.lower()):
            rest = text[len(keyword) :]
            if not rest or not rest[0].isalnum():
                text = rest.strip()
        bad = invalid_character(incoming.message)
        if bad is not None:
            # Not stored, not masked, never shown to Rasa: only the fact that it came.
            stored_text, kinds = "", frozenset({UNREADABLE})
        else:
            masked = mask_message(text)
            stored_text, kinds = masked.text[:MAX_MESSAGE_CHARS], masked.pii_kinds
        hashed = phone_hash(incoming.msisdn, self.settings.hmac_key)
        new = await self._db(
            self.store.receive,
            incoming.gateway_id,
            hashed,
            incoming.msisdn,
            incoming.receiver,
            stored_text,
            kinds,
            incoming.senttime,
            now,
        )
        if new and bad is not None:
            logger.warning(
                "sms: message %s from %s cannot be read (%s); the sender is told",
                incoming.gateway_id,
                _short(hashed),
                bad,
            )
            self._wake_inbox.set()
            return UNREADABLE
        if new:
            logger.info("sms: stored message %s from %s", incoming.gateway_id, _short(hashed))
            self._wake_inbox.set()
            return "accepted"
        logger.info("sms: duplicate delivery of message %s ignored", incoming.gateway_id)
        return "duplicate"

    # --- inbox -------------------------------------------------------------------------------

    async def _inbox_loop(self) -> None:
        while self.running:
            if not self.bridge.ready():
                await asyncio.sleep(0.5)
                continue
            free = self.settings.concurrency - len(self._inflight)
            lease = max(INBOX_LEASE, 2 * self.settings.turn_timeout + 30)
            rows = await self._db(
                self.store.claim_inbox, self.clock(), lease, free, set(self._inflight)
            )
            for row in rows:
                task = asyncio.get_running_loop().create_task(self._process_safely(row))
                self._inflight[row.phone_hash] = task
                self._inflight_inbox[row.phone_hash] = row.id
                task.add_done_callback(lambda _t, h=row.phone_hash: self._done(h))
            await self._sleep(self._wake_inbox)

    def _done(self, hashed: str) -> None:
        self._inflight.pop(hashed, None)
        self._inflight_inbox.pop(hashed, None)
        self._wake_inbox.set()

    async def _process_safely(self, row: InboxRow) -> None:
        try:
            await self.process(row)
        except asyncio.CancelledError:
            raise  # shutting down: the lease runs out and the message is picked up again
        except Exception as error:
            logger.error(
                "sms: processing message %s failed (%s)",
                row.gateway_id,
                type(error).__name__,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )
            now = self.clock()
            if row.attempts + 1 >= MAX_PROCESSING_ATTEMPTS:
                await self._finish(row, "failed", keywords.TECHNICAL_ERROR_TEXT)
            else:
                await self._db(
                    self.store.defer_inbox, row.id, now + self._backoff(row.attempts), None, now
                )
        finally:
            self._wake_outbox.set()

    def _draft(self, row: InboxRow, reply: Any, kind: str) -> Reply | None:
        """An outbox entry for ``reply`` (text or rendered SmsText), from our receiving number."""
        if reply is None:
            return None
        sms = reply if isinstance(reply, SmsText) else measure(reply)
        return Reply(
            sms.text, sms.encoding, sms.segments, self.settings.sender or row.receiver, kind
        )

    async def _finish(
        self, row: InboxRow, outcome: str, reply: Any = None, kind: str = REPLY
    ) -> None:
        await self._db(
            self.store.finish_inbox, row.id, outcome, self.clock(), self._draft(row, reply, kind)
        )
        logger.info("sms: message %s processed (%s)", row.gateway_id, outcome)

    async def _defer(self, row: InboxRow, reply: Any = None, kind: str = REPLY) -> None:
        now = self.clock()
        await self._db(
            self.store.defer_inbox,
            row.id,
            now + self._backoff(row.attempts),
            self._draft(row, reply, kind),
            now,
        )
        logger.info("sms: message %s waits for the case service", row.gateway_id)

    def _lookup_may_wait(self, row: InboxRow) -> bool:
        return self.clock() - row.received_at < self.settings.lookup_grace

    @staticmethod
    def _opted_out(pref: Preference | None, citizen: CitizenMatch | None) -> bool:
        """The case service decides for a citizen it has been told about; otherwise the local
        STOP/START does (also when the number now belongs to another citizen)."""
        if pref is not None and (
            not pref.synced or citizen is None or pref.citizen_id != citizen.citizen_id
        ):
            return pref.opted_out
        return bool(citizen and citizen.sms_opt_out)

    async def process(self, row: InboxRow) -> None:
        hashed = row.phone_hash
        msisdn = await self._db(self.store.msisdn, hashed)
        if msisdn is None:
            await self._finish(row, "no_number")
            return
        text = (row.text or "").strip()
        unreadable = UNREADABLE in row.pii_kinds
        if not text and not unreadable:
            await self._finish(row, "empty")
            return
        keyword = None if unreadable else keywords.keyword(text)
        pref = await self._db(self.store.preference, hashed)
        if keyword == keywords.STOP:
            await self._stop(row, msisdn, pref)
            return
        if keyword == keywords.START:
            await self._start(row, msisdn, pref)
            return

        limit, window = self.settings.rate_limit_count, self.settings.rate_limit_window
        recent = await self._db(self.store.count_received, hashed, row.received_at - window, row.id)
        if recent > limit:
            # One notice when the limit is first exceeded, then silence until the window passed.
            notice = None
            if recent == limit + 1 and await self._may_send_notice(msisdn, pref):
                notice = keywords.RATE_LIMIT_TEXT
            await self._finish(row, "rate_limited", notice)
            return

        try:
            citizen = await self.case_service.citizen_by_phone(msisdn)
        except CaseServiceUnavailable as error:
            if self._lookup_may_wait(row):
                logger.warning("sms: case service unavailable (%s)", error)
                await self._defer(row)
                return
            logger.warning(
                "sms: case service still unavailable; answering message %s as "
                "from an unknown number",
                row.gateway_id,
            )
            citizen = None
        if self._opted_out(pref, citizen):
            await self._finish(row, "opted_out")
            return
        if keyword == keywords.HELP:
            await self._finish(row, "help", keywords.HELP_TEXT)
            return
        if unreadable:
            await self._finish(row, UNREADABLE, keywords.UNREADABLE_TEXT)
            return

        subject = citizen.user_id if citizen else None
        sender_id = tracker_id(hashed)
        messages = await self._turn(row, text, sender_id, subject)
        notice = pii_notice(row.pii_kinds, where="i en sms")
        sms = render(messages, notice, self.settings.max_segments)
        if sms is None:
            sms = measure(keywords.NO_ANSWER_TEXT)
        await self._finish(row, "answered", sms)

    async def _may_send_notice(self, msisdn: str, pref: Preference | None) -> bool:
        try:
            citizen = await self.case_service.citizen_by_phone(msisdn)
        except CaseServiceUnavailable:
            return False
        return not self._opted_out(pref, citizen)

    async def _turn(
        self, row: InboxRow, text: str, sender_id: str, subject: str | None
    ) -> list[dict[str, Any]]:
        tracker_store = self.bridge.tracker_store
        number = reply_number(text)
        buttons = await offered_buttons(tracker_store, sender_id) if number is not None else []
        if buttons:
            # A numbered reply chooses one of the buttons the bot offered last (SMS has no
            # buttons); the payload is the bot's own, so it is passed on as it is.
            if not 1 <= number <= len(buttons):
                return [{"text": keywords.choose_number_text(len(buttons))}]
            rasa_text: str | None = str(buttons[number - 1]["payload"])
        else:
            rasa_text = await resolve_payload(text, tracker_store, sender_id)
        if rasa_text is None:
            return [{"text": keywords.DID_NOT_UNDERSTAND_TEXT}]
        try:
            return await asyncio.wait_for(
                self.bridge.handle(
                    rasa_text,
                    sender_id,
                    sms_identity(subject).to_metadata(),
                    f"sms-{row.gateway_id}",
                ),
                timeout=self.settings.turn_timeout,
            )
        except asyncio.TimeoutError:
            logger.error("sms: Rasa did not answer message %s in time", row.gateway_id)
        except asyncio.CancelledError:
            if not self.running:
                raise
            logger.error("sms: handling message %s was cancelled", row.gateway_id)
        except Exception as error:
            logger.error(
                "sms: handling message %s failed (%s)", row.gateway_id, type(error).__name__
            )
        return [{"text": keywords.TECHNICAL_ERROR_TEXT}]

    async def _stop(self, row: InboxRow, msisdn: str, pref: Preference | None) -> None:
        hashed, now = row.phone_hash, self.clock()
        already = pref is not None and pref.opted_out
        ack = None if already else keywords.STOP_TEXT
        # Locally first: from this moment nothing else is sent to the number.
        await self._db(
            self.store.set_preference, hashed, True, pref.citizen_id if pref else None, False, now
        )
        try:
            citizen = await self.case_service.citizen_by_phone(msisdn)
            if citizen is not None and not citizen.sms_opt_out:
                await self.case_service.set_sms_opt_out(citizen.citizen_id, True)
        except CaseServiceUnavailable as error:
            if self._lookup_may_wait(row):
                logger.warning("sms: STOP not yet stored in the case service (%s)", error)
                await self._defer(row, ack, STOP_ACK)
                return
            logger.error(
                "sms: STOP for %s kept locally only (case service unavailable)", _short(hashed)
            )
            await self._finish(row, "stop_local", ack, STOP_ACK)
            return
        await self._db(
            self.store.set_preference,
            hashed,
            True,
            citizen.citizen_id if citizen else None,
            True,
            self.clock(),
        )
        await self._finish(row, "stop", ack, STOP_ACK)

    async def _start(self, row: InboxRow, msisdn: str, pref: Preference | None) -> None:
        hashed, now = row.phone_hash, self.clock()
        await self._db(
            self.store.set_preference, hashed, False, pref.citizen_id if pref else None, False, now
        )
        try:
            citizen = await self.case_service.citizen_by_phone(msisdn)
            if citizen is not None and citizen.sms_opt_out:
                await self.case_service.set_sms_opt_out(citizen.citizen_id, False)
        except CaseServiceUnavailable as error:
            if self._lookup_may_wait(row):
                logger.warning("sms: START not yet stored in the case service (%s)", error)
                await self._defer(row)
                return
            await self._finish(row, "start_local", keywords.START_TEXT)
            return
        await self._db(
            self.store.set_preference,
            hashed,
            False,
            citizen.citizen_id if citizen else None,
            True,
            self.clock(),
        )
        await self._finish(row, "start", keywords.START_TEXT)

    # --- outbox ------------------------------------------------------------------------------

    async def _outbox_loop(self) -> None:
        while self.running:
            rows = await self._db(
                self.store.claim_outbox, self.clock(), OUTBOX_LEASE, self.settings.concurrency
            )
            if rows:
                self._sending.update(row.id for row in rows)
                try:
                    await asyncio.gather(*(self._send(row) for row in rows))
                finally:
                    self._sending.difference_update(row.id for row in rows)
                continue
            await self._sleep(self._wake_outbox)

    async def _send(self, row: OutboxRow) -> None:
        now = self.clock()
        if now - row.created_at > self.settings.send_max_age:
            logger.error(
                "sms: gave up sending outbox row %d after %d attempt(s)", row.id, row.attempts
            )
            await self._db(self.store.outbox_give_up, row.id, EXPIRED, "too old", now)
            return
        if row.kind != STOP_ACK:
            pref = await self._db(self.store.preference, row.phone_hash)
            if pref is not None and pref.opted_out:
                await self._db(self.store.outbox_give_up, row.id, CANCELLED, "opted out", now)
                return
        if row.msisdn is None or row.text is None:
            await self._db(self.store.outbox_give_up, row.id, EXPIRED, "number or text gone", now)
            return
        result = await self.gateway.send(
            gateway_msisdn(row.msisdn),
            row.text,
            sender=row.sender,
            encoding=row.encoding,
            max_parts=max(self.settings.max_segments, row.segments),
            userref=f"kk-sms-{row.id}",
        )
        now = self.clock()
        if result.ok:
            await self._db(self.store.outbox_sent, row.id, result.message_id, now)
            logger.info(
                "sms: sent outbox row %d (%d segment(s), %s)", row.id, row.segments, row.encoding
            )
        elif result.retryable:
            delay = self._backoff(row.attempts)
            logger.warning(
                "sms: sending outbox row %d failed (%s); retry in %.1f s",
                row.id,
                result.error,
                delay,
            )
            await self._db(self.store.outbox_retry, row.id, now + delay, result.error)
        else:
            logger.error("sms: the gateway rejected outbox row %d (%s)", row.id, result.error)
            await self._db(self.store.outbox_give_up, row.id, REJECTED, result.error, now)

    # --- housekeeping ---------------------------------------------------------------------

    async def _housekeeping_loop(self) -> None:
        while self.running:
            await self._db(self.store.housekeeping, self.clock(), self.settings.retention)
            await asyncio.sleep(HOUSEKEEPING_INTERVAL)
