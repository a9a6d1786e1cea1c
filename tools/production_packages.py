"""Debian packages of the production profile: redis-server, nginx (and PostgreSQL, through
tools/pg_cluster.py), installed with apt-get when their program is missing (root only).

Installing never starts the packages' own system services: the profile runs its own processes
on its own ports (tools/production.py). Stdlib only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tools.errors import StepError


@dataclass(frozen=True)
class DebianProgram:
    package: str  # Debian package name
    program: str  # the executable the profile runs
    candidates: tuple[str, ...] = ()  # where Debian puts it when it is not on PATH

    def find(self) -> Path | None:
        found = shutil.which(self.program)
        if found:
            return Path(found)
        for candidate in self.candidates:
            if Path(candidate).exists():
                return Path(candidate)
        return None


REDIS = DebianProgram("redis-server", "redis-server", ("/usr/bin/redis-server",))
NGINX = DebianProgram("nginx", "nginx", ("/usr/sbin/nginx",))


def ensure_program(program: DebianProgram, log_path: Path | None = None) -> Path:
    """The program's path, installing its Debian package first when it is missing."""
    found = program.find()
    if found:
        return found
    if os.geteuid() != 0:
        raise StepError(
            f"{program.program} is not installed and installing it needs root",
            hint=f"Run `sudo apt-get install -y {program.package}`, then retry.",
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", program.package]):
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        try:
            rc = subprocess.call(
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        finally:
            if log_path:
                out.close()
        if rc != 0:
            raise StepError(
                f"`{' '.join(cmd)}` failed with exit code {rc}",
                log_path,
                "Check network access to the Debian mirror.",
            )
    found = program.find()
    if not found:
        raise StepError(
            f"apt-get installed {program.package} but {program.program} was not found", log_path
        )
    return found
