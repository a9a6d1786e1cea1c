"""The Python environments (.venvs/api, .venvs/bot, .venvs/deploy): build when missing, else skip.

Each is installed from its lock file, requirements/<name>.lock.txt (exact versions with
hashes): `uv pip install --require-hashes -r <lock>` (pip when uv cannot be installed or fails),
then the project itself with `pip install --no-deps -e .`, then packages the lock does not pin
are removed and tools/venv_check.py verifies the result. uv downloads in parallel and compiles
the bytecode on every core: the bot venv took 107-239 s with pip and ~40 s with uv (issue 16,
docs/training_benchmark.md "First start").
A venv is "done" when its stamp file holds the hash of the lock + pyproject.toml + extras +
Python version. Without a (matching) stamp, venv_check decides whether the installed packages
already are the lock; only then is pip run.

`./kk lock` (lock_main) writes the lock files with `uv pip compile`, each resolved with the
environment's own Python; `./kk lock --upgrade` moves every pin to the newest allowed release.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.errors import StepError
from tools.fingerprint import read_stamp, write_stamp
from tools.paths import LOGS, REPO, VENVS, rel
from tools.steps import StepContext, StepFailed, StepRunner

PIP = ["-m", "pip", "install", "--disable-pip-version-check", "-q"]
STAMP_NAME = ".kk-stamp"
CHECKER = REPO / "tools" / "venv_check.py"
LOCKS = REPO / "requirements"
# The resolver behind `./kk lock`, in a venv of its own (.venvs/lock-tool). One exact version:
# its output format is what the lock files and tools/venv_check.py read.
UV = "uv==0.13.9"


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

    @property
    def lock(self) -> Path:
        return LOCKS / f"{self.name}.lock.txt"


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
# Static checks of deploy/ (tests/deploy): checkov and kubernetes-validate, apart from the api venv.
DEPLOY = VenvSpec(
    name="deploy",
    extras="deploy",
    version=(3, 11),
    python_env_var="KK_API_PYTHON",
    python_candidates=API.python_candidates,
    missing_python_hint=API.missing_python_hint,
)
SPECS = {"api": API, "bot": BOT, "deploy": DEPLOY}


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


def stamp_value(
    spec: VenvSpec,
    version: tuple[int, int],
    lock: Path | None = None,
    pyproject: Path | None = None,
) -> str:
    """What the stamp of an installed venv holds: a change to the lock (new pins) or to
    pyproject.toml (the project's own metadata) makes ./kk install again."""
    digest = hashlib.sha256()
    for path in (lock or spec.lock, pyproject or REPO / "pyproject.toml"):
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
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
            f"Read the pip or venv_check error above. Check access to PyPI; when the lock "
            f"does not cover pyproject.toml, run ./kk lock; to rebuild from scratch delete "
            f".venvs/{spec.name} and run the command again."
        ),
    )


def _ensure(ctx: StepContext, spec: VenvSpec) -> None:
    if not spec.lock.exists():
        raise StepError(
            f"{rel(spec.lock)} is missing",
            hint="Run ./kk lock to write the lock files from pyproject.toml (needs PyPI).",
        )
    with locked(VENVS / f".{spec.name}.lock"):
        version = python_version(spec.python) if spec.python.exists() else None
        if version is not None and version != spec.version:
            raise StepError(
                f".venvs/{spec.name} uses Python {version[0]}.{version[1]}, "
                f"needs {spec.version[0]}.{spec.version[1]}",
                hint=f"Delete .venvs/{spec.name} and run the command again.",
            )
        rebuild = version is None
        check = [spec.python, CHECKER, REPO, spec.extras, spec.lock]
        if not rebuild:
            want = stamp_value(spec, version)
            if read_stamp(spec.stamp) == want:
                ctx.skip("up to date")
            if ctx.run(check, cwd=REPO, check=False) == 0:
                # Packages already are the lock (only comments changed, or pyproject.toml
                # outside the dependencies): refresh the project's own editable metadata.
                ctx.run([spec.python, *PIP, "--no-deps", "-e", "."], cwd=REPO)
                write_stamp(spec.stamp, want)
                ctx.note("packages already match the lock; stamp written")
                return
        else:
            base = find_base_python(spec)
            args = [base, "-m", "venv"]
            if spec.path.exists():
                args.append("--clear")  # a broken leftover
            ctx.run([*args, spec.path], cwd=REPO)
            version = spec.version
        _install_lock(ctx, spec)
        ctx.run([spec.python, *PIP, "--no-deps", "-e", "."], cwd=REPO)
        ctx.run([*check, "--remove-extra"], cwd=REPO)  # exactly the lock, or fail
        write_stamp(spec.stamp, stamp_value(spec, version))
        ctx.note(("built" if rebuild else "updated") + f" from {rel(spec.lock)}")


# --- ./kk lock ---------------------------------------------------------------------------

LOCK_USAGE = """./kk lock [--upgrade]
  write requirements/{api,bot,deploy}.lock.txt from pyproject.toml with
  uv pip compile; pins that still fit are kept, --upgrade moves every pin to the newest
  release pyproject.toml allows"""


