"""Supervisor.watch: a crashed process is restarted with backoff, printed and logged; repeated
fast crashes make it give up with the reason; Ctrl-C/SIGTERM still stop everything.

Small stand-in processes, short backoffs: every test takes a second or two.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from process_helpers import SERVE_HEALTH, alive, wait_dead

from tools import run_system
from tools.paths import REPO
from tools.processes import (
    GaveUp,
    RestartPolicy,
    Service,
    Supervisor,
    describe_exit,
    free_port,
    http_get,
)

# A stand-in service (test-only). Each start appends a line to <starts>; then, by <mode>:
#   once   - the first start prints a line and exits with code 3, later starts serve /health
#   crash  - exits with code 1 at once, every time
#   serve  - serves /health (and keeps a `sleep` grandchild whose pid it writes to <gc>)
#   linger - stays up for 0.4 s, then exits with code 2
STAND_IN = (
    textwrap.dedent("""
    import http.server, subprocess, sys, time
    mode, port, starts, gc = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with open(starts, "a") as fh:
        fh.write("start\\n")
    count = len(open(starts).read().split())
    if mode == "crash":
        sys.exit(1)
    if mode == "linger":
        time.sleep(0.4)
        sys.exit(2)
    if mode == "once" and count == 1:
        print("first run: failing on purpose", flush=True)
        sys.exit(3)
    child = subprocess.Popen(["sleep", "300"])
    open(gc, "w").write(str(child.pid))
