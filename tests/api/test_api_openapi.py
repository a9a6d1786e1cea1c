"""The OpenAPI document declares the errors the service really gives (api/openapi.py).

Schemathesis (test_api_schemathesis.py) checks the answers against the document; these tests pin
the document itself: one error model, the codes each kind of operation declares.
"""

from __future__ import annotations

import json

import pytest
from api_helpers import make_settings
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.errors import error_responses, raises
from api.main import create_app
from api.openapi import install_openapi

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(make_settings(demo_mode=True)).openapi()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def codes(operation: dict) -> set[str]:
    return set(operation["responses"])


def test_served_document_is_the_documented_one(client, spec):
    assert client.get("/openapi.json").json() == json.loads(json.dumps(spec))


def test_fastapi_validation_error_schemas_are_gone(spec):
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "ValidationError" not in spec["components"]["schemas"]
    assert "HTTPValidationError" not in json.dumps(spec)
    assert spec["components"]["schemas"]["ErrorOut"]["properties"]["detail"]["type"] == "string"
    assert spec["components"]["schemas"]["ErrorOut"]["required"] == ["detail"]


def test_every_error_answer_is_error_out(spec):
    for name, operation in operations(spec):
        for code, response in operation["responses"].items():
            if code.startswith("4") or (code == "503" and name != "GET /health"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (name, code)


def test_every_operation_declares_400_for_a_nul_in_the_url(spec):
    for name, operation in operations(spec):
        assert "400" in codes(operation), name


def test_operations_with_a_body_declare_bad_body_codes(spec):
    for name, operation in operations(spec):
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= codes(operation), name


def test_authenticated_operations_declare_401_and_public_ones_do_not(spec):
    for name, operation in operations(spec):
        if name == "POST /auth/demo-login":
            assert "401" in codes(operation)  # an unknown demo user
        elif operation.get("security"):
            assert "401" in codes(operation), name
        else:
            assert "401" not in codes(operation) and "403" not in codes(operation), name


@pytest.mark.parametrize(
    "name, expected, absent",
    [
        ("GET /me", {"200", "400", "401"}, {"403", "404", "422"}),
        ("GET /me/meetings", {"401", "403", "404", "422"}, set()),
        ("GET /citizens/{citizen_id}", {"401", "403", "404", "422"}, set()),
        ("GET /caseload", {"401", "403"}, {"404"}),
        ("GET /audit-log", {"401", "403", "422"}, {"404"}),
        ("POST /me/absence-reports", {"200", "201", "400", "401", "403", "404", "422"}, set()),
        ("DELETE /closures/{closure_id}", {"204", "401", "403", "404"}, set()),
        ("GET /closures", {"200", "404", "422"}, {"401"}),
        ("POST /feedback", {"201", "400", "413", "422", "429"}, {"401"}),
        ("POST /legal/ask", {"200", "401", "403", "422", "503"}, set()),
        ("POST /legal/questions/{ticket_id}/answer", {"404", "409", "422"}, set()),
        ("GET /service/citizens/by-phone/{msisdn}", {"401", "403", "404", "422"}, set()),
        ("GET /health", {"200", "503"}, {"401", "422"}),
    ],
)
def test_declared_codes(spec, name, expected, absent):
    operation = dict(operations(spec))[name]
    assert expected <= codes(operation)
    assert not absent & codes(operation)


def test_idempotent_replay_and_health_are_described(spec):
    created = dict(operations(spec))["POST /me/messages"]["responses"]["200"]
    assert created["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Created"
    }
    health = dict(operations(spec))["GET /health"]["responses"]
    for code in ("200", "503"):
        schema = health[code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/HealthOut"}


def test_rate_limit_and_unavailable_answers_declare_retry_after(spec):
    ops = dict(operations(spec))
    assert "Retry-After" in ops["POST /feedback"]["responses"]["429"]["headers"]
    assert "Retry-After" in ops["POST /legal/ask"]["responses"]["503"]["headers"]


def test_a_422_answer_is_what_the_document_says(client):
    r = client.get("/holidays/1000")
    assert r.status_code == 422
    assert set(r.json()) == {"detail"} and isinstance(r.json()["detail"], str)


# --- the mechanism, on an app of its own -------------------------------------------------------


@raises(401)
def needs_login() -> None:
    raise HTTPException(401, "not authenticated")


@raises(403)
def needs_role(_login: None = Depends(needs_login)) -> None:
    return None


class ThingIn(BaseModel):
    name: str


def small_app() -> FastAPI:
    app = FastAPI()

    @app.get("/public/{thing_id}", responses=error_responses(404))
    def public(thing_id: str) -> dict:
        return {}

    @app.post("/things")
    def create(body: ThingIn, _role: None = Depends(needs_role)) -> dict:
        return {}

    @app.get("/plain")
    def plain() -> dict:
        return {}

    install_openapi(app)
    return app


def test_dependency_codes_are_declared_recursively_and_bodies_get_400_413_422():
    spec = small_app().openapi()
    paths = spec["paths"]
    assert set(paths["/things"]["post"]["responses"]) == {"200", "400", "401", "403", "413", "422"}
    assert set(paths["/public/{thing_id}"]["get"]["responses"]) == {"200", "404", "422"}
    assert set(paths["/plain"]["get"]["responses"]) == {"200"}
    assert paths["/things"]["post"]["responses"]["422"]["content"]["application/json"] == {
        "schema": {"$ref": ERROR_REF}
    }
    assert set(spec["components"]["schemas"]) == {"ErrorOut", "ThingIn"}


def test_the_document_is_built_once():
    app = small_app()
    assert app.openapi() is app.openapi()
    assert TestClient(app).get("/openapi.json").json() == json.loads(json.dumps(app.openapi()))


def test_routes_added_later_are_documented_too():
    app = small_app()
    app.openapi()

    @app.get("/later", dependencies=[Depends(needs_role)])
    def later() -> dict:
        return {}

    assert {"401", "403"} <= set(app.openapi()["paths"]["/later"]["get"]["responses"])
