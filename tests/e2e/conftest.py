"""End-to-end tests against the whole system that `./kk test` starts (case service, Rasa with
models/kk.tar.gz, action server) on free ports with a throwaway database.

Environment (set by tools/run_tests.py): KK_E2E_API_URL, KK_E2E_RASA_URL, KK_E2E_SERVICE_TOKEN,
KK_E2E_JWT_SECRET, KK_E2E_DATABASE_URL, KK_E2E_TRACKER_DB_URL, KK_E2E_LOG_DIR.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
from http_json import http as http  # noqa: E402 (after the path above)

REQUIRED = ("KK_E2E_API_URL", "KK_E2E_RASA_URL")


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        skip = pytest.mark.skip(reason=f"{', '.join(missing)} not set: run through `./kk test e2e`")
        for item in items:
            item.add_marker(skip)


def api_url() -> str:
    return os.environ["KK_E2E_API_URL"]


def rasa_url() -> str:
    return os.environ["KK_E2E_RASA_URL"]


def login(username: str) -> str:
    status, body = http("POST", f"{api_url()}/auth/demo-login", {"username": username})
    assert status == 200, body
    return body["access_token"]


def sqlite_path(url_env: str) -> Path:
    url = os.environ[url_env]
    assert url.startswith("sqlite:///"), f"{url_env} is not SQLite: {url}"
    return Path(url[len("sqlite:///") :])


def query(url_env: str, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(sqlite_path(url_env)) as connection:
        return connection.execute(sql, params).fetchall()


@dataclass
class Chat:
    """One conversation through the REST (anonymous) or kk (logged-in) channel."""

    token: str | None = None
    sender: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:12]}")
    replies: list[list[dict]] = field(default_factory=list)

    @property
    def url(self) -> str:
        channel = "kk" if self.token else "rest"
        return f"{rasa_url()}/webhooks/{channel}/webhook"

    @property
    def conversation_id(self) -> str:
        if not self.token:
            return f"anon:{self.sender}"
        import jwt  # PyJWT, installed with the shared package

        sub = jwt.decode(self.token, options={"verify_signature": False})["sub"]
        return f"kk:{sub}:{self.sender}"

    def send(self, message: str) -> list[dict]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        status, body = http("POST", self.url, {"sender": self.sender, "message": message}, headers)
        assert status == 200, (status, body)
        self.replies.append(body)
        return body

    def say(self, message: str) -> str:
        """The reply texts joined, for assertions on wording."""
        return "\n".join(m.get("text", "") for m in self.send(message))


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in (m.get("buttons") or [])]


@pytest.fixture
def citizen() -> Chat:
    return Chat(token=login("demo-borger"))


@pytest.fixture
def anonymous() -> Chat:
    return Chat()
