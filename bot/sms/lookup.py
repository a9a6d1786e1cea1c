"""Who sent a message: the number's citizen, asked from the case service.

``GET /service/citizens/by-phone/{+45...}`` (service token) is the only way a number becomes a
citizen. While the case service is unreachable a message may wait (``may_wait``) for up to
``KK_SMS_LOOKUP_GRACE_SECONDS``; after that it is answered as from an unknown number.
"""

from __future__ import annotations

from bot.sms.context import SmsContext
from bot.sms.store import InboxRow
from kkshared.case_service import CitizenMatch


def may_wait(ctx: SmsContext, row: InboxRow) -> bool:
    """True while the message is younger than the lookup grace period."""
    return ctx.clock() - row.received_at < ctx.settings.lookup_grace


async def citizen(ctx: SmsContext, msisdn: str) -> CitizenMatch | None:
    """The citizen with this number (None: unknown); raises ``CaseServiceUnavailable``."""
    return await ctx.case_service.citizen_by_phone(msisdn)
