"""kkshared/memory.py: freed heap memory goes back to the system."""

from __future__ import annotations

import numpy as np

from kkshared.memory import release_freed_memory


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(row for row in status if row.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_memory_freed_by_many_small_arrays_is_returned() -> None:
    small = [np.full(500, float(i)) for i in range(40_000)]  # ~160 MB in heap-sized blocks
    keep = small[::1000]  # a few survivors in between, as after a model load
    del small
    before = _rss_mb()
    assert release_freed_memory()
    after = _rss_mb()
    assert before - after > 50, (before, after)
    assert len(keep) == 40
