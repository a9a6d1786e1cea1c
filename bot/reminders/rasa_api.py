"""Rasa's HTTP API, for the two calls the reminder job makes: the conversation's slots and
``trigger_intent``.

``POST <KK_RASA_URL>/conversations/<id>/trigger_intent?output_channel=sms&token=<token>`` with
``{"name": <intent>, "entities": {...}}`` starts a bot turn in the citizen's SMS conversation
(``sms:<hash>``), as an external event, without a user message. Rasa runs it under the
conversation's lock and answers with the bot's messages (the SMS channel's collecting output
channel, ``output_channel=sms``, so the domain's SMS variants are used).

The Rasa server offers its HTTP API only when ``KK_RASA_API_TOKEN`` is set (``rasa run
--enable-api --auth-token``; tools/run_system.py); every API route then refuses a call without the
token (tests/e2e/test_reminders_rasa_api.py). Rasa takes the token only as a query parameter:
never log these URLs. In production the load balancer must block the API paths (everything but
``/webhooks/`` and ``/``), so only the job reaches them, on a replica's own address.

``GET <KK_RASA_URL>/conversations/<id>/tracker?include_events=NONE&token=<token>`` gives the
conversation's slots as they were when it was last used (Rasa starts no new session for it), so
the job knows the language the citizen's SMS conversation is in (its ``language`` slot) before
it formats the reminder's date and place (docs/english.md "SMS").
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp


class RasaApiError(Exception):
    """Rasa could not run the turn (messages never contain the URL or the token)."""


class RasaApi:
    def __init__(self, base_url: str, token: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def _call(
        self, method: str, conversation_id: str, route: str, what: str, **extra: Any
    ) -> Any:
        """The JSON body of Rasa's ``/conversations/<id>/<route>`` (token in the query); any
        failure is a RasaApiError naming ``what``."""
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{route}"
        params = {"token": self.token, "include_events": "NONE", **extra.pop("params", {})}
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session:
                async with session.request(method, url, params=params, **extra) as response:
                    if response.status != 200:
                        raise RasaApiError(f"{what} answered {response.status}")
                    return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaApiError(f"{what} failed ({type(error).__name__})") from error

    async def slots(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's slot values (a conversation Rasa does not know has the initial
        values)."""
        body = await self._call("GET", conversation_id, "tracker", "the tracker request")
        slots = body.get("slots") if isinstance(body, dict) else None
        if not isinstance(slots, dict):
            raise RasaApiError("the tracker request gave no slots")
        return slots

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, str]
    ) -> list[dict[str, Any]]:
        """The bot's messages for the triggered intent."""
        body = await self._call(
            "POST",
            conversation_id,
            "trigger_intent",
            "trigger_intent",
            params={"output_channel": "sms"},
            json={"name": intent, "entities": entities},
        )
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list):
            raise RasaApiError("trigger_intent gave no messages")
        return [m for m in messages if isinstance(m, dict)]
