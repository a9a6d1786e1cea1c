"""Rasa's lock store: Redis when ``KK_REDIS_URL`` is set, else this process's memory.

Rasa handles the messages of one conversation one after another by taking a ticket lock per
conversation. Its default lock store is in memory, which is right for one Rasa process (`./kk
run`). With several Rasa replicas behind a load balancer (the production profile,
docs/production.md) two turns of one conversation can land on two processes at once; the locks
must then be shared: Rasa's ``RedisLockStore``, on the Redis that ``KK_REDIS_URL`` names.

``bot/endpoints.yml`` names this class; Rasa's ``${VAR}`` substitution has no defaults and
would make every Rasa start (the channel tests' servers too) set Redis variables, so, like the
tracker store, the choice is made here from ``bot.settings``. The endpoint's other keys
(``socket_timeout``, ``key_prefix``) go to ``RedisLockStore``; host, port, database and password
come from the URL. A Redis that does not answer within ``socket_timeout`` seconds fails that
turn (Rasa answers 500 and the next turn tries again) instead of letting two processes write
one conversation.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.settings import load_settings

logger = logging.getLogger(__name__)

# Keys of the endpoint that RedisLockStore takes besides the address.
REDIS_OPTIONS = ("socket_timeout", "key_prefix", "use_ssl", "ssl_certfile", "ssl_keyfile")


def redis_arguments(url: str, options: dict[str, Any]) -> dict[str, Any]:
    """RedisLockStore's keyword arguments for a redis:// URL plus the endpoint's options."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    arguments: dict[str, Any] = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(path) if path.isdigit() else 0,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }
    for key in REDIS_OPTIONS:
        if key in options and options[key] is not None:
            arguments[key] = options[key]
    if "socket_timeout" in arguments:
        arguments["socket_timeout"] = float(arguments["socket_timeout"])
    return arguments


class KKLockStore(LockStore):
    """The lock store Rasa builds from ``bot/endpoints.yml``: delegates to Redis or memory."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        settings = load_settings()
        options = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        options.setdefault("socket_timeout", settings.redis_socket_timeout)
        self.backend: LockStore
        if settings.redis_url:
            self.backend = RedisLockStore(**redis_arguments(settings.redis_url, options))
            logger.info("conversation locks in Redis (KK_REDIS_URL)")
        else:
            self.backend = InMemoryLockStore()
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.backend.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.backend.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.backend.save_lock(lock)
