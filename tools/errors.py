"""Errors that a set-up step can raise; the step runner reports them with their log."""

from __future__ import annotations

from pathlib import Path


class StepError(Exception):
    """Something a step needed failed. `log_path` (if any) is shown, tail first."""

    def __init__(self, message: str, log_path: Path | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.log_path = log_path
        self.hint = hint


class CommandFailed(StepError):
    def __init__(
        self,
        cmd: list[str],
        returncode: int | None,
        log_path: Path | None,
        timed_out_after: float | None = None,
    ):
        shown = " ".join(_short(c) for c in cmd)
        if timed_out_after is not None:
            message = f"`{shown}` did not finish within {timed_out_after:.0f}s and was stopped"
        else:
            message = f"`{shown}` exited with code {returncode}"
        super().__init__(message, log_path)
        self.cmd = cmd
        self.returncode = returncode


def _short(arg: str) -> str:
    from tools.paths import rel

    arg = str(arg)
    return rel(Path(arg)) if arg.startswith("/") else arg
