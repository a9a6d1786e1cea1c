"""Child processes: each in its own process group, killed with its whole group on stop,
on Ctrl-C/SIGTERM of ./kk, and (via PR_SET_PDEATHSIG) when ./kk itself dies.

``Supervisor.watch`` keeps the services running: a service that exits is restarted after a
backoff (1, 2, 4 ... s, capped; ``RestartPolicy``), which is printed and logged (the
supervisor's log and the service's own log). Only when one service crashes again and again
(5 times within 60 s) does ``watch`` give up and return the reason; the caller then stops
everything. Ctrl-C/SIGTERM stop everything at any time."""

from __future__ import annotations

import ctypes
import os
import random
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
                    raise CommandFailed(cmd, None, log_path, timed_out_after=timeout) from None
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


# Free ports are chosen below the kernel's ephemeral range (Linux: 32768-60999). A port the
# kernel hands out (bind to port 0) can be handed out again to any other process that asks, e.g.
# a browser's debugging port, between the moment we choose it and the moment our server binds
# it: CI once failed with "port ... for the nginx is already in use" that way.
FREE_PORT_LOW = 20000


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
            return int(ranges.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port on 127.0.0.1 that nothing is bound to, outside the ephemeral range when it can."""
    high = _ephemeral_low()
    if high - FREE_PORT_LOW >= 1000:
        rng = random.SystemRandom()
        for _ in range(100):
            port = rng.randrange(FREE_PORT_LOW, high)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def command_probe(cmd: list[str], timeout: float = 5.0) -> Callable[[], tuple[int, str]]:
    """A health probe for a service without HTTP: (200, "") when ``cmd`` exits 0, e.g.
    PostgreSQL's ``pg_isready``; (0, reason) otherwise."""

    def probe() -> tuple[int, str]:
        try:
            done = subprocess.run(
                [str(c) for c in cmd],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return 0, str(exc)
        if done.returncode == 0:
            return 200, ""
        return 0, (done.stdout + done.stderr).decode(errors="replace").strip()[-200:]

    return probe


def tcp_probe(
    port: int, send: bytes, expect: bytes, host: str = "127.0.0.1", timeout: float = 2.0
) -> Callable[[], tuple[int, str]]:
    """A health probe that sends ``send`` and wants an answer starting with ``expect`` (Redis:
    ``PING`` and ``+PONG``): (200, answer) or (0, reason)."""

    def probe() -> tuple[int, str]:
        try:
            with socket.create_connection((host, port), timeout=timeout) as conn:
                conn.sendall(send)
                answer = conn.recv(256)
        except OSError as exc:
            return 0, str(exc)
        text = answer.decode(errors="replace").strip()
        return (200, text) if answer.startswith(expect) else (0, text or "no answer")

    return probe


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
    # Instead of a GET of health_url (a database, Redis): returns (status, body) like http_get.
    probe: Callable[[], tuple[int, str]] | None = field(default=None, repr=False)
    proc: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0
    # Supervision (Supervisor.watch): recent crash times, pending restart, restarts so far.
    crashes: list[float] = field(default_factory=list, repr=False)
    restart_at: float | None = None
    restarts: int = 0
    awaiting_health: bool = False

    def check(self, timeout: float = 2.0) -> tuple[int, str]:
        """(status, body) of the health check: the probe, else a GET of ``health_url``."""
        return self.probe() if self.probe is not None else http_get(self.health_url, timeout)


@dataclass(frozen=True)
class RestartPolicy:
    """Restart a crashed service after ``first_delay`` s, doubling per recent crash up to
    ``max_delay``; give up when a service crashed ``max_crashes`` times within ``window`` s."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    max_crashes: int = 5
    window: float = 60.0

    def delay(self, recent_crashes: int) -> float:
        """Seconds to wait before the restart after the ``recent_crashes``-th crash (1, 2 ...)."""
        return min(self.max_delay, self.first_delay * 2 ** max(0, recent_crashes - 1))


@dataclass(frozen=True)
class GaveUp:
    """Why supervision ended: a service kept crashing."""

    service: Service
    returncode: int | None
    reason: str


def describe_exit(returncode: int | None) -> str:
    """How a process ended, in words: "exit code 3", or "killed by SIGKILL" (negative codes)."""
    if returncode is not None and returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class Supervisor:
    """Starts services, waits for their health, restarts crashed ones, and stops all of them
    (reverse order).

    ``report`` gets one line per supervision event (default: print); the same lines, with the
    time, go to ``log_path`` (if given) and to the service's own log.
    """

    def __init__(
        self,
        policy: RestartPolicy | None = None,
        report: Callable[[str], None] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.services: list[Service] = []
        self.policy = policy or RestartPolicy()
        self.report = report or (lambda line: print(line, flush=True))
        self.log_path = Path(log_path) if log_path is not None else None

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
            status, body = svc.check()
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

    def watch(self, poll: float = 0.5, until: Callable[[], bool] | None = None) -> GaveUp | None:
        """Keep the services running until one keeps crashing (returns why) or ``until()``
        is true (returns None). Ctrl-C/SIGTERM interrupt it as usual."""
        while True:
            if until is not None and until():
                return None
            for svc in list(self.services):
                gave_up = self._check(svc, time.monotonic())
                if gave_up is not None:
                    return gave_up
            time.sleep(poll)

    def watch_in_background(self, poll: float = 0.5) -> Callable[[], GaveUp | None]:
        """``watch`` in a thread (the test suites: the system is supervised while pytest drives
        it). Returns the function that stops watching and says whether it gave up."""
        import threading

        stop = threading.Event()
        outcome: list[GaveUp | None] = [None]

        def run() -> None:
            outcome[0] = self.watch(poll, until=stop.is_set)

        thread = threading.Thread(target=run, name="supervisor", daemon=True)
        thread.start()

        def stop_watching() -> GaveUp | None:
            stop.set()
            thread.join(timeout=30)
            return outcome[0]

        return stop_watching

    def _check(self, svc: Service, now: float) -> GaveUp | None:
        if svc.restart_at is not None:
            if now >= svc.restart_at:
                self._restart(svc)
            return None
        if svc.proc is None:
            return None
        returncode = svc.proc.poll()
        if returncode is None:
            if svc.awaiting_health:
                self._check_health(svc, now)
            return None
        return self._crashed(svc, returncode, now)

    def _crashed(self, svc: Service, returncode: int | None, now: float) -> GaveUp | None:
        # Children of the dead process would hold its port: the whole group goes.
        if svc.proc is not None:
            _killpg(svc.proc, signal.SIGKILL)
        svc.awaiting_health = False
        policy = self.policy
        svc.crashes = [t for t in svc.crashes if now - t < policy.window] + [now]
        count = len(svc.crashes)
        how = describe_exit(returncode)
        if count >= policy.max_crashes:
            reason = (
                f"the {svc.name} crashed {count} times within {policy.window:.0f} s "
                f"(last: {how}); giving up"
            )
            self._event(svc, reason)
            return GaveUp(svc, returncode, reason)
        delay = policy.delay(count)
        self._event(
            svc,
            f"the {svc.name} stopped unexpectedly ({how}); restarting it in {delay:g} s "
            f"(crash {count} of {policy.max_crashes} allowed within {policy.window:.0f} s)",
        )
        svc.restart_at = now + delay
        return None

    def _restart(self, svc: Service) -> None:
        svc.restart_at = None
        try:
            svc.proc = spawn(svc.cmd, env=svc.env, cwd=svc.cwd, log_path=svc.log_path, append=True)
        except OSError as error:
            svc.proc = None
            self._event(svc, f"could not restart the {svc.name}: {error}")
            self._crashed(svc, None, time.monotonic())
            return
        svc.started_at = time.monotonic()
        svc.restarts += 1
        svc.awaiting_health = True
        self._event(svc, f"restarted the {svc.name} (pid {svc.proc.pid}, restart {svc.restarts})")

    def _check_health(self, svc: Service, now: float) -> None:
        status, body = svc.check(timeout=1.0)
        elapsed = now - svc.started_at
        if svc.healthy(status, body):
            svc.awaiting_health = False
            self._event(svc, f"the {svc.name} answers again ({elapsed:.1f} s after the restart)")
        elif elapsed > svc.timeout:
            svc.awaiting_health = False
            self._event(
                svc,
                f"the {svc.name} was restarted but has not answered {svc.health_url} within "
                f"{svc.timeout:.0f} s; see {svc.log_path}",
            )

    def _event(self, svc: Service, message: str) -> None:
        self.report(f"[supervisor] {message}")
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} [./kk supervisor] {message}\n"
        for path in (self.log_path, svc.log_path):
            if path is None:
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "a", encoding="utf-8") as log:
                    log.write(line)
            except OSError:
                pass

    def stop_all(self, grace: float = 10.0) -> None:
        with shielded():
            kill_groups([s.proc for s in reversed(self.services) if s.proc], grace)
            self.services.clear()

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()
