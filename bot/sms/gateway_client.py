"""GatewayAPI's send API (``POST <KK_SMS_GATEWAY_URL>/rest/mtsms``), one message per call.

Request (JSON, ``Authorization: Token <KK_SMS_GATEWAY_TOKEN>``)::

    {"message": "...", "recipients": [{"msisdn": 4512345678}], "sender": "4512345600",
     "userref": "sms-outbox-17", "max_parts": 4, "encoding": "UCS2"}

``encoding`` is only sent for UCS-2 (GatewayAPI's default is GSM 03.38); ``max_parts`` caps what
a message may cost even if our segment count and the gateway's ever disagree. The answer
``{"ids": [421332671], ...}`` gives the gateway's message id.

``send`` never raises for HTTP or network problems; it returns a ``SendResult`` that says
whether trying again can help:

- 2xx: sent;
- 400, 404, 413, 422: the request itself is wrong; retrying cannot help (``retryable=False``);
- 401, 403 (bad token, IP not allowed), 408, 429, 5xx, timeouts, refused connections:
  ``retryable=True``: the outbox keeps the message and tries again with backoff.

Nothing here logs the text or the number.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp

logger = logging.getLogger(__name__)

NOT_RETRYABLE = {400, 404, 413, 422}


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retryable: bool = False
    message_id: str | None = None
    error: str = ""


class GatewayClient:
    def __init__(self, send_url: str | None, token: str | None, timeout: float = 10.0) -> None:
        self.send_url = send_url
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout, trust_env=True)
        return self._session

    async def send(
        self,
        msisdn: int,
        text: str,
        *,
        sender: str | None,
        encoding: str,
        max_parts: int,
        userref: str,
    ) -> SendResult:
        if not self.send_url:
            return SendResult(False, True, error="KK_SMS_GATEWAY_URL is not set")
        payload = {
            "message": text,
            "recipients": [{"msisdn": msisdn}],
            "userref": userref,
            "max_parts": max_parts,
        }
        if sender:
            payload["sender"] = sender
        if encoding == "UCS2":
            payload["encoding"] = "UCS2"
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        try:
            async with self._get_session().post(
                self.send_url, json=payload, headers=headers
            ) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    body = None
        except asyncio.TimeoutError:
            return SendResult(False, True, error="timeout")
        except aiohttp.ClientError as error:
            return SendResult(False, True, error=f"connection failed ({type(error).__name__})")
        if 200 <= status < 300:
            ids = body.get("ids") if isinstance(body, dict) else None
            message_id = str(ids[0]) if isinstance(ids, list) and ids else None
            return SendResult(True, message_id=message_id)
        code = body.get("code") if isinstance(body, dict) else None
        reason = f"HTTP {status}" + (f" (code {code})" if isinstance(code, str) else "")
        return SendResult(False, status not in NOT_RETRYABLE, error=reason)
