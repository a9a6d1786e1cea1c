"""A real action server + Rasa server (models/kk.tar.gz) with the SMS channel configured, the
fake gateway (tools/fake_gateway.py) and a case-service stub, all on free loopback ports.

The Rasa server can be stopped and started again on the same databases (restart tests).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from rasa_stack import BIN, MODEL, REPO_ROOT, _wait_for, bot_env
from sms_fakes import GATEWAY_TOKEN, WEBHOOK_SECRET, CaseServiceStub, environment

from tools.fake_gateway import FakeGateway, FakeGatewayServer
from tools.processes import free_port
from tools.run_system import rasa_run_command


@dataclass
class SmsStack:
    workdir: Path
    case: CaseServiceStub
    gateway: FakeGatewayServer
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    actions: subprocess.Popen | None = None
    rasa: subprocess.Popen | None = None
    rasa_starts: int = 0
    name: str = "rasa"  # the Rasa server's log file is <name>.log
    extra_env: dict = field(default_factory=dict)

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/webhooks/sms/webhook"

    @property
    def fake(self) -> FakeGateway:
        return self.gateway.fake

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(environment(f"sqlite:///{self.tracker_db}", self.gateway.url, self.case.url))
        bot_env(env, self.workdir, self.actions_port)
        env["RASA_TELEMETRY_ENABLED"] = "false"
        env.update(self.extra_env)
        return env

    def _spawn(self, command: list, log: Path) -> subprocess.Popen:
        handle = open(log, "ab")
        return subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def spawn_actions(self) -> None:
        """Start the action server without waiting (``wait_for_actions``): the Rasa servers can
        load their model meanwhile."""
        self.actions = self._spawn(
            [str(BIN / "python"), "-m", "actions.server", "--port", str(self.actions_port)],
            self.workdir / "actions.log",
        )

    def wait_for_actions(self) -> None:
        assert self.actions is not None
        _wait_for(
            f"http://127.0.0.1:{self.actions_port}/health", time.monotonic() + 240, [self.actions]
        )

    def start_actions(self) -> None:
        self.spawn_actions()
        self.wait_for_actions()

    def migrate(self) -> None:
        """What ./kk run does before Rasa starts: the SMS tables' migrations."""
        subprocess.run(
            [str(BIN / "python"), "-m", "bot.sms.migrate"],
            cwd=REPO_ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start_rasa(self) -> None:
        self.spawn_rasa()
        self.wait_for_rasa()

    def spawn_rasa(self) -> None:
        """Migrate, then start the Rasa server without waiting for it (``wait_for_rasa``)."""
        self.migrate()
        self.rasa_starts += 1
        self.rasa = self._spawn(
            rasa_run_command(MODEL, self.rasa_port), self.workdir / f"{self.name}.log"
        )

    def wait_for_rasa(self) -> None:
        """Until the SMS channel says ``running``: its health URL answers as soon as Rasa
        listens, but the channel opens its database and starts its workers only after that
        (sanic's after_server_start), and until then webhooks answer 503."""
        assert self.rasa is not None
        processes = [self.rasa] + ([self.actions] if self.actions else [])
        deadline = time.monotonic() + 240
        _wait_for(f"{self.base_url}/webhooks/sms/", deadline, processes)
        last: object = None
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                raise RuntimeError("a server process exited during start-up")
            try:
                with urllib.request.urlopen(f"{self.base_url}/webhooks/sms/", timeout=5) as answer:
                    last = json.loads(answer.read())
            except (urllib.error.URLError, OSError, ValueError) as error:
                last = error
            if isinstance(last, dict) and last.get("running") is True:
                return
            time.sleep(0.2)
        raise RuntimeError(f"the SMS channel of {self.name} did not start its workers: {last}")

    @staticmethod
    def _stop(process: subprocess.Popen | None) -> None:
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_rasa(self) -> None:
        self._stop(self.rasa)
        self.rasa = None

    def stop(self) -> None:
        self.stop_rasa()
        self._stop(self.actions)
        self.gateway.shutdown()
        self.gateway.server_close()
        self.case.stop()

    def log_text(self) -> str:
        return "\n".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in (self.workdir / f"{self.name}.log", self.workdir / "actions.log")
            if p.exists()
        )


def start_sms_stack(workdir: Path) -> SmsStack:
    case = CaseServiceStub()
    gateway = FakeGatewayServer(FakeGateway(None, WEBHOOK_SECRET, GATEWAY_TOKEN))
    gateway.start_in_thread()
    stack = SmsStack(workdir, case, gateway)
    gateway.fake.webhook_url = stack.webhook_url
    try:
        # Both start at once (each takes tens of seconds on 2 cores), then both are waited for.
        stack.spawn_actions()
        stack.spawn_rasa()
        stack.wait_for_actions()
        stack.wait_for_rasa()
    except BaseException:
        stack.stop()
        raise
    return stack
