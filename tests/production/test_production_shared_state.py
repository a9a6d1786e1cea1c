"""What the replicas share in the production profile: Rasa's conversation locks and the chat rate
limits live in Redis, nginx spreads turns over both Rasa replicas and both action servers."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid

import pytest
import redis
from conftest import http, log_dir, login, nginx_url, replica_urls, say, wait_until

from actions.settings import load_settings as action_settings
from bot.lock_store import redis_arguments


def test_the_action_server_host_is_a_setting() -> None:
    assert action_settings({}).actions_host == "127.0.0.1"
    assert action_settings({"KK_ACTIONS_HOST": "0.0.0.0"}).actions_host == "0.0.0.0"
    with pytest.raises(ValueError, match="KK_ACTIONS_HOST"):
        action_settings({"KK_ACTIONS_HOST": "0.0.0.0; rm"})


def test_the_lock_store_takes_its_address_from_the_url() -> None:
    arguments = redis_arguments(
        "redis://:s3cret@cache.internal:6390/2", {"socket_timeout": "5", "key_prefix": "kk"}
    )
    assert arguments == {
        "host": "cache.internal",
        "port": 6390,
        "db": 2,
        "username": None,
        "password": "s3cret",
        "use_ssl": False,
        "socket_timeout": 5.0,
        "key_prefix": "kk",
    }


@pytest.mark.needs_system
def test_conversation_locks_are_taken_in_redis() -> None:
    """While the replicas handle turns, Rasa's RedisLockStore writes kk:lock:<conversation>."""
    client = redis.Redis.from_url(os.environ["KK_PROD_REDIS_URL"])
    seen: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        with client.monitor() as monitor:
            for command in monitor.listen():
                seen.append(str(command.get("command", "")))
                if stop.is_set() and len(seen) > 0:
                    return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    time.sleep(0.5)  # MONITOR is on before the turns
    sender = f"lock-{uuid.uuid4().hex[:8]}"
    for url in replica_urls():
        status, _ = say(url, sender, "hej")
        assert status == 200
    stop.set()
    client.ping()  # one more command, so the watcher wakes up and ends
    watcher.join(timeout=10)
    locks = [c for c in seen if f"kk:lock:anon:{sender}" in c]
    assert locks, f"no lock commands for the conversation among {len(seen)} Redis commands"


@pytest.mark.needs_system
def test_the_per_conversation_limit_counts_over_both_replicas() -> None:
    """30 messages a minute per conversation (KK_CHAT_RATE_PER_CONVERSATION): 15 on each
    replica is 30 in all, so the 31st is refused wherever it lands. Counted per process, each
    replica would have seen only 15."""
    token = login("demo-borger-syg")
    one, two = replica_urls()
    sender = f"limit-{uuid.uuid4().hex[:8]}"
    statuses = [say((one, two)[n % 2], sender, "hej", token)[0] for n in range(30)]
    assert statuses == [200] * 30
    assert say(one, sender, "hej", token)[0] == 429
    assert say(two, sender, "hej", token)[0] == 429
    # Another conversation of the same person is not limited (per-person limit: 600).
    assert say(two, sender + "-b", "hej", token)[0] == 200


@pytest.mark.needs_system
def test_nginx_spreads_turns_over_both_replicas() -> None:
    sender = f"spread-{uuid.uuid4().hex[:8]}"
    for _ in range(6):
        assert say(nginx_url(), sender, "hvad er fleksjob")[0] == 200
    access = log_dir() / "nginx-access.log"
    ports = {url.rsplit(":", 1)[1] for url in replica_urls()}

    def both_used() -> bool:
        text = access.read_text(errors="replace")
        return all(re.search(rf"upstream=127\.0\.0\.1:{port}\b", text) for port in ports)

    wait_until(both_used, 10, "turns through nginx on both replicas")


@pytest.mark.needs_system
def test_nginx_passes_the_channels_not_rasas_api() -> None:
    assert http("GET", f"{nginx_url()}/")[0] == 200
    for path in ("/conversations/x/tracker", "/status", "/model/parse", "/version"):
        assert http("GET", f"{nginx_url()}{path}")[0] == 404, path
    actions = os.environ["KK_PROD_ACTIONS_URL"]
    assert http("GET", f"{actions}/health")[0] == 200
    assert http("GET", f"{actions}/actions")[0] == 404


@pytest.mark.needs_system
def test_the_case_service_runs_two_workers() -> None:
    """uvicorn --workers 2: two worker processes answer /health."""
    status, _ = http("GET", f"{os.environ['KK_PROD_API_URL']}/health")
    assert status == 200
    log = (log_dir() / "api.log").read_text(errors="replace")
    assert len(set(re.findall(r"Started server process \[(\d+)\]", log))) >= 2
