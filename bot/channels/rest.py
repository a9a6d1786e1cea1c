"""The anonymous web chat channel: Rasa's REST API, without its privacy problems.

Replaces Rasa's built-in ``rest`` channel at the same URL and with the same JSON:

    POST /webhooks/rest/webhook  {"sender": "abc123", "message": "hej"}
    -> 200 [{"recipient_id": "anon:abc123", "text": "...", "buttons": [...], "custom": {...}}]

Differences from Rasa's channel (the shared handling is in ``bot/channels/base.py``):
- personal data (CPR, phone, e-mail) is masked before Rasa sees the message, and a notice is
  appended to the answer when something was removed;
- client ``metadata`` and ``input_channel`` are ignored (nothing from the client is stored but
  the masked text); the actions see an anonymous caller;
- sender ids are prefixed with ``anon:`` and must be 1-64 safe characters; an id that looks like
  a CPR or phone number (some UUIDs do) is accepted and stored as its keyed hash
  (``anon:h:<hash>``, ``common.validate_sender``);
- a missing, empty or oversized message, or one with characters that are not text (a lone
  surrogate, NUL), answers 400 with a reason; too many messages 429;
- ``/intent`` payloads are accepted only when the bot offered them as a button just before;
- user text is never logged; ``?stream=true`` is not supported.
"""

from __future__ import annotations

from typing import Any

from sanic.request import Request

from bot.channels.base import GuardedInputChannel
from bot.channels.common import validate_sender
from kkshared.identity import ChannelIdentity

SENDER_PREFIX = "anon:"


class MaskingRestInput(GuardedInputChannel):
    """Anonymous REST channel with PII masking (name ``rest``)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    async def identify(self, request: Request) -> ChannelIdentity:
        return ChannelIdentity(channel=self.name())

    def conversation_id(self, identity: ChannelIdentity, raw_sender: Any) -> str:
        return validate_sender(raw_sender, SENDER_PREFIX, self.sender_key)
