"""Child processes: each in its own process group, killed with its whole group on stop,
on Ctrl-C/SIGTERM of ./kk, and (via PR_SET_PDEATHSIG) when ./kk itself dies."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tools.errors import StepError

PR_SET_PDEATHSIG = 1
_stopping = False

try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _prctl = _libc.prctl
except (OSError, AttributeError):  # not Linux: no parent-death signal
    _prctl = None


class Terminated(KeyboardInterrupt):
    """./kk received SIGTERM/SIGHUP; handled like Ctrl-C."""


def _on_signal(signum, frame):
    if _stopping:
        return
    raise Terminated(signal.Signals(signum).name)


def install_signal_handlers() -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


@contextmanager
def shielded():
    """Run cleanup without being interrupted by a second Ctrl-C/SIGTERM."""
    global _stopping
    previous = _stopping
    _stopping = True
    old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_int)
        _stopping = previous


def _child_setup(parent_pid: int) -> Callable[[], None]:
    def setup() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # parent already gone
            os._exit(1)

    return setup


def spawn(
    cmd: list[str],
    *,
    env: dict | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    append: bool = False,
) -> subprocess.Popen:
    """Start `cmd` in a new session (own process group), output to `log_path` or inherited."""
    out = None
    if log_path is None:
        sys.stdout.flush()
        sys.stderr.flush()
    else:
        log_path = Path(log_path)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        out = open(log_path, "ab" if append else "wb")
    try:
        return subprocess.Popen(
            [str(c) for c in cmd],
            env=env,
            cwd=str(cwd) if cwd else None,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
            preexec_fn=_child_setup(os.getpid()),
        )
    finally:
        if out is not None:
            out.close()


def kill_groups(procs: list[subprocess.Popen], grace: float = 10.0) -> None:
    """SIGTERM every live process group, wait up to `grace` seconds, then SIGKILL."""
    live = [p for p in procs if p.poll() is None]
    for p in live:
        _killpg(p, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in live:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for p in live:
        # The leader may be gone while its children linger: kill the group either way.
        _killpg(p, signal.SIGKILL)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _killpg(p: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_logged(
    cmd: list[str],
    log_path: Path | None,
    *,
    env: dict | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    on_tick: Callable[[float], None] | None = None,
    check: bool = True,
) -> int:
    """Run `cmd` to completion with output appended to `log_path` (None: to the terminal).

    Ctrl-C/SIGTERM stops the command's whole process group before propagating.
    """
    from tools.errors import CommandFailed

    if log_path is not None:
        with open(log_path, "ab") as log:
            log.write(("$ " + " ".join(str(c) for c in cmd) + "\n").encode())
    proc = spawn(cmd, env=env, cwd=cwd, log_path=log_path, append=True)
    started = time.monotonic()
    try:
        while True:
            try:
                rc = proc.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                elapsed = time.monotonic() - started
                if timeout is not None and elapsed > timeout:
                    with shielded():
                        kill_groups([proc], grace=5)
                    raise CommandFailed(cmd, None, log_path, timed_out_after=timeout)
                if on_tick:
                    on_tick(elapsed)
    except KeyboardInterrupt:
        with shielded():
            kill_groups([proc], grace=5)
        raise
    if check and rc != 0:
        raise CommandFailed(cmd, rc, log_path)
    return rc


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    """(status, body) of a GET, or (0, reason) when nothing answered."""
    try:
        with _opener.open(url, timeout=timeout) as resp:
            return resp.status, resp.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return 0, str(exc)


def status_200(status: int, body: str) -> bool:
    return status == 200


@dataclass
class Service:
    name: str
    cmd: list[str]
    log_path: Path
    health_url: str
    port: int
    env: dict | None = None
    cwd: Path | None = None
    healthy: Callable[[int, str], bool] = status_200
    timeout: float = 120.0
    hint: str = ""
    port_env: str = ""  # the variable that sets the port, for messages
    proc: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0


class Supervisor:
    """Starts services, waits for their health, and stops all of them (reverse order)."""

    def __init__(self) -> None:
        self.services: list[Service] = []

    def start(self, svc: Service) -> None:
        if port_in_use(svc.port):
            raise StepError(
                f"port {svc.port} for the {svc.name} is already in use",
                hint=(
                    f"Stop whatever listens on {svc.port} (another ./kk run?) or choose "
                    f"another port{f' with {svc.port_env}=...' if svc.port_env else ''}."
                ),
            )
        svc.proc = spawn(svc.cmd, env=svc.env, cwd=svc.cwd, log_path=svc.log_path)
        svc.started_at = time.monotonic()
        self.services.append(svc)

    def wait_healthy(self, svc: Service, on_tick: Callable[[float], None] | None = None) -> float:
        """Poll the health URL; seconds from launch to healthy. Raises StepError."""
        assert svc.proc is not None, "service was not started"
        while True:
            elapsed = time.monotonic() - svc.started_at
            rc = svc.proc.poll()
            if rc is not None:
                raise StepError(
                    f"the {svc.name} exited with code {rc} while starting",
                    svc.log_path,
                    svc.hint or None,
                )
            status, body = http_get(svc.health_url)
            if svc.healthy(status, body):
                return elapsed
            if elapsed > svc.timeout:
                raise StepError(
                    f"the {svc.name} did not answer {svc.health_url} healthily within "
                    f"{svc.timeout:.0f}s (last: {status or body})",
                    svc.log_path,
                    svc.hint or None,
                )
            if on_tick:
                on_tick(elapsed)
            time.sleep(0.5)

    def watch(self, poll: float = 0.5) -> Service:
        """Block until a service exits; return it."""
        while True:
            for svc in self.services:
                if svc.proc is not None and svc.proc.poll() is not None:
                    return svc
            time.sleep(poll)

    def stop_all(self, grace: float = 10.0) -> None:
        with shielded():
            kill_groups([s.proc for s in reversed(self.services) if s.proc], grace)
            self.services.clear()

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()
