"""Start a real action server + Rasa server (models/kk.tar.gz) for channel tests, and stop them.

Ports: KK_TEST_RASA_PORT and KK_TEST_ACTIONS_PORT (free ones when unset). The tracker store is a
fresh SQLite file and all output of both processes goes to log files, so tests can grep both.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tools.processes import free_port
from tools.run_system import rasa_run_command

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# KK_TEST_MODEL points the tests at another trained model (default: the one `rasa train` writes).
MODEL = Path(os.environ.get("KK_TEST_MODEL") or REPO_ROOT / "models" / "kk.tar.gz")


def _port(name: str) -> int:
    """The port in ``name``, else a free one: several test runs share this machine."""
    value = os.environ.get(name)
    return int(value) if value else free_port()


RASA_PORT = _port("KK_TEST_RASA_PORT")
ACTIONS_PORT = _port("KK_TEST_ACTIONS_PORT")


@dataclass
class Stack:
    base_url: str
    tracker_db: Path
    logs: list[Path]
    processes: list[subprocess.Popen]

    def post(self, body: object, raw: bytes | None = None) -> tuple[int, object]:
        data = raw if raw is not None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=data,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _wait_for(url: str, deadline: float, processes: list[subprocess.Popen]) -> None:
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a server process exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in time")


def bot_env(env: dict, workdir: Path, actions_port: int) -> dict:
    """``env`` with what a test's action server and Rasa server need: the repository on the
    path, the action server's port and token, the tracker and events databases in ``workdir``."""
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        KK_ACTIONS_PORT=str(actions_port),
        KK_ACTIONS_TOKEN=env.get("KK_ACTIONS_TOKEN") or "test-actions-token-0123456789",
        KK_TRACKER_DB_URL=f"sqlite:///{workdir / 'tracker.db'}",
        # bot/endpoints.yml's SQL event broker (the analytics' events database)
        KK_EVENTS_DB_URL=f"sqlite:///{workdir / 'events.db'}",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


def start_stack(workdir: Path, api_url: str = "http://127.0.0.1:9") -> Stack:
    env = bot_env(dict(os.environ), workdir, ACTIONS_PORT)
    env["KK_API_URL"] = api_url
    logs = [workdir / "actions.log", workdir / "rasa.log"]
    commands = [
        [str(BIN / "python"), "-m", "actions.server", "--port", str(ACTIONS_PORT)],
        rasa_run_command(MODEL, RASA_PORT, "--debug", interface=None),
    ]
    processes = []
    for command, log in zip(commands, logs, strict=True):
        handle = open(log, "wb")
        processes.append(
            subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    stack = Stack(f"http://127.0.0.1:{RASA_PORT}", workdir / "tracker.db", logs, processes)
    try:
        deadline = time.monotonic() + 240
        _wait_for(f"http://127.0.0.1:{ACTIONS_PORT}/health", deadline, processes)
        _wait_for(f"{stack.base_url}/webhooks/rest/", deadline, processes)
    except Exception:
        stack.stop()
        raise
    return stack
