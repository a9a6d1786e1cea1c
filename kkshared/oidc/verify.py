"""Checking an identity provider's token, and the pseudonymous subject it stands for.

``OidcVerifier.verify`` accepts a token only when all of these hold, and otherwise raises
``OidcTokenError`` with a reason that contains nothing from the token:

1. the header's ``alg`` is a public-key algorithm the token's issuer is allowed to use (never
   ``none``, never HS256: a token "signed" with the issuer's public key as an HMAC secret is
   refused before any key is looked at) and it names a key id (``kid``);
2. ``iss`` is one of the configured issuers, exactly;
3. the signature checks with that issuer's published key ``kid`` (``kkshared.oidc.keys``);
4. ``aud`` holds one of the issuer's audiences; ``exp``, ``iat`` (and ``nbf`` when present) are
   right within ``KK_OIDC_LEEWAY_SECONDS``; ``iss``, ``sub``, ``aud``, ``exp``, ``iat`` present;
5. the issuer's required claim values (e.g. the NSIS level of assurance) are there;
6. a role: ``citizen`` for the citizens' issuer, else the first of admin, jurist, editor, staff
   that the staff issuer's role claim maps to (none: refused).

The subject is ``u-`` + HMAC-SHA256(``KK_OIDC_SUBJECT_KEY``, issuer + NUL + ``sub``), 32 hex
digits: stable per person and issuer, meaningless outside this system, and never made from a CPR
number or any other claim.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import jwt

from kkshared.oidc.keys import Fetch, IssuerKeys, KeyUnavailable, fetch_json
from kkshared.oidc.settings import ASYMMETRIC_ALGORITHMS, IssuerSettings, OidcSettings

SUBJECT_PREFIX = "u-"
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat")
# When the staff issuer's claim maps to several roles, the most specific one wins.
ROLE_PRECEDENCE = ("admin", "jurist", "editor", "staff")
MAX_DISPLAY_NAME = 200


class OidcTokenError(Exception):
    """The token is not a valid login from a trusted issuer; the message says why."""


@dataclass(frozen=True)
class VerifiedLogin:
    subject: str  # the pseudonymous user id (u-...)
    role: str
    issuer_kind: str  # "citizen" | "staff"
    issued_at: datetime
    expires_at: datetime
    display_name: str | None = None  # staff only (a citizen's name is not taken from the token)


def derive_subject(key: str, issuer: str, sub: str) -> str:
    """The pseudonymous user id of ``sub`` at ``issuer``."""
    digest = hmac.new(key.encode(), f"{issuer}\0{sub}".encode(), hashlib.sha256).hexdigest()
    return SUBJECT_PREFIX + digest[:32]


def _claim_values(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def role_from_claims(issuer: IssuerSettings, claims: dict[str, Any]) -> str:
    if issuer.kind == "citizen":
        return "citizen"
    values = _claim_values(claims.get(issuer.role_claim or ""))
    mapped = {role for value, role in issuer.role_map if value in values}
    for role in ROLE_PRECEDENCE:
        if role in mapped:
            return role
    raise OidcTokenError(f"no role: the token's {issuer.role_claim!r} claim maps to no role here")


def _display_name(issuer: IssuerSettings, claims: dict[str, Any]) -> str | None:
    if issuer.kind != "staff":
        return None
    name = claims.get(issuer.name_claim)
    if not isinstance(name, str) or not name.strip():
        return None
    return name.strip()[:MAX_DISPLAY_NAME]


def _decode(token: str, key: Any, algorithm: str, issuer: IssuerSettings, leeway: float) -> Any:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=list(issuer.audiences),
            issuer=issuer.issuer,
            leeway=leeway,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError:
        raise OidcTokenError("the token has expired") from None
    except jwt.ImmatureSignatureError:
        raise OidcTokenError("the token is not valid yet (nbf or iat in the future)") from None
    except jwt.InvalidAudienceError:
        raise OidcTokenError("the token is for another audience") from None
    except jwt.InvalidIssuerError:
        raise OidcTokenError("the token is from another issuer") from None
    except jwt.MissingRequiredClaimError as error:
        raise OidcTokenError(f"the token has no {error.claim!r} claim") from None
    except jwt.InvalidSignatureError:
        raise OidcTokenError("the token's signature is not valid") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise OidcTokenError("the token is malformed") from None


class OidcVerifier:
    """Verifies tokens of the configured issuers; holds one key cache per issuer."""

    def __init__(
        self,
        settings: OidcSettings,
        *,
        fetch: Fetch = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.keys = {
            issuer.issuer: IssuerKeys(issuer, settings, fetch=fetch, clock=clock)
            for issuer in settings.issuers
        }

    def verify(self, token: str) -> VerifiedLogin:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except (jwt.PyJWTError, ValueError, TypeError):
            raise OidcTokenError("the token is malformed") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in ASYMMETRIC_ALGORITHMS:
            raise OidcTokenError(
                "the token's algorithm is not allowed (public-key signatures only)"
            )
        iss = unverified.get("iss")
        keys = self.keys.get(iss) if isinstance(iss, str) else None
        if keys is None:
            raise OidcTokenError("the token is from another issuer")
        issuer = keys.issuer
        if algorithm not in issuer.algorithms:
            raise OidcTokenError("the token's algorithm is not allowed for its issuer")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise OidcTokenError("the token names no signing key (kid)")
        try:
            key = keys.key(kid, algorithm)
        except KeyUnavailable as error:
            raise OidcTokenError(str(error)) from None
        claims = _decode(token, key, algorithm, issuer, self.settings.leeway_seconds)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.strip():
            raise OidcTokenError("the token has no subject")
        for claim, allowed in issuer.required_claims:
            if not _claim_values(claims.get(claim)) & allowed:
                raise OidcTokenError(f"the token's {claim!r} claim is missing or not accepted")
        return VerifiedLogin(
            subject=derive_subject(self.settings.subject_key, issuer.issuer, sub),
            role=role_from_claims(issuer, claims),
            issuer_kind=issuer.kind,
            issued_at=datetime.fromtimestamp(int(claims["iat"]), timezone.utc),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), timezone.utc),
            display_name=_display_name(issuer, claims),
        )


@functools.lru_cache(maxsize=8)
def verifier_for(settings: OidcSettings) -> OidcVerifier:
    """The process's verifier for ``settings`` (one key cache per issuer, shared by callers)."""
    return OidcVerifier(settings)
