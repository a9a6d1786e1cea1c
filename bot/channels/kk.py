"""The logged-in web chat channel: ``/webhooks/kk/webhook``.

Same JSON as the REST channel, plus ``Authorization: Bearer <token>`` issued by the case
service (``POST /auth/demo-login`` in the demo). Every request is checked on its own:

- a missing, malformed, expired or forged token answers 401 before the body is read, and
  nothing reaches Rasa;
- the conversation id is ``kk:<subject>:<sender>``: the subject comes from the verified token,
  so no sender id on any channel can name another person's conversation (a sender id that looks
  like a CPR or phone number becomes ``kk:<subject>:h:<keyed hash>``, see
  ``common.validate_sender``);
- subject and role reach the actions as message metadata built from the verified token
  (``kkshared.identity.ChannelIdentity``), never from the request body; the token itself is
  not stored anywhere;
- ``/juridisk`` (legal mode) is let through only for staff, jurist and admin tokens; other
  ``/`` text is a button payload only if the bot offered it (``common.resolve_payload``).

Which tokens count (read once, when the channel is built: ``bot.settings``; docs/identity.md):
identity-provider tokens of the ``KK_OIDC_*`` issuers, and in demo mode only, demo tokens signed
with ``KK_JWT_SECRET`` (the same as the case service's). The check itself is
``kkshared.user_tokens.verify_user_token``, run in a worker thread because it may fetch an
issuer's keys.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from sanic.request import Request

from bot.channels.base import ChannelAuthError, GuardedInputChannel
from bot.channels.common import validate_sender
from bot.settings import BotSettings
from kkshared.defaults import DEFAULT_JWT_SECRET
from kkshared.identity import ChannelIdentity
from kkshared.user_tokens import STAFF_ROLES, InvalidToken, verify_user_token

logger = logging.getLogger(__name__)

# The published secret, accepted in demo mode only.
DEMO_JWT_SECRET = DEFAULT_JWT_SECRET
LEGAL_COMMAND = "/juridisk"
LEGAL_PAYLOAD = "/legal_mode_start"
_BEARER = re.compile(r"^Bearer\s+(\S+)\s*$", re.IGNORECASE)


def jwt_secret(settings: BotSettings) -> str | None:
    """The demo tokens' secret: ``KK_JWT_SECRET``, else the published one; demo mode only."""
    if not settings.demo_mode:
        return None
    return settings.jwt_secret or DEMO_JWT_SECRET


class KKInput(GuardedInputChannel):
    """Logged-in web chat (name ``kk``)."""

    @classmethod
    def name(cls) -> str:
        return "kk"

    async def identify(self, request: Request) -> ChannelIdentity:
        header = request.headers.get("Authorization")
        if not header:
            raise ChannelAuthError("missing bearer token (Authorization: Bearer <token>)")
        match = _BEARER.match(header)
        if match is None:
            raise ChannelAuthError("the Authorization header must be 'Bearer <token>'")
        secret = jwt_secret(self.settings)
        oidc = self.settings.oidc
        if secret is None and oidc is None:
            logger.error("kk channel: no identity provider (KK_OIDC_*) outside demo mode")
            raise ChannelAuthError("the channel is not configured for logins")
        token = match.group(1)
        try:
            if oidc is None:
                claims = verify_user_token(token, secret)
            else:  # may fetch the issuer's keys: not on the event loop
                claims = await asyncio.to_thread(verify_user_token, token, secret, oidc=oidc)
        except InvalidToken as error:
            raise ChannelAuthError(f"invalid or expired token ({error})") from None
        return ChannelIdentity(channel=self.name(), subject=claims.sub, role=claims.role)

    def conversation_id(self, identity: ChannelIdentity, raw_sender: Any) -> str:
        return validate_sender(raw_sender, f"kk:{identity.subject}:", self.sender_key)

    def channel_command(self, text: str, identity: ChannelIdentity) -> str | None:
        if text.strip().lower() == LEGAL_COMMAND and identity.role in STAFF_ROLES:
            return LEGAL_PAYLOAD
        return None
