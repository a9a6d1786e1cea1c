"""kkshared.oidc and kkshared.user_tokens against a local OpenID Connect issuer (keys made here).

Accepted: a valid token of each issuer, a rotated key once published; refused with a reason:
wrong issuer, wrong audience, expired, not yet valid, alg none, HS256 "signed" with the public
key, missing claims, unmapped role, a withdrawn key. The key cache fetches on an unknown kid at
most once per minimum interval, keeps its keys while the issuer is down, and drops withdrawn keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from kkshared.oidc import OidcSettings, OidcTokenError, OidcVerifier, derive_subject
from kkshared.user_tokens import InvalidToken, create_user_token, verify_user_token
from tests.shared.oidc_issuer import AUDIENCE, SUBJECT_KEY, FakeIssuers, SigningKey, oidc_env

LOA = "https://data.gov.dk/concept/core/nsis/loa"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def server() -> Iterator[FakeIssuers]:
    fake = FakeIssuers()
    yield fake
    fake.close()


@pytest.fixture
def issuers(server: FakeIssuers) -> Iterator[FakeIssuers]:
    """Fresh issuers (new keys) named citizen, staff and other (not configured)."""
    server.issuers.clear()
    server.requests.clear()
    server.failing = False
    server.discovery_issuer.clear()
    for name in ("citizen", "staff", "other"):
        server.add(name)
    yield server


def settings(issuers: FakeIssuers, **env: str) -> OidcSettings:
    parsed = OidcSettings.from_env(oidc_env(issuers, **env))
    assert parsed is not None
    return parsed


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(issuers: FakeIssuers, clock: Clock) -> OidcVerifier:
    return OidcVerifier(settings(issuers), clock=clock)


def refused(verifier: OidcVerifier, token: str, reason: str) -> None:
    with pytest.raises(OidcTokenError, match=reason):
        verifier.verify(token)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict, claims: dict, secret: bytes | None) -> str:
    """A JWT PyJWT would not make: alg none, or HS256 with a public key as the secret."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


# --- accepted ------------------------------------------------------------------------------------


def test_a_citizen_token_gives_the_citizen_role_and_a_derived_subject(issuers, verifier) -> None:
    citizen = issuers.issuers["citizen"]
    login = verifier.verify(citizen.token(sub="mitid-123", cpr="0101901234", name="Borger"))
    assert login.role == "citizen" and login.issuer_kind == "citizen"
    assert login.subject == derive_subject(SUBJECT_KEY, citizen.url, "mitid-123")
    assert re.fullmatch(r"u-[0-9a-f]{32}", login.subject)
    assert "0101901234" not in login.subject and login.display_name is None
    assert login.expires_at > login.issued_at


def test_the_subject_depends_on_issuer_sub_and_key_only(issuers, verifier) -> None:
    citizen, staff = issuers.issuers["citizen"], issuers.issuers["staff"]
    first = verifier.verify(citizen.token(sub="same", cpr="0101901234")).subject
    again = verifier.verify(citizen.token(sub="same", cpr="0202902345")).subject
    other_sub = verifier.verify(citizen.token(sub="other")).subject
    other_issuer = verifier.verify(staff.token(sub="same", roles=["KK.Sagsbehandler"])).subject
    assert first == again  # a CPR claim plays no part
    assert len({first, other_sub, other_issuer}) == 3
    assert derive_subject("another-key-" + "x" * 32, citizen.url, "same") != first


@pytest.mark.parametrize(
    ("roles", "role"),
    [
        (["KK.Sagsbehandler"], "staff"),
        ("KK.Jurist", "jurist"),
        (["Everyone", "KK.Redaktoer"], "editor"),
        (["KK.Sagsbehandler", "KK.Admin", "KK.Jurist"], "admin"),
        (["KK.Sagsbehandler", "KK.Jurist"], "jurist"),
    ],
)
def test_staff_roles_come_from_the_mapped_claim(issuers, verifier, roles, role) -> None:
    login = verifier.verify(
        issuers.issuers["staff"].token(roles=roles, name=" Sara Sagsbehandler ")
    )
    assert (login.role, login.issuer_kind, login.display_name) == (
        role,
        "staff",
        "Sara Sagsbehandler",
    )


