"""Tests against the production profile that `./kk test production` starts (tools/production.py):
PostgreSQL, Redis, nginx, 2 Rasa replicas, 2 action-server replicas, the case service with 2
workers, all on free ports with a throwaway data directory, supervised while the tests run.

Environment (set by tools/run_tests.py): KK_PROD_API_URL, KK_PROD_RASA_URL (nginx),
KK_PROD_RASA_REPLICA_URLS (each replica directly, space separated), KK_PROD_ACTIONS_URL (nginx),
KK_PROD_TRACKER_DB_URL, KK_PROD_REDIS_URL, KK_PROD_LOG_DIR.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
import http_json  # noqa: E402 (after the path above)

REQUIRED = ("KK_PROD_API_URL", "KK_PROD_RASA_URL", "KK_PROD_RASA_REPLICA_URLS")
# What the web channels answer (with 200) when they could not handle a turn.
TECHNICAL_ERROR = "Beklager, der skete en teknisk fejl"
# What the own-case actions answer when the case service did not answer in time.
CASE_UNAVAILABLE = "jeg kan ikke hente oplysninger om din sag lige nu"


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        skip = pytest.mark.skip(
            reason=f"{', '.join(missing)} not set: run through `./kk test production`"
        )
        for item in items:
            if "needs_system" in item.keywords:
                item.add_marker(skip)


def pytest_configure(config):  # noqa: ANN001
    config.addinivalue_line("markers", "needs_system: runs against the started production profile")


def http(
    method: str,
    url: str,
    body: Any = None,
    headers: dict | None = None,
    timeout: float = 120,
) -> tuple[int, Any]:
    """(status, JSON body or text); status 0 when nothing answered (a killed replica)."""
    return http_json.http(
        method, url, body, headers, timeout=timeout, unreachable=True, text_on_success=True
    )


def api_url() -> str:
    return os.environ["KK_PROD_API_URL"]


def nginx_url() -> str:
    return os.environ["KK_PROD_RASA_URL"]


def replica_urls() -> list[str]:
    return os.environ["KK_PROD_RASA_REPLICA_URLS"].split()


def log_dir() -> Path:
    return Path(os.environ["KK_PROD_LOG_DIR"])


def login(username: str) -> str:
    status, body = http("POST", f"{api_url()}/auth/demo-login", {"username": username})
    assert status == 200, body
    return str(body["access_token"])


def say(base_url: str, sender: str, text: str, token: str | None = None) -> tuple[int, Any]:
    """One turn: the kk channel with a token, else the anonymous REST channel."""
    channel = "kk" if token else "rest"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http(
        "POST",
        f"{base_url}/webhooks/{channel}/webhook",
        {"sender": sender, "message": text},
        headers,
    )


@pytest.fixture(scope="session")
def tracker_engine() -> Iterator[sa.engine.Engine]:
    engine = sa.create_engine(os.environ["KK_PROD_TRACKER_DB_URL"])
    yield engine
    engine.dispose()


def conversation_ids(engine: sa.engine.Engine, sender: str) -> list[str]:
    """The tracker ids of a client's sender id (``anon:<sender>``, ``kk:<subject>:<sender>``)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT DISTINCT sender_id FROM events WHERE sender_id LIKE :pattern"),
            {"pattern": f"%:{sender}"},
        )
        return [row[0] for row in rows]


def stored_events(engine: sa.engine.Engine, sender: str) -> list[dict]:
    """Every stored event of the conversation, in database order, as Rasa's JSON."""
    ids = conversation_ids(engine, sender)
    assert len(ids) == 1, f"expected one conversation for {sender}, found {ids}"
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :sender_id ORDER BY id"),
            {"sender_id": ids[0]},
        )
        return [json.loads(row[0]) for row in rows]


_REFERENCE = re.compile(r"\b[A-Z]{3}-\d{4}-\d{6}\b")


def normalised(messages: Any) -> str:
    """Bot messages as comparable text: what legitimately differs between two runs of the same
    script replaced — the recipient (the run's own sender id) and reference numbers of records
    the case service made."""
    if isinstance(messages, list):
        messages = [
            {k: v for k, v in m.items() if k != "recipient_id"} if isinstance(m, dict) else m
            for m in messages
        ]
    return _REFERENCE.sub("<REF>", json.dumps(messages, ensure_ascii=False, sort_keys=True))


def wait_until(check, seconds: float, what: str) -> None:  # noqa: ANN001
    """Poll ``check()`` until true; fails naming ``what`` (a bound, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"{what} did not happen within {seconds:.0f} s")
