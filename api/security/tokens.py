"""User tokens for the case service: demo tokens (HS256, demo mode only) and identity-provider
tokens (OpenID Connect, ``KK_OIDC_*``).

The check itself lives in ``kkshared.user_tokens.verify_user_token``, the ONE place a user token is
verified (the bot's logged-in channel uses it too); it picks the demo or the OIDC check by the
token's algorithm and by what the settings allow. Everything else in the service only sees the
returned ``TokenClaims``. ``create_token`` makes demo tokens (``POST /auth/demo-login``).
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
    # "citizen" | "staff" for an identity provider's token; None for a demo token.
    issuer_kind: str | None = None
    display_name: str | None = None

    @property
    def from_identity_provider(self) -> bool:
        return self.issuer_kind is not None


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
    """Demo tokens only in demo mode; identity-provider tokens when KK_OIDC_* configures one."""
    claims = shared_tokens.verify_user_token(
        token, settings.jwt_secret if settings.demo_mode else None, oidc=settings.oidc
    )
    return TokenClaims(
        sub=claims.sub,
        role=Role(claims.role),
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        issuer_kind=claims.issuer_kind,
        display_name=claims.display_name,
    )
