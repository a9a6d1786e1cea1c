"""STOP and START: whether a number may get SMS from us, locally and in the case service.

- **STOP** opts the number out locally at once (queued replies to it are cancelled), then in the
  case service (``POST /service/citizens/{id}/sms-opt-out``) when the number belongs to a citizen.
  One confirmation is sent; after that nothing, whatever the number writes (except START). While
  the case service is down, the STOP message waits and retries the case-service update for up to
  the lookup grace; the local opt-out holds regardless.
- **START** clears both and confirms.
- An opt-out set in the case service by someone else is respected too (``opted_out``).

The reminder job (``bot.reminders``) asks the same question before it queues a reminder.
"""

from __future__ import annotations

import logging

from bot.sms import keywords, lookup
from bot.sms.context import SmsContext, short
from bot.sms.language import own_text
from bot.sms.store import STOP_ACK, InboxRow, Preference
from kkshared.case_service import CaseServiceUnavailable, CitizenMatch

logger = logging.getLogger("bot.sms.service")


def opted_out(pref: Preference | None, citizen: CitizenMatch | None) -> bool:
    """The case service decides for a citizen it has been told about; otherwise the local
    STOP/START does (also when the number now belongs to another citizen)."""
    if pref is not None and (
        not pref.synced or citizen is None or pref.citizen_id != citizen.citizen_id
    ):
        return pref.opted_out
    return bool(citizen and citizen.sms_opt_out)


async def may_send_notice(ctx: SmsContext, msisdn: str, pref: Preference | None) -> bool:
    """Whether a notice we were not asked for (the rate-limit notice) may go to this number."""
    try:
        citizen = await lookup.citizen(ctx, msisdn)
    except CaseServiceUnavailable:
        return False
    return not opted_out(pref, citizen)


async def stop(ctx: SmsContext, row: InboxRow, msisdn: str, pref: Preference | None) -> None:
    hashed, now = row.phone_hash, ctx.clock()
    already = pref is not None and pref.opted_out
    ack = None if already else await own_text(ctx, row, keywords.STOP_TEXT)
    # Locally first: from this moment nothing else is sent to the number.
    await ctx.db(
        ctx.store.set_preference, hashed, True, pref.citizen_id if pref else None, False, now
    )
    try:
        citizen = await lookup.citizen(ctx, msisdn)
        if citizen is not None and not citizen.sms_opt_out:
            await ctx.case_service.set_sms_opt_out(citizen.citizen_id, True)
    except CaseServiceUnavailable as error:
        if lookup.may_wait(ctx, row):
            logger.warning("sms: STOP not yet stored in the case service (%s)", error)
            await ctx.defer(row, ack, STOP_ACK)
            return
        logger.error("sms: STOP for %s kept locally only (case service unavailable)", short(hashed))
        await ctx.finish(row, "stop_local", ack, STOP_ACK)
        return
    await ctx.db(
        ctx.store.set_preference,
        hashed,
        True,
        citizen.citizen_id if citizen else None,
        True,
        ctx.clock(),
    )
    await ctx.finish(row, "stop", ack, STOP_ACK)


async def start(ctx: SmsContext, row: InboxRow, msisdn: str, pref: Preference | None) -> None:
    hashed, now = row.phone_hash, ctx.clock()
    await ctx.db(
        ctx.store.set_preference, hashed, False, pref.citizen_id if pref else None, False, now
    )
    try:
        citizen = await lookup.citizen(ctx, msisdn)
        if citizen is not None and citizen.sms_opt_out:
            await ctx.case_service.set_sms_opt_out(citizen.citizen_id, False)
    except CaseServiceUnavailable as error:
        if lookup.may_wait(ctx, row):
            logger.warning("sms: START not yet stored in the case service (%s)", error)
            await ctx.defer(row)
            return
        await ctx.finish(row, "start_local", await own_text(ctx, row, keywords.START_TEXT))
        return
    await ctx.db(
        ctx.store.set_preference,
        hashed,
        False,
        citizen.citizen_id if citizen else None,
        True,
        ctx.clock(),
    )
    await ctx.finish(row, "start", await own_text(ctx, row, keywords.START_TEXT))
