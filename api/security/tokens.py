"""User JWTs: HS256 with claims sub, role, iat, exp.

``verify_token`` is the ONE place a user token is checked. To plug in another identity provider
(e.g. MitID Erhverv / a municipal OIDC provider), replace this function; everything else in the
service only sees the returned ``TokenClaims``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from api.core.config import Settings
from api.models.users import Role

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is missing, malformed, expired, forged or uses a disallowed algorithm."""


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
    issued = now or datetime.now(UTC)
    expires = issued + (ttl if ttl is not None else timedelta(minutes=settings.jwt_ttl_minutes))
    claims = {
        "sub": sub,
        "role": Role(role).value,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def verify_token(token: str, settings: Settings) -> TokenClaims:
    """Check signature (HS256 only: no "none", no algorithm confusion), expiry and claims."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "role", "exp", "iat"]},
        )
        role = Role(claims["role"])
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub:
            raise InvalidToken("invalid subject")
        return TokenClaims(
            sub=sub,
            role=role,
            issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except InvalidToken:
        raise
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise InvalidToken(type(exc).__name__) from None