def lock_header(spec: VenvSpec, command: str) -> str:
    py = f"{spec.version[0]}.{spec.version[1]}"
    return (
        f"# Lock for .venvs/{spec.name} (Python {py}): pyproject.toml's dependencies and extras\n"
        f"# [{spec.extras}] resolved to exact versions with sha256 hashes, without the project.\n"
        f"# Made by `./kk lock` (tools/venvs.py) with {UV} from PyPI:\n"
        f"#   {command}\n"
        f"# ./kk installs it: `uv pip install --require-hashes -r` this file (pip if uv fails),\n"
        f"# then `pip install --no-deps -e .`.\n"
        f"# Do not edit: change pyproject.toml and run ./kk lock (--upgrade for newer pins).\n"
    )


def lock_tool() -> Path:
    return VENVS / "lock-tool" / "bin" / "uv"


def _uv_is_current() -> bool:
    uv = lock_tool()
    if not uv.exists():
        return False
    out = subprocess.run([uv, "--version"], capture_output=True, text=True, check=False)
    return out.returncode == 0 and out.stdout.split()[1:2] == [UV.split("==")[1]]


def _install_uv(ctx: StepContext, *, check: bool = True) -> bool:
    """uv in .venvs/lock-tool unless it is there already; False when it could not be installed
    (only with ``check=False``)."""
    with locked(VENVS / ".lock-tool.lock"):
        if _uv_is_current():
            return True
        env = lock_tool().parent.parent
        steps = ([sys.executable, "-m", "venv", "--clear", env], [env / "bin" / "python", *PIP, UV])
        for cmd in steps:
            if ctx.run(cmd, cwd=REPO, check=check) != 0:
                return False
        return _uv_is_current()


def _ensure_uv(ctx: StepContext) -> None:
    if _uv_is_current():
        ctx.skip(UV.replace("==", " "))
    _install_uv(ctx)
    ctx.note(f"{UV.replace('==', ' ')} in {rel(lock_tool().parent.parent)}")


def _install_lock(ctx: StepContext, spec: VenvSpec) -> None:
    """The lock's packages into the venv: with uv (parallel downloads, bytecode compiled on every
    core), or with pip when uv cannot be installed or its install fails (e.g. an index that only
    pip's own configuration names: uv runs with ``--no-config`` and PyPI)."""
    if _install_uv(ctx, check=False):
        uv = [lock_tool(), "pip", "install", "--no-config", "--quiet", "--compile-bytecode"]
        cmd = [*uv, "--require-hashes", "--python", spec.python, "-r", spec.lock]
        if ctx.run(cmd, cwd=REPO, check=False) == 0:
            return
        ctx.say("uv could not install the lock; installing with pip instead")
    else:
        ctx.say("uv could not be installed; installing with pip instead")
    ctx.run([spec.python, *PIP, "-r", spec.lock], cwd=REPO)


def _lock(ctx: StepContext, spec: VenvSpec, upgrade: bool) -> None:
    python = find_base_python(spec)
    extras = [f"--extra={e}" for e in spec.extras.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / spec.lock.name
        if spec.lock.exists() and not upgrade:
            shutil.copyfile(spec.lock, out)  # uv keeps the pins of an existing output file
        flags = ["--generate-hashes", "--no-header", "--no-config"]
        if upgrade:
            flags.append("--upgrade")
        args = ["pip", "compile", "pyproject.toml", *extras, *flags]
        ctx.run([lock_tool(), *args, "--python", python, "-o", out], cwd=REPO)
        py = f"{spec.version[0]}.{spec.version[1]}"
        shown = " ".join(["uv", *args, "--python", f"<Python {py}>"])
        text = lock_header(spec, shown) + out.read_text()
    old = spec.lock.read_text() if spec.lock.exists() else None
    spec.lock.parent.mkdir(parents=True, exist_ok=True)
    spec.lock.write_text(text)
    count = sum(1 for line in text.splitlines() if line[:1].isalnum())
    ctx.note(f"{rel(spec.lock)}: {count} packages, {'unchanged' if old == text else 'written'}")


def lock_main(argv: list[str]) -> int:
    upgrade = argv == ["--upgrade"]
    if argv and not upgrade:
        print(LOCK_USAGE, file=sys.stderr)
        return 2
    runner = StepRunner(LOGS)
    hint = "Read uv's error above: a range in pyproject.toml that cannot be met, or no PyPI."
    try:
        runner.step("install uv", _ensure_uv, log_name="lock-uv", hint="Check access to PyPI.")
        for spec in SPECS.values():
            runner.step(
                f"lock {spec.name}",
                lambda ctx, spec=spec: _lock(ctx, spec, upgrade),
                log_name=f"lock-{spec.name}",
                hint=hint,
            )
    except StepFailed as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    print("Commit requirements/; ./kk run and ./kk test install the venvs from these locks.")
    return 0