def test_a_groups_claim_with_ldap_names_can_be_the_role_claim(issuers, clock) -> None:
    configured = settings(
        issuers,
        KK_OIDC_STAFF_ROLE_CLAIM="groups",
        KK_OIDC_STAFF_ROLE_MAP="CN=KK Jurister,OU=Grupper,DC=kk,DC=dk=jurist\nabc-123=staff",
    )
    verifier = OidcVerifier(configured, clock=clock)
    staff = issuers.issuers["staff"]
    assert verifier.verify(staff.token(groups=["CN=KK Jurister,OU=Grupper,DC=kk,DC=dk"])).role == (
        "jurist"
    )
    assert verifier.verify(staff.token(groups=["abc-123"])).role == "staff"


def test_es256_is_accepted_when_allowed(issuers, clock) -> None:
    key = SigningKey.ec()
    issuers.publish("citizen", key)
    allowed = OidcVerifier(settings(issuers, KK_OIDC_CITIZEN_ALGORITHMS="RS256 ES256"), clock=clock)
    assert allowed.verify(issuers.issuers["citizen"].token(key)).role == "citizen"
    only_rs = OidcVerifier(settings(issuers), clock=clock)
    refused(only_rs, issuers.issuers["citizen"].token(key), "algorithm is not allowed")


def test_small_clock_skew_is_tolerated(issuers, verifier) -> None:
    now = int(time.time())
    citizen = issuers.issuers["citizen"]
    assert verifier.verify(citizen.token(exp=now - 20, iat=now - 600, nbf=now + 20))


def test_required_claim_values_are_checked(issuers, clock) -> None:
    verifier = OidcVerifier(
        settings(issuers, KK_OIDC_CITIZEN_REQUIRED_CLAIMS=f"{LOA}=Substantial|High"), clock=clock
    )
    citizen = issuers.issuers["citizen"]
    assert verifier.verify(citizen.token(**{LOA: "Substantial"}))
    refused(verifier, citizen.token(**{LOA: "Low"}), "loa' claim is missing or not accepted")
    refused(verifier, citizen.token(), "loa' claim is missing or not accepted")


# --- refused -------------------------------------------------------------------------------------


def test_another_issuer_is_refused(issuers, verifier) -> None:
    refused(verifier, issuers.issuers["other"].token(), "from another issuer")
    # Claiming a trusted issuer does not help: its JWKS does not list the other issuer's key.
    citizen_url = issuers.issuers["citizen"].url
    refused(verifier, issuers.issuers["other"].token(iss=citizen_url), "does not list")


def test_a_staff_key_cannot_sign_citizen_tokens(issuers, verifier) -> None:
    staff_key = issuers.issuers["staff"].keys[0]
    refused(verifier, issuers.issuers["citizen"].token(staff_key), "does not list")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "another-client"}, "another audience"),
        ({"aud": None}, "no 'aud' claim"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"nbf": int(time.time()) + 3600}, "not valid yet"),
        ({"iat": int(time.time()) + 3600}, "not valid yet"),
        ({"sub": None}, "no 'sub' claim"),
        ({"sub": "  "}, "no subject"),
        ({"exp": None}, "no 'exp' claim"),
        ({"iat": None}, "no 'iat' claim"),
    ],
)
def test_bad_claims_are_refused_with_a_reason(issuers, verifier, claims, reason) -> None:
    refused(verifier, issuers.issuers["citizen"].token(**claims), reason)


@pytest.mark.parametrize("roles", [None, [], ["Everyone"], "KK.Unknown", 42])
def test_a_staff_token_without_a_mapped_role_is_refused(issuers, verifier, roles) -> None:
    refused(verifier, issuers.issuers["staff"].token(roles=roles), "maps to no role")


def test_alg_none_is_refused(issuers, verifier) -> None:
    citizen = issuers.issuers["citizen"]
    header = {"alg": "none", "typ": "JWT", "kid": citizen.keys[0].kid}
    refused(verifier, handmade(header, citizen.claims(), None), "algorithm is not allowed")
    header["alg"] = "None"
    refused(verifier, handmade(header, citizen.claims(), None), "algorithm is not allowed")


def test_hs256_signed_with_the_public_key_is_refused(issuers, verifier) -> None:
    citizen = issuers.issuers["citizen"]
    key = citizen.keys[0]
    header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
    for secret in (key.public_pem(), json.dumps(key.jwk()).encode()):
        refused(verifier, handmade(header, citizen.claims(), secret), "algorithm is not allowed")
    assert issuers.jwks_fetches("citizen") == 0  # refused before any key was looked up


