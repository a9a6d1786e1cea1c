"""Authentication and authorisation for EVERY endpoint.

The route table below must list every route of the app: a new endpoint without an entry here
makes ``test_every_route_is_classified`` fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from api_helpers import (
    TEST_SERVICE_TOKEN,
    claims_for,
    make_settings,
    service_headers,
    today_cph,
    unsigned_token,
)

from api.demo.seed import demo_id
from api.main import create_app
from api.models import Role

ALL_ROLES = frozenset(Role)
CITIZEN = frozenset({Role.CITIZEN})
STAFF_ADMIN = frozenset({Role.STAFF, Role.ADMIN})
CITIZEN_DATA = frozenset({Role.CITIZEN, Role.STAFF, Role.ADMIN})
LEGAL_ASKERS = frozenset({Role.STAFF, Role.JURIST, Role.ADMIN})
LAWYERS = frozenset({Role.JURIST, Role.ADMIN})
UNKNOWN_TICKET = "JUR-2000-000000"
EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
UNKNOWN_ENTRY = "unknown_entry_for_tests"
CATALOGUE_DRAFT = {
    "base_version": 0,
    "topic": "benefits",
    "title": "Test",
    "answer": "Et svar.",
    "source": {"date": "2025", "name": "borger.dk", "url": "https://borger.dk"},
}


@dataclass(frozen=True)
class Rule:
    kind: str  # "public" | "user" | "service"
    roles: frozenset[Role] = field(default_factory=frozenset)
    body: dict | None = None


PUBLIC = Rule("public")
SERVICE = Rule("service")

ABSENCE_BODY = {
    "date": str(today_cph() + timedelta(days=7)),
    "reason": "syg",
    "kind": "sygdom",
}
CLOSURE_BODY = {
    "location_id": "laerkevej",
    "starts_at": "2099-01-05T09:00",
    "ends_at": "2099-01-05T12:00",
    "reason": "test",
}

ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/locations"): PUBLIC,
    ("GET", "/locations/{location_id}"): PUBLIC,
    ("GET", "/locations/{location_id}/status"): PUBLIC,
    ("GET", "/locations/{location_id}/days/{date}"): PUBLIC,
    ("GET", "/holidays/{year}"): PUBLIC,
    ("GET", "/closures"): PUBLIC,
    ("GET", "/closures/{closure_id}"): PUBLIC,
    ("GET", "/assistant/status"): PUBLIC,
    ("POST", "/auth/demo-login"): Rule("public", body={"username": "demo-borger"}),
    ("POST", "/feedback"): Rule(
        "public", body={"conversation_ref": "abc", "message_id": "m1", "rating": "up"}
    ),
    # The web chat (api/routes/chat_pages.py): HTML pages and the widget's files.
    ("GET", "/chat"): PUBLIC,
    ("GET", "/chat/staff"): PUBLIC,
    ("GET", "/chat/embed-example"): PUBLIC,
    ("GET", "/chat/kk-chat.js"): PUBLIC,
    ("GET", "/chat/kk-chat.css"): PUBLIC,
    ("GET", "/me"): Rule("user", ALL_ROLES),
    ("GET", "/me/caseworker"): Rule("user", CITIZEN),
    ("GET", "/me/meetings"): Rule("user", CITIZEN),
    ("GET", "/me/payments"): Rule("user", CITIZEN),
    ("GET", "/me/plan"): Rule("user", CITIZEN),
    ("GET", "/me/absence-reports"): Rule("user", CITIZEN),
    ("POST", "/me/absence-reports"): Rule("user", CITIZEN, ABSENCE_BODY),
    ("GET", "/me/reschedule-requests"): Rule("user", CITIZEN),
    ("POST", "/me/reschedule-requests"): Rule(
        "user", CITIZEN, {"meeting_id": "m-unknown", "reason": "x", "preferred_times": []}
    ),
    ("GET", "/me/messages"): Rule("user", CITIZEN),
    ("POST", "/me/messages"): Rule("user", CITIZEN, {"text": "Hej"}),
    ("GET", "/citizens/{citizen_id}"): Rule("user", CITIZEN_DATA),
    ("GET", "/citizens/{citizen_id}/meetings"): Rule("user", CITIZEN_DATA),
    ("GET", "/citizens/{citizen_id}/payments"): Rule("user", CITIZEN_DATA),
    ("GET", "/citizens/{citizen_id}/plan"): Rule("user", CITIZEN_DATA),
    ("GET", "/citizens/{citizen_id}/absence-reports"): Rule("user", CITIZEN_DATA),
    ("GET", "/citizens/{citizen_id}/reschedule-requests"): Rule("user", CITIZEN_DATA),
    ("GET", "/citizens/{citizen_id}/messages"): Rule("user", CITIZEN_DATA),
    ("GET", "/caseload"): Rule("user", STAFF_ADMIN),
    ("POST", "/closures"): Rule("user", STAFF_ADMIN, CLOSURE_BODY),
    ("PUT", "/closures/{closure_id}"): Rule("user", STAFF_ADMIN, CLOSURE_BODY),
    ("DELETE", "/closures/{closure_id}"): Rule("user", STAFF_ADMIN),
    ("PUT", "/locations/{location_id}/opening-hours"): Rule(
        "user", STAFF_ADMIN, {"hours": [{"weekday": 0, "opens": "09:00", "closes": "15:00"}]}
    ),
    # The off switch: anyone reads it (the channels and the web chat), only admins switch.
    ("PUT", "/assistant/status"): Rule("user", frozenset({Role.ADMIN}), {"paused": False}),
    ("GET", "/audit-log"): Rule("user", frozenset({Role.ADMIN})),
    ("POST", "/admin/erasure"): Rule(
        "user", frozenset({Role.ADMIN}), {"citizen_id": demo_id("c", "demo-borger-syg")}
    ),
    # escalate=true: files a ticket even before the advisor has been built.
    ("POST", "/legal/ask"): Rule(
        "user",
        LEGAL_ASKERS,
        {"question": "Må jeg holde samtalen over telefonen?", "escalate": True},
    ),
    ("GET", "/legal/questions"): Rule("user", LAWYERS),
    ("GET", "/legal/questions/{ticket_id}"): Rule("user", LEGAL_ASKERS),
    ("POST", "/legal/questions/{ticket_id}/answer"): Rule(
        "user", LAWYERS, {"answer": "Nej.", "references": [], "publish": False}
    ),
    ("GET", "/legal/my-questions"): Rule("user", LEGAL_ASKERS),
    ("POST", "/legal/my-questions/{ticket_id}/seen"): Rule("user", LEGAL_ASKERS),
    ("GET", "/service/citizens/by-phone/{msisdn}"): SERVICE,
    # The live citizen catalogue: the Rasa side polls it; editors and admins edit it (an unknown
    # entry here: tests/api/test_catalogue_*.py work on the imported catalogue).
    # Conversation analytics (tests/api/test_analytics_pages.py covers the /statistik pages).
    ("GET", "/analytics/report"): Rule("user", EDITORS),
    ("POST", "/analytics/aggregate"): Rule("user", EDITORS),
    ("GET", "/analytics/reminders"): Rule("user", EDITORS),  # test_reminders_analytics.py
    ("GET", "/catalogue/live"): SERVICE,
    ("GET", "/catalogue/entries"): Rule("user", EDITORS),
    ("GET", "/catalogue/entries/{entry_id}"): Rule("user", EDITORS),
    ("PUT", "/catalogue/entries/{entry_id}/draft"): Rule("user", EDITORS, CATALOGUE_DRAFT),
    ("GET", "/catalogue/entries/{entry_id}/draft"): Rule("user", EDITORS),
    ("DELETE", "/catalogue/entries/{entry_id}/draft"): Rule("user", EDITORS),
    ("POST", "/catalogue/entries/{entry_id}/publish"): Rule("user", EDITORS),
    ("POST", "/catalogue/entries/{entry_id}/retire"): Rule("user", EDITORS, {"base_version": 1}),
    ("POST", "/catalogue/entries/{entry_id}/restore"): Rule("user", EDITORS, {"base_version": 1}),
    ("POST", "/catalogue/entries/{entry_id}/rollback"): Rule("user", EDITORS, {"base_version": 1}),
    ("POST", "/catalogue/preview"): Rule("user", EDITORS, {"question": "hvad er kontanthjælp"}),
    ("POST", "/service/citizens/{citizen_id}/sms-opt-out"): Rule("service", body={"opt_out": True}),
    # SMS reminders (issue 19; tests/api/test_reminders.py covers them with real meetings).
    ("GET", "/me/language"): Rule("user", CITIZEN),
    ("PUT", "/me/language"): Rule("user", CITIZEN, {"language": "en"}),
    ("GET", "/me/sms-reminders"): Rule("user", CITIZEN),
    ("PUT", "/me/sms-reminders"): Rule("user", CITIZEN, {"opted_in": True}),
    ("GET", "/citizens/{citizen_id}/sms-reminders"): Rule("user", CITIZEN_DATA),
    ("PUT", "/citizens/{citizen_id}/sms-reminders"): Rule("user", STAFF_ADMIN, {"opted_in": True}),
    ("GET", "/citizens/{citizen_id}/meeting-reminders"): Rule("user", CITIZEN_DATA),
    ("PUT", "/me/meetings/{meeting_id}/confirmation"): Rule(
        "user", CITIZEN, {"answer": "confirmed", "channel": "sms"}
    ),
    ("GET", "/service/reminders/candidates"): SERVICE,
    ("POST", "/service/reminders/claims"): Rule(
        "service", body={"meeting_id": "m-unknown", "kind": "day_before", "day": "2026-03-02"}
    ),
    ("POST", "/service/reminders/{reminder_id}/outcome"): Rule(
        "service", body={"status": "queued"}
    ),
}
# Service routes whose test call names an unknown meeting or reminder: 404 once authorised.
SERVICE_UNKNOWN_IDS = {
    ("POST", "/service/reminders/claims"),
    ("POST", "/service/reminders/{reminder_id}/outcome"),
}

USERNAME_BY_ROLE = {
    Role.CITIZEN: "demo-borger",
    Role.STAFF: "demo-sagsbehandler",
    Role.JURIST: "demo-jurist",
    Role.ADMIN: "demo-admin",
    Role.EDITOR: "demo-redaktoer",
}

PROTECTED = sorted(key for key, rule in ROUTES.items() if rule.kind != "public")
USER_ROUTES = sorted(key for key, rule in ROUTES.items() if rule.kind == "user")
SERVICE_ROUTES = sorted(key for key, rule in ROUTES.items() if rule.kind == "service")
DENIED = sorted(
    (key, role)
    for key, rule in ROUTES.items()
    if rule.kind == "user"
    for role in ALL_ROLES - rule.roles
)
ALLOWED = sorted(
    (key, role) for key, rule in ROUTES.items() if rule.kind == "user" for role in rule.roles
)


def _id(value) -> str:
    if isinstance(value, Role):
        return value.value
    method, path = value
    return f"{method} {path}"


def fill(path: str, demo) -> str:
    return (
        path.replace("{citizen_id}", demo.citizen_id("demo-borger"))
        .replace("{location_id}", "laerkevej")
        .replace("{closure_id}", demo.closure_id)
        .replace("{date}", "2026-03-03")
        .replace("{year}", "2026")
        .replace("{msisdn}", "+4500000101")
        .replace("{ticket_id}", UNKNOWN_TICKET)
        .replace("{entry_id}", UNKNOWN_ENTRY)
        .replace("{meeting_id}", "m-unknown")
        .replace("{reminder_id}", "rem-unknown")
    )


def call(client, key, demo, headers=None):
    method, path = key
    rule = ROUTES[key]
    return client.request(method, fill(path, demo), json=rule.body, headers=headers or {})


def test_every_route_is_classified():
    # Enumerated from the OpenAPI schema (every endpoint of this service is in it; FastAPI's
    # included routers are not plain APIRoutes in app.routes any more).
    app = create_app(make_settings(demo_mode=True))
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert routes == set(ROUTES), "classify new/removed routes in ROUTES"


@pytest.mark.parametrize("key", sorted(k for k, r in ROUTES.items() if r.kind == "public"), ids=_id)
def test_public_routes_need_no_credentials(client, demo, key):
    assert call(client, key, demo).status_code < 400


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_no_credentials_is_401(client, demo, key):
    r = call(client, key, demo)
    assert r.status_code == 401
    assert r.json() == {"detail": r.json()["detail"]} and isinstance(r.json()["detail"], str)


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_expired_token_is_401(client, demo, token_for, key):
    past = datetime.now(UTC) - timedelta(hours=3)
    token = token_for("demo-admin", now=past)  # 60 min lifetime: expired 2 hours ago
    assert call(client, key, demo, {"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_token_signed_with_another_secret_is_401(client, demo, key):
    token = jwt.encode(claims_for(demo.users["demo-admin"]), "another-secret-" * 4, "HS256")
    assert call(client, key, demo, {"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_alg_none_token_is_401(client, demo, key):
    token = unsigned_token(claims_for(demo.users["demo-admin"]))
    assert call(client, key, demo, {"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_garbage_and_non_bearer_credentials_are_401(client, demo, key):
    for value in ("Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer"):
        assert call(client, key, demo, {"Authorization": value}).status_code == 401


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_x_subject_without_service_token_is_401(client, demo, auth, key):
    subject = {"X-Subject": demo.user_id("demo-admin")}
    assert call(client, key, demo, subject).status_code == 401
    # ... also when a valid user token is sent along.
    assert call(client, key, demo, {**subject, **auth("demo-admin")}).status_code == 401


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_wrong_service_token_is_401(client, demo, key):
    headers = {"X-Service-Token": TEST_SERVICE_TOKEN + "x", "X-Subject": demo.user_id("demo-admin")}
    assert call(client, key, demo, headers).status_code == 401


@pytest.mark.parametrize(("key", "role"), DENIED, ids=_id)
def test_wrong_role_is_403(client, demo, auth, key, role):
    r = call(client, key, demo, auth(USERNAME_BY_ROLE[role]))
    assert r.status_code == 403, r.text


@pytest.mark.parametrize(("key", "role"), DENIED, ids=_id)
def test_wrong_role_via_service_subject_is_403(client, demo, key, role):
    headers = service_headers(demo.user_id(USERNAME_BY_ROLE[role]))
    assert call(client, key, demo, headers).status_code == 403


@pytest.mark.parametrize(("key", "role"), ALLOWED, ids=_id)
def test_allowed_role_gets_through(client, demo, auth, key, role):
    r = call(client, key, demo, auth(USERNAME_BY_ROLE[role]))
    assert r.status_code not in (401, 403), r.text
    # The reschedule body names an unknown meeting on purpose, the legal ticket routes an unknown
    # ticket (test_legal_postkasse.py reads real tickets as asker, other caseworker and lawyer).
    if key == ("POST", "/me/reschedule-requests") or "{ticket_id}" in key[1]:
        assert r.status_code == 404
    elif "{meeting_id}" in key[1]:  # an unknown meeting (tests/api/test_reminders.py: real ones)
        assert r.status_code == 404, r.text
    elif "{entry_id}" in key[1]:  # an unknown entry is 404; a draft of a new one is saved
        assert r.status_code == (200 if key[0] == "PUT" else 404), r.text
    elif key == ("POST", "/catalogue/preview"):  # no Rasa server in these tests: 503
        assert r.status_code in (200, 503), r.text
    else:
        assert r.status_code < 300, r.text


@pytest.mark.parametrize("key", USER_ROUTES, ids=_id)
def test_service_without_subject_cannot_act_as_user(client, demo, key):
    assert call(client, key, demo, service_headers()).status_code == 401


@pytest.mark.parametrize("key", SERVICE_ROUTES, ids=_id)
@pytest.mark.parametrize("role", sorted(ALL_ROLES), ids=_id)
def test_service_routes_refuse_user_tokens(client, demo, auth, key, role):
    assert call(client, key, demo, auth(USERNAME_BY_ROLE[role])).status_code == 403


@pytest.mark.parametrize("key", SERVICE_ROUTES, ids=_id)
def test_service_routes_accept_the_service_token(client, demo, key):
    expected = 404 if key in SERVICE_UNKNOWN_IDS else 200
    assert call(client, key, demo, service_headers()).status_code == expected


def test_service_subject_role_comes_from_users_table(client, demo):
    headers = service_headers(demo.user_id("demo-borger"))
    r = client.get("/me", headers=headers)
    assert r.status_code == 200 and r.json()["role"] == "citizen"
    # A role header or claim in the request cannot lift the subject's role.
    r = client.get("/audit-log", headers={**headers, "X-Role": "admin"})
    assert r.status_code == 403


def test_unknown_or_inactive_subject_is_401(client, demo, db_session):
    assert client.get("/me", headers=service_headers("u-does-not-exist")).status_code == 401
    user = demo.users["demo-borger"]
    user.is_active = False
    db_session.flush()
    assert client.get("/me", headers=service_headers(user.id)).status_code == 401


def test_token_whose_role_no_longer_matches_is_401(client, demo, settings):
    from api.security.tokens import create_token

    citizen = demo.users["demo-borger"]
    token = create_token(citizen.id, Role.ADMIN, settings)  # validly signed, but role is stale
    assert client.get("/audit-log", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_for_unknown_user_is_401(client, settings):
    from api.security.tokens import create_token

    token = create_token("u-ghost", Role.ADMIN, settings)
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_without_exp_is_401(client, demo, settings):
    claims = claims_for(demo.users["demo-admin"])
    del claims["exp"]
    token = jwt.encode(claims, settings.jwt_secret, "HS256")
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_with_other_hmac_algorithm_is_401(client, demo, settings):
    token = jwt.encode(claims_for(demo.users["demo-admin"]), settings.jwt_secret, "HS512")
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
