"""The one rate limiter (kkshared.rate_limit, the `limits` library's moving window): chat channels
and POST /feedback, in memory (one process) and in Redis (shared by processes; the test starts a
real redis-server on a free port)."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kkshared.rate_limit import SlidingWindowLimiter, storage_kind
from tools.production_packages import REDIS, ensure_program


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    program = ensure_program(REDIS)  # apt-get install redis-server when missing (root)
    port = _free_port()
    directory: Path = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [str(program), "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            if _answers(port) or process.poll() is not None:
                break
            time.sleep(0.1)
        assert _answers(port), "redis-server did not start"
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    return str(request.getfixturevalue("redis_url"))


def _name(request: pytest.FixtureRequest) -> str:
    """A limiter name per test, so counts in the shared Redis never carry over."""
    return f"test-{request.node.name}-{time.time_ns()}"


def test_limit_per_key(storage: str | None, request: pytest.FixtureRequest) -> None:
    limiter = SlidingWindowLimiter(2, 60, storage, name=_name(request))
    assert limiter.allow("a") and limiter.allow("a")
    assert not limiter.allow("a")
    assert not limiter.allow("a")  # a refused event is not counted, and still refused
    assert limiter.allow("b") and limiter.allow("b")  # other keys are independent


def test_the_window_moves_on(storage: str | None, request: pytest.FixtureRequest) -> None:
    limiter = SlidingWindowLimiter(1, 1, storage, name=_name(request))
    assert limiter.allow("a") and not limiter.allow("a")
    time.sleep(1.2)  # an event counts for exactly one window (1 s here)
    assert limiter.allow("a")


def test_zero_means_off(storage: str | None, request: pytest.FixtureRequest) -> None:
    limiter = SlidingWindowLimiter(0, 60, storage, name=_name(request))
    assert all(limiter.allow("a") for _ in range(200))


def test_limiters_with_other_names_count_apart(
    storage: str | None, request: pytest.FixtureRequest
) -> None:
    name = _name(request)
    first = SlidingWindowLimiter(1, 60, storage, name=name + "-conversation")
    second = SlidingWindowLimiter(1, 60, storage, name=name + "-subject")
    assert first.allow("same key") and second.allow("same key")


def test_two_processes_share_counts_in_redis_not_in_memory(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    """What the production profile needs: two Rasa replicas (two limiters on one Redis) count
    together; in memory (./kk run, one process) each counts alone."""
    name = _name(request)
    replica_1 = SlidingWindowLimiter(3, 60, redis_url, name=name)
    replica_2 = SlidingWindowLimiter(3, 60, redis_url, name=name)
    answers = [limiter.allow("kk:u-1:web") for limiter in (replica_1, replica_2) * 2]
    assert answers == [True, True, True, False]
    apart_1 = SlidingWindowLimiter(3, 60, None, name=name)
    apart_2 = SlidingWindowLimiter(3, 60, None, name=name)
    assert all(limiter.allow("kk:u-1:web") for limiter in (apart_1, apart_2) * 2)


def test_redis_holds_no_conversation_ids_or_subjects(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    import redis

    limiter = SlidingWindowLimiter(5, 60, redis_url, name=_name(request))
    assert limiter.allow("kk:u-3f9c2a1b:web1")
    client = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in client.keys("*")]
    assert keys and not any("u-3f9c2a1b" in key or "web1" in key for key in keys)


def test_unreachable_redis_fails_open_and_says_so(
    caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> None:
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    limiter = SlidingWindowLimiter(1, 60, closed, name=_name(request), socket_timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="kkshared.rate_limit"):
        assert limiter.allow("a") and limiter.allow("a")  # not limited: the chat goes on
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unavailable" in warnings[0]  # once, not per message
    assert "'a'" not in warnings[0]


def test_storage_uris() -> None:
    assert storage_kind(None) == "memory" and storage_kind("memory://") == "memory"
    assert storage_kind("redis://h:6379/0") == storage_kind("rediss://h:6380/1") == "redis"
    with pytest.raises(ValueError, match="unsupported"):
        storage_kind("mongodb://h")
    with pytest.raises(ValueError, match="whole number"):
        SlidingWindowLimiter(1, 0.5)


def test_memory_forgets_keys_whose_window_has_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """One key per conversation must not stay in memory for the life of the process."""
    import kkshared.rate_limit as rate_limit

    monkeypatch.setattr(rate_limit, "SWEEP_SECONDS", 0.05)
    limiter = SlidingWindowLimiter(2, window_seconds=1, name="forget")
    for conversation in range(200):
        assert limiter.allow(f"anon:{conversation}")
    storage = limiter._storage
    assert isinstance(storage, rate_limit.PrunedMemoryStorage)
    assert len(storage.events) == 200
    deadline = time.monotonic() + 10
    while len(storage.events) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
        limiter.allow("anon:new")  # the sweep is scheduled by events, as in a running chat
    assert len(storage.events) <= 1  # only the key with an event inside its window remains
    assert limiter.allow("anon:0")  # a forgotten key starts counting again
    assert limiter.allow("anon:0")
    assert not limiter.allow("anon:0")
