"""Create the Rasa side's tables once, before several Rasa replicas start (bot venv).

``python -m tools.production_bot_tables`` builds the stores of ``bot/endpoints.yml`` exactly as
``rasa run`` does — tracker store, event broker, lock store — plus the SMS channel's store, and
exits. Each creates its tables when missing; two replicas doing that at the same moment on an
empty PostgreSQL database would race (one fails with a duplicate type). Building the lock store
also proves Redis answers. Run by tools/production.py with the processes' environment.
"""

from __future__ import annotations

import asyncio
import sys

ENDPOINTS = "bot/endpoints.yml"


async def _create() -> list[str]:
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain

    from bot.settings import load_settings
    from bot.sms.store import SmsStore

    endpoints = AvailableEndpoints.read_endpoints(ENDPOINTS)
    made = []
    broker = await EventBroker.create(endpoints.event_broker)
    if broker is not None:
        made.append(type(broker).__name__)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty(), broker)
    if "InMemory" in type(store).__name__:
        # Rasa falls back to memory when the database cannot be reached; replicas must not.
        raise SystemExit("the tracker store's database could not be reached (see above)")
    made.append(type(store).__name__)
    lock_store = LockStore.create(endpoints.lock_store)
    backend = getattr(lock_store, "backend", lock_store)
    made.append(f"{type(lock_store).__name__} ({type(backend).__name__})")
    lock_store.get_lock("kk-production-check")  # raises when Redis does not answer
    SmsStore(load_settings().sms.db_url)
    made.append("SmsStore")
    if broker is not None:
        await broker.close()
    return made


def main() -> int:
    made = asyncio.run(_create())
    print("tables ready: " + ", ".join(made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
