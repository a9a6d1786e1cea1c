"""The outbox worker: queued SMS -> the gateway (``POST /rest/mtsms``).

Due rows are claimed with a lease, oldest first and one at a time per number, so one number's
SMS go out in order. A failure the gateway may recover from is kept and retried with exponential
backoff (``retry_base`` doubling up to ``retry_max``) until ``send_max_age`` (then ``expired``);
400/404/413/422 are ``rejected`` at once. Nothing but the STOP confirmation goes to a number that
has opted out. Replies, reminders (``bot.reminders``) and closure alerts all leave through here.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sms.context import SmsContext
from bot.sms.identity import gateway_msisdn
from bot.sms.store import CANCELLED, CLOSURE_ALERT, EXPIRED, REJECTED, REMINDER, STOP_ACK, OutboxRow

# SMS we start ourselves: a retry never goes out in the quiet hours (the reminder job only queues
# them outside those hours; a gateway outage must not push them into the night).
NOTICES = frozenset({REMINDER, CLOSURE_ALERT})


def _after_quiet_hours(ctx: SmsContext, now: float, delay: float) -> float:
    """``delay``, or longer so that the retry falls after the quiet hours."""
    from bot.reminders.schedule import in_quiet_hours, quiet_hours_end

    settings = ctx.settings
    tz = ZoneInfo(settings.timezone)
    retry_at = datetime.fromtimestamp(now + delay, tz)
    if not in_quiet_hours(retry_at, settings.quiet_start, settings.quiet_end, tz):
        return delay
    return quiet_hours_end(retry_at, settings.quiet_end, tz).timestamp() - now


logger = logging.getLogger("bot.sms.service")


async def send(ctx: SmsContext, row: OutboxRow) -> None:
    now = ctx.clock()
    if now - row.created_at > ctx.settings.send_max_age:
        logger.error("sms: gave up sending outbox row %d after %d attempt(s)", row.id, row.attempts)
        await ctx.db(ctx.store.outbox_give_up, row.id, EXPIRED, "too old", now)
        return
    if row.kind != STOP_ACK:
        pref = await ctx.db(ctx.store.preference, row.phone_hash)
        if pref is not None and pref.opted_out:
            await ctx.db(ctx.store.outbox_give_up, row.id, CANCELLED, "opted out", now)
            return
    if row.msisdn is None or row.text is None:
        await ctx.db(ctx.store.outbox_give_up, row.id, EXPIRED, "number or text gone", now)
        return
    result = await ctx.gateway.send(
        gateway_msisdn(row.msisdn),
        row.text,
        sender=row.sender,
        encoding=row.encoding,
        max_parts=max(ctx.settings.max_segments, row.segments),
        userref=f"kk-sms-{row.id}",
    )
    now = ctx.clock()
    if result.ok:
        await ctx.db(ctx.store.outbox_sent, row.id, result.message_id, now)
        logger.info(
            "sms: sent outbox row %d (%d segment(s), %s)", row.id, row.segments, row.encoding
        )
    elif result.retryable:
        delay = ctx.backoff(row.attempts)
        if row.kind in NOTICES:
            delay = _after_quiet_hours(ctx, now, delay)
        logger.warning(
            "sms: sending outbox row %d failed (%s); retry in %.1f s", row.id, result.error, delay
        )
        await ctx.db(ctx.store.outbox_retry, row.id, now + delay, result.error)
    else:
        logger.error("sms: the gateway rejected outbox row %d (%s)", row.id, result.error)
        await ctx.db(ctx.store.outbox_give_up, row.id, REJECTED, result.error, now)


class OutboxWorker:
    def __init__(self, ctx: SmsContext) -> None:
        self.ctx = ctx
        self.sending: set[int] = set()  # outbox row ids being sent

    async def run(self) -> None:
        ctx = self.ctx
        while ctx.running:
            rows = await ctx.db(
                ctx.store.claim_outbox,
                ctx.clock(),
                ctx.settings.outbox_lease,
                ctx.settings.concurrency,
            )
            if rows:
                self.sending.update(row.id for row in rows)
                try:
                    await asyncio.gather(*(send(ctx, row) for row in rows))
                finally:
                    self.sending.difference_update(row.id for row in rows)
                continue
            await ctx.sleep(ctx.wake_outbox)

    def take_unfinished(self) -> list[int]:
        rows, self.sending = list(self.sending), set()
        return rows
