"""Hand memory that a process freed back to the operating system.

Loading the Rasa model allocates many small arrays (one per catalogue entry's vectors) that are
then stacked into one matrix and freed (kkshared/retrieval/index.py); building the Danish lexicon
reads spaCy's whole table into dicts that are freed once the compact tables exist
(kkshared/lexicon.py). glibc keeps freed small blocks in the process's heap, so the process's
resident memory stays 30-60 MB higher than what it uses until ``malloc_trim`` returns the free
pages. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import lru_cache
from typing import cast


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up once (``find_library`` runs ``ldconfig``); None elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return cast(Callable[[int], int], trim)


def release_freed_memory() -> bool:
    """Return the heap's free pages to the system; True when glibc released any."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
