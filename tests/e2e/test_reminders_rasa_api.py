"""Rasa's HTTP API is on (`--enable-api`) only for the reminder job's `trigger_intent`, and only
with its token (`--auth-token $KK_RASA_API_TOKEN`): every API route of the running Rasa server
refuses a call without the token or with a wrong one (issue 19). The routes are enumerated from
Rasa's own app factory, so a route added by a Rasa upgrade is checked too.
"""

from __future__ import annotations

import os
import re

import pytest
from conftest import http, rasa_url

pytestmark = pytest.mark.skipif(
    not os.environ.get("KK_E2E_RASA_API_TOKEN"),
    reason="needs the e2e system with KK_RASA_API_TOKEN (./kk test e2e)",
)

# Not part of the API: Rasa's greeting and version (no data), and the channels' webhooks.
OPEN = {"/", "/version"}


def api_routes() -> list[tuple[str, str]]:
    from rasa.server import create_app

    app = create_app(auth_token="x")
    routes = set()
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        if path in OPEN or path.startswith("/webhooks"):
            continue
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                routes.add((method, re.sub(r"<[^>]+>", "sms:test-api-check", path)))
    return sorted(routes)


ROUTES = api_routes()


def test_the_api_has_the_routes_we_expect() -> None:
    paths = {path for _, path in ROUTES}
    assert "/conversations/sms:test-api-check/trigger_intent" in paths
    assert {"/model", "/status", "/domain"} <= paths and len(ROUTES) >= 15


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_api_route_refuses_a_call_without_the_token(method: str, path: str) -> None:
    for query in ("", "?token=", "?token=wrong-token"):
        status, _ = http(method, f"{rasa_url()}{path}{query}", {} if method != "GET" else None)
        assert status == 401, (method, path, query, status)


def test_with_the_token_the_api_answers() -> None:
    token = os.environ["KK_E2E_RASA_API_TOKEN"]
    status, body = http("GET", f"{rasa_url()}/status?token={token}")
    assert status == 200 and "model_file" in body
    # The greeting stays open (the health check); the version says nothing about data.
    assert http("GET", f"{rasa_url()}/version")[0] == 200
