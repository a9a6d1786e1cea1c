"""User JWTs for the case service: HS256 with claims sub, role, iat, exp.

The check itself lives in ``kkshared.user_tokens.verify_user_token``, the ONE place a user token is
verified (the bot's logged-in channel uses it too). To plug in another identity provider
(e.g. MitID Erhverv / a municipal OIDC provider), replace that function; everything else in the
service only sees the returned ``TokenClaims``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from api.core.config import Settings
from api.models.users import Role
from kkshared import user_tokens as shared_tokens

ALGORITHM = shared_tokens.ALGORITHM
InvalidToken = shared_tokens.InvalidToken


@dataclass(frozen=True)
class TokenClaims:
    sub: str
    role: Role
    issued_at: datetime
    expires_at: datetime


def create_token(
    sub: str,
    role: Role | str,
    settings: Settings,
    *,
    now: datetime | None = None,
    ttl: timedelta | None = None,
) -> str:
    return shared_tokens.create_user_token(
        sub,
        Role(role).value,
        settings.jwt_secret,
        ttl=ttl if ttl is not None else timedelta(minutes=settings.jwt_ttl_minutes),
        now=now,
    )


def verify_token(token: str, settings: Settings) -> TokenClaims:
    """Check signature (HS256 only: no "none", no algorithm confusion), expiry and claims."""
    claims = shared_tokens.verify_user_token(token, settings.jwt_secret)
    return TokenClaims(
        sub=claims.sub,
        role=Role(claims.role),
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
    )
