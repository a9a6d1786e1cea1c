"""The case service stops in the middle of a conversation and comes back.

Its own small system: a case service (api venv, throwaway SQLite) that this test stops and
starts, and Rasa + action server (tests/channels/rasa_stack.py) pointed at it. Checks: a clear
Danish message within 3 seconds, nothing created while it is down, and the conversation goes on
when it is back.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import http, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "channels"))
import rasa_stack  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
API_PYTHON = REPO / ".venvs" / "api" / "bin" / "python"
SECRET = "outage-test-secret-0123456789abcdefghijklmnop"
SERVICE_TOKEN = "outage-test-service-token-0123456789abcdefgh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CaseService:
    def __init__(self, workdir: Path, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = dict(
            os.environ,
            KK_DATABASE_URL=f"sqlite:///{workdir / 'kk.db'}",
            KK_DEMO_MODE="true",
            KK_JWT_SECRET=SECRET,
            KK_SERVICE_TOKEN=SERVICE_TOKEN,
            PYTHONPATH=str(REPO),
        )
        self.log = workdir / "api.log"
        self.process: subprocess.Popen | None = None
        subprocess.run(
            [str(API_PYTHON), "-m", "api.cli", "migrate"],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.spawn()
        self.wait()

    def spawn(self) -> None:
        handle = open(self.log, "ab")
        self.process = subprocess.Popen(
            [str(API_PYTHON), "-m", "api.cli", "serve", "--port", str(self.port)],
            cwd=REPO,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("case service did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory):
    if not API_PYTHON.exists() or not rasa_stack.MODEL.exists():
        pytest.skip("needs .venvs/api and a trained model (./kk test trains and installs them)")
    workdir = tmp_path_factory.mktemp("outage")
    service = CaseService(workdir, free_port())
    service.spawn()  # starts while Rasa and the action server start; waited for below
    rasa_stack.RASA_PORT, rasa_stack.ACTIONS_PORT = free_port(), free_port()
    saved = {k: os.environ.get(k) for k in ("KK_JWT_SECRET", "KK_SERVICE_TOKEN", "KK_DEMO_MODE")}
    # Demo mode: the kk channel accepts the case service's demo (HS256) tokens only then.
    os.environ.update(KK_JWT_SECRET=SECRET, KK_SERVICE_TOKEN=SERVICE_TOKEN, KK_DEMO_MODE="true")
    try:
        stack = rasa_stack.start_stack(workdir, api_url=service.url)
    except BaseException:
        service.stop()
        raise
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        service.wait()
    except BaseException:
        stack.stop()
        service.stop()
        raise
    yield service, stack
    stack.stop()
    service.stop()


def kk(stack, token: str, sender: str, message: str) -> tuple[list[dict], float]:
    started = time.monotonic()
    status, body = http(
        "POST",
        f"{stack.base_url}/webhooks/kk/webhook",
        {"sender": sender, "message": message},
        {"Authorization": f"Bearer {token}"},
    )
    assert status == 200, body
    return body, time.monotonic() - started


def test_case_service_stopped_mid_form_then_back(system) -> None:
    service, stack = system
    status, login = http("POST", f"{service.url}/auth/demo-login", {"username": "demo-borger"})
    assert status == 200
    token = login["access_token"]

    def reports() -> int:
        status, body = http(
            "GET", f"{service.url}/me/absence-reports", headers={"Authorization": f"Bearer {token}"}
        )
        assert status == 200
        return len(body)

    before = reports()
    kk(stack, token, "out1", "jeg er syg og kan ikke komme til min samtale")
    summary, _ = kk(stack, token, "out1", "1")
    assert "Skal jeg sende den" in texts(summary)

    service.stop()
    reply, seconds = kk(stack, token, "out1", "ja")
    assert seconds < 3.0, seconds
    assert "IKKE sendt" in texts(reply)
    answer, seconds = kk(stack, token, "out1", "hvornår er min næste samtale")
    assert seconds < 3.0 and "kan ikke hente" in texts(answer)

    service.start()
    assert reports() == before  # nothing half-created
    answer, _ = kk(stack, token, "out1", "hvornår er min næste samtale")
    assert "Din næste samtale" in texts(answer)
    kk(stack, token, "out1", "jeg er syg og kan ikke komme til min samtale")
    kk(stack, token, "out1", "1")
    done, _ = kk(stack, token, "out1", "ja")
    assert "referencenummer" in texts(done)
    assert reports() == before + 1
