"""What every part of the SMS channel's background work shares: settings, store, clients, clock.

``SmsContext`` is built once by ``bot.sms.service.SmsService`` and handed to the parts
(``intake``, ``inbox``, ``consent``, ``throttle``, ``lookup``, ``turns``, ``outbox``,
``housekeeping``). It also holds the few helpers they all use: running a store call in a worker
thread (never on the event loop), the retry backoff, the outbox entry for a reply, and the wake-up
events of the two worker loops.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.settings import SmsSettings
from bot.sms.gateway_client import GatewayClient
from bot.sms.rendering import SmsText, measure
from bot.sms.store import REPLY, InboxRow, Reply, SmsStore
from kkshared.case_service import CaseServiceClient

logger = logging.getLogger("bot.sms.service")

# Stored in the inbox row's ``pii_kinds`` (what was removed from the text) when the whole text was
# dropped because it is not text; the row's text is then empty.
UNREADABLE = "unreadable"


class RasaBridge(Protocol):
    """What the service needs from the Rasa server (implemented in bot/channels/sms.py)."""

    def ready(self) -> bool: ...

    @property
    def tracker_store(self) -> Any: ...

    async def handle(
        self, text: str, sender_id: str, metadata: dict[str, Any], message_id: str
    ) -> list[dict[str, Any]]: ...


def short(hashed: str) -> str:
    """The part of a number's hash that logs may show."""
    return hashed[:8]


@dataclass
class SmsContext:
    settings: SmsSettings
    store: SmsStore
    bridge: RasaBridge
    gateway: GatewayClient
    case_service: CaseServiceClient
    clock: Callable[[], float] = time.time
    wake_inbox: asyncio.Event = field(default_factory=asyncio.Event)
    wake_outbox: asyncio.Event = field(default_factory=asyncio.Event)
    running: bool = False

    @staticmethod
    async def db(fn: Callable[..., Any], *args: Any) -> Any:
        """A store call in a worker thread, so the Rasa event loop never waits for the database."""
        return await asyncio.to_thread(fn, *args)

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try: ``retry_base`` doubling up to ``retry_max``, 10 % jitter."""
        delay = min(self.settings.retry_max, self.settings.retry_base * (2 ** max(0, attempts)))
        return delay * (1.0 + random.random() * 0.1)

    def draft(self, row: InboxRow, reply: Any, kind: str = REPLY) -> Reply | None:
        """An outbox entry for ``reply`` (text or rendered SmsText), from our receiving number."""
        if reply is None:
            return None
        sms = reply if isinstance(reply, SmsText) else measure(reply)
        return Reply(
            sms.text, sms.encoding, sms.segments, self.settings.sender or row.receiver, kind
        )

    async def sleep(self, event: asyncio.Event) -> None:
        """Wait until woken, a deferred row becomes due, or the poll interval passed.

        Rows that are due but could not be claimed (in progress here or in another process,
        or waiting behind an earlier message from the same number) do not shorten the wait:
        finishing a message wakes the loop, and leases of crashed processes are found by polling.
        """
        delay = self.settings.poll_interval
        due = await self.db(self.store.next_due)
        now = self.clock()
        if due is not None and due > now:
            delay = max(0.02, min(delay, due - now))
        try:
            await asyncio.wait_for(event.wait(), timeout=delay)
        except asyncio.TimeoutError:
            pass
        event.clear()

    async def finish(
        self, row: InboxRow, outcome: str, reply: Any = None, kind: str = REPLY
    ) -> None:
        """Mark a message processed (text purged) and queue its reply, in one transaction."""
        await self.db(
            self.store.finish_inbox, row.id, outcome, self.clock(), self.draft(row, reply, kind)
        )
        logger.info("sms: message %s processed (%s)", row.gateway_id, outcome)

    async def defer(self, row: InboxRow, reply: Any = None, kind: str = REPLY) -> None:
        """Try a message again after the backoff (the case service is unreachable); a reply
        (e.g. the STOP confirmation) may already go out."""
        now = self.clock()
        await self.db(
            self.store.defer_inbox,
            row.id,
            now + self.backoff(row.attempts),
            self.draft(row, reply, kind),
            now,
        )
        logger.info("sms: message %s waits for the case service", row.gateway_id)
