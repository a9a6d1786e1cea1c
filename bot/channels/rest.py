"""The anonymous web chat channel: Rasa's REST API, without its privacy problems.

Replaces Rasa's built-in ``rest`` channel at the same URL and with the same JSON:

    POST /webhooks/rest/webhook  {"sender": "abc123", "message": "hej"}
    -> 200 [{"recipient_id": "anon:abc123", "text": "...", "buttons": [...], "custom": {...}}]

Differences from Rasa's channel:
- personal data (CPR, phone, e-mail) is masked before Rasa sees the message, and a notice is
  appended to the answer when something was removed;
- client ``metadata`` and ``input_channel`` are ignored (nothing from the client is stored but
  the masked text);
- sender ids are prefixed with ``anon:`` and must be 1-64 safe characters;
- a missing, empty or oversized message answers 400 with a reason;
- ``/intent`` payloads are accepted only when the bot offered them as a button just before;
- user text is never logged; ``?stream=true`` is not supported.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Awaitable, Callable, Optional, Text

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
    validate_sender,
    validate_text,
    with_notice,
)

logger = logging.getLogger(__name__)

SENDER_PREFIX = "anon:"
# A message is at most MAX_MESSAGE_CHARS characters; the whole body gets some room for JSON.
MAX_BODY_BYTES = 16 * 1024
TECHNICAL_ERROR = (
    "Beklager, der skete en teknisk fejl. Prøv igen om lidt, eller find kontaktoplysninger på kk.dk."
)


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"detail": reason}, status=400)


class MaskingRestInput(InputChannel):
    """Anonymous REST channel with PII masking (name ``rest``)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def get_metadata(self, request: Request) -> Optional[dict]:
        """Client metadata is never passed on or stored."""
        return None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return _bad_request(f"the body is too large (at most {MAX_BODY_BYTES} bytes)")
            try:
                body = request.json
            except Exception:  # sanic raises on malformed JSON
                return _bad_request("the body must be a JSON object")
            if not isinstance(body, dict):
                return _bad_request("the body must be a JSON object")
            try:
                sender_id = validate_sender(body.get("sender"), SENDER_PREFIX)
                text = validate_text(body.get("message"))
            except ChannelInputError as error:
                return _bad_request(error.reason)

            masked = mask_message(text)
            agent = getattr(request.app.ctx, "agent", None)
            tracker_store = getattr(agent, "tracker_store", None)
            rasa_text = await resolve_payload(masked.text, tracker_store, sender_id)
            if rasa_text is None:
                messages = [{"recipient_id": sender_id, "text": DID_NOT_UNDERSTAND}]
                return response.json(with_notice(messages, sender_id, masked.pii_kinds))

            collector = MergingCollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        rasa_text,
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        metadata=None,
                    )
                )
            except asyncio.CancelledError:
                logger.error("rest channel: handling timed out (sender %s)", sender_id)
                collector.messages.append({"recipient_id": sender_id, "text": TECHNICAL_ERROR})
            except Exception as error:  # never log the text, only what failed
                logger.error(
                    "rest channel: handling failed (sender %s): %s",
                    sender_id,
                    type(error).__name__,
                )
                collector.messages.append({"recipient_id": sender_id, "text": TECHNICAL_ERROR})

            return response.json(with_notice(collector.messages, sender_id, masked.pii_kinds))

        return webhook
