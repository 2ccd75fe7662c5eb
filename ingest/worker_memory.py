"""A worker's large buffers reused from one photo to the next, not mapped afresh for each.

Every photo passes through buffers of a few megabytes: the file read in 1 MiB
chunks, the preview libvips decodes (3.7 MB at 1280 px), Pillow's copy of it,
its rotation. glibc serves an allocation that large from a fresh ``mmap`` and
gives it back to the system when it is freed, so every photo touches some 2,400
new pages, each a page fault (on a virtual machine, a fault the host serves as
well): some 5% of a worker's CPU, measured on the benchmark photos
(``bench/bench_ingest.py``). Raised thresholds keep such buffers in the heap,
where the next photo's allocations reuse the same, already mapped pages; the
worker's peak memory grows by only what one photo holds at once (the target
is at most 80 MB a worker on 24 MP photos).

Only glibc has ``mallopt`` with these parameters; elsewhere (Windows, macOS,
musl) nothing is changed and the worker runs as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

# glibc's malloc.h: M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Blocks up to this size come from the heap (a 1280 px preview is 3.7-4.9 MB, a
# 24 MP photo's decoding strips far less), and this much free memory at the top
# of the heap is kept for the next photo rather than given back.
HEAP_BLOCKS_UP_TO = 16 << 20
KEPT_FREE = 16 << 20


def reuse_large_buffers() -> bool:
    """Keep a worker's large buffers in its heap (glibc only); whether it was done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO)) and bool(
        mallopt(_M_TRIM_THRESHOLD, KEPT_FREE)
    )
