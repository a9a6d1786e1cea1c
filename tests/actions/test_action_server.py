"""The action server answers only the Rasa server (token) and only on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from case_service_stub import free_port

REPO = Path(__file__).resolve().parents[2]
TOKEN = "action-server-test-token-0123456789"
CALL = {
    "next_action": "action_session_start",
    "sender_id": "t",
    "version": "3.6.2",
    "tracker": {
        "sender_id": "t",
        "slots": {},
        "latest_message": {},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    },
    "domain": {},
}


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = dict(os.environ, KK_ACTIONS_TOKEN=TOKEN, PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield port
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def call(port: int, headers: dict) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook",
        data=json.dumps(CALL).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhook_needs_the_token(server: int) -> None:
    assert call(server, {}) == 401
    assert call(server, {"X-KK-Actions-Token": "wrong"}) == 401
    assert call(server, {"X-KK-Actions-Token": TOKEN}) == 200


def test_listens_on_loopback_only(server: int) -> None:
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    ours = [line.split()[1] for line in listening if line.split()[1].endswith(f":{server:04X}")]
    assert ours and all(address.startswith("0100007F:") for address in ours)  # 127.0.0.1


def test_refuses_to_start_without_a_token() -> None:
    env = dict(os.environ, KK_ACTIONS_TOKEN="", PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", str(free_port())],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "KK_ACTIONS_TOKEN" in result.stderr + result.stdout
