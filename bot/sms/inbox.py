"""The inbox worker: stored messages -> answers in the outbox.

It claims due messages (oldest first, one at a time per number, up to ``concurrency`` numbers at
once; rows are leased, so several Rasa processes can share the table and a crashed process's
message is picked up again when its lease ran out) and for each one

1. handles STOP / START before anything else (``consent``);
2. applies the per-number rate limit (``throttle``);
3. looks the number up in the case service (``lookup``); while the case service is unreachable
   the message waits (backoff) for up to the lookup grace, then it is answered as from an unknown
   number (general answers only);
4. stays silent for an opted-out number; answers HJÆLP with a fixed text, and an unreadable
   message with ``keywords.UNREADABLE_TEXT``;
5. otherwise runs the Rasa turn and renders the answer for SMS (``turns``);
6. stores the reply in the outbox and marks the message processed (text purged) in one
   transaction.

A message whose processing fails is retried with backoff, at most ``MAX_PROCESSING_ATTEMPTS``
times, then answered with the technical-error text.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from bot.sms import consent, keywords, lookup, throttle, turns
from bot.sms.context import UNREADABLE, SmsContext
from bot.sms.language import own_text
from bot.sms.store import InboxRow
from kkshared.case_service import CaseServiceUnavailable

logger = logging.getLogger("bot.sms.service")

MAX_PROCESSING_ATTEMPTS = 5


async def process(ctx: SmsContext, row: InboxRow) -> None:
    """Everything that happens to one stored message (module docstring, steps 1-6)."""
    hashed = row.phone_hash
    msisdn = await ctx.db(ctx.store.msisdn, hashed)
    if msisdn is None:
        await ctx.finish(row, "no_number")
        return
    text = (row.text or "").strip()
    unreadable = UNREADABLE in row.pii_kinds
    if not text and not unreadable:
        await ctx.finish(row, "empty")
        return
    keyword = None if unreadable else keywords.keyword(text)
    pref = await ctx.db(ctx.store.preference, hashed)
    if keyword == keywords.STOP:
        await consent.stop(ctx, row, msisdn, pref)
        return
    if keyword == keywords.START:
        await consent.start(ctx, row, msisdn, pref)
        return
    if await throttle.over_limit(ctx, row, msisdn, pref):
        return
    try:
        citizen = await lookup.citizen(ctx, msisdn)
    except CaseServiceUnavailable as error:
        if lookup.may_wait(ctx, row):
            logger.warning("sms: case service unavailable (%s)", error)
            await ctx.defer(row)
            return
        logger.warning(
            "sms: case service still unavailable; answering message %s as from an unknown number",
            row.gateway_id,
        )
        citizen = None
    if consent.opted_out(pref, citizen):
        await ctx.finish(row, "opted_out")
        return
    if keyword == keywords.HELP:
        await ctx.finish(row, "help", await own_text(ctx, row, keywords.HELP_TEXT))
        return
    if unreadable:
        await ctx.finish(row, UNREADABLE, await own_text(ctx, row, keywords.UNREADABLE_TEXT))
        return
    messages = await turns.turn(ctx, row, text, citizen.user_id if citizen else None)
    await ctx.finish(row, "answered", turns.as_sms(ctx, row, messages))


class InboxWorker:
    def __init__(self, ctx: SmsContext) -> None:
        self.ctx = ctx
        self.inflight: dict[str, asyncio.Task] = {}  # phone hash -> task
        self.inflight_rows: dict[str, int] = {}  # phone hash -> inbox row id

    @property
    def lease(self) -> float:
        """``KK_SMS_INBOX_LEASE_SECONDS``; never shorter than a turn may take."""
        settings = self.ctx.settings
        return max(settings.inbox_lease, settings.turn_timeout + 5)

    async def run(self) -> None:
        ctx = self.ctx
        while ctx.running:
            if not ctx.bridge.ready():
                await asyncio.sleep(0.5)
                continue
            free = ctx.settings.concurrency - len(self.inflight)
            rows = await ctx.db(
                ctx.store.claim_inbox, ctx.clock(), self.lease, free, set(self.inflight)
            )
            for row in rows:
                task = asyncio.get_running_loop().create_task(self._process_safely(row))
                self.inflight[row.phone_hash] = task
                self.inflight_rows[row.phone_hash] = row.id
                task.add_done_callback(functools.partial(self._task_done, row.phone_hash))
            await ctx.sleep(ctx.wake_inbox)

    def _task_done(self, hashed: str, _task: asyncio.Task[Any]) -> None:
        self._done(hashed)

    def _done(self, hashed: str) -> None:
        self.inflight.pop(hashed, None)
        self.inflight_rows.pop(hashed, None)
        self.ctx.wake_inbox.set()

    async def _process_safely(self, row: InboxRow) -> None:
        ctx = self.ctx
        try:
            await process(ctx, row)
        except asyncio.CancelledError:
            raise  # shutting down: the lease runs out and the message is picked up again
        except Exception as error:
            logger.error(
                "sms: processing message %s failed (%s)",
                row.gateway_id,
                type(error).__name__,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )
            now = ctx.clock()
            if row.attempts + 1 >= MAX_PROCESSING_ATTEMPTS:
                await ctx.finish(
                    row, "failed", await own_text(ctx, row, keywords.TECHNICAL_ERROR_TEXT)
                )
            else:
                await ctx.db(
                    ctx.store.defer_inbox, row.id, now + ctx.backoff(row.attempts), None, now
                )
        finally:
            ctx.wake_outbox.set()

    def take_unfinished(self) -> tuple[list[asyncio.Task], list[int]]:
        """At shutdown: the running tasks and their rows (whose leases are then released)."""
        tasks, rows = list(self.inflight.values()), list(self.inflight_rows.values())
        self.inflight, self.inflight_rows = {}, {}
        return tasks, rows
