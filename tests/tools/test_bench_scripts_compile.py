"""The benchmark scripts are run by hand, not by the tests: at least they must compile."""

from __future__ import annotations

import py_compile
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize(
    "script", sorted(BENCH.rglob("*.py")), ids=lambda p: str(p.relative_to(BENCH))
)
def test_bench_script_compiles(script: Path, tmp_path: Path) -> None:
    py_compile.compile(str(script), cfile=str(tmp_path / "x.pyc"), doraise=True)
