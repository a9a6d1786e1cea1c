"""Housekeeping: processed inbox rows and finished outbox rows (both without text by then) are
deleted after ``KK_SMS_RETENTION_DAYS``, and numbers nothing waits for any more are forgotten."""

from __future__ import annotations

import asyncio

from bot.sms.context import SmsContext

HOUSEKEEPING_INTERVAL = 600.0


async def run(ctx: SmsContext) -> None:
    while ctx.running:
        await ctx.db(ctx.store.housekeeping, ctx.clock(), ctx.settings.retention)
        await asyncio.sleep(HOUSEKEEPING_INTERVAL)
