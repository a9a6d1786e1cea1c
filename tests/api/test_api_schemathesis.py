"""Schemathesis against the case service, in-process (ASGI), on every test database backend.

Every operation of the served OpenAPI document gets ``MAX_EXAMPLES`` generated requests (valid and
invalid ones, plus the schema's examples), and each request is sent three ways: without
credentials (as generated: none, or made-up ones), as the caller that may use the operation (a
demo user logged in through ``POST /auth/demo-login``, or the service token), and for one request
in four also as another caller. Every answer is checked: no server error, a status code the
operation declares, a body, content type and headers that match what it declares.

Bounded and deterministic: a fixed seed, a fixed number of examples, no time limit, no example
database. Each operation runs in its own rolled-back transaction, like every other test; the
legal advisor is ready (``legal``), so ``POST /legal/ask`` answers instead of 503. A failure
names the caller and prints the request as a ``curl`` command.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import schemathesis
from api_helpers import TEST_SERVICE_TOKEN, make_settings
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app

MAX_EXAMPLES = 20
SEED = 20260415

# Hypothesis keeps a cache (constants of the source) in .hypothesis/; not in the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "kk-hypothesis")

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # Valid and invalid requests; no example database (nothing written, nothing replayed).
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
        # The schema's examples and generated requests; no boundary-value (coverage) phase and no
        # stateful sequences, to stay within the time budget.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# Credentials Schemathesis makes up from the security schemes are sent as generated (refused with
# 401) by the anonymous caller; a caller with real credentials sends only its own.
CREDENTIAL_HEADERS = {"authorization", "x-service-token", "x-subject"}
DEMO_USERS = {
    "citizen": "demo-borger",
    "staff": "demo-sagsbehandler",  # caseworker of both demo citizens
    "jurist": "demo-jurist",
    "admin": "demo-admin",
}
CALLERS = [*DEMO_USERS, "service"]
# The caller that may use an operation (first matching path prefix; default admin).
OWNERS = [
    ("/me/", "citizen"),
    ("/citizens/", "staff"),
    ("/caseload", "staff"),
    ("/closures", "staff"),
    ("/legal/questions", "jurist"),
    ("/legal/", "staff"),
    ("/service/", "service"),
    ("/catalogue/live", "service"),
]


def owner(path: str) -> str:
    return next((who for prefix, who in OWNERS if path.startswith(prefix)), "admin")


def other_caller(case, owner_name: str) -> str | None:
    """For one case in four, another caller (the same case always gets the same answer)."""
    others = [c for c in CALLERS if c != owner_name]
    content = repr((case.path_parameters, case.query, case.body)).encode("utf-8", "replace")
    pick = zlib.crc32(content)
    return others[pick // 4 % len(others)] if pick % 4 == 0 else None


@asynccontextmanager
async def _no_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield


def _schema_app() -> FastAPI:
    """An app only to serve /openapi.json (the requests go to the test's ``app``)."""
    application = create_app(make_settings())
    application.router.lifespan_context = _no_lifespan
    return application


schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app(), config=CONFIG)


@pytest.fixture
def credentials(client) -> dict[str, dict[str, str]]:
    """Headers per caller: demo users log in through POST /auth/demo-login."""
    headers = {"service": {"X-Service-Token": TEST_SERVICE_TOKEN}}
    for caller, username in DEMO_USERS.items():
        login = client.post("/auth/demo-login", json={"username": username})
        assert login.status_code == 200, login.text
        headers[caller] = {"Authorization": f"Bearer {login.json()['access_token']}"}
    return headers


def send(case, app, caller: str, headers: dict[str, str] | None) -> None:
    generated = case.headers
    if headers is not None:
        case.headers = {
            name: value
            for name, value in (generated or {}).items()
            if name.lower() not in CREDENTIAL_HEADERS
        } | headers
    try:
        case.call_and_validate(app=app, checks=CHECKS)
    except Exception as exc:
        exc.add_note(f"caller: {caller}")
        raise
    finally:
        case.headers = generated


@pytest.fixture
def catalogue_preview(app, settings):
    """POST /catalogue/preview answers from a fake of the Rasa preview endpoint (no Rasa here;
    unreachable is 503, tested in test_catalogue_api.py)."""
    from catalogue_helpers import FakeRasa

    app.state.catalogue_preview = FakeRasa(settings).client()
    yield
    del app.state.catalogue_preview


@schema.parametrize()
@settings(
    deadline=None,
    # The app and the database transaction are per operation, not per example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, app, credentials, legal, catalogue_preview):
    """Every case is sent without credentials, as the operation's owner and as another caller."""
    owner_name = owner(case.path)
    send(case, app, "anonymous", None)
    send(case, app, owner_name, credentials[owner_name])
    other = other_caller(case, owner_name)
    if other is not None:
        send(case, app, other, credentials[other])
