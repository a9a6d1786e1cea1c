"""User tokens (JWT, HS256): the one place their signature, expiry and claims are checked.

Both the case service (``api/security/tokens.py``) and the bot's logged-in channel
(``bot/channels/kk.py``) call ``verify_user_token``; to plug in another identity provider
(e.g. a municipal OIDC provider), replace this function. Only HS256 is accepted (no "none",
no algorithm confusion); ``sub``, ``role``, ``iat`` and ``exp`` are required.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

ALGORITHM = "HS256"
ROLES = ("citizen", "staff", "jurist", "admin", "editor")
STAFF_ROLES = frozenset({"staff", "jurist", "admin"})


class InvalidToken(Exception):
    """The token is missing, malformed, expired, forged or uses a disallowed algorithm.

    The message names what was wrong, never the token.
    """


@dataclass(frozen=True)
class UserClaims:
    sub: str
    role: str
    issued_at: datetime
    expires_at: datetime


def create_user_token(
    sub: str,
    role: str,
    secret: str,
    *,
    ttl: timedelta,
    now: datetime | None = None,
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    issued = now or datetime.now(timezone.utc)
    expires = issued + ttl
    claims = {
        "sub": sub,
        "role": role,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_user_token(token: str, secret: str) -> UserClaims:
    """The verified claims of ``token``; raises ``InvalidToken`` otherwise."""
    if not isinstance(token, str) or not token:
        raise InvalidToken("missing token")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "role", "exp", "iat"]},
        )
        role = claims["role"]
        sub = claims["sub"]
        if role not in ROLES:
            raise InvalidToken("unknown role")
        if not isinstance(sub, str) or not sub:
            raise InvalidToken("invalid subject")
        return UserClaims(
            sub=sub,
            role=role,
            issued_at=datetime.fromtimestamp(int(claims["iat"]), timezone.utc),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), timezone.utc),
        )
    except InvalidToken:
        raise
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise InvalidToken(type(exc).__name__) from None
