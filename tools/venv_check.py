"""Does this interpreter's environment satisfy pyproject.toml (with the given extras)?

Runs *inside* a venv (Python 3.10 or 3.11, stdlib + pip's vendored packaging):
    .venvs/api/bin/python tools/venv_check.py /path/to/repo api,test
Exit 0 when every requirement (transitively) is installed in a matching version and the
project itself is installed editable from the repo; otherwise exit 1 listing what is missing.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

try:
    from packaging.markers import UndefinedEnvironmentName
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pragma: no cover - depends on the venv
    from pip._vendor.packaging.markers import UndefinedEnvironmentName
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib


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
    repo = Path(argv[1])
    extras = [e for e in argv[2].split(",") if e] if len(argv) > 2 else []
    name, reqs = project_requirements(repo / "pyproject.toml", extras)
    problems = missing_requirements(reqs)
    editable = editable_from(name, repo)
    if editable:
        problems.insert(0, editable)
    for p in problems:
        print(f"missing: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
