"""A local OpenID Connect issuer for the tests: discovery document and JWKS over HTTP.

``FakeIssuers`` serves any number of issuers from one loopback HTTP server (a thread):
``<base>/<name>/.well-known/openid-configuration`` and ``<base>/<name>/jwks``. Keys are made
at test time (RSA 2048, or EC P-256); ``publish``/``withdraw`` change what the JWKS lists (key
rotation), ``token`` signs claims. Used by tests/shared, tests/api and tests/channels (imported
as ``tests.shared.oidc_issuer``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "kk-assistenten-test"
SUBJECT_KEY = "test-oidc-subject-key-" + "k" * 32


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    private: Any

    @classmethod
    def rsa(cls, kid: str | None = None) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid or "rsa-" + secrets.token_hex(4), "RS256", private)

    @classmethod
    def ec(cls, kid: str | None = None) -> SigningKey:
        return cls(
            kid or "ec-" + secrets.token_hex(4), "ES256", ec.generate_private_key(ec.SECP256R1())
        )

    def jwk(self) -> dict[str, Any]:
        algorithm = RSAAlgorithm if self.algorithm.startswith("RS") else ECAlgorithm
        data = algorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**data, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def public_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass
class Issuer:
    name: str
    url: str
    keys: list[SigningKey] = field(default_factory=list)  # published in the JWKS

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "sub-" + self.name,
            "iat": now,
            "exp": now + 600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self, key: SigningKey | None = None, headers: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        """A token signed with ``key`` (default: the first published); claim=None drops it."""
        key = key or self.keys[0]
        return jwt.encode(
            self.claims(**claims),
            key.private,
            algorithm=key.algorithm,
            headers={"kid": key.kid, **(headers or {})},
        )


class FakeIssuers:
    """The HTTP server; ``requests`` counts the paths asked for."""

    def __init__(self) -> None:
        self.issuers: dict[str, Issuer] = {}
        self.requests: Counter[str] = Counter()
        self.failing = False  # True: every request answers 500 (the issuer is down)
        self.discovery_issuer: dict[str, str] = {}  # name -> another "issuer" in its discovery
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                with fake._lock:
                    fake.requests[self.path] += 1
                    body = None if fake.failing else fake._document(self.path)
                if fake.failing:
                    self.send_error(500)
                    return
                if body is None:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def add(self, name: str, *keys: SigningKey) -> Issuer:
        issuer = Issuer(name, f"{self.base}/{name}", list(keys) or [SigningKey.rsa()])
        self.issuers[name] = issuer
        return issuer

    def publish(self, name: str, key: SigningKey) -> None:
        with self._lock:
            self.issuers[name].keys.append(key)

    def withdraw(self, name: str, key: SigningKey) -> None:
        with self._lock:
            if key in self.issuers[name].keys:
                self.issuers[name].keys.remove(key)

    def jwks_fetches(self, name: str) -> int:
        return self.requests[f"/{name}/jwks"]

    def _document(self, path: str) -> dict[str, Any] | None:
        for issuer in self.issuers.values():
            prefix = f"/{issuer.name}"
            if path == prefix + "/.well-known/openid-configuration":
                return {
                    "issuer": self.discovery_issuer.get(issuer.name, issuer.url),
                    "jwks_uri": issuer.url + "/jwks",
                    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                }
            if path == prefix + "/jwks":
                return {"keys": [key.jwk() for key in issuer.keys]}
        return None

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def oidc_env(issuers: FakeIssuers, **overrides: str) -> dict[str, str]:
    """``KK_OIDC_*`` for the issuers named ``citizen`` and ``staff`` (when added)."""
    env = {"KK_OIDC_SUBJECT_KEY": SUBJECT_KEY, "KK_OIDC_JWKS_MIN_REFETCH_SECONDS": "0"}
    if "citizen" in issuers.issuers:
        env["KK_OIDC_CITIZEN_ISSUER"] = issuers.issuers["citizen"].url
        env["KK_OIDC_CITIZEN_AUDIENCE"] = AUDIENCE
    if "staff" in issuers.issuers:
        env["KK_OIDC_STAFF_ISSUER"] = issuers.issuers["staff"].url
        env["KK_OIDC_STAFF_AUDIENCE"] = AUDIENCE
        env["KK_OIDC_STAFF_ROLE_CLAIM"] = "roles"
        env["KK_OIDC_STAFF_ROLE_MAP"] = (
            "KK.Sagsbehandler=staff; KK.Jurist=jurist; KK.Redaktoer=editor; KK.Admin=admin"
        )
    env.update(overrides)
    return env