""")
    + SERVE_HEALTH
)

FAST = RestartPolicy(first_delay=0.05, max_delay=0.2, max_crashes=3, window=30.0)


def _service(tmp_path: Path, mode: str, name: str = "stand-in") -> Service:
    port = free_port()
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    folder = tmp_path / f"{name}-{mode}"
    folder.mkdir()
    return Service(
        name=name,
        cmd=[
            sys.executable,
            str(script),
            mode,
            str(port),
            str(folder / "starts"),
            str(folder / "gc.pid"),
        ],
        log_path=folder / "service.log",
        health_url=f"http://127.0.0.1:{port}/health",
        port=port,
        timeout=20,
    )


def _starts(svc: Service) -> int:
    path = Path(svc.cmd[4])
    return len(path.read_text().split()) if path.exists() else 0


def _sleeper(tmp_path: Path) -> Service:
    """A well-behaved neighbour that must be left alone by restarts of other services."""
    return Service(
        name="neighbour",
        cmd=["sleep", "300"],
        log_path=tmp_path / "neighbour.log",
        health_url="http://127.0.0.1:9/",
        port=free_port(),
    )


def _watch_until(sup: Supervisor, done, seconds: float = 20.0) -> GaveUp | None:
    deadline = time.monotonic() + seconds
    result = sup.watch(poll=0.02, until=lambda: done() or time.monotonic() > deadline)
    assert result is not None or done(), "the condition was not reached in time"
    return result


def test_backoff_doubles_and_is_capped() -> None:
    policy = RestartPolicy(first_delay=1.0, max_delay=30.0)
    assert [policy.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert (policy.max_crashes, policy.window) == (5, 60.0)


def test_exits_are_described_in_words() -> None:
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-9) == "killed by SIGKILL"
    assert describe_exit(-15) == "killed by SIGTERM"


def test_a_process_that_exits_once_is_restarted_printed_and_logged(tmp_path: Path) -> None:
    events: list[str] = []
    sup = Supervisor(FAST, report=events.append, log_path=tmp_path / "supervisor.log")
    svc, neighbour = _service(tmp_path, "once"), _sleeper(tmp_path)
    try:
        sup.start(svc)
        sup.start(neighbour)
        first_pid, neighbour_pid = svc.proc.pid, neighbour.proc.pid
        result = _watch_until(sup, lambda: any("answers again" in e for e in events))
        assert result is None
        assert _starts(svc) == 2 and svc.restarts == 1
        assert svc.proc.pid != first_pid and svc.proc.poll() is None
        assert http_get(svc.health_url)[0] == 200
        assert neighbour.proc.pid == neighbour_pid and neighbour.proc.poll() is None
    finally:
        sup.stop_all(grace=5)
    assert events[0] == (
        "[supervisor] the stand-in stopped unexpectedly (exit code 3); restarting it in "
        "0.05 s (crash 1 of 3 allowed within 30 s)"
    )
    assert events[1].startswith("[supervisor] restarted the stand-in (pid ")
    assert "answers again" in events[2] and len(events) == 3
    logged = (tmp_path / "supervisor.log").read_text()
    assert all(e.removeprefix("[supervisor] ") in logged for e in events)
    # The service's own log keeps the first run's output and says what happened.
    own = svc.log_path.read_text()
    assert "first run: failing on purpose" in own
    assert "[./kk supervisor] the stand-in stopped unexpectedly (exit code 3)" in own
    assert svc.proc.poll() is not None and neighbour.proc.poll() is not None


def test_kill_9_is_restarted_and_the_killed_process_group_is_cleaned_up(tmp_path: Path) -> None:
    events: list[str] = []
    sup = Supervisor(FAST, report=events.append)
    svc = _service(tmp_path, "serve")
    try:
        sup.start(svc)
        sup.wait_healthy(svc)
        gc_file = Path(svc.cmd[5])
        old_grandchild = int(gc_file.read_text())
        os.kill(svc.proc.pid, signal.SIGKILL)
        _watch_until(sup, lambda: any("answers again" in e for e in events))
        assert "killed by SIGKILL" in events[0]
        assert wait_dead(old_grandchild)  # the dead leader's child went with it
        assert http_get(svc.health_url)[0] == 200
        new_grandchild = int(gc_file.read_text())
        assert new_grandchild != old_grandchild and alive(new_grandchild)
    finally:
        sup.stop_all(grace=5)
    assert wait_dead(new_grandchild)


def test_a_process_that_keeps_crashing_makes_the_supervisor_give_up(tmp_path: Path) -> None:
    events: list[str] = []
    policy = RestartPolicy(first_delay=0.01, max_delay=0.03, max_crashes=5, window=30.0)
    sup = Supervisor(policy, report=events.append)
    svc, neighbour = _service(tmp_path, "crash"), _sleeper(tmp_path)
    started = time.monotonic()
    try:
        sup.start(svc)
        sup.start(neighbour)
        result = _watch_until(sup, lambda: False)
        assert time.monotonic() - started < 10
        assert isinstance(result, GaveUp) and result.service is svc and result.returncode == 1
        assert result.reason == (
            "the stand-in crashed 5 times within 30 s (last: exit code 1); giving up"
        )
        assert _starts(svc) == 5
        delays = [
            e.split("restarting it in ")[1].split(" s")[0] for e in events if "restarting" in e
        ]
        assert delays == ["0.01", "0.02", "0.03", "0.03"]
        assert events[-1] == f"[supervisor] {result.reason}"
        # Giving up stops nothing by itself: the caller stops everything.
        assert neighbour.proc.poll() is None
    finally:
        sup.stop_all(grace=5)
    assert neighbour.proc.poll() is not None


def test_crashes_far_apart_do_not_make_it_give_up(tmp_path: Path) -> None:
    events: list[str] = []
    # Each run lives 0.4 s; two crashes within 0.3 s would be needed to give up.
    policy = RestartPolicy(first_delay=0.01, max_delay=0.01, max_crashes=2, window=0.3)
    sup = Supervisor(policy, report=events.append)
    svc = _service(tmp_path, "linger")
    try:
        sup.start(svc)
        result = _watch_until(sup, lambda: _starts(svc) >= 4)
        assert result is None
        assert not any("giving up" in e for e in events)
        assert sum("crash 1 of 2" in e for e in events) >= 3
    finally:
        sup.stop_all(grace=5)


DRIVER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from tools.processes import RestartPolicy, Service, Supervisor, install_signal_handlers
    install_signal_handlers()
    first_delay = float(sys.argv[2])
    policy = RestartPolicy(first_delay=first_delay, max_delay=first_delay, max_crashes=3)
    sup = Supervisor(policy, report=lambda line: print(line, flush=True))
    cmd = sys.argv[3:]  # python stand_in.py mode port starts gc
    folder = Path(cmd[4]).parent
    svc = Service(name="stand-in", cmd=cmd, log_path=folder / "service.log",
                  health_url=f"http://127.0.0.1:{cmd[3]}/health", port=int(cmd[3]))
    neighbour = Service(name="neighbour", cmd=["sleep", "300"], log_path=folder / "n.log",
                        health_url="http://127.0.0.1:9/", port=9)
    try:
        sup.start(svc)
        sup.start(neighbour)
        print("pids", svc.proc.pid, neighbour.proc.pid, flush=True)
        sup.watch(poll=0.02)
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        sup.stop_all(grace=5)
        print("stopped", flush=True)
""")


