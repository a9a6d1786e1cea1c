"""The language of the SMS channel's own texts (HELP, STOP, START, rate limit, unreadable,
technical error, "did not understand", the number-choice help): the conversation's ``language``
slot, read from the tracker of ``sms:<hash>`` (``bot.channels.language``; issue 20,
docs/english.md "SMS").

The keyword itself does not tell the language ("stop", "help" are the same in both), so an
English conversation gets English replies and every other number Danish ones: a number without a
conversation yet, a tracker store that cannot be read, or a slot that is not ``en``.
"""

from __future__ import annotations

from bot.channels.language import tracker_language
from bot.sms.context import SmsContext
from bot.sms.identity import tracker_id
from bot.sms.store import InboxRow
from kkshared.i18n import Language, _


async def conversation_language(ctx: SmsContext, row: InboxRow) -> Language:
    """The language the conversation of ``row``'s number is in ("da" when unknown)."""
    return await tracker_language(ctx.bridge.tracker_store, tracker_id(row.phone_hash))


async def own_text(ctx: SmsContext, row: InboxRow, text: str) -> str:
    """``text`` (a Danish constant of ``bot.sms.keywords``) in the conversation's language."""
    return _(text, await conversation_language(ctx, row))
