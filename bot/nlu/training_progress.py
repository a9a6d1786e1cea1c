"""`rasa` with a progress line every 5 s (issue 16): what `./kk run` trains with.

    python -m bot.nlu.training_progress train --config config.yml ...

Runs Rasa's command line with the same arguments. Rasa itself is silent for half a minute and
more while it imports TensorFlow, reads and validates the training data and fingerprints it for
its cache; meanwhile a heartbeat says which of Rasa's steps runs (its latest log message) and for
how long: ``progress: rasa train: <step> (<n> s)`` (tools/steps.py shows the newest such line).
The heartbeat is a small child process: a thread of this process would wait for the GIL, which
Rasa's C code (YAML, JSON, hashing) holds for many seconds at a time. The citizen classifier
adds its own lines while it trains (e5 counts, its phases).

`rasa train` first validates the domain and the training data (`rasa data validate`'s checks),
about 5 s before the training itself starts. Here that validation runs as a separate
`rasa data validate` process beside the training (`--skip-validation` for the training): on 2
cores the retrain after one changed entry is 5 s shorter (issue 16), and the run still fails,
with the validator's messages, when the validation fails.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kkshared.retrieval.progress import HEARTBEAT_SECONDS, say

STEP_CHARACTERS = 70

# The child: every ``interval`` seconds, the step written into ``path``, while its parent lives.
_HEARTBEAT = """
import os, sys, time
parent, path, label, interval = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
started = time.monotonic()
while True:
    time.sleep(interval)
    if os.getppid() != parent:
        break
    try:
        with open(path, encoding="utf-8") as handle:
            step = handle.read().strip() or "starting"
    except OSError:
        step = "starting"
    elapsed = time.monotonic() - started
    print(f"progress: {label}: {step} ({elapsed:.0f} s)", file=sys.stderr, flush=True)
"""


class _StepFromLog(logging.Handler):
    """Rasa's latest INFO message becomes the heartbeat's step (shortened, one line)."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.INFO)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = " ".join(record.getMessage().split())[:STEP_CHARACTERS]
            if message:
                self.path.write_text(message, encoding="utf-8")
        except Exception:  # a malformed log call or a full disk must not break the training
            return


# `rasa train` options naming the data, passed to `rasa data validate` as they are.
_DATA_OPTIONS = ("--config", "--domain", "--data")


def validation_command(args: list[str]) -> list[str] | None:
    """`rasa data validate` of what ``rasa <args>`` trains on, or None when the training should
    validate itself (not a training, --skip-validation given, or options this does not pass on)."""
    if args[:1] != ["train"] or "--skip-validation" in args:
        return None
    command = [sys.executable, "-m", "rasa", "data", "validate"]
    option = None
    for arg in args[1:]:
        if arg.startswith("--"):
            option = arg if arg in _DATA_OPTIONS else None
            if option:
                command.append(arg)
            elif arg.startswith(("--fail-on-validation-warnings", "--validation-max-history")):
                return None  # the training's own validation honours these
            continue
        if option:
            command.append(arg)
    return command


def _start_validation(args: list[str]) -> tuple[list[str], subprocess.Popen[str] | None]:
    command = validation_command(args)
    if command is None:
        return args, None
    validator = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return [*args, "--skip-validation"], validator


def _finish_validation(validator: subprocess.Popen[str] | None, code: int) -> int:
    """Wait for the validator, show what it said; the training's exit code, or 1 when the
    validation failed."""
    if validator is None:
        return code
    output, _ = validator.communicate()
    if output.strip():
        print(output.rstrip(), file=sys.stderr, flush=True)
    if validator.returncode != 0:
        say(f"progress: rasa data validate: failed (exit code {validator.returncode})")
        return code or 1
    return code


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    label = f"rasa {args[0] if args else ''}".strip()
    started = time.monotonic()
    code = 1
    args, validator = _start_validation(args)
    with tempfile.TemporaryDirectory(prefix="kk-training-progress-") as directory:
        step = Path(directory) / "step"
        step.write_text("loading Rasa", encoding="utf-8")
        heartbeat = subprocess.Popen(
            [sys.executable, "-c", _HEARTBEAT, str(os.getpid()), str(step), label]
            + [str(HEARTBEAT_SECONDS)],
            stdin=subprocess.DEVNULL,
        )
        try:
            logging.getLogger("rasa").addHandler(_StepFromLog(step))
            if args[:1] == ["train"]:
                from bot.nlu import training_patches

                training_patches.install()
            from rasa.__main__ import main as rasa_main

            sys.argv = ["rasa", *args]
            try:
                rasa_main()
                code = 0
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        except BaseException:
            if validator is not None:
                validator.kill()
            raise
        finally:
            heartbeat.terminate()
            heartbeat.wait()
            code = _finish_validation(validator, code)
            outcome = "done" if code == 0 else "failed"
            say(f"progress: {label}: {outcome} ({time.monotonic() - started:.0f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
