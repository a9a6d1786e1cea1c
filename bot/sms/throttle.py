"""The per-number rate limit of the SMS channel (``KK_SMS_RATE_LIMIT``, default 10 per 600 s).

It counts *stored* messages (``sms_inbox``), so it holds across restarts and across several Rasa
processes without a shared counter: the first message over the limit gets one notice, further
ones nothing, and none of them reaches Rasa. (The web channels' limiter, ``kkshared.rate_limit``,
counts per process or in Redis; it is not used here.)
"""

from __future__ import annotations

from bot.sms import consent, keywords
from bot.sms.context import SmsContext
from bot.sms.language import own_text
from bot.sms.store import InboxRow, Preference


async def over_limit(ctx: SmsContext, row: InboxRow, msisdn: str, pref: Preference | None) -> bool:
    """True (and the message finished, with one notice the first time) when over the limit."""
    limit, window = ctx.settings.rate_limit_count, ctx.settings.rate_limit_window
    recent = await ctx.db(
        ctx.store.count_received, row.phone_hash, row.received_at - window, row.id
    )
    if recent <= limit:
        return False
    # One notice when the limit is first exceeded, then silence until the window passed.
    notice = None
    if recent == limit + 1 and await consent.may_send_notice(ctx, msisdn, pref):
        notice = await own_text(ctx, row, keywords.RATE_LIMIT_TEXT)
    await ctx.finish(row, "rate_limited", notice)
    return True
