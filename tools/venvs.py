"""The two Python environments (.venvs/api, .venvs/bot): build when missing, skip when done.

A venv is "done" when its stamp file holds the hash of pyproject.toml + extras + Python
version. Without a (matching) stamp, tools/venv_check.py decides whether the installed
packages already satisfy pyproject.toml; only then is pip run.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.errors import StepError
from tools.fingerprint import read_stamp, write_stamp
from tools.paths import REPO, VENVS
from tools.steps import StepContext, StepRunner

PIP = ["-m", "pip", "install", "--disable-pip-version-check", "-q"]
STAMP_NAME = ".kk-stamp"
CHECKER = REPO / "tools" / "venv_check.py"


@dataclass(frozen=True)
class VenvSpec:
    name: str
    extras: str
    version: tuple[int, int]
    python_env_var: str
    python_candidates: tuple[str, ...]
    missing_python_hint: str

    @property
    def path(self) -> Path:
        return VENVS / self.name

    def bin(self, tool: str) -> Path:
        return self.path / "bin" / tool

    @property
    def python(self) -> Path:
        return self.bin("python")

    @property
    def stamp(self) -> Path:
        return self.path / STAMP_NAME


API = VenvSpec(
    name="api",
    extras="api,test,web",
    version=(3, 11),
    python_env_var="KK_API_PYTHON",
    python_candidates=("/root/.pyenv/versions/3.11.7/bin/python", "python3.11", "python3"),
    missing_python_hint="Install Python 3.11 (e.g. `apt-get install python3.11-venv` or "
    "`pyenv install 3.11.7`) or point KK_API_PYTHON at one.",
)
BOT = VenvSpec(
    name="bot",
    extras="bot,test",
    version=(3, 10),
    python_env_var="KK_BOT_PYTHON",
    python_candidates=("/root/.pyenv/versions/3.10.13/bin/python",),
    missing_python_hint="Rasa 3.6 needs Python 3.10: run `pyenv install 3.10.13` "
    "(expected at /root/.pyenv/versions/3.10.13/bin/python) or point "
    "KK_BOT_PYTHON at a Python 3.10 interpreter.",
)
SPECS = {"api": API, "bot": BOT}


def python_version(python: str | Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [str(python), "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def find_base_python(spec: VenvSpec, environ: dict | None = None) -> str:
    environ = os.environ if environ is None else environ
    candidates = list(spec.python_candidates)
    if environ.get(spec.python_env_var):
        candidates.insert(0, environ[spec.python_env_var])
    tried = []
    for cand in candidates:
        path = cand if os.path.isabs(cand) else shutil.which(cand)
        if not path or not os.path.exists(path):
            tried.append(f"{cand} (not found)")
            continue
        version = python_version(path)
        if version == spec.version:
            return path
        tried.append(f"{cand} (is {'.'.join(map(str, version)) if version else 'broken'})")
    raise StepError(
        f"no Python {spec.version[0]}.{spec.version[1]} for .venvs/{spec.name}; tried "
        + ", ".join(tried),
        hint=spec.missing_python_hint,
    )


def stamp_value(spec: VenvSpec, version: tuple[int, int], pyproject: Path | None = None) -> str:
    pyproject = pyproject or REPO / "pyproject.toml"
    digest = hashlib.sha256(Path(pyproject).read_bytes())
    digest.update(f"\0{spec.extras}\0{version[0]}.{version[1]}".encode())
    return digest.hexdigest()


@contextmanager
def locked(path: Path):
    """Exclusive lock so two ./kk invocations never pip-install into one venv at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_venv(runner: StepRunner, spec: VenvSpec) -> None:
    runner.step(
        f"install {spec.name} venv",
        lambda ctx: _ensure(ctx, spec),
        log_name=f"install-{spec.name}",
        hint=(
            f"Read the pip error above. Check access to PyPI; to rebuild from scratch "
            f"delete .venvs/{spec.name} and run the command again."
        ),
    )


def _ensure(ctx: StepContext, spec: VenvSpec) -> None:
    with locked(VENVS / f".{spec.name}.lock"):
        version = python_version(spec.python) if spec.python.exists() else None
        if version is not None and version != spec.version:
            raise StepError(
                f".venvs/{spec.name} uses Python {version[0]}.{version[1]}, "
                f"needs {spec.version[0]}.{spec.version[1]}",
                hint=f"Delete .venvs/{spec.name} and run the command again.",
            )
        rebuild = version is None
        if not rebuild:
            want = stamp_value(spec, version)
            if read_stamp(spec.stamp) == want:
                ctx.skip("up to date")
            rc = ctx.run([spec.python, CHECKER, REPO, spec.extras], cwd=REPO, check=False)
            if rc == 0:
                # Packages already satisfy pyproject.toml: refresh only the project's own
                # editable metadata (cheap), then remember.
                ctx.run([spec.python, *PIP, "--no-deps", "-e", f".[{spec.extras}]"], cwd=REPO)
                write_stamp(spec.stamp, want)
                ctx.note("packages were already complete; stamp written")
                return
        else:
            base = find_base_python(spec)
            args = [base, "-m", "venv"]
            if spec.path.exists():
                args.append("--clear")  # a broken leftover
            ctx.run([*args, spec.path], cwd=REPO)
            version = spec.version
        ctx.run([spec.python, *PIP, "-e", f".[{spec.extras}]"], cwd=REPO)
        write_stamp(spec.stamp, stamp_value(spec, version))
        ctx.note("built" if rebuild else "updated")
