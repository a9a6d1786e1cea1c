"""Hand memory that the Rasa process freed back to the operating system.

Loading the model allocates many small arrays (one per catalogue entry's vectors) that are then
stacked into one matrix and freed (kkshared/retrieval/index.py). glibc keeps freed small blocks in
the process's heap, so the process's resident memory stays ~30 MB higher than what it uses until
``malloc_trim`` returns the free pages. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util


def release_freed_memory() -> bool:
    """Return the heap's free pages to the system; True when glibc released any."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:  # not glibc
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return bool(trim(0))