def _driver(tmp_path: Path, first_delay: float) -> tuple[subprocess.Popen, Service]:
    svc = _service(tmp_path, "once")
    driver_path = tmp_path / "driver.py"
    driver_path.write_text(DRIVER)
    # argv: repo, first_delay, then the stand-in's command (python script mode port starts gc)
    driver = subprocess.Popen(
        [sys.executable, str(driver_path), str(REPO), str(first_delay), *svc.cmd],
        stdout=subprocess.PIPE,
        text=True,
    )
    return driver, svc


def _read_until(driver: subprocess.Popen, needle: str, lines: list[str]) -> None:
    while True:
        line = driver.stdout.readline()
        assert line, f"driver ended before {needle!r}: {lines}"
        lines.append(line.strip())
        if needle in line:
            return


@pytest.mark.parametrize(
    "first_delay, wait_for",
    [(0.05, "answers again"), (30.0, "restarting it in 30 s")],
    ids=["after-a-restart", "during-the-backoff"],
)
def test_sigterm_stops_everything_also_while_restarting(
    tmp_path: Path, first_delay: float, wait_for: str
) -> None:
    driver, svc = _driver(tmp_path, first_delay)
    lines: list[str] = []
    try:
        _read_until(driver, "pids", lines)
        neighbour = int(lines[-1].split()[2])
        _read_until(driver, wait_for, lines)
        started = time.monotonic()
        driver.send_signal(signal.SIGTERM)
        out, _ = driver.communicate(timeout=30)
        assert time.monotonic() - started < 10  # a pending 30 s backoff does not delay it
    finally:
        if driver.poll() is None:
            driver.kill()
    assert "stopped" in out
    assert wait_dead(neighbour)
    gc_file = Path(svc.cmd[5])
    if gc_file.exists():  # the restarted stand-in's grandchild
        assert wait_dead(int(gc_file.read_text()))
    assert http_get(svc.health_url)[0] == 0
    time.sleep(0.2)
    assert _starts(svc) == (2 if first_delay < 1 else 1)  # nothing restarted after the stop


def test_kk_run_stops_everything_with_the_reason_when_it_gives_up(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """tools/run_system.main: watch's reason is printed, with the log's tail, and exit code 1."""
    crash, neighbour = _service(tmp_path, "crash", name="Rasa server"), _sleeper(tmp_path)
    cfg = run_system.SystemConfig.from_env({}, data_dir=tmp_path, log_dir=tmp_path / "logs")
    monkeypatch.setattr(run_system.SystemConfig, "from_env", classmethod(lambda c, e: cfg))
    fast = RestartPolicy(first_delay=0.01, max_delay=0.02, max_crashes=3, window=30.0)

    def fast_supervisor(**kwargs):
        return Supervisor(fast, **kwargs)

    started: list[Service] = []

    def fake_start(runner, sup, cfg, environ):
        for svc in (neighbour, crash):
            sup.start(svc)
            started.append(svc)
        return {}

    monkeypatch.setattr(run_system, "Supervisor", fast_supervisor)
    monkeypatch.setattr(run_system, "start_system", fake_start)
    monkeypatch.setattr(run_system, "print_urls", lambda runner, cfg: None)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        assert run_system.main([]) == 1
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    out = capsys.readouterr().out
    assert "restarting it in 0.01 s" in out
    assert "The Rasa server crashed 3 times within 30 s (last: exit code 1); giving up." in out
    assert "Stopping everything." in out and "Stopped 2 process(es)" in out
    assert all(svc.proc.poll() is not None for svc in started)
    assert "giving up" in (tmp_path / "logs" / "supervisor.log").read_text()