def test_a_tampered_token_is_refused(issuers, verifier) -> None:
    token = issuers.issuers["citizen"].token(sub="a")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = f"{header}.{b64(json.dumps({**claims, 'sub': 'b'}).encode())}.{signature}"
    refused(verifier, forged, "signature is not valid")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 50])
def test_garbage_is_refused(verifier, token) -> None:
    refused(verifier, token, "malformed")


def test_a_token_without_kid_is_refused(issuers, verifier) -> None:
    citizen = issuers.issuers["citizen"]
    token = citizen.token()
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    del header["kid"]
    unsigned = handmade(header, citizen.claims(), None)
    refused(verifier, unsigned, "names no signing key")


# --- key rotation and the cache ------------------------------------------------------------------


def test_a_rotated_key_is_fetched_and_a_withdrawn_one_refused(issuers, verifier) -> None:
    citizen = issuers.issuers["citizen"]
    old, new = citizen.keys[0], SigningKey.rsa()
    assert verifier.verify(citizen.token(old))
    assert issuers.jwks_fetches("citizen") == 1
    assert verifier.verify(citizen.token(old))
    assert issuers.jwks_fetches("citizen") == 1  # cached
    issuers.publish("citizen", new)
    issuers.withdraw("citizen", old)
    assert verifier.verify(citizen.token(new)).role == "citizen"  # unknown kid: fetched again
    assert issuers.jwks_fetches("citizen") == 2
    refused(verifier, citizen.token(old), "does not list")


def test_a_withdrawn_key_is_dropped_when_the_cache_expires(issuers, verifier, clock) -> None:
    citizen = issuers.issuers["citizen"]
    old = citizen.keys[0]
    issuers.publish("citizen", SigningKey.rsa())
    assert verifier.verify(citizen.token(old))
    issuers.withdraw("citizen", old)
    assert verifier.verify(citizen.token(old))  # still cached ...
    clock.now += verifier.settings.jwks_max_age_seconds
    refused(verifier, citizen.token(old), "does not list")  # ... until the keys are fetched again


def test_unknown_kids_fetch_at_most_once_per_interval(issuers, clock) -> None:
    verifier = OidcVerifier(settings(issuers, KK_OIDC_JWKS_MIN_REFETCH_SECONDS="60"), clock=clock)
    citizen = issuers.issuers["citizen"]
    assert verifier.verify(citizen.token())
    for _ in range(5):
        stranger = SigningKey.rsa(kid="made-up-" + str(_))
        refused(verifier, citizen.token(stranger), "does not list")
    assert issuers.jwks_fetches("citizen") == 1
    rotated = SigningKey.rsa()
    issuers.publish("citizen", rotated)
    refused(verifier, citizen.token(rotated), "does not list")  # too soon after the last fetch
    clock.now += 60
    assert verifier.verify(citizen.token(rotated))
    assert issuers.jwks_fetches("citizen") == 2


def test_keys_held_stay_in_use_while_the_issuer_is_down(issuers, verifier, clock) -> None:
    citizen = issuers.issuers["citizen"]
    assert verifier.verify(citizen.token())
    issuers.failing = True
    clock.now += verifier.settings.jwks_max_age_seconds + 1
    assert verifier.verify(citizen.token())
    assert issuers.requests["/citizen/jwks"] == 2  # it did try again


def test_without_keys_every_token_is_refused(issuers, verifier) -> None:
    issuers.failing = True
    refused(verifier, issuers.issuers["citizen"].token(), "cannot be fetched")


def test_a_discovery_document_of_another_issuer_is_not_used(issuers, verifier) -> None:
    issuers.discovery_issuer["citizen"] = "https://evil.example"
    refused(verifier, issuers.issuers["citizen"].token(), "cannot be fetched")
    assert issuers.jwks_fetches("citizen") == 0


# --- settings ------------------------------------------------------------------------------------


