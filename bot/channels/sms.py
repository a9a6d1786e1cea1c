"""Two-way SMS through a GatewayAPI-compatible gateway (name ``sms``; see docs/sms.md).

    POST /webhooks/sms/webhook   GatewayAPI's incoming-SMS (MO) webhook, signed with a JWT in
                                 X-Gwapi-Signature -> 200 {"status": "accepted" | "duplicate" |
                                 "ignored" | "unreadable"}; 401 for a missing or wrong
                                 signature; 503 while the channel is not configured or its
                                 storage is unavailable
    GET  /webhooks/sms/          {"status": "ok", "configured": bool, "running": bool}

Unlike Rasa's Twilio connector this channel checks the signature before it even parses the
body (nothing is stored for a forged request), answers the gateway at once after storing the
message durably, runs the conversation in the background (a retried webhook gives one reply, a
restart loses nothing), sends replies through an outbox with retries, and renders buttons as
numbered choices. A message with characters that are not text (a lone surrogate, NUL) is
acknowledged ("unreadable") but never processed; the sender gets one SMS saying it could not be
read (the gateway would retry anything but 2xx). Phone numbers are replaced by a keyed hash
(``sms:<hash>`` is the conversation id); the sender is matched to a citizen only through the
case service, and the actions receive
``{"kk": {"channel": "sms", "subject": <user id or null>, "role": "citizen" or null}}`` as
message metadata. Nothing logged contains message text or phone numbers.

Settings: ``KK_SMS_*`` environment variables (``SmsSettings`` in bot/settings.py). Without
``KK_SMS_WEBHOOK_SECRET`` and ``KK_SMS_HMAC_KEY`` the channel stays inactive (503), so the Rasa
server starts as before.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import MergingCollectingOutputChannel
from bot.channels.pause import paused_answer
from bot.nlu.parse_ahead import classify_ahead
from bot.rasa_patches import remember_trigger_request, session_start_messages
from bot.settings import SmsSettings, load_settings
from bot.sms.schema import SchemaOutdated
from bot.sms.service import SmsService
from bot.sms.signature import HEADER, IncomingSms, InvalidMessage, SignatureError, verify_incoming
from bot.sms.store import SmsStore

logger = logging.getLogger(__name__)

# An incoming SMS is at most 1600 characters; the signed JSON around it is small.
MAX_BODY_BYTES = 16 * 1024


class SmsOutputChannel(MergingCollectingOutputChannel):
    """Collects the bot's messages for one SMS turn.

    Named ``sms`` so responses can have SMS variants in the domain (``channel: sms``).
    """

    @classmethod
    def name(cls) -> str:
        return "sms"


class SanicRasaBridge:
    """The Rasa side the SMS service talks to: the loaded agent and the channel callback."""

    def __init__(self, app: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        self.app = app
        self.on_new_message = on_new_message

    @property
    def agent(self) -> Any:
        return getattr(self.app.ctx, "agent", None)

    def ready(self) -> bool:
        agent = self.agent
        return agent is not None and agent.is_ready()

    @property
    def tracker_store(self) -> Any:
        return getattr(self.agent, "tracker_store", None)

    async def handle(
        self, text: str, sender_id: str, metadata: dict[str, Any], message_id: str
    ) -> list[dict[str, Any]]:
        paused = await paused_answer(sender_id)  # the off switch: no Rasa turn (pause.py)
        if paused is not None:
            return paused
        collector = SmsOutputChannel()
        await classify_ahead(text)
        await self.on_new_message(
            UserMessage(
                text,
                collector,
                sender_id,
                input_channel="sms",
                message_id=message_id,
                metadata=metadata,
            )
        )
        return collector.messages


def _status(code: int, detail: str) -> HTTPResponse:
    return response.json({"detail": detail}, status=code)


class SmsInput(InputChannel):
    """GatewayAPI-compatible SMS channel (name ``sms``)."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SmsInput:
        # Secrets come from the environment (KK_SMS_*), never from credentials.yml.
        return cls()

    def __init__(self, settings: SmsSettings | None = None) -> None:
        self.settings = settings or load_settings().sms
        self.service: SmsService | None = None
        if not self.settings.configured:
            logger.info("sms channel inactive: set KK_SMS_WEBHOOK_SECRET and KK_SMS_HMAC_KEY")
        elif len((self.settings.webhook_secret or "").encode("utf-8")) < 32:
            logger.warning("sms channel: KK_SMS_WEBHOOK_SECRET is shorter than 32 bytes")
        if self.settings.configured and not self.settings.send_url:
            logger.warning("sms channel: KK_SMS_GATEWAY_URL is not set; replies wait in the outbox")

    def get_metadata(self, request: Request) -> dict | None:
        return None  # identity metadata is set by the service, never taken from a request

    def get_output_channel(self) -> SmsOutputChannel:
        """For Rasa's ``trigger_intent?output_channel=sms`` (the reminder job, bot/reminders):
        the bot's messages are collected (SMS variants of responses) and given back to the job,
        which queues them in the outbox. A session the request started comes first (the AI
        notice; ``bot.rasa_patches.session_start_messages``)."""
        channel = SmsOutputChannel()
        channel.messages.extend(session_start_messages())
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )
        settings = self.settings

        @webhook.listener("before_server_start")
        async def register_middleware(app: Any, loop: Any) -> None:
            # A reminder's new session: its AI notice in the reminder's language, SMS variant.
            app.register_middleware(remember_trigger_request, "request")

        @webhook.listener("after_server_start")
        async def start_service(app: Any, loop: Any) -> None:
            if not settings.configured:
                return
            try:
                # Tables are made by the migrations (python -m bot.sms.migrate, run by ./kk run
                # before Rasa starts), never here: several servers must not race to create them.
                store = await asyncio.to_thread(
                    functools.partial(SmsStore, settings.db_url, migrate=False)
                )
            except SchemaOutdated as error:
                logger.error("sms channel: %s; webhooks answer 503", error)
                return
            except Exception as error:
                logger.error(
                    "sms channel: cannot open its database (%s); webhooks answer 503",
                    type(error).__name__,
                )
                return
            self.service = SmsService(settings, store, SanicRasaBridge(app, on_new_message))
            await self.service.start()

        @webhook.listener("before_server_stop")
        async def stop_service(app: Any, loop: Any) -> None:
            service, self.service = self.service, None
            if service is not None:
                await service.stop()
                await asyncio.to_thread(service.store.close)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json(
                {
                    "status": "ok",
                    "configured": settings.configured,
                    "running": bool(self.service and self.service.running),
                }
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not settings.configured:
                return _status(503, "the SMS channel is not configured")
            # 1. Authenticity, before the body is parsed or validated: 401, nothing stored.
            raw = request.body or b""
            try:
                body = verify_incoming(
                    request.headers.get(HEADER), raw, settings.webhook_secret or ""
                )
            except SignatureError as error:
                logger.warning("sms webhook refused: %s", error)
                return _status(401, "missing or invalid X-Gwapi-Signature")
            # 2. An authentic request: acknowledge anything unusable (a gateway would retry 4xx).
            if len(raw) > MAX_BODY_BYTES:
                logger.warning("sms webhook: oversized body ignored")
                return response.json({"status": "ignored", "detail": "the body is too large"})
            try:
                incoming = IncomingSms.from_body(body)
            except InvalidMessage as error:
                logger.warning("sms webhook: message ignored (%s)", error)
                return response.json({"status": "ignored", "detail": str(error)})
            # 3. Store durably, then answer; the conversation runs in the background.
            service = self.service
            if service is None or not service.running:
                return _status(503, "the SMS channel is starting or its storage is unavailable")
            try:
                status = await service.accept(incoming)
            except Exception as error:
                logger.error("sms webhook: storing failed (%s)", type(error).__name__)
                return _status(503, "the message could not be stored; try again")
            return response.json({"status": status})

        return webhook
