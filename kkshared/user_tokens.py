"""User tokens: the one place their signature, expiry and claims are checked.

Both the case service (``api/security/tokens.py``) and the bot's logged-in channel
(``bot/channels/kk.py``) call ``verify_user_token``. Two kinds of token, told apart by the
header's ``alg`` (docs/identity.md):

- demo tokens (HS256 with ``KK_JWT_SECRET``, made by ``POST /auth/demo-login``): accepted only
  when the caller passes a secret, which both ends do in demo mode only; ``sub``, ``role``,
  ``iat`` and ``exp`` are required;
- identity-provider tokens (OpenID Connect, public-key signatures: ``kkshared.oidc``): accepted
  when ``KK_OIDC_*`` configures their issuer; the subject is derived from the issuer's ``sub``
  and the role from its claims.

Anything else (``alg: none``, HS256 outside demo mode, an unknown issuer) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from kkshared.oidc import OidcSettings, OidcTokenError, verifier_for

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
    # "citizen" or "staff" for an identity provider's token (kkshared.oidc); None: a demo token.
    issuer_kind: str | None = None
    display_name: str | None = None  # staff tokens from the identity provider only


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


def verify_user_token(
    token: str, secret: str | None, *, oidc: OidcSettings | None = None
) -> UserClaims:
    """The verified claims of ``token``; raises ``InvalidToken`` (with the reason) otherwise.

    ``secret``: the demo tokens' HS256 secret, or None outside demo mode (then no demo token is
    accepted). ``oidc``: the trusted identity providers, or None.
    """
    if not isinstance(token, str) or not token:
        raise InvalidToken("missing token")
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except (jwt.PyJWTError, ValueError, TypeError):
        raise InvalidToken("malformed token") from None
    if algorithm == ALGORITHM:
        if secret is None:
            raise InvalidToken("demo tokens are accepted in demo mode only")
        return _verify_demo_token(token, secret)
    if oidc is None:
        raise InvalidToken("algorithm not allowed")
    try:
        login = verifier_for(oidc).verify(token)
    except OidcTokenError as error:
        raise InvalidToken(str(error)) from None
    return UserClaims(
        sub=login.subject,
        role=login.role,
        issued_at=login.issued_at,
        expires_at=login.expires_at,
        issuer_kind=login.issuer_kind,
        display_name=login.display_name,
    )


def _verify_demo_token(token: str, secret: str) -> UserClaims:
    """HS256 only (no "none", no algorithm confusion); sub, role, exp and iat required."""
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
