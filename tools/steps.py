"""Step runner: progress and duration of every set-up step, skipping what is already done,
and failures that name the step, show the tail of its log and say what to do."""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tools.errors import StepError
from tools.paths import rel
from tools.processes import run_logged

TAIL_LINES = 25
NAME_WIDTH = 30
STEP_HEADER = "# step: "  # first line of every step log


class Skip(Exception):
    """Raised inside a step to report it as already done."""


class StepFailed(Exception):
    """A step failed; str() is the full report for the terminal."""

    def __init__(
        self, step: str, seconds: float, message: str, log_path: Path | None, hint: str | None
    ):
        self.step = step
        self.seconds = seconds
        self.message = message
        self.log_path = log_path
        self.hint = hint
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f'Step "{self.step}" failed after {self.seconds:.1f}s: {self.message}.']
        if self.log_path is not None:
            tail = log_tail(self.log_path)
            earlier = error_lines(self.log_path, exclude=tail)
            if earlier:
                lines.append(f"Error lines earlier in {rel(self.log_path)}:")
                lines += [f"  ! {line}" for line in earlier]
            if tail:
                lines.append(f"Last lines of {rel(self.log_path)}:")
                lines += [f"  | {line}" for line in tail]
        if self.hint:
            lines.append(f"What to do: {self.hint}")
        return "\n".join(lines)


_ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\([0B])")


