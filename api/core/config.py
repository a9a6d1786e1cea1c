"""Case-service settings (environment variables with prefix ``KK_``).

See docs/architecture.md for the shared table of settings. The case service's settings live here,
the legal-guidance mode's ``KK_LEGAL_*`` too (``api/legal/config.py`` only interprets them; the
published default secrets are ``kkshared.defaults``); ``assert_safe_for_startup`` is what makes
the service refuse to start outside demo mode with those defaults.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kkshared.defaults import DEFAULT_JWT_SECRET, DEFAULT_SERVICE_TOKEN

DEFAULT_DATABASE_URL = "sqlite:///./var/kk.db"
# An http(s) base URL without query, fragment, quotes, spaces, commas or semicolons: it is written
# into an HTML attribute and the chat pages' Content-Security-Policy.
_PUBLIC_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~\-/]*)?$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")
LEGAL_ENCODERS = ("bm25", "e5")
_OFF = ("0", "false", "no", "off")


class UnsafeSettingsError(RuntimeError):
    """Raised at start-up when the service would run with published default credentials."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KK_", env_ignore_empty=True, extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: str = Field(default=DEFAULT_JWT_SECRET, repr=False)
    jwt_ttl_minutes: int = Field(default=60, ge=1, le=24 * 60)
    service_token: str = Field(default=DEFAULT_SERVICE_TOKEN, repr=False)
    demo_mode: bool = False
    # In demo mode the demo data is (re)seeded on every start so relative dates move forward.
    demo_seed_on_start: bool = True
    timezone: str = "Europe/Copenhagen"
    api_port: int = 8000
    log_level: str = "INFO"
    # Requests with a body larger than this are refused with 413.
    max_body_bytes: int = 64 * 1024
    # Anonymous POST /feedback: requests per client address per minute (0: no limit).
    feedback_rate_per_minute: int = 30
    # Retention (days; docs/privacy.md): `python -m api.retention` deletes feedback, the citizens'
    # form texts (absence reports, reschedule requests, messages) and audit-log rows older than
    # this. The audit log is kept longest (it records reads and erasures of the other data).
    retention_feedback_days: int = Field(default=180, ge=1)
    retention_form_text_days: int = Field(default=730, ge=1)
    retention_audit_days: int = Field(default=1825, ge=1)
    # Web chat (/chat): the Rasa URL browsers use (default http://127.0.0.1:<KK_RASA_PORT>), and
    # the browser origins allowed to call Rasa and this service (space or comma separated, the
    # same list `./kk run` passes to `rasa run --cors`; "*" is never accepted).
    rasa_port: int = Field(default=5005, ge=1, le=65535)
    rasa_public_url: str = ""
    cors_origins: str = ""
    # Legal guidance (api/legal/config.py, api/legal/README.md): the ranking (``bm25``, or ``e5``
    # for the bundled multilingual-e5-small vectors as well), where ``load-legal-notes`` reads the
    # notes (None: knowledge/legal/notes), and whether a refusal is answered with the best passage
    # of the source documents (any value but 0/false/no/off is on).
    legal_encoder: str = "bm25"
    legal_notes_dir: Path | None = None
    legal_source_passages: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for unknown zones
        return value

    @field_validator("rasa_public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip()
        if value and not _PUBLIC_URL.match(value):
            raise ValueError(
                "KK_RASA_PUBLIC_URL must be an http(s) URL such as https://bot.example.dk"
            )
        return value.rstrip("/")

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in value.replace(",", " ").split():
            if not _ORIGIN.match(origin):
                raise ValueError(
                    f"KK_CORS_ORIGINS: {origin!r} is not an origin like http://localhost:8000 "
                    "('*' is refused)"
                )
        return value

    @field_validator("legal_encoder", mode="before")
    @classmethod
    def _legal_encoder(cls, value: object) -> str:
        name = str(value).strip().lower() or "bm25"
        if name not in LEGAL_ENCODERS:
            raise ValueError(
                f"KK_LEGAL_ENCODER must be one of {', '.join(LEGAL_ENCODERS)}, not {name!r}"
            )
        return name

    @field_validator("legal_notes_dir", mode="before")
    @classmethod
    def _legal_notes_dir(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("legal_source_passages", mode="before")
    @classmethod
    def _legal_source_passages(cls, value: object) -> bool:
        if isinstance(value, bool):
            return value
        return (str(value).strip().lower() or "1") not in _OFF

    @model_validator(mode="after")
    def _audit_kept_longest(self) -> Settings:
        if self.retention_audit_days < max(
            self.retention_feedback_days, self.retention_form_text_days
        ):
            raise ValueError(
                "KK_RETENTION_AUDIT_DAYS must be at least KK_RETENTION_FEEDBACK_DAYS and "
                "KK_RETENTION_FORM_TEXT_DAYS (the audit log is kept longest)"
            )
        return self

    @property
    def chat_rasa_url(self) -> str:
        """Where the web chat's browser code sends messages (Rasa's REST and kk channels)."""
        return self.rasa_public_url or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def cors_origin_list(self) -> list[str]:
        return self.cors_origins.replace(",", " ").split()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file for a file-based SQLite URL, else None."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        raw = self.database_url[len(prefix) :].split("?", 1)[0]
        if raw in ("", ":memory:"):
            return None
        return Path(raw)

    def unsafe_reasons(self) -> list[str]:
        reasons = []
        if self.jwt_secret == DEFAULT_JWT_SECRET:
            reasons.append("KK_JWT_SECRET is the published default")
        elif len(self.jwt_secret) < 32:
            reasons.append("KK_JWT_SECRET is shorter than 32 characters")
        if self.service_token == DEFAULT_SERVICE_TOKEN:
            reasons.append("KK_SERVICE_TOKEN is the published default")
        elif len(self.service_token) < 32:
            reasons.append("KK_SERVICE_TOKEN is shorter than 32 characters")
        return reasons

    def assert_safe_for_startup(self) -> None:
        """Refuse to run outside demo mode with default or weak credentials."""
        if self.demo_mode:
            return
        reasons = self.unsafe_reasons()
        if reasons:
            raise UnsafeSettingsError(
                "Refusing to start the case service outside demo mode: "
                + "; ".join(reasons)
                + ". Set strong random values (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`) or set KK_DEMO_MODE=true for a demo."
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
