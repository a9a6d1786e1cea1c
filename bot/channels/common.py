"""Logic every input channel shares: input validation, PII masking, payload checks, output.

A channel (web REST now; the logged-in web channel and SMS later) does, in this order:

1. ``validate_sender`` / ``validate_text``: reject bad input with a reason (HTTP 400). Any
   sender id of 1-64 letters, digits, ``_ . -`` is accepted; one that looks like a CPR or phone
   number is stored as its keyed hash. Text that is not text (a lone surrogate, NUL, another
   control character or a Unicode non-character) is refused before anything else sees it.
2. ``mask_message``: replace CPR numbers, phone numbers and e-mails with ``[CPR]``,
   ``[TELEFON]``, ``[EMAIL]`` (``kkshared.pii``) *before* Rasa sees the text, so the tracker
   store, logs and the action server only ever get the placeholders.
3. ``resolve_payload``: text starting with ``/`` is a Rasa intent payload. It is accepted only
   when the bot offered exactly that payload as a button in its last message and the payload is
   a bare intent (no entities, no slots, no confidence); otherwise the slashes are dropped and the
   text is handled as ordinary user text.
4. After Rasa answered: ``pii_notice`` is appended when personal data was removed.

Nothing here logs user text.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import BotUttered

from bot.settings import BotSettings, load_settings
from kkshared.i18n import N_, _, language_of
from kkshared.language import decided_language
from kkshared.pii import find_pii, mask_pii
from kkshared.text_input import invalid_character

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 1000
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
# A sender id that looks like personal data becomes "<prefix>h:<keyed hash>"; a client's own id
# cannot contain ":", so it can never name a hashed conversation.
HASHED_SENDER_MARK = "h:"
# The key of that hash: a dedicated one, else derived from another secret the Rasa server has
# (``bot.settings.SENDER_KEY_SOURCES``).
_BUILT_IN_SENDER_KEY = "kk-assistenten-sender-id-built-in-key"
_warned_about_sender_key = False
# A bare intent payload such as "/affirm" (no entities, slots or confidence).
BARE_PAYLOAD = re.compile(r"^/[a-z][a-z0-9_]*$")
# The web chat's language switch (docs/english.md): accepted whether offered or not; it only
# sets the conversation's language slot (intent set_language, entity language).
LANGUAGE_PAYLOADS = frozenset({'/set_language{"language":"da"}', '/set_language{"language":"en"}'})

DID_NOT_UNDERSTAND = N_(
    "Jeg forstod ikke din besked. Skriv gerne dit spørgsmål med almindelige ord."
)

# Danish msgids of the message catalogue (kkshared.i18n); English by the message's language.
_NOTICE_BY_KIND = {
    "cpr": N_("dit CPR-nummer"),
    "phone": N_("telefonnumre"),
    "email": N_("e-mailadresser"),
}
WHERE_CHAT = N_("her i chatten")
WHERE_SMS = N_("i en sms")


class ChannelInputError(ValueError):
    """The request is not acceptable; ``reason`` is safe to show (it never contains user text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MaskedMessage:
    text: str
    pii_kinds: frozenset = field(default_factory=frozenset)


def sender_hash_key(settings: BotSettings | None = None) -> bytes:
    """The key of the sender-id hash, derived from ``settings.sender_key_secret`` (the first of
    ``KK_SENDER_HMAC_KEY``, ``KK_SMS_HMAC_KEY``, ``KK_JWT_SECRET``, ``KK_SERVICE_TOKEN``).

    Derived (HMAC with a fixed label), so the hash says nothing about the secret it came from.
    Without any secret a built-in key is used and a warning logged once: a sender is still never
    refused, but then the hash could be reversed by trying all CPR numbers. ``settings``
    defaults to ``load_settings()``; the channels compute the key once when they are built.
    """
    global _warned_about_sender_key
    secret = (settings or load_settings()).sender_key_secret
    if secret is None:
        if not _warned_about_sender_key:
            _warned_about_sender_key = True
            logger.warning(
                "channels: no KK_SENDER_HMAC_KEY (or other secret); sender ids that look like "
                "personal data are hashed with a built-in key"
            )
        secret = _BUILT_IN_SENDER_KEY
    return hmac.new(secret.encode("utf-8"), b"kk-channel-sender-id", hashlib.sha256).digest()


# The hash is written with the letters a-p instead of hex digits, so a hashed id never contains
# a digit run that looks like personal data itself.
_HEX_AS_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def hashed_sender(raw: str, key: bytes) -> str:
    """``h:`` and the keyed hash (128 bits, 32 letters a-p) that stands in for a sender id."""
    digest = hmac.new(key, raw.encode("utf-8"), hashlib.sha256).hexdigest()
    return HASHED_SENDER_MARK + digest[:32].translate(_HEX_AS_LETTERS)


def validate_sender(raw: Any, prefix: str, key: bytes | None = None) -> str:
    """The conversation id for a client-chosen sender: ``<prefix><sender>``.

    The prefix (``anon:`` for the anonymous web chat) keeps conversations of different channels
    and identities apart: an anonymous client can never name a logged-in or SMS conversation.

    A sender id is the client's random handle (chat widgets use UUIDs): every id of 1-64
    letters, digits, ``_ . -`` is accepted. The conversation id is stored and logged, so an id
    in which ``kkshared.pii`` finds a CPR or phone number (about 1 % of UUIDs have such a digit
    run) is replaced by its keyed hash, ``<prefix>h:<hash>``: the same id always gives the same
    conversation, and the digits are stored nowhere. ``key`` defaults to ``sender_hash_key()``.
    """
    if not isinstance(raw, str) or not raw:
        raise ChannelInputError("'sender' is required (1-64 characters: letters, digits, _ . -)")
    if not SENDER_PATTERN.match(raw):
        raise ChannelInputError("'sender' must be 1-64 characters: letters, digits, _ . -")
    if find_pii(raw):
        return f"{prefix}{hashed_sender(raw, key if key is not None else sender_hash_key())}"
    return f"{prefix}{raw}"


UNREADABLE_TEXT_REASON = (
    "'message' contains characters that are not text ({}) / "
    "Beskeden indeholder tegn, som ikke kan læses. Skriv den igen med almindelige bogstaver."
)


def validate_text(raw: Any, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """The message text, stripped; missing, empty, non-text or oversized text is refused.

    So is text with characters no person can have written (``kkshared.text_input``): a lone
    surrogate, NUL or another control character, a Unicode non-character.
    """
    if raw is None:
        raise ChannelInputError("'message' is required")
    if not isinstance(raw, str):
        raise ChannelInputError("'message' must be a string")
    bad = invalid_character(raw)
    if bad is not None:
        raise ChannelInputError(UNREADABLE_TEXT_REASON.format(bad))
    text = raw.strip()
    if not text:
        raise ChannelInputError("'message' must not be empty")
    if len(text) > max_chars:
        raise ChannelInputError(f"'message' is too long (at most {max_chars} characters)")
    return text


def mask_message(text: str) -> MaskedMessage:
    """``text`` with personal data replaced by placeholders, and the kinds that were found."""
    kinds = frozenset(match.kind for match in find_pii(text))
    if not kinds:
        return MaskedMessage(text)
    return MaskedMessage(mask_pii(text), kinds)


def pii_notice(kinds: Iterable[str], where: str = WHERE_CHAT, language: str = "da") -> str | None:
    """The warning shown when personal data was removed from a message (None if none), in
    ``language`` ("da"/"en": the conversation's or the message's, ``kkshared.language.detect``).

    ``where`` names the medium (the SMS channel says "i en sms", ``WHERE_SMS``).
    """
    names = [_(_NOTICE_BY_KIND[k], language) for k in ("cpr", "phone", "email") if k in set(kinds)]
    if not names:
        return None
    last = names[-1]
    listed = last if len(names) == 1 else ", ".join(names[:-1]) + _(" eller ", language) + last
    return _(
        "Skriv ikke {listed} {where}. Jeg har fjernet det fra din besked og gemmer det ikke.",
        language,
    ).format(listed=listed, where=_(where, language))


def last_offered_buttons(events: Iterable[Any]) -> list[dict[str, Any]]:
    """Buttons (in the order shown) of the bot's last message in a list of tracker events.

    Only buttons with a payload count. Channels that cannot show buttons (SMS) number them in
    this order and map a reply "1", "2", ... back to the payload.
    """
    for event in reversed(list(events)):
        if isinstance(event, BotUttered):
            buttons = (event.data or {}).get("buttons") or []
            return [b for b in buttons if isinstance(b, dict) and b.get("payload")]
    return []


def last_offered_payloads(events: Iterable[Any]) -> set[str]:
    """Button payloads of the bot's last message in a list of tracker events."""
    return {b["payload"] for b in last_offered_buttons(events)}


async def offered_buttons(tracker_store: Any, sender_id: str) -> list[dict[str, Any]]:
    """Buttons (in order) the bot offered in its last message to ``sender_id``."""
    if tracker_store is None:
        return []
    tracker = await tracker_store.retrieve(sender_id)
    if tracker is None:
        return []
    return last_offered_buttons(tracker.events)


async def offered_payloads(tracker_store: Any, sender_id: str) -> set[str]:
    """Payloads the bot offered as buttons in its last message to ``sender_id``."""
    if tracker_store is None:
        return set()
    tracker = await tracker_store.retrieve(sender_id)
    if tracker is None:
        return set()
    return last_offered_payloads(tracker.events)


async def resolve_payload(text: str, tracker_store: Any, sender_id: str) -> str | None:
    """The text to hand to Rasa, or None when nothing usable is left.

    ``/affirm`` is passed on only if the bot's last message offered exactly that button;
    the language switch (``LANGUAGE_PAYLOADS``) always; any other text starting with ``/`` loses
    its slashes and goes through NLU as plain text.
    """
    if not text.startswith("/"):
        return text
    if text in LANGUAGE_PAYLOADS:
        return text
    if BARE_PAYLOAD.match(text) and text in await offered_payloads(tracker_store, sender_id):
        return text
    plain = text.lstrip("/ \t").strip()
    return plain or None


class MergingCollectingOutputChannel(CollectingOutputChannel):
    """Collects each bot message as ONE element (text, buttons and custom together).

    Rasa's collector splits a response with ``text`` and ``custom`` into two elements; keeping
    them together lets a client show an FAQ answer with its source. Keys are Rasa's own
    (``recipient_id``, ``text``, ``buttons``, ``image``, ``attachment``, ``custom``).
    """

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        element: dict[str, Any] = {"recipient_id": recipient_id}
        for key in ("text", "buttons", "image", "attachment", "custom"):
            value = message.get(key)
            if value:
                element[key] = value
        if message.get("quick_replies") and "buttons" not in element:
            element["buttons"] = message["quick_replies"]
        if len(element) > 1:
            await self._persist_message(element)


def with_notice(
    messages: list[dict[str, Any]], recipient_id: str, kinds: Iterable[str]
) -> list[dict[str, Any]]:
    """``messages`` plus the PII notice as the last element when personal data was removed, in
    the language the bot answered in (its answers follow the conversation's ``language`` slot)."""
    kinds = [kind for kind in kinds if kind in _NOTICE_BY_KIND]
    if not kinds:  # nothing removed: no notice, so no need to tell the reply's language
        return messages
    said = " ".join(str(message.get("text") or "") for message in messages)
    notice = pii_notice(kinds, language=language_of(decided_language(said)) if said else "da")
    if notice is None:
        return messages
    return [*messages, {"recipient_id": recipient_id, "text": notice}]
