"""The off switch in the Rasa server: one hook every channel calls before a Rasa turn.

``paused_answer(recipient_id)`` is None while the assistant runs; while an admin has paused it
(``PUT /assistant/status`` or the page ``/drift/assistent``) it is the one reply the channel
gives instead of running Rasa: the pause message, with ``{"custom": {"assistant_paused": true,
"phone": ...}}`` so the web chat swaps its input for the notice. The web channels call it after
the request is validated (``base.py``), the SMS channel in its Rasa bridge (``sms.py``: STOP and
HJÆLP still work while paused).

One ``kkshared.assistant_status.StatusCache`` per process asks the case service at most every
``KK_ASSISTANT_STATUS_CACHE_SECONDS`` (3) seconds; when it cannot, the last known status holds,
and with none the assistant runs (fail open: docs/operations.md explains why).
"""

from __future__ import annotations

from typing import Any

from bot.settings import BotSettings, load_settings
from kkshared.assistant_status import StatusCache, paused_reply

STATUS_TIMEOUT_SECONDS = 1.0  # on the path of every message: a slow case service is skipped

_cache: StatusCache | None = None


def status_cache(settings: BotSettings | None = None) -> StatusCache:
    """This process's cache (built on first use from the settings)."""
    global _cache
    if _cache is None:
        from kkshared.case_service import CaseServiceClient  # aiohttp: the bot venv only

        settings = settings or load_settings()
        client = CaseServiceClient(
            settings.api_url, settings.sms.service_token, timeout=STATUS_TIMEOUT_SECONDS
        )
        _cache = StatusCache(client.assistant_status, settings.assistant_status_cache_seconds)
    return _cache


def use_status_cache(cache: StatusCache | None) -> None:
    """Replace this process's cache (tests: a fake status source; None: build it again)."""
    global _cache
    _cache = cache


async def paused_answer(recipient_id: str) -> list[dict[str, Any]] | None:
    """The reply to give instead of a Rasa turn, or None while the assistant runs."""
    status = await status_cache().current()
    return paused_reply(status, recipient_id) if status.paused else None
