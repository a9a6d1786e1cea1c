"""Does this interpreter's environment hold exactly the lock file, and the project editable?

Runs *inside* a venv (Python 3.10 or 3.11, stdlib + pip's vendored packaging):
    .venvs/api/bin/python tools/venv_check.py /path/to/repo api,test,web requirements/api.lock.txt
Exit 0 when
- every package pinned in the lock is installed in exactly that version and nothing else is
  (pip itself, and setuptools/wheel when the lock does not pin them, are not counted),
- the project itself is installed editable from the repo,
- pyproject.toml's requirements (with the given extras) are met, transitively: a lock that
  is older than pyproject.toml fails here ("run ./kk lock").
Otherwise exit 1, one line per problem. With --remove-extra, packages that the lock does not
pin are uninstalled first (`pip install -r` only adds and changes, it never removes).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

try:
    from packaging.markers import Marker, UndefinedEnvironmentName
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pragma: no cover - depends on the venv
    from pip._vendor.packaging.markers import Marker, UndefinedEnvironmentName
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib

# Installed by `python -m venv` itself; counted only when the lock pins them.
BOOTSTRAP = ("pip", "setuptools", "wheel", "distribute")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)\s*(?:;(.*))?$")


def read_lock(text: str) -> dict[str, str]:
    """{canonical name: version} of a `name==version` requirements file (pip-compile or
    `uv pip compile` output): comments, `--hash` continuations and options are skipped, a
    pin whose marker does not hold for this interpreter is left out."""
    pins: dict[str, str] = {}
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.split(" #", 1)[0].strip()
        line = re.sub(r"\s--hash[= ]\S+", "", line).strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = _PIN.match(line)
        if not match:
            raise ValueError(f"not an exact pin (name==version): {raw.strip()!r}")
        name, _, version, marker = match.groups()
        if marker and not Marker(marker.strip()).evaluate():
            continue
        pins[canonicalize_name(name)] = version
    return pins


def read_freeze(text: str) -> dict[str, str]:
    """{canonical name: version} from `pip freeze` output (editable/URL lines skipped)."""
    pins: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")) or " @ " in line:
            continue
        name, _, version = line.partition("==")
        pins[canonicalize_name(name)] = version.strip()
    return pins


def installed_versions(exclude: str = "") -> dict[str, str]:
    """{canonical name: version} of every distribution in this environment but `exclude`."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and canonicalize_name(name) != canonicalize_name(exclude):
            found[canonicalize_name(name)] = dist.version
    return found


def compare_with_lock(locked: dict[str, str], installed: dict[str, str]) -> list[str]:
    """Problems that keep `installed` from being exactly `locked` (both canonical names)."""
    problems = []
    for name, version in sorted(locked.items()):
        have = installed.get(name)
        if have is None:
            problems.append(f"{name}=={version} (not installed)")
        elif have != version:
            problems.append(f"{name}=={version} (installed {have})")
    for name in sorted(unlocked_packages(locked, installed)):
        problems.append(f"{name}=={installed[name]} (installed, not in the lock)")
    return problems


def unlocked_packages(locked: dict[str, str], installed: dict[str, str]) -> list[str]:
    ignored = {n for n in BOOTSTRAP if n not in locked}
    return sorted(n for n in installed if n not in locked and n not in ignored)


def project_requirements(pyproject: Path, extras: list[str]) -> tuple[str, list[Requirement]]:
    data = tomllib.loads(Path(pyproject).read_text())
    project = data["project"]
    name = project["name"]
    optional = project.get("optional-dependencies", {})
    reqs = [Requirement(r) for r in project.get("dependencies", [])]
    pending, done = list(extras), set()
    while pending:
        extra = pending.pop()
        if extra in done:
            continue
        done.add(extra)
        if extra not in optional:
            raise KeyError(f"extra {extra!r} is not declared in {pyproject}")
        for text in optional[extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == canonicalize_name(name):
                pending.extend(req.extras)  # self-reference such as "proj[api]"
            else:
                reqs.append(req)
    return name, reqs


def _applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    try:
        return any(req.marker.evaluate({"extra": e}) for e in (extras or {""}))
    except UndefinedEnvironmentName:
        return False


def missing_requirements(reqs: list[Requirement]) -> list[str]:
    """Transitively check installed distributions; returns human-readable problems."""
    problems: list[str] = []
    seen: set[tuple[str, frozenset]] = set()
    queue = [(r, r.extras) for r in reqs if _applies(r, set())]
    while queue:
        req, _ = queue.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req} (not installed)")
            continue
        if req.specifier and not req.specifier.contains(dist.version, prereleases=True):
            problems.append(f"{req} (installed {dist.version})")
            continue
        for text in dist.requires or []:
            try:
                sub = Requirement(text)
            except InvalidRequirement:
                continue
            if _applies(sub, set(req.extras)):
                queue.append((sub, sub.extras))
    return sorted(set(problems))


def editable_from(dist_name: str, repo: Path) -> str | None:
    """Problem text unless `dist_name` is installed editable from `repo`."""
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        return f"{dist_name} is not installed"
    raw = dist.read_text("direct_url.json")
    info = json.loads(raw) if raw else {}
    url = info.get("url", "")
    if not info.get("dir_info", {}).get("editable"):
        return f"{dist_name} is not installed in editable mode"
    if url.rstrip("/") != Path(repo).resolve().as_uri():
        return f"{dist_name} is installed from {url}, not from {Path(repo).resolve()}"
    return None


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    remove_extra = "--remove-extra" in argv
    if len(args) != 3:
        print("usage: venv_check.py REPO EXTRAS LOCK [--remove-extra]", file=sys.stderr)
        return 2
    repo, extras, lock = Path(args[0]), [e for e in args[1].split(",") if e], Path(args[2])
    name, reqs = project_requirements(repo / "pyproject.toml", extras)
    locked = read_lock(lock.read_text())
    if canonicalize_name(name) in locked:
        print(f"{lock} pins the project itself ({name}); run ./kk lock")
        return 1
    if remove_extra:
        extra = unlocked_packages(locked, installed_versions(exclude=name))
        if extra:
            print(f"uninstalling what {lock.name} does not pin: {' '.join(extra)}", flush=True)
            cmd = [sys.executable, "-m", "pip", "uninstall", "-y", "-q", *extra]
            subprocess.run(cmd, check=True)
    differences = compare_with_lock(locked, installed_versions(exclude=name))
    problems = [f"lock {lock.name}: {p}" for p in differences]
    stale = missing_requirements(reqs)
    problems += [f"pyproject.toml: {p} (is the lock older than pyproject.toml?)" for p in stale]
    editable = editable_from(name, repo)
    if editable:
        problems.insert(0, editable)
    for p in problems:
        print(f"problem: {p}")
    if stale:
        print("The lock does not cover pyproject.toml: run ./kk lock, then this again.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
