"""The case service with identity-provider logins (KK_OIDC_*, demo mode off), against a local
OpenID Connect issuer the tests start (tests/shared/oidc_issuer.py, keys made at test time).

- valid tokens: a linked citizen reads GET /me; a staff member is created at first login, their
  role follows the token, a deactivated one is refused; the service reaches them by X-Subject;
- refused with 401 and a reason: wrong issuer or audience, expired, not yet valid, alg none,
  HS256 signed with the public key, no sub, unmapped role, an unlinked citizen, a demo token;
- key rotation through the API; no demo login without demo mode; start-up refuses to run
  outside demo mode without an issuer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest
from api_helpers import make_settings, service_headers
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from api.core.config import Settings, UnsafeSettingsError
from api.db import migrate
from api.db.session import get_session
from api.legal.page_auth import SESSION_COOKIE
from api.main import create_app
from api.models import Citizen, Role, User
from api.security.tokens import create_token
from kkshared.oidc import derive_subject
from tests.shared.oidc_issuer import SUBJECT_KEY, FakeIssuers, SigningKey, oidc_env


def oidc_fields(issuers: FakeIssuers, **env: str) -> dict[str, str]:
    """The Settings fields for ``oidc_env`` (KK_OIDC_X -> oidc_x)."""
    return {k.removeprefix("KK_").lower(): v for k, v in oidc_env(issuers, **env).items()}


@pytest.fixture(scope="module")
def issuers() -> Iterator[FakeIssuers]:
    fake = FakeIssuers()
    for name in ("citizen", "staff", "other"):
        fake.add(name)
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def oidc_settings(database, issuers: FakeIssuers) -> Settings:
    return make_settings(database_url=database.url, demo_mode=False, **oidc_fields(issuers))


@pytest.fixture(scope="module")
def oidc_app(oidc_settings: Settings) -> FastAPI:
    return create_app(oidc_settings)


@pytest.fixture
def api(oidc_app: FastAPI, db_session) -> Iterator[TestClient]:
    oidc_app.dependency_overrides[get_session] = lambda: db_session
    yield TestClient(oidc_app)
    oidc_app.dependency_overrides.clear()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def subject_of(issuers: FakeIssuers, name: str, sub: str) -> str:
    return derive_subject(SUBJECT_KEY, issuers.issuers[name].url, sub)


@pytest.fixture
def linked_citizen(issuers: FakeIssuers, db_session, demo) -> str:
    """demo-borger's citizen record, linked to the MitID login 'mitid-borger' (as the CPR match
    at first login would do in production)."""
    user = User(
        id=subject_of(issuers, "citizen", "mitid-borger"),
        username="oidc-borger",
        display_name="Borger via MitID",
        role=Role.CITIZEN,
    )
    db_session.add(user)
    db_session.flush()
    citizen = db_session.get(Citizen, demo.citizen_id("demo-borger"))
    citizen.user_id = user.id
    db_session.flush()
    return user.id


def refused(response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert reason in response.json()["detail"]


# --- accepted ------------------------------------------------------------------------------------


def test_a_linked_citizen_reads_me(api, issuers, linked_citizen, demo) -> None:
    token = issuers.issuers["citizen"].token(sub="mitid-borger", cpr="0101901234")
    r = api.get("/me", headers=bearer(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user_id"] == linked_citizen and body["role"] == "citizen"
    assert body["citizen"]["id"] == demo.citizen_id("demo-borger")
    assert "0101901234" not in r.text
    meetings = api.get("/me/meetings", headers=bearer(token))
    assert meetings.status_code == 200 and meetings.json()


def test_a_citizen_cannot_read_another_citizen(api, issuers, linked_citizen, demo) -> None:
    token = issuers.issuers["citizen"].token(sub="mitid-borger")
    other = demo.citizen_id("demo-borger-syg")
    assert api.get(f"/citizens/{other}", headers=bearer(token)).status_code == 404
    own = demo.citizen_id("demo-borger")
    assert api.get(f"/citizens/{own}", headers=bearer(token)).status_code == 200


def test_staff_are_created_at_first_login_and_follow_the_token(api, issuers, db_session) -> None:
    staff = issuers.issuers["staff"]
    user_id = subject_of(issuers, "staff", "entra-jens")
    assert db_session.get(User, user_id) is None
    # Before the first login the service cannot act for them ...
    assert api.get("/me", headers=service_headers(user_id)).status_code == 401
    token = staff.token(sub="entra-jens", roles=["KK.Jurist"], name="Jens Jurist")
    r = api.get("/me", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "user_id": user_id,
        "role": "jurist",
        "display_name": "Jens Jurist",
        "citizen": None,
    }
    user = db_session.get(User, user_id)
    assert user is not None and user.role is Role.JURIST and user.username == user_id
    # ... afterwards it can (the action server's X-Subject), with the role from the users table.
    via_service = api.get("/me", headers=service_headers(user_id))
    assert via_service.status_code == 200 and via_service.json()["role"] == "jurist"
    # The identity provider moved them to another group: the next login changes the role.
    promoted = staff.token(sub="entra-jens", roles=["KK.Admin"], name="Jens Jurist")
    assert api.get("/me", headers=bearer(promoted)).json()["role"] == "admin"
    assert db_session.get(User, user_id).role is Role.ADMIN
    assert api.get("/audit-log", headers=bearer(promoted)).status_code == 200
    assert api.get("/audit-log", headers=bearer(token)).status_code == 403  # jurist again


def test_a_new_staff_member_sees_no_citizen(api, issuers, demo) -> None:
    token = issuers.issuers["staff"].token(sub="entra-ny", roles=["KK.Sagsbehandler"])
    r = api.get(f"/citizens/{demo.citizen_id('demo-borger')}", headers=bearer(token))
    assert r.status_code in (403, 404)
    assert api.get("/caseload", headers=bearer(token)).json() == []


def test_a_deactivated_staff_member_is_refused(api, issuers, db_session) -> None:
    token = issuers.issuers["staff"].token(sub="entra-ex", roles=["KK.Sagsbehandler"])
    assert api.get("/me", headers=bearer(token)).status_code == 200
    db_session.get(User, subject_of(issuers, "staff", "entra-ex")).is_active = False
    db_session.flush()
    refused(api.get("/me", headers=bearer(token)), "the user is deactivated")


def test_a_citizen_subject_is_never_turned_into_staff(api, issuers, db_session) -> None:
    db_session.add(
        User(
            id=subject_of(issuers, "citizen", "mitid-x"),
            username="clash",
            display_name="x",
            role=Role.STAFF,
        )
    )
    db_session.flush()
    token = issuers.issuers["citizen"].token(sub="mitid-x")
    refused(api.get("/me", headers=bearer(token)), "role does not match")


def test_a_rotated_key_works_through_the_api(api, issuers) -> None:
    staff = issuers.issuers["staff"]
    rotated, next_one = SigningKey.rsa(), SigningKey.rsa()
    issuers.publish("staff", rotated)
    try:
        token = staff.token(rotated, sub="entra-rot", roles=["KK.Redaktoer"])
        assert api.get("/me", headers=bearer(token)).json()["role"] == "editor"
        # The next rotation: ``rotated`` withdrawn, ``next_one`` published. The first token with
        # the new kid makes the service fetch the keys again, and then ``rotated`` is gone.
        issuers.withdraw("staff", rotated)
        issuers.publish("staff", next_one)
        newer = staff.token(next_one, sub="entra-rot", roles=["KK.Redaktoer"])
        assert api.get("/me", headers=bearer(newer)).status_code == 200
        refused(api.get("/me", headers=bearer(token)), "does not list")
    finally:
        issuers.withdraw("staff", next_one)


# --- refused -------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _handmade(issuers: FakeIssuers, alg: str, secret: bytes | None) -> str:
    citizen = issuers.issuers["citizen"]
    header = {"alg": alg, "typ": "JWT", "kid": citizen.keys[0].kid}
    claims = citizen.claims(sub="mitid-borger")
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    return (
        f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda i: i.issuers["other"].token(sub="mitid-borger"), "from another issuer"),
        (lambda i: i.issuers["citizen"].token(sub="mitid-borger", aud="x"), "another audience"),
        (
            lambda i: i.issuers["citizen"].token(sub="mitid-borger", exp=int(time.time()) - 600),
            "expired",
        ),
        (
            lambda i: i.issuers["citizen"].token(sub="mitid-borger", nbf=int(time.time()) + 600),
            "not valid yet",
        ),
        (lambda i: _handmade(i, "none", None), "algorithm is not allowed"),
        (
            lambda i: _handmade(i, "HS256", i.issuers["citizen"].keys[0].public_pem()),
            "demo tokens are accepted in demo mode only",
        ),
        (lambda i: i.issuers["citizen"].token(sub=None), "no 'sub' claim"),
        (lambda i: i.issuers["staff"].token(roles=["Everyone"]), "maps to no role"),
        (lambda i: i.issuers["staff"].token(), "maps to no role"),
        (lambda i: i.issuers["citizen"].token(sub="mitid-ukendt"), "no citizen record is linked"),
    ],
    ids=[
        "wrong-issuer",
        "wrong-audience",
        "expired",
        "not-yet-valid",
        "alg-none",
        "hs256-with-public-key",
        "no-sub",
        "unmapped-role",
        "no-role-claim",
        "unlinked-citizen",
    ],
)
def test_refused_with_401_and_a_reason(api, issuers, linked_citizen, make, reason) -> None:
    refused(api.get("/me", headers=bearer(make(issuers))), reason)


def test_demo_tokens_are_refused_outside_demo_mode(api, oidc_settings, demo) -> None:
    user = demo.users["demo-admin"]
    token = create_token(user.id, user.role, oidc_settings)
    refused(api.get("/me", headers=bearer(token)), "demo mode only")


def test_no_token_is_refused(api) -> None:
    refused(api.get("/me"), "not authenticated")


def test_there_is_no_demo_login_outside_demo_mode(api) -> None:
    assert api.post("/auth/demo-login", json={"username": "demo-admin"}).status_code == 404
    assert "/auth/demo-login" not in api.get("/openapi.json").json()["paths"]


def test_jurist_page_accepts_an_issuer_token(api, issuers) -> None:
    jurist = issuers.issuers["staff"].token(sub="entra-page", roles=["KK.Jurist"])
    assert api.get("/jurist", headers=bearer(jurist), follow_redirects=False).status_code == 200
    # ... also as the page's session cookie (set by the sign-in in front of the service).
    api.cookies.set(SESSION_COOKIE, jurist, domain="testserver.local", path="/jurist")
    assert api.get("/jurist", follow_redirects=False).status_code == 200
    api.cookies.clear()
    citizen = issuers.issuers["citizen"].token(sub="mitid-borger")
    page = api.get("/jurist", headers=bearer(citizen), follow_redirects=False)
    assert page.status_code != 200


# --- demo mode with an identity provider: both kinds of token ------------------------------------


def test_demo_mode_accepts_both_kinds(database, db_session, issuers) -> None:
    settings = make_settings(database_url=database.url, demo_mode=True, **oidc_fields(issuers))
    app = create_app(settings)
    app.dependency_overrides[get_session] = lambda: db_session
    client = TestClient(app)
    login = client.post("/auth/demo-login", json={"username": "demo-jurist"})
    assert login.status_code == 200
    assert client.get("/me", headers=bearer(login.json()["access_token"])).status_code == 200
    token = issuers.issuers["staff"].token(sub="entra-demo", roles=["KK.Sagsbehandler"])
    assert client.get("/me", headers=bearer(token)).json()["role"] == "staff"


# --- start-up ------------------------------------------------------------------------------------


@pytest.fixture
def _quiet_logging(monkeypatch):
    import api.main

    monkeypatch.setattr(api.main, "configure_logging", lambda level: None)


def test_refuses_to_start_outside_demo_mode_without_an_issuer(_quiet_logging) -> None:
    app = create_app(make_settings(demo_mode=False))
    with pytest.raises(UnsafeSettingsError, match="no identity provider is configured"):
        with TestClient(app):
            pass


def test_starts_outside_demo_mode_with_an_issuer(_quiet_logging, tmp_path, issuers) -> None:
    url = f"sqlite:///{tmp_path / 'kk.db'}"
    migrate.upgrade(url)
    settings = make_settings(database_url=url, demo_mode=False, **oidc_fields(issuers))
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        assert client.post("/auth/demo-login", json={"username": "x"}).status_code == 404
        token = issuers.issuers["staff"].token(sub="entra-start", roles=["KK.Admin"])
        assert client.get("/me", headers=bearer(token)).json()["role"] == "admin"
    with TestClient(create_app(settings)) as client:  # the user is in the database now
        assert client.get("/me", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"oidc_citizen_algorithms": "HS256"}, "HS256 not allowed"),
        ({"oidc_subject_key": "kort"}, "KK_OIDC_SUBJECT_KEY"),
        ({"oidc_staff_role_map": "KK.X=superuser"}, "KK_OIDC_STAFF_ROLE_MAP"),
    ],
)
def test_invalid_issuer_settings_stop_the_service(issuers, override, message) -> None:
    with pytest.raises(ValidationError, match=message):
        make_settings(demo_mode=False, **{**oidc_fields(issuers), **override})


def test_the_users_table_holds_no_token_data(api, issuers, db_session) -> None:
    token = issuers.issuers["staff"].token(sub="entra-clean", roles=["KK.Sagsbehandler"])
    assert api.get("/me", headers=bearer(token)).status_code == 200
    user = db_session.scalars(
        select(User).where(User.id == subject_of(issuers, "staff", "entra-clean"))
    ).one()
    assert "entra-clean" not in f"{user.id} {user.username} {user.display_name}"
    assert user.display_name == "Medarbejder"  # no name claim in this token
