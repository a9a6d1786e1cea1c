"""The language of a channel's own replies (technical error, "did not understand", the SMS
keywords' answers): the conversation's ``language`` slot, read from the tracker store (issue 20,
docs/english.md).

The channels answer some messages themselves, without a Rasa turn (or after a failed one), so no
domain response picks the language for them. What they know is the tracker: its ``language``
slot is what the classifier and the switch set. A conversation without a tracker, a tracker store
that cannot be read, or a slot that is not ``en`` gives Danish. ``reply_language`` also looks at
the message itself: one that clearly is English (or Danish) decides, as it does for the bot.
"""

from __future__ import annotations

import logging
from typing import Any

from kkshared.i18n import DEFAULT_LANGUAGE, LANGUAGE_SLOT, Language, language_of
from kkshared.language import detect

logger = logging.getLogger(__name__)


async def tracker_language(tracker_store: Any, sender_id: str) -> Language:
    """The language of the conversation ``sender_id`` ("da" when unknown)."""
    if tracker_store is None:
        return DEFAULT_LANGUAGE
    try:
        tracker = await tracker_store.retrieve(sender_id)
    except Exception as error:  # a fixed text in Danish beats no reply at all
        logger.warning("channel: conversation language unknown (%s)", type(error).__name__)
        return DEFAULT_LANGUAGE
    if tracker is None:
        return DEFAULT_LANGUAGE
    return language_of(tracker.get_slot(LANGUAGE_SLOT))


async def reply_language(tracker_store: Any, sender_id: str, text: str = "") -> Language:
    """The language to answer ``text`` in: the message's own when it decides, else the
    conversation's (the rule the classifier applies to the slot, kkshared.language.detect)."""
    return detect(text, await tracker_language(tracker_store, sender_id))
