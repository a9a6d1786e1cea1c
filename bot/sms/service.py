"""The SMS channel's background work, put together: inbox -> Rasa -> outbox -> gateway.

``SmsService`` owns one ``SmsContext`` (settings, store, clients, clock; ``bot.sms.context``) and
runs the parts, each in its own module with one job:

- ``intake.accept``: what the webhook does after the signature check (store, then answer);
- ``inbox.InboxWorker``: stored messages -> STOP/START (``consent``), the per-number rate limit
  (``throttle``), the case-service lookup (``lookup``), the Rasa turn (``turns``) -> the outbox;
- ``outbox.OutboxWorker``: queued SMS -> the gateway, with retries;
- ``housekeeping.run``: deletes processed rows after the retention period.

They run as tasks in the Rasa server's event loop (started by the channel's
``after_server_start`` listener). After a restart the workers simply find the rows that are still
pending; leases let several Rasa processes share the tables.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.settings import SmsSettings
from bot.sms import housekeeping, intake
from bot.sms.context import RasaBridge, SmsContext
from bot.sms.gateway_client import GatewayClient
from bot.sms.inbox import InboxWorker
from bot.sms.outbox import OutboxWorker
from bot.sms.signature import IncomingSms
from bot.sms.store import SmsStore
from kkshared.case_service import CaseServiceClient

logger = logging.getLogger(__name__)

__all__ = ["RasaBridge", "SmsService"]


class SmsService:
    def __init__(
        self,
        settings: SmsSettings,
        store: SmsStore,
        bridge: RasaBridge,
        gateway: GatewayClient | None = None,
        case_service: CaseServiceClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not settings.configured:
            raise ValueError("the SMS channel needs KK_SMS_WEBHOOK_SECRET and KK_SMS_HMAC_KEY")
        self.ctx = SmsContext(
            settings=settings,
            store=store,
            bridge=bridge,
            gateway=gateway or GatewayClient(settings.send_url, settings.gateway_token),
            case_service=case_service
            or CaseServiceClient(settings.api_url, settings.service_token),
            clock=clock,
        )
        self.inbox = InboxWorker(self.ctx)
        self.outbox = OutboxWorker(self.ctx)
        self._tasks: list[asyncio.Task] = []

    @property
    def settings(self) -> SmsSettings:
        return self.ctx.settings

    @property
    def store(self) -> SmsStore:
        return self.ctx.store

    @property
    def running(self) -> bool:
        return self.ctx.running

    # --- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        if self.ctx.running:
            return
        self.ctx.running = True
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._guard("inbox", self.inbox.run)),
            loop.create_task(self._guard("outbox", self.outbox.run)),
            loop.create_task(self._guard("housekeeping", lambda: housekeeping.run(self.ctx))),
        ]
        pending = await self.ctx.db(self.store.pending_inbox)
        logger.info("sms: workers started (%d stored message(s) waiting)", pending)

    async def stop(self) -> None:
        self.ctx.running = False
        # Taken before cancelling: the tasks' done-callbacks empty these.
        inflight, unfinished_in = self.inbox.take_unfinished()
        unfinished_out = self.outbox.take_unfinished()
        tasks = self._tasks + inflight
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
        try:
            await self.ctx.db(self.store.release, unfinished_in, unfinished_out)
        except Exception as error:  # the leases then simply run out
            logger.warning("sms: could not release leases at shutdown (%s)", type(error).__name__)
        logger.info(
            "sms: workers stopped (%d unfinished message(s) left for the next start)",
            len(unfinished_in),
        )
        await self.ctx.gateway.close()
        await self.ctx.case_service.close()

    def notify(self) -> None:
        """Wake both workers (something was stored for them)."""
        self.ctx.wake_inbox.set()
        self.ctx.wake_outbox.set()

    async def _guard(self, name: str, loop_fn: Callable[[], Awaitable[None]]) -> None:
        """Run a worker loop forever; an unexpected error is logged and the loop restarts."""
        while self.ctx.running:
            try:
                await loop_fn()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # never the text: only what failed
                logger.error(
                    "sms: %s worker failed (%s); restarting in 1 s",
                    name,
                    type(error).__name__,
                    exc_info=logger.isEnabledFor(logging.DEBUG),
                )
                await asyncio.sleep(1.0)

    # --- webhook -----------------------------------------------------------------------------

    async def accept(self, incoming: IncomingSms) -> str:
        """Store an authentic incoming SMS (``intake.accept``)."""
        return await intake.accept(self.ctx, incoming)
