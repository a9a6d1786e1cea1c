"""Case-service settings (environment variables with prefix ``KK_``).

See docs/architecture.md for the shared table of settings. Only the case service's own settings
live here; ``assert_safe_for_startup`` is what makes the service refuse to start outside demo mode
with the published default secrets.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "insecure-dev-secret-change-me"
DEFAULT_SERVICE_TOKEN = "insecure-dev-service-token-change-me"
DEFAULT_DATABASE_URL = "sqlite:///./var/kk.db"


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
    # Anonymous POST /feedback: requests per client address per minute.
    feedback_rate_per_minute: int = 30

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for unknown zones
        return value

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
        raw = self.database_url[len(prefix):].split("?", 1)[0]
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
