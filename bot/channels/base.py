"""The request handling every web channel shares (anonymous ``rest``, logged-in ``kk``).

``GuardedInputChannel.blueprint`` runs, in this order, and stops at the first failure:

1. body size (400), 2. ``identify`` — who is asking, from the request alone (401 in ``kk``),
3. JSON body, ``sender`` and ``message`` (400 with a reason), 4. rate limit per conversation
and per identity (429), 5. PII masking, 6. channel commands (``/juridisk``) and button payloads,
7. classification in a worker thread (``bot.nlu.parse_ahead``), 8. Rasa, 9. the PII notice.

Client ``metadata`` and ``input_channel`` are never used. What the actions may know about the
caller is the ``kkshared.identity.ChannelIdentity`` the channel built from a verified token
(``message_metadata``) — never from the request body. User text is never logged.

Settings (rate limits, the sender-id hash key, the kk channel's secret) are read once, when Rasa
builds the channel (``bot.settings.load_settings``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import (
    DID_NOT_UNDERSTAND,
    ChannelInputError,
    MergingCollectingOutputChannel,
    mask_message,
    resolve_payload,
    sender_hash_key,
    validate_text,
    with_notice,
)
from bot.channels.language import reply_language
from bot.channels.pause import paused_answer
from bot.nlu.parse_ahead import classify_ahead
from bot.settings import BotSettings, load_settings
from kkshared.i18n import N_, _
from kkshared.identity import ChannelIdentity
from kkshared.rate_limit import SlidingWindowLimiter

logger = logging.getLogger(__name__)

# A message is at most MAX_MESSAGE_CHARS characters; the whole body gets some room for JSON.
MAX_BODY_BYTES = 16 * 1024
# The channel's own replies: Danish msgids of the message catalogue (kkshared.i18n), sent in the
# conversation's language (bot.channels.language.reply_language).
TECHNICAL_ERROR = N_(
    "Beklager, der skete en teknisk fejl. "
    "Prøv igen om lidt, eller find kontaktoplysninger på kk.dk."
)
TOO_MANY = "too many messages in a short time; wait a minute and try again"


# The limits count messages per minute.
RATE_WINDOW_SECONDS = 60.0


def message_metadata(identity: ChannelIdentity) -> dict[str, Any] | None:
    """The metadata of the Rasa message (``actions/identity.py`` reads it): the verified identity,
    or None for an anonymous web user (the actions then see an anonymous caller on the channel
    Rasa names)."""
    if identity.is_anonymous:
        return None
    return identity.to_metadata()


class ChannelAuthError(Exception):
    """No or an invalid credential: answered 401 before the body is read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _error(status: int, reason: str, headers: dict | None = None) -> HTTPResponse:
    return response.json({"detail": reason}, status=status, headers=headers)


class GuardedInputChannel(InputChannel):
    """Base of the web channels; subclasses say who is asking and how senders are named."""

    def __init__(self, settings: BotSettings | None = None) -> None:
        self.settings = settings or load_settings()
        # Counted in Redis when KK_REDIS_URL is set (shared by the Rasa replicas), else here.
        self._conversation_limit = SlidingWindowLimiter(
            self.settings.chat_rate_per_conversation,
            RATE_WINDOW_SECONDS,
            self.settings.redis_url,
            name="chat-conversation",
            socket_timeout=self.settings.redis_socket_timeout,
        )
        self._identity_limit = SlidingWindowLimiter(
            self.settings.chat_rate_per_subject,
            RATE_WINDOW_SECONDS,
            self.settings.redis_url,
            name="chat-subject",
            socket_timeout=self.settings.redis_socket_timeout,
        )
        # The key that replaces sender ids that look like personal data (common.validate_sender).
        self.sender_key = sender_hash_key(self.settings)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def get_metadata(self, request: Request) -> dict | None:
        """Client metadata is never passed on or stored."""
        return None

    # Hooks -----------------------------------------------------------------------------------

    async def identify(self, request: Request) -> ChannelIdentity:
        """Who is asking (raise ``ChannelAuthError`` to answer 401)."""
        raise NotImplementedError

    def conversation_id(self, identity: ChannelIdentity, raw_sender: Any) -> str:
        """The tracker id for ``raw_sender`` (raise ``ChannelInputError`` to answer 400)."""
        raise NotImplementedError

    def channel_command(self, text: str, identity: ChannelIdentity) -> str | None:
        """A payload the channel itself allows for ``identity`` (e.g. ``/juridisk``), else None."""
        return None

    # Request handling ------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return webhook

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        if len(request.body or b"") > MAX_BODY_BYTES:
            return _error(400, f"the body is too large (at most {MAX_BODY_BYTES} bytes)")
        try:
            identity = await self.identify(request)
        except ChannelAuthError as error:
            return _error(401, error.reason, {"WWW-Authenticate": "Bearer"})
        try:
            body = request.json
        except Exception:  # sanic raises on malformed JSON
            return _error(400, "the body must be a JSON object")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        try:
            sender_id = self.conversation_id(identity, body.get("sender"))
            text = validate_text(body.get("message"))
        except ChannelInputError as error:
            return _error(400, error.reason)
        if not self._conversation_limit.allow(sender_id) or (
            identity.subject is not None and not self._identity_limit.allow(identity.subject)
        ):
            return _error(429, TOO_MANY, {"Retry-After": "60"})

        paused = await paused_answer(sender_id)  # the off switch: no Rasa turn (pause.py)
        if paused is not None:
            return response.json(paused)

        masked = mask_message(text)
        agent = getattr(request.app.ctx, "agent", None)
        tracker_store = getattr(agent, "tracker_store", None)
        command = self.channel_command(masked.text, identity)
        if command is not None:
            rasa_text: str | None = command
        else:
            rasa_text = await resolve_payload(masked.text, tracker_store, sender_id)
        if rasa_text is None:
            language = await reply_language(tracker_store, sender_id, masked.text)
            messages = [{"recipient_id": sender_id, "text": _(DID_NOT_UNDERSTAND, language)}]
            return response.json(with_notice(messages, sender_id, masked.pii_kinds))

        await classify_ahead(rasa_text)  # e5 off the event loop (bot/nlu/parse_ahead.py)
        collector = MergingCollectingOutputChannel()
        failed = False
        try:
            await on_new_message(
                UserMessage(
                    rasa_text,
                    collector,
                    sender_id,
                    input_channel=self.name(),
                    metadata=message_metadata(identity),
                )
            )
        except asyncio.CancelledError:
            logger.error("%s channel: handling timed out (sender %s)", self.name(), sender_id)
            failed = True
        except Exception as error:  # never log the text, only what failed
            logger.error(
                "%s channel: handling failed (sender %s): %s",
                self.name(),
                sender_id,
                type(error).__name__,
            )
            failed = True
        if failed:
            # In the conversation's language (read only now: a failed turn is rare).
            language = await reply_language(tracker_store, sender_id, masked.text)
            collector.messages.append(
                {"recipient_id": sender_id, "text": _(TECHNICAL_ERROR, language)}
            )

        return response.json(with_notice(collector.messages, sender_id, masked.pii_kinds))
