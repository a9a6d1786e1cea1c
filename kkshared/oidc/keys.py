"""An issuer's signing keys: discovery document -> ``jwks_uri`` -> JWKS, cached.

- The keys are fetched on first use and again when they are older than
  ``KK_OIDC_JWKS_MAX_AGE_SECONDS`` or a token names a key id (``kid``) the cache does not hold
  (the issuer rotated its keys). Fetches are at least ``KK_OIDC_JWKS_MIN_REFETCH_SECONDS`` apart,
  so tokens with made-up key ids cannot make us hammer the issuer.
- A key removed from the issuer's JWKS is gone from the cache after the next fetch.
- When a fetch fails the keys already held stay in use (the issuer being down for a moment does
  not log everybody out); with no keys at all every token is refused.
- Only signature keys of a public-key type (RSA, EC, OKP) are kept: a symmetric (``oct``) key in
  a JWKS is never used. The key object is built for the token's algorithm (``PyJWK``), so a key
  with ``alg`` RS256 does not verify an ES256 or PS256 token.

PyJWT parses the keys; its ``PyJWKClient`` is not used because it refetches for every unknown
``kid`` with no minimum interval and does not read the discovery document.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from jwt import PyJWK, PyJWKError

from kkshared.oidc.settings import IssuerSettings, OidcSettings, check_url

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 512 * 1024
# The key type each algorithm family needs.
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}

Fetch = Callable[[str, float], Any]


class KeyUnavailable(Exception):
    """No key to check the token with (the message is safe to show: no token data)."""


def fetch_json(url: str, timeout: float) -> Any:
    """GET ``url`` and parse its JSON body (at most MAX_DOCUMENT_BYTES)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked URL)
        body = response.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{url}: document larger than {MAX_DOCUMENT_BYTES} bytes")
    return json.loads(body)


def _usable(jwk: Any) -> bool:
    return (
        isinstance(jwk, dict)
        and isinstance(jwk.get("kid"), str)
        and jwk.get("kty") in _KEY_TYPES.values()
        and jwk.get("use", "sig") == "sig"
    )


class IssuerKeys:
    """The cached JWKS of one issuer. Thread-safe (the case service verifies in worker threads)."""

    def __init__(
        self,
        issuer: IssuerSettings,
        settings: OidcSettings,
        *,
        fetch: Fetch = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self._settings = settings
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._jwks_uri: str | None = None
        self._keys: dict[str, dict[str, Any]] | None = None
        self._fetched_at = 0.0
        self._attempted_at: float | None = None
        self.fetches = 0  # JWKS downloads so far (tests, diagnostics)

    def key(self, kid: str, algorithm: str) -> Any:
        """The public key ``kid`` for ``algorithm``; raises ``KeyUnavailable``."""
        with self._lock:
            now = self._clock()
            stale = now - self._fetched_at >= self._settings.jwks_max_age_seconds
            # An unknown kid: the issuer may have rotated its keys since our last fetch.
            if self._keys is None or stale or kid not in self._keys:
                self._refresh(now)
            if self._keys is None:
                raise KeyUnavailable("the identity provider's signing keys cannot be fetched")
            jwk = self._keys.get(kid)
        if jwk is None:
            raise KeyUnavailable(
                "the token is signed with a key the identity provider does not list"
            )
        if jwk.get("alg", algorithm) != algorithm or jwk["kty"] != _KEY_TYPES.get(algorithm[:2]):
            raise KeyUnavailable("the signing key does not match the token's algorithm")
        try:
            return PyJWK(jwk, algorithm).key
        except PyJWKError:
            raise KeyUnavailable("the signing key cannot be used") from None

    def _refresh(self, now: float) -> None:
        """Fetch the JWKS unless the last attempt was too recent; keep the old keys on failure."""
        if (
            self._attempted_at is not None
            and now - self._attempted_at < self._settings.jwks_min_refetch_seconds
        ):
            return
        self._attempted_at = now
        timeout = self._settings.http_timeout_seconds
        try:
            if self._jwks_uri is None:
                self._jwks_uri = self._discover(timeout)
            document = self._fetch(self._jwks_uri, timeout)
            keys = document.get("keys") if isinstance(document, dict) else None
            if not isinstance(keys, list):
                raise ValueError("the JWKS has no 'keys' list")
        except Exception as error:  # network, HTTP status, JSON, document shape
            self._jwks_uri = None  # look the URI up again next time
            log.warning(
                "OIDC keys of the %s issuer could not be fetched (%s); %s",
                self.issuer.kind,
                type(error).__name__,
                "keeping the keys held" if self._keys is not None else "no keys held",
            )
            return
        self.fetches += 1
        self._keys = {jwk["kid"]: jwk for jwk in keys if _usable(jwk)}
        self._fetched_at = now
        log.info(
            "OIDC keys of the %s issuer fetched: %d signing keys", self.issuer.kind, len(self._keys)
        )

    def _discover(self, timeout: float) -> str:
        document = self._fetch(self.issuer.discovery_url, timeout)
        if not isinstance(document, dict) or document.get("issuer") != self.issuer.issuer:
            raise ValueError("the discovery document names another issuer")
        uri = document.get("jwks_uri")
        if not isinstance(uri, str):
            raise ValueError("the discovery document has no jwks_uri")
        return check_url("jwks_uri", uri)