def log_tail(path: Path, n: int = TAIL_LINES) -> list[str]:
    """Last `n` non-empty lines of a log, without terminal escape codes."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return []
    lines = [_ANSI.sub("", line).rstrip() for line in text.splitlines()]
    return [line for line in lines if line.strip() and not line.startswith(STEP_HEADER)][-n:]


_ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|FATAL|\w+(Error|Exception|Exit)\b:?)")


def error_lines(path: Path, exclude: list[str] = (), n: int = 6, width: int = 300) -> list[str]:
    """The last `n` lines that look like errors, unless already in `exclude` (the tail)."""
    shown = set(exclude)
    found: list[str] = []
    for line in log_tail(path, 100000):
        if _ERROR_LINE.search(line) and line not in shown:
            if line in found:
                found.remove(line)  # keep the last occurrence only
            found.append(line)
    return [line if len(line) <= width else line[:width] + " ..." for line in found[-n:]]


# Lines a long command writes to say how far it is (kkshared.retrieval.dense.Progress).
_PROGRESS_LINE = re.compile(r"^(e5: .*|progress: .*)$")
PROGRESS_SECONDS = 10.0


def last_progress(path: Path) -> str | None:
    """The newest progress line in a log (read from its end: logs of training are long)."""
    try:
        with open(path, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 65536))
            tail = log.read().decode(errors="replace")
    except OSError:
        return None
    for line in reversed(tail.splitlines()):
        if _PROGRESS_LINE.match(line.strip()):
            return line.strip()
    return None


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass
class StepResult:
    name: str
    status: str  # "ok" | "skip" | "fail"
    seconds: float
    detail: str = ""


class StepContext:
    def __init__(self, runner: StepRunner, name: str, log_path: Path):
        self.runner = runner
        self.name = name
        self.log_path = log_path
        self.detail = ""
        self.tick = runner.ticker(name, log_path)  # tick(elapsed): progress while waiting

    def skip(self, reason: str) -> None:
        raise Skip(reason)

    def say(self, text: str) -> None:
        """An information line while the step runs (e.g. why it cannot be skipped)."""
        if self.runner._tty:
            self.runner.out.write("\r\x1b[K")
        self.runner.print(f"       {self.name}: {text}")
        if self.runner._tty:
            self.runner.out.write(f"[....] {self.name:<{NAME_WIDTH}}")
            self.runner.out.flush()

    def note(self, detail: str) -> None:
        """Extra text shown after the duration on the result line."""
        self.detail = detail

    def run(
        self,
        cmd: list,
        *,
        env: dict | None = None,
        cwd: Path | None = None,
        timeout: float | None = None,
        check: bool = True,
    ) -> int:
        return run_logged(
            [str(c) for c in cmd],
            self.log_path,
            env=env,
            cwd=cwd,
            timeout=timeout,
            on_tick=self.tick,
            check=check,
        )


class StepRunner:
    def __init__(self, log_dir: Path, out: TextIO | None = None, heartbeat: float = 30.0):
        self.log_dir = Path(log_dir)
        self.out = out or sys.stdout
        self.heartbeat = heartbeat
        self.results: list[StepResult] = []
        self._tty = hasattr(self.out, "isatty") and self.out.isatty()

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def ticker(self, name: str, log_path: Path | None = None) -> Callable[[float], None]:
        """Progress while a step waits: a heartbeat every ``heartbeat`` seconds and, at most
        every ``PROGRESS_SECONDS``, the newest progress line the command wrote to its log
        (``e5: 1200/4000 texts encoded, ... s left`` while a model trains)."""
        state: dict[str, Any] = {"next": self.heartbeat, "progress_at": 0.0, "shown": None}

        def tick(elapsed: float) -> None:
            line = None
            if log_path is not None and elapsed - state["progress_at"] >= PROGRESS_SECONDS:
                state["progress_at"] = elapsed
                line = last_progress(log_path)
                if line == state["shown"]:
                    line = None
            if self._tty:
                shown = f" {line}" if line else ""
                self.out.write(f"\r\x1b[K[....] {name:<{NAME_WIDTH}} {elapsed:5.0f}s{shown}")
                self.out.flush()
            elif line:
                state["next"] = elapsed + self.heartbeat
                self.print(f"       {name}: {line} ({elapsed:.0f}s)")
            elif elapsed >= state["next"]:
                state["next"] = elapsed + self.heartbeat
                self.print(f"       {name}: still running ({elapsed:.0f}s)")
            if line:
                state["shown"] = line

        return tick

    def step(
        self,
        name: str,
        fn: Callable[[StepContext], Any],
        *,
        hint: str | None = None,
        log_name: str | None = None,
    ) -> Any:
        """Run fn(ctx) as a named step; returns its result (None when skipped)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{log_name or slug(name)}.log"
        log_path.write_text(f"{STEP_HEADER}{name} ({time.strftime('%Y-%m-%d %H:%M:%S')})\n")
        ctx = StepContext(self, name, log_path)
        if self._tty:
            self.out.write(f"[....] {name:<{NAME_WIDTH}}")
            self.out.flush()
        else:
            self.print(f"[....] {name}")
        started = time.monotonic()
        try:
            result = fn(ctx)
        except Skip as skip:
            self._finish(StepResult(name, "skip", time.monotonic() - started, str(skip)))
            return None
        except KeyboardInterrupt:
            self._finish(StepResult(name, "stop", time.monotonic() - started, "interrupted"))
            raise
        except StepError as exc:
            seconds = time.monotonic() - started
            self._finish(StepResult(name, "fail", seconds))
            log = exc.log_path if exc.log_path is not None else log_path
            raise StepFailed(name, seconds, exc.message, log, exc.hint or hint) from exc
        except Exception as exc:  # a bug or an unexpected environment problem
            seconds = time.monotonic() - started
            with open(log_path, "a") as log:
                traceback.print_exc(file=log)
            self._finish(StepResult(name, "fail", seconds))
            raise StepFailed(name, seconds, f"{type(exc).__name__}: {exc}", log_path, hint) from exc
        self._finish(StepResult(name, "ok", time.monotonic() - started, ctx.detail))
        return result

    def _finish(self, res: StepResult) -> None:
        self.results.append(res)
        label = {"ok": " ok ", "skip": "skip", "fail": "FAIL", "stop": "STOP"}[res.status]
        line = f"[{label}] {res.name:<{NAME_WIDTH}} {res.seconds:5.1f}s"
        if res.detail:
            line += f"  {res.detail}"
        if self._tty:
            self.out.write("\r\x1b[K" + line + "\n")
            self.out.flush()
        else:
            self.print(line)
