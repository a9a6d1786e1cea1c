"""One SMS as one Rasa turn, and the bot's answer as one SMS.

A reply ``1``, ``2``, ... chooses the button the bot offered last (SMS has no buttons:
``bot.channels.common.offered_buttons``); a number outside the choices gets a short "Svar med et
tal fra 1 til N" (in the conversation's language) without asking the bot; with no choices
offered the text goes to the bot as it is. Text starting with ``/`` goes through
``common.resolve_payload``. The turn runs with the conversation id ``sms:<hash>`` and
``{"kk": {"channel": "sms", "subject", "role"}}`` as metadata, under ``KK_SMS_TURN_TIMEOUT``; a
timeout or failure becomes the technical-error text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.channels.common import WHERE_SMS, offered_buttons, pii_notice, resolve_payload
from bot.channels.language import reply_language
from bot.sms import keywords
from bot.sms.context import SmsContext
from bot.sms.identity import sms_identity, tracker_id
from bot.sms.language import conversation_language, own_text
from bot.sms.rendering import SmsText, measure, messages_language, render, reply_number
from bot.sms.store import InboxRow
from kkshared.i18n import _

logger = logging.getLogger("bot.sms.service")


async def rasa_text(
    ctx: SmsContext, row: InboxRow, text: str, sender_id: str
) -> str | list[dict[str, Any]]:
    """What to hand to Rasa for ``text``, or the answer itself when Rasa need not be asked."""
    tracker_store = ctx.bridge.tracker_store
    number = reply_number(text)
    buttons = await offered_buttons(tracker_store, sender_id) if number is not None else []
    if buttons:
        # A numbered reply chooses one of the buttons the bot offered last; the payload is the
        # bot's own, so it is passed on as it is.
        assert number is not None
        if not 1 <= number <= len(buttons):
            language = await conversation_language(ctx, row)
            return [{"text": keywords.choose_number_text(len(buttons), language)}]
        return str(buttons[number - 1]["payload"])
    resolved = await resolve_payload(text, tracker_store, sender_id)
    if resolved is None:
        return [{"text": await own_text(ctx, row, keywords.DID_NOT_UNDERSTAND_TEXT)}]
    return resolved


async def turn(
    ctx: SmsContext, row: InboxRow, text: str, subject: str | None
) -> list[dict[str, Any]]:
    """The bot's messages for one incoming SMS."""
    sender_id = tracker_id(row.phone_hash)
    resolved = await rasa_text(ctx, row, text, sender_id)
    if not isinstance(resolved, str):
        return resolved
    try:
        return await asyncio.wait_for(
            ctx.bridge.handle(
                resolved,
                sender_id,
                sms_identity(subject).to_metadata(),
                f"sms-{row.gateway_id}",
            ),
            timeout=ctx.settings.turn_timeout,
        )
    except asyncio.TimeoutError:
        logger.error("sms: Rasa did not answer message %s in time", row.gateway_id)
    except asyncio.CancelledError:
        if not ctx.running:
            raise
        logger.error("sms: handling message %s was cancelled", row.gateway_id)
    except Exception as error:
        logger.error("sms: handling message %s failed (%s)", row.gateway_id, type(error).__name__)
    # In the message's language when it is clearly one, else the conversation's (as on the web).
    language = await reply_language(ctx.bridge.tracker_store, sender_id, text)
    return [{"text": _(keywords.TECHNICAL_ERROR_TEXT, language)}]


def as_sms(ctx: SmsContext, row: InboxRow, messages: list[dict[str, Any]]) -> SmsText:
    """The bot's messages rendered for SMS, the PII notice first when something was masked."""
    language = messages_language(messages)  # the bot's answers follow the language slot
    notice = pii_notice(row.pii_kinds, where=WHERE_SMS, language=language)
    sms = render(messages, notice, ctx.settings.max_segments, language)
    return sms if sms is not None else measure(_(keywords.NO_ANSWER_TEXT, language))
