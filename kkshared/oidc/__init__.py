"""OpenID Connect logins from the municipality's identity providers (docs/identity.md).

``kkshared.user_tokens.verify_user_token`` calls ``verifier_for(settings).verify(token)`` for
every token that is not a demo token; the case service and the Rasa server's logged-in channel
both go through it. ``settings`` parses ``KK_OIDC_*``, ``keys`` caches each issuer's JWKS,
``verify`` checks a token and derives the pseudonymous subject.
"""

from kkshared.oidc.settings import ASYMMETRIC_ALGORITHMS, IssuerSettings, OidcSettings
from kkshared.oidc.verify import (
    OidcTokenError,
    OidcVerifier,
    VerifiedLogin,
    derive_subject,
    verifier_for,
)

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "IssuerSettings",
    "OidcSettings",
    "OidcTokenError",
    "OidcVerifier",
    "VerifiedLogin",
    "derive_subject",
    "verifier_for",
]
