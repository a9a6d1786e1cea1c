"""The Rasa server's settings: every ``KK_*`` environment variable the bot side reads, parsed here.

Nothing else under ``bot/`` reads the environment. ``load_settings()`` builds one immutable
``BotSettings`` from ``os.environ`` (or a mapping: tests); the places where the server is
configured call it once each — the web channels (``bot/channels/base.py``, ``kk.py``), the SMS
channel (``bot/channels/sms.py``), the tracker and lock stores (``bot/tracker_store.py``,
``bot/lock_store.py``) and the retention command (``python -m bot.retention``) — and keep what
they got. The environment does
not change while a process runs, so they all see the same values; a test sets variables and
builds again. Invalid values raise ``ValueError`` naming the variable, so a misconfigured server
does not start.

The variables, their defaults and who uses them are listed in bot/README.md ("Environment");
the SMS channel's in docs/sms.md.

Standard library only (``python -m bot.retention`` runs without Rasa).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from kkshared.defaults import DEFAULT_API_URL, DEFAULT_SERVICE_TOKEN
from kkshared.oidc import OidcSettings

DEFAULT_TRACKER_DB_URL = "sqlite:///var/tracker.db"
# Conversations whose latest session the tracker store keeps in memory: ~70 kB each under the load
# benchmark (every message's parse data), so 5000 grew a server past 1.0 GB; with 500 its memory
# stays flat at the same throughput (docs/load_benchmark.md). A conversation pushed out is read
# from the database on its next turn.
DEFAULT_TRACKER_CACHE_SIZE = 500
DEFAULT_RETENTION_DAYS = {"anon": 30.0, "kk": 90.0, "sms": 30.0}
DEFAULT_CHAT_RATE_PER_CONVERSATION = 30
DEFAULT_CHAT_RATE_PER_SUBJECT = 600
# The sender-id hash key: a dedicated secret, else derived from another one the server has.
SENDER_KEY_SOURCES = ("KK_SENDER_HMAC_KEY", "KK_SMS_HMAC_KEY", "KK_JWT_SECRET", "KK_SERVICE_TOKEN")
_TRUE = ("1", "true", "yes")


# --- parsing -------------------------------------------------------------------------------------


def _text(env: Mapping[str, str], name: str) -> str | None:
    """The value, stripped; None when unset or blank."""
    value = (env.get(name) or "").strip()
    return value or None


def _float(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number") from error
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    return int(_float(env, name, default, minimum))


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number, 0 (off) or more."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from error
    if value < 0:
        raise ValueError(f"{name} must be 0 (off) or positive")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """true/false (1/0, yes/no); ``default`` when unset or blank."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in ("0", "false", "no"):
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def _days(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number of days") from error
    # Less than a day is almost certainly hours mistaken for days.
    if value < 1:
        raise ValueError(f"{name} must be at least 1 (day)")
    return value


def _hours(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    """``21-08``: from 21 to 8 o'clock (an empty range, e.g. ``0-0``, switches it off)."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    start, sep, end = raw.partition("-")
    try:
        hours = (int(start), int(end))
    except ValueError as error:
        raise ValueError(f"{name} must look like 21-08 (from-to, whole hours)") from error
    if not sep or not all(0 <= h <= 23 for h in hours):
        raise ValueError(f"{name} must look like 21-08 (from-to, whole hours)")
    return hours


def _clock_time(env: Mapping[str, str], name: str, default: str) -> str:
    """``HH:MM`` (24-hour clock), checked."""
    raw = (env.get(name) or "").strip() or default
    hour, sep, minute = raw.partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and len(minute) == 2):
        raise ValueError(f"{name} must look like 16:00")
    if not (0 <= int(hour) <= 23 and 0 <= int(minute) <= 59):
        raise ValueError(f"{name} must look like 16:00")
    return f"{int(hour):02d}:{minute}"


def _tracker_db_url(env: Mapping[str, str]) -> str:
    return _text(env, "KK_TRACKER_DB_URL") or DEFAULT_TRACKER_DB_URL


def _redis_url(env: Mapping[str, str]) -> str | None:
    """``KK_REDIS_URL`` (redis://[:password@]host:port/db), None when unset."""
    value = _text(env, "KK_REDIS_URL")
    if value is not None and not value.lower().startswith(("redis://", "rediss://")):
        raise ValueError("KK_REDIS_URL must look like redis://host:6379/0")
    return value


# --- sections ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionSettings:
    """``python -m bot.retention``: the tracker database and how long conversations are kept."""

    db_url: str = DEFAULT_TRACKER_DB_URL
    anon_days: float = DEFAULT_RETENTION_DAYS["anon"]
    kk_days: float = DEFAULT_RETENTION_DAYS["kk"]
    sms_days: float = DEFAULT_RETENTION_DAYS["sms"]

    def period(self, kind: str) -> float:
        """Seconds a conversation of ``kind`` is kept after its last event."""
        days = {"anon": self.anon_days, "kk": self.kk_days, "sms": self.sms_days}[kind]
        return days * 24 * 3600.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RetentionSettings:
        return cls(
            db_url=_tracker_db_url(env),
            **{
                f"{kind}_days": _days(env, f"KK_RETENTION_{kind.upper()}_DAYS", default)
                for kind, default in DEFAULT_RETENTION_DAYS.items()
            },
        )


@dataclass(frozen=True)
class SmsSettings:
    """The SMS channel (docs/sms.md).

    There are no built-in secrets: the run command generates ``KK_SMS_WEBHOOK_SECRET``,
    ``KK_SMS_GATEWAY_TOKEN`` and ``KK_SMS_HMAC_KEY`` into ``var/secrets.env`` for the demo.
    Without a webhook secret and an HMAC key the channel is *not configured*: its webhook
    answers 503 (so a real gateway keeps retrying) and no worker runs. Without a gateway URL
    replies are computed and kept in the outbox until one is configured.
    """

    webhook_secret: str | None
    hmac_key: str | None
    gateway_url: str | None  # base URL; the send API is <gateway_url>/rest/mtsms
    gateway_token: str | None
    sender: str | None  # None: reply from the number the citizen wrote to (``receiver``)
    keyword: str | None  # leased keyword on a shared short code, stripped from messages
    db_url: str  # KK_SMS_DB_URL, else the tracker database
    api_url: str  # KK_API_URL: the case service (phone-number lookup, opt-out)
    service_token: str  # KK_SERVICE_TOKEN
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
    # Leases of claimed inbox/outbox rows: after a crash, another process takes a row over when
    # its lease ran out. The inbox lease must outlast a turn (default 2 x turn timeout + 30 s).
    inbox_lease: float = 150.0
    outbox_lease: float = 120.0
    # No SMS the channel starts itself (reminders, closure alerts) from quiet_start to quiet_end
    # o'clock, local time (KK_SMS_QUIET_HOURS, default 21-08); replies to a citizen are not held.
    quiet_start: int = 21
    quiet_end: int = 8
    timezone: str = "Europe/Copenhagen"  # KK_TIMEZONE

    @property
    def configured(self) -> bool:
        return bool(self.webhook_secret and self.hmac_key)

    @property
    def send_url(self) -> str | None:
        if not self.gateway_url:
            return None
        return self.gateway_url.rstrip("/") + "/rest/mtsms"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmsSettings:
        rate_count, _, rate_window = (_text(env, "KK_SMS_RATE_LIMIT") or "10/600").partition("/")
        try:
            count, window = int(rate_count), float(rate_window or 600)
        except ValueError as error:
            raise ValueError(
                "KK_SMS_RATE_LIMIT must look like 10/600 (messages/seconds)"
            ) from error
        if count < 1 or window <= 0:
            raise ValueError("KK_SMS_RATE_LIMIT must allow at least 1 message in a positive window")
        turn_timeout = _float(env, "KK_SMS_TURN_TIMEOUT", 60.0, minimum=1.0)
        quiet_start, quiet_end = _hours(env, "KK_SMS_QUIET_HOURS", (21, 8))
        inbox_lease = _float(env, "KK_SMS_INBOX_LEASE_SECONDS", 2 * turn_timeout + 30, minimum=1.0)
        if inbox_lease <= turn_timeout:
            raise ValueError("KK_SMS_INBOX_LEASE_SECONDS must be longer than KK_SMS_TURN_TIMEOUT")
        return cls(
            webhook_secret=_text(env, "KK_SMS_WEBHOOK_SECRET"),
            hmac_key=_text(env, "KK_SMS_HMAC_KEY"),
            gateway_url=_text(env, "KK_SMS_GATEWAY_URL"),
            gateway_token=_text(env, "KK_SMS_GATEWAY_TOKEN"),
            sender=_text(env, "KK_SMS_SENDER"),
            keyword=_text(env, "KK_SMS_KEYWORD"),
            db_url=_text(env, "KK_SMS_DB_URL") or _tracker_db_url(env),
            api_url=(_text(env, "KK_API_URL") or DEFAULT_API_URL).rstrip("/"),
            service_token=_text(env, "KK_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
            rate_limit_count=count,
            rate_limit_window=window,
            max_segments=_int(env, "KK_SMS_MAX_SEGMENTS", 4, minimum=1),
            turn_timeout=turn_timeout,
            retry_base=_float(env, "KK_SMS_RETRY_BASE_SECONDS", 2.0, minimum=0.01),
            retry_max=_float(env, "KK_SMS_RETRY_MAX_SECONDS", 300.0, minimum=0.01),
            send_max_age=_float(env, "KK_SMS_SEND_MAX_AGE_SECONDS", 24 * 3600.0, minimum=1.0),
            lookup_grace=_float(env, "KK_SMS_LOOKUP_GRACE_SECONDS", 900.0),
            retention=_float(env, "KK_SMS_RETENTION_DAYS", 7.0, minimum=0.0) * 24 * 3600.0,
            concurrency=_int(env, "KK_SMS_CONCURRENCY", 4, minimum=1),
            poll_interval=_float(env, "KK_SMS_POLL_SECONDS", 5.0, minimum=0.05),
            inbox_lease=inbox_lease,
            outbox_lease=_float(env, "KK_SMS_OUTBOX_LEASE_SECONDS", 120.0, minimum=1.0),
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            timezone=_text(env, "KK_TIMEZONE") or "Europe/Copenhagen",
        )


@dataclass(frozen=True)
class CatalogueSettings:
    """The live citizen catalogue (docs/answer_tiers.md): the classifier of a running server polls
    ``GET /catalogue/live`` on the case service every ``poll_seconds`` (0: off, the catalogue in
    the model only); the preview channel answers callers with the service token."""

    api_url: str = DEFAULT_API_URL  # KK_API_URL
    service_token: str = field(default=DEFAULT_SERVICE_TOKEN, repr=False)  # KK_SERVICE_TOKEN
    poll_seconds: float = 10.0  # KK_CATALOGUE_POLL_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CatalogueSettings:
        return cls(
            api_url=(_text(env, "KK_API_URL") or DEFAULT_API_URL).rstrip("/"),
            service_token=_text(env, "KK_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
            poll_seconds=_catalogue_poll_seconds(env),
        )


def _catalogue_poll_seconds(env: Mapping[str, str]) -> float:
    """0 (off) or 1-50 s: a publish must reach every process within a minute."""
    value = _float(env, "KK_CATALOGUE_POLL_SECONDS", 10.0)
    if value and not 1.0 <= value <= 50.0:
        raise ValueError("KK_CATALOGUE_POLL_SECONDS must be 0 (off) or between 1 and 50")
    return value


@dataclass(frozen=True)
class ReminderSettings:
    """The meeting-reminder job (``python -m bot.reminders``, docs/reminders.md).

    It sends through the SMS channel's outbox (``SmsSettings``: database, HMAC key, quiet hours)
    and starts the conversation in Rasa with Rasa's ``trigger_intent`` API, which the Rasa server
    offers only with ``KK_RASA_API_TOKEN`` (``rasa run --enable-api --auth-token``).
    """

    send_time: str = "16:00"  # KK_REMINDER_SEND_TIME: local time on the working day before
    min_lead_hours: float = 4.0  # KK_REMINDER_MIN_LEAD_HOURS: no reminder closer to the meeting
    lookahead_days: int = 10  # how far ahead the job asks for meetings (holidays, weekends)
    poll_seconds: float = 60.0  # KK_REMINDER_POLL_SECONDS: between two runs of the job
    claim_lease: int = 300  # KK_REMINDER_CLAIM_LEASE_SECONDS: a dead job's claim is taken over
    # KK_REMINDER_CASE_SERVICE_TIMEOUT: seconds one case-service call may take. No one waits for
    # the job, so it waits longer than a chat turn's 2 s: a call that times out leaves its claim
    # to the next run after the lease (a reminder sent later, never twice: the outbox key).
    case_service_timeout: float = 10.0
    rasa_url: str = "http://127.0.0.1:5005"  # KK_RASA_URL (a Rasa server, not the balancer)
    rasa_api_token: str | None = None  # KK_RASA_API_TOKEN; None: the job cannot run
    api_url: str = DEFAULT_API_URL  # KK_API_URL
    service_token: str = DEFAULT_SERVICE_TOKEN  # KK_SERVICE_TOKEN

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ReminderSettings:
        return cls(
            send_time=_clock_time(env, "KK_REMINDER_SEND_TIME", "16:00"),
            min_lead_hours=_float(env, "KK_REMINDER_MIN_LEAD_HOURS", 4.0),
            poll_seconds=_float(env, "KK_REMINDER_POLL_SECONDS", 60.0, minimum=1.0),
            claim_lease=_int(env, "KK_REMINDER_CLAIM_LEASE_SECONDS", 300, minimum=5),
            case_service_timeout=_float(env, "KK_REMINDER_CASE_SERVICE_TIMEOUT", 10.0, minimum=0.1),
            rasa_url=(_text(env, "KK_RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
            rasa_api_token=_text(env, "KK_RASA_API_TOKEN"),
            api_url=(_text(env, "KK_API_URL") or DEFAULT_API_URL).rstrip("/"),
            service_token=_text(env, "KK_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
        )


# --- the settings object -------------------------------------------------------------------------


@dataclass(frozen=True)
class BotSettings:
    """Everything the Rasa server (and ``python -m bot.retention``) takes from the environment."""

    tracker_db_url: str
    tracker_cache_size: int  # conversations kept in memory by the tracker store (0: none)
    # Other Rasa processes write the same tracker database (replicas): the store's copy in memory
    # is checked against the database every turn (KK_TRACKER_SHARED; default: when Redis is set,
    # i.e. when the conversation locks are shared between processes).
    tracker_shared: bool
    jwt_secret: str | None  # KK_JWT_SECRET as set; the demo fallback is bot/channels/kk.py's
    demo_mode: bool
    # KK_OIDC_*: the identity providers whose tokens the kk channel accepts (docs/identity.md;
    # parsed by kkshared.oidc, the same as the case service). None: demo tokens only.
    oidc: OidcSettings | None
    sender_key_secret: str | None  # the first of SENDER_KEY_SOURCES that is set
    chat_rate_per_conversation: int  # messages per minute (0: off)
    chat_rate_per_subject: int
    # Redis (the production profile, several Rasa processes): Rasa's lock store
    # (bot/lock_store.py) and the chat rate limits' counts. None: both in this process's memory.
    redis_url: str | None
    redis_socket_timeout: float  # seconds Redis may take to answer
    retention: RetentionSettings
    sms: SmsSettings
    reminders: ReminderSettings = ReminderSettings()  # python -m bot.reminders
    # The off switch (docs/operations.md): where the channels ask GET /assistant/status
    # (KK_API_URL) and how long they keep the answer (KK_ASSISTANT_STATUS_CACHE_SECONDS, 0-3).
    api_url: str = DEFAULT_API_URL
    assistant_status_cache_seconds: float = 3.0
    catalogue: CatalogueSettings = CatalogueSettings()  # the live citizen catalogue

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BotSettings:
        return cls(
            tracker_db_url=_tracker_db_url(env),
            tracker_cache_size=_whole(env, "KK_TRACKER_CACHE_SIZE", DEFAULT_TRACKER_CACHE_SIZE),
            tracker_shared=_flag(env, "KK_TRACKER_SHARED", _redis_url(env) is not None),
            jwt_secret=env.get("KK_JWT_SECRET") or None,
            demo_mode=(env.get("KK_DEMO_MODE") or "").lower() in _TRUE,
            oidc=OidcSettings.from_env(env),
            sender_key_secret=next(
                (env[name] for name in SENDER_KEY_SOURCES if env.get(name)), None
            ),
            chat_rate_per_conversation=_whole(
                env, "KK_CHAT_RATE_PER_CONVERSATION", DEFAULT_CHAT_RATE_PER_CONVERSATION
            ),
            chat_rate_per_subject=_whole(
                env, "KK_CHAT_RATE_PER_SUBJECT", DEFAULT_CHAT_RATE_PER_SUBJECT
            ),
            redis_url=_redis_url(env),
            redis_socket_timeout=_float(env, "KK_REDIS_SOCKET_TIMEOUT", 2.0, minimum=0.1),
            retention=RetentionSettings.from_env(env),
            sms=SmsSettings.from_env(env),
            reminders=ReminderSettings.from_env(env),
            api_url=(_text(env, "KK_API_URL") or DEFAULT_API_URL).rstrip("/"),
            assistant_status_cache_seconds=_status_cache_seconds(env),
            catalogue=CatalogueSettings.from_env(env),
        )


def _status_cache_seconds(env: Mapping[str, str]) -> float:
    """At most 3 s: an admin's switch must reach every channel within seconds."""
    value = _float(env, "KK_ASSISTANT_STATUS_CACHE_SECONDS", 3.0)
    if value > 3.0:
        raise ValueError("KK_ASSISTANT_STATUS_CACHE_SECONDS must be at most 3")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> BotSettings:
    """The settings from ``environ`` (default: this process's environment), built now."""
    return BotSettings.from_env(os.environ if environ is None else environ)
