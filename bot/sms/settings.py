"""SMS channel settings, from environment variables with the ``KK_`` prefix.

There are no built-in secrets: the run command generates ``KK_SMS_WEBHOOK_SECRET``,
``KK_SMS_GATEWAY_TOKEN`` and ``KK_SMS_HMAC_KEY`` into ``var/secrets.env`` for the demo. Without a
webhook secret and an HMAC key the channel is *not configured*: its webhook answers 503 (so a
real gateway keeps retrying) and no worker runs. Without a gateway URL replies are computed and
kept in the outbox until one is configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_TRACKER_DB_URL = "sqlite:///var/tracker.db"
DEFAULT_API_URL = "http://127.0.0.1:8000"
DEFAULT_SERVICE_TOKEN = "insecure-dev-service-token-change-me"


def _float(environ: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number") from error
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}")
    return value


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    return int(_float(environ, name, default, minimum))


@dataclass(frozen=True)
class SmsSettings:
    webhook_secret: str | None
    hmac_key: str | None
    gateway_url: str | None  # base URL; the send API is <gateway_url>/rest/mtsms
    gateway_token: str | None
    sender: str | None  # None: reply from the number the citizen wrote to (``receiver``)
    keyword: str | None  # leased keyword on a shared short code, stripped from messages
    db_url: str
    api_url: str
    service_token: str
    rate_limit_count: int = 10  # messages per number ...
    rate_limit_window: float = 600.0  # ... per this many seconds
    max_segments: int = 4  # longest reply, in SMS segments
    turn_timeout: float = 60.0  # seconds Rasa may take for one message
    retry_base: float = 2.0  # first retry delay of a failed send (doubles per attempt)
    retry_max: float = 300.0  # longest delay between two send attempts
    send_max_age: float = 24 * 3600.0  # a reply not sent within this time is given up
    lookup_grace: float = 900.0  # how long a message waits for an unreachable case service
    retention: float = 7 * 24 * 3600.0  # how long processed rows (without text) are kept
    concurrency: int = 4  # conversations handled at the same time
    poll_interval: float = 5.0  # seconds between checks for due rows

    @property
    def configured(self) -> bool:
        return bool(self.webhook_secret and self.hmac_key)

    @property
    def send_url(self) -> str | None:
        if not self.gateway_url:
            return None
        return self.gateway_url.rstrip("/") + "/rest/mtsms"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmsSettings:
        env = os.environ if environ is None else environ

        def text(name: str) -> str | None:
            value = (env.get(name) or "").strip()
            return value or None

        rate_count, _, rate_window = (text("KK_SMS_RATE_LIMIT") or "10/600").partition("/")
        try:
            count, window = int(rate_count), float(rate_window or 600)
        except ValueError as error:
            raise ValueError(
                "KK_SMS_RATE_LIMIT must look like 10/600 (messages/seconds)"
            ) from error
        if count < 1 or window <= 0:
            raise ValueError("KK_SMS_RATE_LIMIT must allow at least 1 message in a positive window")
        return cls(
            webhook_secret=text("KK_SMS_WEBHOOK_SECRET"),
            hmac_key=text("KK_SMS_HMAC_KEY"),
            gateway_url=text("KK_SMS_GATEWAY_URL"),
            gateway_token=text("KK_SMS_GATEWAY_TOKEN"),
            sender=text("KK_SMS_SENDER"),
            keyword=text("KK_SMS_KEYWORD"),
            db_url=text("KK_SMS_DB_URL") or text("KK_TRACKER_DB_URL") or DEFAULT_TRACKER_DB_URL,
            api_url=(text("KK_API_URL") or DEFAULT_API_URL).rstrip("/"),
            service_token=text("KK_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
            rate_limit_count=count,
            rate_limit_window=window,
            max_segments=_int(env, "KK_SMS_MAX_SEGMENTS", 4, minimum=1),
            turn_timeout=_float(env, "KK_SMS_TURN_TIMEOUT", 60.0, minimum=1.0),
            retry_base=_float(env, "KK_SMS_RETRY_BASE_SECONDS", 2.0, minimum=0.01),
            retry_max=_float(env, "KK_SMS_RETRY_MAX_SECONDS", 300.0, minimum=0.01),
            send_max_age=_float(env, "KK_SMS_SEND_MAX_AGE_SECONDS", 24 * 3600.0, minimum=1.0),
            lookup_grace=_float(env, "KK_SMS_LOOKUP_GRACE_SECONDS", 900.0),
            retention=_float(env, "KK_SMS_RETENTION_DAYS", 7.0, minimum=0.0) * 24 * 3600.0,
            concurrency=_int(env, "KK_SMS_CONCURRENCY", 4, minimum=1),
            poll_interval=_float(env, "KK_SMS_POLL_SECONDS", 5.0, minimum=0.05),
        )
