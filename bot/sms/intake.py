"""The webhook's part after the signature check: store an incoming SMS durably, then answer.

The text is masked (CPR, phone numbers, e-mail), the number replaced by its keyed hash, and the
row inserted into ``sms_inbox``, unique on the gateway's id. A message with characters that are
not text (a lone surrogate, NUL, a non-character: ``kkshared.text_input``) is stored without its
text and marked ``UNREADABLE``; it never reaches Rasa, and the sender gets one SMS saying it could
not be read. Everything else happens in the inbox worker (``bot.sms.inbox``).
"""

from __future__ import annotations

import logging

from bot.channels.common import MAX_MESSAGE_CHARS, mask_message
from bot.sms.context import UNREADABLE, SmsContext, short
from bot.sms.identity import phone_hash
from bot.sms.signature import IncomingSms
from kkshared.text_input import invalid_character

logger = logging.getLogger("bot.sms.service")


def strip_keyword(text: str, keyword: str | None) -> str:
    """The text without a leased keyword at its start ("KK hej" -> "hej")."""
    if keyword and text.lower().startswith(keyword.lower()):
        rest = text[len(keyword) :]
        if not rest or not rest[0].isalnum():
            return rest.strip()
    return text


async def accept(ctx: SmsContext, incoming: IncomingSms) -> str:
    """Store an authentic incoming SMS: "accepted", "duplicate", "ignored" (too old) or
    "unreadable" (stored without its text, answered with a notice, never sent to Rasa)."""
    now = ctx.clock()
    if incoming.senttime and incoming.senttime < now - ctx.settings.retention:
        # Older than the duplicate memory: a replayed webhook, not a new message.
        logger.warning(
            "sms: ignored message %s sent before the retention window", incoming.gateway_id
        )
        return "ignored"
    text = strip_keyword(incoming.message.strip(), ctx.settings.keyword)
    bad = invalid_character(incoming.message)
    if bad is not None:
        # Not stored, not masked, never shown to Rasa: only the fact that it came.
        stored_text, kinds = "", frozenset({UNREADABLE})
    else:
        masked = mask_message(text)
        stored_text, kinds = masked.text[:MAX_MESSAGE_CHARS], masked.pii_kinds
    hashed = phone_hash(incoming.msisdn, ctx.settings.hmac_key or "")
    new = await ctx.db(
        ctx.store.receive,
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
            short(hashed),
            bad,
        )
        ctx.wake_inbox.set()
        return UNREADABLE
    if new:
        logger.info("sms: stored message %s from %s", incoming.gateway_id, short(hashed))
        ctx.wake_inbox.set()
        return "accepted"
    logger.info("sms: duplicate delivery of message %s ignored", incoming.gateway_id)
    return "duplicate"
