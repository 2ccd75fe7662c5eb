"""A worker's large buffers come from its heap and are reused, not mapped afresh per photo.

Each case runs in its own interpreter (the allocator's settings are per process
and cannot be undone), and reads what glibc itself reports: ``mallinfo2`` for
the bytes in separately mapped blocks, the kernel's count of page faults for
whether a freed buffer's pages were kept. glibc only; elsewhere the function
changes nothing and says so.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import textwrap

import pytest

from ingest.worker_memory import reuse_large_buffers

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

PROBE = textwrap.dedent(
    """
    import ctypes, json, resource, sys
    from ingest.worker_memory import reuse_large_buffers

    done = reuse_large_buffers() if sys.argv[1] == "reuse" else False
    libc = ctypes.CDLL("libc.so.6")
    names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"

    class Mallinfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in names.split()]

    libc.mallinfo2.restype = Mallinfo2
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    size = 8 << 20  # a 1280 px preview and then some

    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    mapped_before = libc.mallinfo2().hblkhd
    first = libc.malloc(size)
    mapped = libc.mallinfo2().hblkhd - mapped_before
    ctypes.memset(first, 1, size)
    libc.free(first)
    before = faults()
    second = libc.malloc(size)
    ctypes.memset(second, 2, size)
    refaults = faults() - before
    libc.free(second)
    print(json.dumps({"done": done, "mapped": mapped, "refaults": refaults, "pages": size // 4096}))
    """
)


def probe(mode: str) -> dict:
    """Allocate, touch, free and reallocate an 8 MB buffer in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.mark.skipif(not GLIBC, reason="the allocator's thresholds are glibc's")
def test_a_large_buffer_comes_from_the_heap_and_its_pages_are_reused() -> None:
    plain, reused = probe("plain"), probe("reuse")
    assert plain["mapped"] >= 8 << 20  # the control: glibc maps such a block by itself
    assert reused["done"] is True
    assert reused["mapped"] == 0, "an 8 MB buffer was still mapped on its own"
    assert reused["refaults"] < reused["pages"] // 20, reused


@pytest.mark.skipif(GLIBC, reason="on glibc the thresholds are set")
def test_elsewhere_nothing_is_changed() -> None:
    assert reuse_large_buffers() is False
