"""Bad input and failures: 413/422/400/404/405 as JSON with a reason, never a stack trace."""

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from api.db.session import get_session
from api.main import create_app
from api.middleware import BodySizeLimitMiddleware

FEEDBACK = {"conversation_ref": "a", "message_id": "m", "rating": "up"}


def test_oversized_body_by_content_length_is_413(client):
    big = json.dumps({**FEEDBACK, "comment": "x" * 70_000}).encode()
    r = client.post("/feedback", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": "request body too large"}
    assert r.headers["X-Request-ID"]


def test_oversized_streamed_body_without_content_length_is_413(client):
    def chunks():
        yield b'{"comment": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    r = client.post("/feedback", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413

    def small_chunks():
        yield json.dumps(FEEDBACK)[:10].encode()
        yield json.dumps(FEEDBACK)[10:].encode()

    ok = client.post(
        "/feedback", content=small_chunks(), headers={"content-type": "application/json"}
    )
    assert ok.status_code == 201


def test_body_just_under_the_limit_is_not_413(client):
    body = json.dumps({**FEEDBACK, "comment": "x" * 1500}).encode()
    r = client.post("/feedback", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 201


def _run_asgi(app, chunks, content_length=None):
    """Drive the middleware directly with a body in several chunks."""
    headers = [(b"content-type", b"application/json")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


async def _reading_app(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def test_middleware_counts_streamed_chunks_even_when_content_length_lies():
    app = BodySizeLimitMiddleware(_reading_app, max_bytes=100)
    sent = _run_asgi(app, [b"a" * 60, b"b" * 60], content_length=10)
    assert sent[0]["status"] == 413
    ok = _run_asgi(app, [b"a" * 40, b"b" * 40], content_length=80)
    assert ok[0]["status"] == 200 and ok[1]["body"] == b"80"


def test_invalid_content_length_is_400():
    app = BodySizeLimitMiddleware(_reading_app, max_bytes=100)
    sent = _run_asgi(app, [b"{}"], content_length="abc")
    assert sent[0]["status"] == 400


def test_malformed_json_is_422_with_reason(client):
    r = client.post(
        "/feedback", content=b'{"rating": "up",', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert "malformed JSON" in r.json()["detail"]


def test_validation_errors_do_not_echo_input(client):
    r = client.post("/feedback", json={**FEEDBACK, "rating": "secret-input-0101901234"})
    assert r.status_code == 422
    assert "0101901234" not in r.text
    assert set(r.json()) == {"detail"}


def test_unknown_path_and_wrong_method_are_json(client):
    r = client.get("/nowhere")
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    r = client.delete("/health")
    assert r.status_code == 405 and isinstance(r.json()["detail"], str)


@pytest.fixture
def failing_client(settings, database, db_session):
    app = create_app(settings, engine=database.engine)
    app.dependency_overrides[get_session] = lambda: db_session

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom with secret detail 010190-1234")

    return TestClient(app, raise_server_exceptions=False)


def test_forced_500_has_no_stack_trace_and_a_request_id(failing_client):
    r = failing_client.get("/boom", headers={"X-Request-ID": "trace-me-123"})
    assert r.status_code == 500
    assert r.json() == {"detail": "internal server error", "request_id": "trace-me-123"}
    assert "Traceback" not in r.text and "kaboom" not in r.text and "RuntimeError" not in r.text
    assert r.headers["X-Request-ID"] == "trace-me-123"


def test_request_id_generated_and_bad_one_replaced(client):
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 16
    replaced = client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert replaced.headers["X-Request-ID"] != "bad id\nwith newline"
