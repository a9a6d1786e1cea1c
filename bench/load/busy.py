"""The named "busy machine" of the load benchmark: Debian's ``stress-ng --cpu 1`` for the whole
measurement (issue 16), installed with apt-get when missing (root only, as tools/pg_cluster.py
does for PostgreSQL). Stdlib and tools only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from tools.production_packages import DebianProgram, ensure_program

STRESS_NG = DebianProgram("stress-ng", "stress-ng", ("/usr/bin/stress-ng",))
# What the report names: one CPU worker spinning for as long as the measurement lasts.
BUSY_ARGS = ("--cpu", "1")
BUSY_COMMAND = "stress-ng " + " ".join(BUSY_ARGS)


@contextmanager
def busy_machine(enabled: bool) -> Iterator[int | None]:
    """Run ``stress-ng --cpu 1`` while the block runs (its pid; None when not ``enabled``)."""
    if not enabled:
        yield None
        return
    program = ensure_program(STRESS_NG)
    process = subprocess.Popen(
        [str(program), *BUSY_ARGS, "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process.pid
    finally:
        ended_early = process.poll() is not None
        if not ended_early:
            os.killpg(process.pid, 15)  # stress-ng and its worker (own process group)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=10)
    if ended_early:  # the machine was not busy for the whole measurement: say so
        raise RuntimeError(f"`{BUSY_COMMAND}` stopped early (exit code {process.returncode})")
