"""The language of the SMS channel's own texts (HELP, STOP, START, rate limit, unreadable,
technical error, "did not understand"): the conversation's ``language`` slot, read from the
tracker of ``sms:<hash>`` (issue 20, docs/english.md "SMS").

The keyword itself does not tell the language ("stop", "help" are the same in both), so an
English conversation gets English replies and every other number Danish ones: a number without a
conversation yet, a tracker store that cannot be read, or a slot that is not ``en``.
"""

from __future__ import annotations

import logging

from bot.sms.context import SmsContext
from bot.sms.identity import tracker_id
from bot.sms.store import InboxRow
from kkshared.i18n import DEFAULT_LANGUAGE, Language, _, language_of

logger = logging.getLogger("bot.sms.service")

LANGUAGE_SLOT = "language"


async def conversation_language(ctx: SmsContext, row: InboxRow) -> Language:
    """The language the conversation of ``row``'s number is in ("da" when unknown)."""
    tracker_store = ctx.bridge.tracker_store
    if tracker_store is None:
        return DEFAULT_LANGUAGE
    try:
        tracker = await tracker_store.retrieve(tracker_id(row.phone_hash))
    except Exception as error:  # a fixed text in Danish beats no reply at all
        logger.warning("sms: conversation language unknown (%s)", type(error).__name__)
        return DEFAULT_LANGUAGE
    if tracker is None:
        return DEFAULT_LANGUAGE
    return language_of(tracker.get_slot(LANGUAGE_SLOT))


async def own_text(ctx: SmsContext, row: InboxRow, text: str) -> str:
    """``text`` (a Danish constant of ``bot.sms.keywords``) in the conversation's language."""
    return _(text, await conversation_language(ctx, row))
