"""The ``KK_OIDC_*`` settings: which identity providers are trusted and how their claims map.

Both ends that verify user tokens read them — the case service (``api/core/config.py`` declares
the fields and hands them here) and the Rasa server (``bot/settings.py``) — so the parsing and
its checks are written once, in ``OidcSettings.from_env``. Invalid values raise ``ValueError``
naming the variable; ``None`` means no identity provider is configured (demo mode only).

Two issuers, each optional (docs/identity.md):

- ``citizen``: MitID through NemLog-in's OIDC broker; every token it signs is a ``citizen``.
- ``staff``: the municipality's Entra ID (or AD FS); the role comes from one claim (``roles``
  by default, or ``groups``) whose values ``KK_OIDC_STAFF_ROLE_MAP`` maps to ``staff``,
  ``jurist``, ``editor`` or ``admin``. A token whose claim maps to none of them is refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from jwt.algorithms import has_crypto

# Only public-key signatures: a token signed with a shared secret (HS256) or unsigned ("none") is
# never an identity provider's.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
DEFAULT_ALGORITHMS = ("RS256",)
KINDS = ("citizen", "staff")
STAFF_SIDE_ROLES = ("staff", "jurist", "editor", "admin")
DEFAULT_ROLE_CLAIM = "roles"
DEFAULT_NAME_CLAIM = "name"
MIN_SUBJECT_KEY_CHARS = 32
_LOOPBACK_NAMES = ("localhost",)


def _text(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _number(
    env: Mapping[str, str], name: str, default: float, minimum: float, maximum: float = 86400.0
) -> float:
    raw = _text(env, name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum:g} and {maximum:g} seconds")
    return value


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(name: str, url: str) -> str:
    """An https URL (http only for a loopback host: the tests' issuer), kept exactly as given."""
    parts = urlsplit(url)
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and is_loopback_host(parts.hostname)
    )
    if not secure or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"{name} must be an https URL without query or fragment (http only on loopback), "
            f"not {url!r}"
        )
    return url


def _entries(raw: str) -> list[str]:
    """``;`` or newline separated entries (values may hold commas and spaces: AD group names)."""
    return [entry.strip() for entry in raw.replace("\n", ";").split(";") if entry.strip()]


def parse_role_map(name: str, raw: str) -> tuple[tuple[str, str], ...]:
    """``value=role; value=role``: the role is after the last ``=`` (so LDAP names work)."""
    pairs = []
    for entry in _entries(raw):
        value, sep, role = entry.rpartition("=")
        value, role = value.strip(), role.strip()
        if not sep or not value:
            raise ValueError(f"{name}: {entry!r} is not 'claim value=role'")
        if role not in STAFF_SIDE_ROLES:
            raise ValueError(
                f"{name}: {role!r} is not one of {', '.join(STAFF_SIDE_ROLES)} "
                "(the citizens' issuer gives 'citizen')"
            )
        pairs.append((value, role))
    return tuple(pairs)


