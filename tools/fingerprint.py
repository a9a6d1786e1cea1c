"""Content hashes of files/directories and the stamp files that remember them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

IGNORED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".git"}
IGNORED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")


def file_hashes(paths: Iterable[Path], root: Path, exclude: Iterable[Path] = ()) -> dict[str, str]:
    """{relative name: sha256 of content} for every file under `paths` ("missing" for a
    path that does not exist). Caches and editor droppings are ignored; `exclude` drops
    whole files/directories."""
    root = Path(root).resolve()
    excluded = {Path(p).resolve() for p in exclude}
    result: dict[str, str] = {}
    for path in sorted(Path(p).resolve() for p in paths):
        for name, file in _files(path, root, excluded):
            result[name] = hashlib.sha256(file.read_bytes()).hexdigest() if file else "missing"
    return result


def combined_hash(hashes: dict[str, str], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for name in sorted(hashes):
        digest.update(f"\0{name}\0{hashes[name]}".encode())
    return digest.hexdigest()


def hash_paths(
    paths: Iterable[Path], root: Path, extra: str = "", exclude: Iterable[Path] = ()
) -> str:
    """One sha256 over the names and contents of all files under `paths` (see file_hashes);
    creating, deleting, renaming or editing a file changes it."""
    return combined_hash(file_hashes(paths, root, exclude), extra)


def changed_files(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Names added, removed or modified between two file_hashes() results."""
    return sorted(n for n in set(old) | set(new) if old.get(n) != new.get(n))


def _files(path: Path, root: Path, excluded: set[Path]):
    name = _rel(path, root)
    if path in excluded:
        return
    if path.is_file():
        yield name, path
        return
    if not path.exists():
        yield name, None
        return
    for dirpath, dirnames, filenames in os.walk(path):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if d not in IGNORED_DIRS and (here / d) not in excluded
        )
        for fname in sorted(filenames):
            file = here / fname
            if fname.endswith(IGNORED_SUFFIXES) or file in excluded:
                continue
            yield _rel(file, root), file


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_stamp(stamp: Path) -> str | None:
    try:
        return Path(stamp).read_text().strip() or None
    except OSError:
        return None


def write_stamp(stamp: Path, value: str) -> None:
    stamp = Path(stamp)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_name(stamp.name + ".tmp")
    tmp.write_text(value + "\n")
    os.replace(tmp, stamp)


def is_current(stamp: Path, value: str, *outputs: Path) -> bool:
    """True when the stamp holds `value` and every output exists."""
    return read_stamp(stamp) == value and all(Path(o).exists() for o in outputs)
