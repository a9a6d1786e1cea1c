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

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kkshared.defaults import DEFAULT_JWT_SECRET, DEFAULT_SERVICE_TOKEN
from kkshared.oidc import OidcSettings

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
    # Redis for the rate limits shared by all workers (redis://host:6379/0; the production
    # profile, docs/production.md). None: counted in each worker's memory.
    redis_url: str | None = Field(default=None, repr=False)
    redis_socket_timeout: float = Field(default=2.0, gt=0)
    # Retention (days; docs/privacy.md): `python -m api.retention` deletes feedback, the citizens'
    # form texts (absence reports, reschedule requests, messages) and audit-log rows older than
    # this. The audit log is kept longest (it records reads and erasures of the other data).
    retention_feedback_days: int = Field(default=180, ge=1)
    retention_form_text_days: int = Field(default=730, ge=1)
    retention_audit_days: int = Field(default=1825, ge=1)
    # Conversation analytics (api/analytics, docs/analytics.md): the events database Rasa's SQL
    # event broker writes (bot/endpoints.yml), the key of the conversation-id hashes (default:
    # derived from KK_JWT_SECRET), how often the job aggregates (seconds; 0: only on demand), and
    # the conversations' retention periods (the same variables python -m bot.retention reads).
    events_db_url: str = "sqlite:///./var/events.db"
    analytics_hmac_key: str = Field(default="", repr=False)
    analytics_interval_seconds: int = Field(default=300, ge=0)
    retention_anon_days: float = Field(default=30.0, ge=1)
    retention_kk_days: float = Field(default=90.0, ge=1)
    retention_sms_days: float = Field(default=30.0, ge=1)
    # Web chat (/chat): the Rasa URL browsers use (default http://127.0.0.1:<KK_RASA_PORT>), and
    # the browser origins allowed to call Rasa and this service (space or comma separated, the
    # same list `./kk run` passes to `rasa run --cors`; "*" is never accepted).
    # The off switch (docs/operations.md): the location whose phone number the default pause
    # message and the paused web chat give (the job centre's phone line in locations.json).
    pause_phone_location: str = "jobcenter-telefon"
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
    # Identity providers (docs/identity.md): OpenID Connect issuers for citizens (MitID through
    # NemLog-in's broker) and staff (Entra ID / AD FS). Parsed and checked by
    # kkshared.oidc.OidcSettings.from_env (the Rasa server reads the same variables); outside demo
    # mode at least one issuer is required and only its tokens are accepted.
    oidc_citizen_issuer: str = ""
    oidc_citizen_audience: str = ""
    oidc_citizen_algorithms: str = ""
    oidc_citizen_required_claims: str = ""
    oidc_staff_issuer: str = ""
    oidc_staff_audience: str = ""
    oidc_staff_algorithms: str = ""
    oidc_staff_required_claims: str = ""
    oidc_staff_role_claim: str = ""
    oidc_staff_role_map: str = ""
    oidc_staff_name_claim: str = ""
    oidc_subject_key: str = Field(default="", repr=False)
    oidc_leeway_seconds: str = ""
    oidc_jwks_max_age_seconds: str = ""
    oidc_jwks_min_refetch_seconds: str = ""
    oidc_http_timeout_seconds: str = ""
    _oidc: OidcSettings | None = PrivateAttr(default=None)
    # The live citizen answer catalogue (docs/content_editing.md): where the case service reaches
    # the Rasa server for previews (default http://127.0.0.1:<KK_RASA_PORT>), whether it imports
    # the reviewed YAML at start-up when the catalogue is empty, and the directory holding
    # knowledge/citizen and nlu_data/faq (None: this repository).
    rasa_internal_url: str = ""
    catalogue_import_on_start: bool = True
    catalogue_yaml_dir: Path | None = None

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

    @field_validator("rasa_internal_url")
    @classmethod
    def _internal_url(cls, value: str) -> str:
        value = value.strip()
        if value and not _PUBLIC_URL.match(value):
            raise ValueError("KK_RASA_INTERNAL_URL must be an http(s) URL such as http://rasa:5005")
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
    def _identity_providers(self) -> Settings:
        env = {
            f"KK_{name.upper()}": str(getattr(self, name))
            for name in type(self).model_fields
            if name.startswith("oidc_")
        }
        self._oidc = OidcSettings.from_env(env)
        return self

    @property
    def oidc(self) -> OidcSettings | None:
        """The trusted identity providers (None: none configured, demo tokens only)."""
        return self._oidc

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
    def rasa_internal_base_url(self) -> str:
        """Where the case service calls the Rasa server (catalogue previews)."""
        return self.rasa_internal_url or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def catalogue_yaml_root(self) -> Path:
        return self.catalogue_yaml_dir or Path(__file__).resolve().parents[2]

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
        if self.oidc is None:
            reasons.append(
                "no identity provider is configured (KK_OIDC_CITIZEN_ISSUER and/or "
                "KK_OIDC_STAFF_ISSUER, docs/identity.md): nobody could log in"
            )
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