def parse_required_claims(name: str, raw: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """``claim=value|value; claim=value``: each claim must hold one of its values."""
    required = []
    for entry in _entries(raw):
        claim, sep, values = entry.partition("=")
        allowed = frozenset(v.strip() for v in values.split("|") if v.strip())
        if not sep or not claim.strip() or not allowed:
            raise ValueError(f"{name}: {entry!r} is not 'claim=value|value'")
        required.append((claim.strip(), allowed))
    return tuple(required)


def parse_algorithms(name: str, raw: str) -> tuple[str, ...]:
    names = tuple(raw.replace(",", " ").split()) or DEFAULT_ALGORITHMS
    refused = [alg for alg in names if alg not in ASYMMETRIC_ALGORITHMS]
    if refused:
        raise ValueError(
            f"{name}: {', '.join(refused)} not allowed; only public-key algorithms "
            f"({', '.join(sorted(ASYMMETRIC_ALGORITHMS))})"
        )
    return names


@dataclass(frozen=True)
class IssuerSettings:
    """One trusted identity provider. Hashable: a verifier (and its key cache) is kept per value."""

    kind: str  # "citizen" | "staff"
    issuer: str  # the exact ``iss`` of its tokens; discovery is under it
    audiences: tuple[str, ...]  # the token's ``aud`` must hold one of them (our client id)
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    role_claim: str | None = None  # staff: the claim holding roles or groups
    role_map: tuple[tuple[str, str], ...] = ()  # staff: (claim value, role)
    required_claims: tuple[tuple[str, frozenset[str]], ...] = ()  # (claim, allowed values)
    name_claim: str = DEFAULT_NAME_CLAIM  # staff: display name for a new user

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @classmethod
    def from_env(cls, env: Mapping[str, str], kind: str) -> IssuerSettings | None:
        prefix = f"KK_OIDC_{kind.upper()}_"
        issuer = _text(env, prefix + "ISSUER")
        if not issuer:
            return None
        audiences = tuple(_text(env, prefix + "AUDIENCE").replace(",", " ").split())
        if not audiences:
            raise ValueError(f"{prefix}AUDIENCE must name the client id(s) tokens are issued to")
        role_claim: str | None = None
        role_map: tuple[tuple[str, str], ...] = ()
        if kind == "staff":
            role_claim = _text(env, prefix + "ROLE_CLAIM") or DEFAULT_ROLE_CLAIM
            role_map = parse_role_map(prefix + "ROLE_MAP", _text(env, prefix + "ROLE_MAP"))
            if not role_map:
                raise ValueError(
                    f"{prefix}ROLE_MAP must map the {role_claim!r} claim's values to roles, "
                    "e.g. 'KK.Sagsbehandler=staff; KK.Jurist=jurist'"
                )
        return cls(
            kind=kind,
            issuer=check_url(prefix + "ISSUER", issuer),
            audiences=audiences,
            algorithms=parse_algorithms(prefix + "ALGORITHMS", _text(env, prefix + "ALGORITHMS")),
            role_claim=role_claim,
            role_map=role_map,
            required_claims=parse_required_claims(
                prefix + "REQUIRED_CLAIMS", _text(env, prefix + "REQUIRED_CLAIMS")
            ),
            name_claim=_text(env, prefix + "NAME_CLAIM") or DEFAULT_NAME_CLAIM,
        )


@dataclass(frozen=True)
class OidcSettings:
    """The trusted issuers and how their tokens are checked."""

    issuers: tuple[IssuerSettings, ...]
    # HMAC key of the pseudonymous subject (``kkshared.oidc.subject``): the same on every process,
    # and never changed (a new key gives every user a new id).
    subject_key: str = field(repr=False)
    leeway_seconds: float = 60.0  # clock skew allowed on exp, nbf and iat
    jwks_max_age_seconds: float = 3600.0  # keys are fetched again after this long
    jwks_min_refetch_seconds: float = 60.0  # at most one fetch per issuer this often
    http_timeout_seconds: float = 5.0

    def issuer(self, kind: str) -> IssuerSettings | None:
        return next((i for i in self.issuers if i.kind == kind), None)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcSettings | None:
        issuers = tuple(i for kind in KINDS if (i := IssuerSettings.from_env(env, kind)))
        if not issuers:
            return None
        if len({i.issuer for i in issuers}) != len(issuers):
            raise ValueError("KK_OIDC_CITIZEN_ISSUER and KK_OIDC_STAFF_ISSUER must differ")
        if not has_crypto:
            raise ValueError(
                "KK_OIDC_*: verifying RS256/ES256 tokens needs the 'cryptography' package "
                "(PyJWT's crypto extra, pyjwt[crypto]); it is not installed"
            )
        subject_key = _text(env, "KK_OIDC_SUBJECT_KEY")
        if len(subject_key) < MIN_SUBJECT_KEY_CHARS:
            raise ValueError(
                f"KK_OIDC_SUBJECT_KEY must be set to a random secret of at least "
                f"{MIN_SUBJECT_KEY_CHARS} characters (the same for the case service and Rasa)"
            )
        return cls(
            issuers=issuers,
            subject_key=subject_key,
            leeway_seconds=_number(env, "KK_OIDC_LEEWAY_SECONDS", 60.0, 0.0, 300.0),
            jwks_max_age_seconds=_number(env, "KK_OIDC_JWKS_MAX_AGE_SECONDS", 3600.0, 1.0),
            jwks_min_refetch_seconds=_number(env, "KK_OIDC_JWKS_MIN_REFETCH_SECONDS", 60.0, 0.0),
            http_timeout_seconds=_number(env, "KK_OIDC_HTTP_TIMEOUT_SECONDS", 5.0, 0.1, 60.0),
        )
