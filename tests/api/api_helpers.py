"""Helpers shared by the case-service tests (imported as ``api_helpers``)."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

from api.core.config import Settings
from api.models import User

POSTGRES_URL = os.environ.get("KK_TEST_POSTGRES_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("KK_REQUIRE_POSTGRES", "") == "1"
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL or REQUIRE_POSTGRES else [])

TEST_JWT_SECRET = "test-jwt-secret-" + "x" * 32
TEST_SERVICE_TOKEN = "test-service-token-" + "y" * 32


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": "sqlite://",
        "jwt_secret": TEST_JWT_SECRET,
        "service_token": TEST_SERVICE_TOKEN,
        "demo_mode": True,
        "demo_seed_on_start": False,
        # Tests import the catalogue themselves (tests/api/catalogue_helpers.py); at start-up it
        # would commit into the shared test database.
        "catalogue_import_on_start": False,
        "timezone": "Europe/Copenhagen",
    }
    values.update(overrides)
    return Settings(**values)


def service_headers(subject: str | None = None) -> dict[str, str]:
    headers = {"X-Service-Token": TEST_SERVICE_TOKEN}
    if subject is not None:
        headers["X-Subject"] = subject
    return headers


def unsigned_token(claims: dict) -> str:
    """An alg=none JWT (no signature)."""

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


def claims_for(user: User, minutes: int = 60) -> dict:
    now = datetime.now(UTC)
    return {
        "sub": user.id,
        "role": user.role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
    }


def today_cph():
    """Today's date in Copenhagen (the service's notion of "today")."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Copenhagen")).date()
