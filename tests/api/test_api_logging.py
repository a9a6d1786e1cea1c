"""Logs are JSON, without CPR numbers, phone numbers or credentials."""

import io
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from api_helpers import TEST_SERVICE_TOKEN, service_headers, today_cph
from fastapi.testclient import TestClient

from api.core.logging import PiiMaskingFilter, make_handler, scrub
from api.db.session import get_session
from api.main import create_app, startup_checks

CPR = "010190-1234"


@asynccontextmanager
async def _checks_only(app) -> AsyncIterator[None]:
    startup_checks(app)  # registers the secrets for masking, as at a real start
    yield


@pytest.fixture
def captured_logs():
    stream = io.StringIO()
    handler = make_handler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_logs_contain_no_cpr_phone_or_tokens(
    captured_logs, settings, database, db_session, demo, token_for
):
    app = create_app(settings, engine=database.engine)
    app.router.lifespan_context = _checks_only
    app.dependency_overrides[get_session] = lambda: db_session
    token = token_for("demo-borger")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"kaboom {CPR} {token} {TEST_SERVICE_TOKEN}")

    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post(
            "/me/absence-reports",
            json={"date": str(today_cph()), "reason": f"syg {CPR}", "kind": "sygdom"},
            headers=bearer,
        )
        assert r.status_code == 201
        subject = service_headers(demo.user_id("demo-borger"))
        assert client.post("/me/messages", json={"text": CPR}, headers=subject).status_code == 201
        assert (
            client.get(
                "/service/citizens/by-phone/+4522334455", headers=service_headers()
            ).status_code
            == 404
        )
        assert client.get("/boom", headers=bearer).status_code == 500
        assert client.get("/no/such/path/0101901234").status_code == 404
        logging.getLogger("api.test").info("user wrote %s", f"mit cpr er {CPR}")

    # The test client's own httpx logger (not part of the service) logs full URLs; leave it out.
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    lines = [line for line in lines if line["logger"] != "httpx"]
    output = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    # The checks below are only meaningful if the interesting lines were logged at all.
    routes = {line.get("route") for line in lines if line["logger"] == "api.access"}
    assert {"/me/absence-reports", "/me/messages", "/boom"} <= routes
    assert any(line["msg"] == "unhandled error" and "[CPR]" in line["exc"] for line in lines)
    assert any(line["msg"] == "user wrote mit cpr er [CPR]" for line in lines)
    assert "(unmatched)" in routes  # raw paths are never logged
    for forbidden in (CPR, "0101901234", token, TEST_SERVICE_TOKEN, "22334455", "Bearer ey"):
        assert forbidden not in output
    assert "authorization" not in output.lower() and "x-service-token" not in output.lower()


def test_scrub_masks_jwts_and_registered_secrets():
    from api.core.logging import register_secret

    register_secret("s3cr3t-service-value-xyz")
    text = scrub("token eyJhbGciOi.eyJzdWIiOi.sig and s3cr3t-service-value-xyz and 0101901234")
    assert text == "token [TOKEN] and [TOKEN] and [CPR]"


def test_filter_masks_extra_fields():
    record = logging.makeLogRecord({"msg": "x", "args": None, "note": f"cpr {CPR}"})
    PiiMaskingFilter().filter(record)
    assert record.note == "cpr [CPR]"