def test_nothing_configured_is_none() -> None:
    assert OidcSettings.from_env({}) is None
    assert OidcSettings.from_env({"KK_OIDC_SUBJECT_KEY": SUBJECT_KEY}) is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KK_OIDC_CITIZEN_ALGORITHMS": "RS256 HS256"}, "HS256 not allowed"),
        ({"KK_OIDC_CITIZEN_ALGORITHMS": "none"}, "none not allowed"),
        ({"KK_OIDC_CITIZEN_AUDIENCE": ""}, "KK_OIDC_CITIZEN_AUDIENCE"),
        ({"KK_OIDC_CITIZEN_ISSUER": "http://idp.example.dk"}, "https URL"),
        ({"KK_OIDC_CITIZEN_ISSUER": "https://idp.example.dk/?x=1"}, "https URL"),
        ({"KK_OIDC_SUBJECT_KEY": "short"}, "KK_OIDC_SUBJECT_KEY"),
        ({"KK_OIDC_STAFF_ROLE_MAP": ""}, "KK_OIDC_STAFF_ROLE_MAP must map"),
        ({"KK_OIDC_STAFF_ROLE_MAP": "KK.Borger=citizen"}, "citizens' issuer gives 'citizen'"),
        ({"KK_OIDC_STAFF_ROLE_MAP": "no-role-here"}, "is not 'claim value=role'"),
        ({"KK_OIDC_LEEWAY_SECONDS": "3600"}, "KK_OIDC_LEEWAY_SECONDS must be between"),
        ({"KK_OIDC_CITIZEN_REQUIRED_CLAIMS": "loa"}, "is not 'claim=value|value'"),
    ],
)
def test_invalid_settings_name_the_variable(issuers, env, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        OidcSettings.from_env(oidc_env(issuers, **env))


def test_the_two_issuers_must_differ(issuers) -> None:
    url = issuers.issuers["citizen"].url
    with pytest.raises(ValueError, match="must differ"):
        OidcSettings.from_env(oidc_env(issuers, KK_OIDC_STAFF_ISSUER=url))


def test_settings_parse(issuers) -> None:
    parsed = settings(issuers, KK_OIDC_STAFF_AUDIENCE="api://kk, other")
    staff = parsed.issuer("staff")
    assert staff is not None and staff.audiences == ("api://kk", "other")
    assert staff.role_map[:2] == (("KK.Sagsbehandler", "staff"), ("KK.Jurist", "jurist"))
    assert parsed.issuer("citizen") is not None and parsed.leeway_seconds == 60.0
    assert SUBJECT_KEY not in repr(parsed)


# --- kkshared.user_tokens: demo tokens or the identity provider's --------------------------------

DEMO_SECRET = "demo-secret-" + "d" * 32


def test_demo_tokens_only_with_the_demo_secret(issuers) -> None:
    demo = create_user_token("u-demo", "citizen", DEMO_SECRET, ttl=timedelta(minutes=5))
    assert verify_user_token(demo, DEMO_SECRET).sub == "u-demo"
    with pytest.raises(InvalidToken, match="demo mode only"):
        verify_user_token(demo, None, oidc=settings(issuers))


def test_issuer_tokens_are_verified_through_user_tokens(issuers) -> None:
    configured = settings(issuers)
    staff = issuers.issuers["staff"]
    claims = verify_user_token(staff.token(roles=["KK.Jurist"], name="Jens"), None, oidc=configured)
    assert (claims.role, claims.issuer_kind, claims.display_name) == ("jurist", "staff", "Jens")
    assert claims.sub == derive_subject(SUBJECT_KEY, staff.url, "sub-staff")
    with pytest.raises(InvalidToken, match="another audience"):
        verify_user_token(staff.token(aud="x", roles=["KK.Jurist"]), None, oidc=configured)
    # Without an identity provider configured, its tokens are refused.
    with pytest.raises(InvalidToken, match="algorithm not allowed"):
        verify_user_token(staff.token(roles=["KK.Jurist"]), DEMO_SECRET)


def test_unsigned_tokens_are_refused_by_user_tokens(issuers) -> None:
    claims = {"sub": "u-x", "role": "admin", "iat": int(time.time()), "exp": int(time.time()) + 60}
    token = handmade({"alg": "none", "typ": "JWT"}, claims, None)
    for oidc in (None, settings(issuers)):
        with pytest.raises(InvalidToken):
            verify_user_token(token, DEMO_SECRET, oidc=oidc)


def test_audience_constant_is_what_the_settings_use(issuers) -> None:
    citizen = settings(issuers).issuer("citizen")
    assert citizen is not None and citizen.audiences == (AUDIENCE,)
